"""The issue index (``layout.ISSUE_INDEX``, committed): a receipt of what was signed, per record."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from microcred._util import LARGE_JSON_BYTES, loads_strict
from microcred.errors import ConfigError, MicrocredError
from microcred.fsutil import write_if_changed
from microcred.issue.write import dump_json
from microcred.layout import ISSUE_INDEX, ISSUE_INDEX_KEY

INDEX = ISSUE_INDEX


def read_index(root: Path) -> dict[str, dict[str, Any]]:
    """The issue index: record slug -> {id, digest, issued, verificationMethod}."""
    path = root / INDEX
    if not path.is_file():
        return {}
    try:
        data = loads_strict(path.read_bytes(), max_bytes=LARGE_JSON_BYTES)
    except (OSError, MicrocredError) as exc:
        raise ConfigError(
            f"cannot read the issue index: {exc}",
            where=str(path),
            hint="restore it from version control, or delete it: the next issue rebuilds it "
            "from the credential files without re-signing them",
        ) from exc
    entries = data.get(ISSUE_INDEX_KEY) if isinstance(data, dict) else None
    if not isinstance(entries, dict) or not all(isinstance(v, dict) for v in entries.values()):
        raise ConfigError("the issue index has no 'credentials' map", where=str(path))
    return entries


def _write_index(root: Path, entries: Mapping[str, Mapping[str, Any]]) -> None:
    body = {"version": 1, ISSUE_INDEX_KEY: {k: entries[k] for k in sorted(entries)}}
    write_if_changed(root / INDEX, dump_json(body).encode("utf-8"))


def fingerprint(value: Any) -> str:
    """sha256 of sorted, compact JSON: stable across machines and line endings, and fast (the
    C encoder; JCS in pure Python was a third of an unchanged re-run)."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _digest(unsigned: Mapping[str, Any], suites: Sequence[str]) -> str:
    """What was signed; deliberately not the key, so a rotation re-signs nothing by itself."""
    return fingerprint({"credential": unsigned, "suites": list(suites)})


def _index_entry(signed: Mapping[str, Any], digest: str) -> dict[str, Any]:
    """The receipt. ``sha256`` (a :func:`fingerprint` of the whole credential, so line endings
    a checkout may change do not matter) pins the proofs too: an edited file is never
    "unchanged"."""
    first = signed["proof"][0]
    return {
        "id": signed.get("id"),
        "digest": digest,
        "issued": first.get("created"),
        "verificationMethod": first.get("verificationMethod"),
        "sha256": fingerprint(signed),
    }
