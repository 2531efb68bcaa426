"""Local copies of what an online verifier would fetch: DID documents and status lists.

Files are read with the strict JSON parser and checked for their basic shape here, so that a
wrong file given on the command line is a usage error naming the file, not a confusing
verification failure later.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from microcred.errors import ConfigError, MicrocredError
from microcred.jsonld.strictjson import loads_strict

MAX_PINNED_BYTES = 2_000_000


@dataclass(frozen=True)
class PinnedDocument:
    """A DID document given locally, and where it came from (shown in the report)."""

    document: Mapping[str, Any]
    source: str


@dataclass(frozen=True)
class StatusSnapshot:
    """A local copy of a signed status list credential, keyed by the URL credentials name.

    ``fetched_at`` is when the copy was taken if known (a site's build time), for staleness.
    """

    document: Mapping[str, Any]
    source: str
    fetched_at: str | None = None


def read_json_file(path: Path, what: str) -> Any:
    """Strictly parsed JSON of a local file, or a ConfigError naming the file and the problem."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(
            f"cannot read {what} {path}: {exc.strerror or exc}", hint="check the path"
        ) from None
    if len(data) > MAX_PINNED_BYTES:
        raise ConfigError(f"{what} {path} is larger than {MAX_PINNED_BYTES} bytes")
    try:
        return loads_strict(data, max_bytes=MAX_PINNED_BYTES)
    except MicrocredError as exc:
        raise ConfigError(f"{what} {path} is not valid JSON: {exc.message}") from None


def did_document_from(value: Any, source: str) -> tuple[str, PinnedDocument]:
    """(DID, pinned document) for a parsed did.json; its ``id`` is the DID it speaks for."""
    if not isinstance(value, Mapping):
        raise ConfigError(f"DID document {source} is not a JSON object")
    did = value.get("id")
    if not isinstance(did, str) or not did.startswith("did:"):
        raise ConfigError(
            f"DID document {source} has no 'id' naming a DID",
            hint='a did.json must have "id": "did:web:..."',
        )
    return did, PinnedDocument(value, source)


def load_did_document(path: Path) -> tuple[str, PinnedDocument]:
    return did_document_from(read_json_file(path, "DID document"), str(path))


def status_snapshot_from(
    value: Any, source: str, url: str | None = None, fetched_at: str | None = None
) -> tuple[str, StatusSnapshot]:
    """(URL, snapshot) for a parsed status list credential, keyed by ``url`` or its own ``id``."""
    if not isinstance(value, Mapping):
        raise ConfigError(f"status list {source} is not a JSON object")
    key = url if url is not None else value.get("id")
    if not isinstance(key, str) or not key:
        raise ConfigError(
            f"status list {source} has no 'id'",
            hint="name the URL it stands for: --status-list URL=FILE",
        )
    return key, StatusSnapshot(value, source, fetched_at)


def load_status_list(spec: str) -> tuple[str, StatusSnapshot]:
    """``FILE`` (keyed by the list's own id) or ``URL=FILE`` (the URL credentials name)."""
    url: str | None = None
    path_text = spec
    head, sep, tail = spec.rpartition("=")
    if sep and head.startswith(("https://", "http://")):
        url, path_text = head, tail
    path = Path(path_text)
    return status_snapshot_from(read_json_file(path, "status list"), str(path), url)
