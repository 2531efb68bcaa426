"""Keys and contexts the user pins from local files: ``--jwk FILE`` and ``--context URL=FILE``.

A JWK file vouches for a VC-JWT issuer's key the way a ``--did-doc`` vouches for a DID's keys:
the user got it out of band. It may hold one public JWK or a JWK Set (``{"keys": [...]}``);
secret members are refused (a file that leaks a private key should not be passed around). A
context file is a JSON-LD context the user trusts for a URL microcred does not ship; it never
replaces one microcred pins (such a ``--context`` is ignored).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from microcred.errors import ConfigError, MicrocredError
from microcred.jsonld.loader import default_loader
from microcred.proof.pubkeys import key_from_jwk
from microcred.verify.pinned import read_json_file


def is_jwk_document(value: Any) -> bool:
    """A JWK or JWK Set rather than a DID / controller document."""
    if not isinstance(value, Mapping):
        return False
    return "kty" in value or (isinstance(value.get("keys"), list) and "id" not in value)


def jwks_from(value: Any, source: str) -> list[tuple[str, Mapping[str, Any]]]:
    """(source, JWK) for every key of a parsed JWK / JWK Set; ConfigError for a bad one."""
    items = value.get("keys") if isinstance(value, Mapping) and "kty" not in value else [value]
    if not isinstance(items, list) or not items:
        raise ConfigError(f"{source} holds no JWK", hint='a JWK has "kty"; a JWK Set has "keys"')
    out: list[tuple[str, Mapping[str, Any]]] = []
    for n, jwk in enumerate(items):
        where = source if len(items) == 1 else f"{source} keys[{n}]"
        try:
            key_from_jwk(jwk)
        except MicrocredError as exc:
            raise ConfigError(f"{where}: {exc.message}") from None
        out.append((where, dict(jwk)))
    return out


def load_jwks(path: Path) -> list[tuple[str, Mapping[str, Any]]]:
    return jwks_from(read_json_file(path, "JWK file"), str(path))


def load_context_pair(spec: str) -> tuple[str, Any]:
    """``URL=FILE`` -> (URL, parsed context document); ConfigError for anything else."""
    url, sep, file = spec.rpartition("=")
    if not sep or not url.startswith(("https://", "http://")) or not file:
        raise ConfigError(f"--context {spec!r}: write it as URL=FILE (an http(s) URL)")
    document = read_json_file(Path(file), "context file")
    if not isinstance(document, Mapping) or "@context" not in document:
        raise ConfigError(f"--context {url}: {file} is not a JSON-LD context (no '@context')")
    return url, document


def user_contexts(specs: tuple[str, ...] | list[str]) -> dict[str, Any]:
    """URL -> document for every ``--context``; a URL microcred pins itself is skipped (its own,
    sha256-checked copy always wins, so naming it again changes nothing)."""
    loader = default_loader()
    pairs = (load_context_pair(spec) for spec in specs)
    return {url: doc for url, doc in pairs if not loader.is_pinned(url)}
