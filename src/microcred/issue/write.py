"""How issued credentials are written and read back: one serialisation, strict reads."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from microcred._util import loads_known, loads_strict
from microcred.errors import ConfigError, MicrocredError
from microcred.jsonld.stringify import python_json


def dump_json(document: Mapping[str, Any]) -> str:
    """The one serialisation microcred writes: stable, UTF-8, two-space indent, final newline
    (``json.dumps(indent=2)``'s text, laid out faster)."""
    return python_json(document) + "\n"


def _read_credential(path: Path) -> dict[str, Any] | None:
    raw = _credential_bytes(path)
    return None if raw is None else _parse_credential(raw, path)


def _credential_bytes(path: Path) -> bytes | None:
    """An issued credential's file, as bytes (None: there is none)."""
    if path.is_symlink():
        raise ConfigError(
            "an issued credential is a symbolic link; microcred keeps issued credentials as "
            "regular files and does not follow links (one could point at any file)",
            where=str(path),
            hint="replace the link with the credential file from version control",
        )
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ConfigError(f"cannot read an issued credential: {exc}", where=str(path)) from exc


def _parse_credential(raw: bytes, path: Path) -> dict[str, Any]:
    try:
        data = loads_strict(raw)
    except MicrocredError as exc:
        raise ConfigError(
            f"an issued credential is not valid JSON ({exc.message})",
            where=str(path),
            hint="restore it from version control; delete it only if it was never published "
            "(a new one gets a new salt and new proofs)",
        ) from exc
    if not isinstance(data, dict):
        raise ConfigError("an issued credential is not a JSON object", where=str(path))
    return data


def _parse_known(raw: bytes) -> dict[str, Any]:
    """A credential file whose very bytes passed :func:`_parse_credential` in an earlier run
    (:mod:`microcred.issue.memo` names them by their SHA-256): the same value, without the
    checks those bytes already passed (0.2 ms of 0.4 ms a credential)."""
    value: dict[str, Any] = loads_known(raw)
    return value


def replaced_problem(
    existing: dict[str, Any], expected_id: str, issuer_did: str, path: Path
) -> str | None:
    """Why an issued credential whose id is not the one this program gives it is there: edited
    by hand (same issuer), or issued under another identity. None for the latter (the caller
    explains an identity change for all of them at once)."""
    issuer = existing.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    if issuer_id != issuer_did:
        return None
    return (
        f"{path} has the id {existing.get('id')!r}, but this program gives that record "
        f"{expected_id!r}: the file was edited by hand or copied from another record"
    )
