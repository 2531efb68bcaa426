"""Local copies of what an online verifier would fetch: DID documents and status lists.

Files are read with the strict JSON parser and checked for their basic shape here, so that a
wrong file given on the command line is a usage error naming the file, not a confusing
verification failure later.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from microcred.errors import ConfigError, MicrocredError
from microcred.jsonld.strictjson import loads_strict
from microcred.proof.didweb import did_web_to_url

MAX_PINNED_BYTES = 2_000_000


@dataclass(frozen=True)
class PinnedDocument:
    """A DID or controller document given locally, where it came from (shown in the report)
    and the sha256 of its file (a trust file may pin a document by that digest)."""

    document: Mapping[str, Any]
    source: str
    sha256: str = ""
    chosen: bool = True
    """Given by the verifier (--did-doc, trust file); False for a copy a site folder ships."""


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
    return read_json_file_digest(path, what)[0]


def read_json_file_digest(path: Path, what: str) -> tuple[Any, str]:
    """(strictly parsed JSON, sha256 hex of the file's bytes) of a local file."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(
            f"cannot read {what} {path}: {exc.strerror or exc}", hint="check the path"
        ) from None
    except ValueError:  # a NUL in the path (a trust file can name any string)
        raise ConfigError(
            f"cannot read {what} {str(path)!r}: the path contains a NUL character",
            hint="check the path",
        ) from None
    if len(data) > MAX_PINNED_BYTES:
        raise ConfigError(f"{what} {path} is larger than {MAX_PINNED_BYTES} bytes")
    try:
        return loads_strict(data, max_bytes=MAX_PINNED_BYTES), hashlib.sha256(data).hexdigest()
    except MicrocredError as exc:
        raise ConfigError(f"{what} {path} is not valid JSON: {exc.message}") from None


def marked(text: str) -> str:
    """``text`` with every non-ASCII character shown as ``\\uXXXX`` plus its Unicode name, so a
    homoglyph (Cyrillic 'а' in a domain) cannot pass for the ASCII letter it imitates."""
    if text.isascii():
        return text
    shown = "".join(c if c.isascii() else f"\\u{ord(c):04x}" for c in text)
    names = sorted({f"U+{ord(c):04X} {unicodedata.name(c, '?')}" for c in text if not c.isascii()})
    return f"{shown} (non-ASCII: {', '.join(names)})"


def controller_id_problem(identifier: str) -> str | None:
    """Why ``identifier`` cannot name a pinned document: a did:web the did:web rules forbid
    (non-ASCII or upper-case host, IP literal, '..' segment...), or neither a DID nor an https
    URL (a controller document, VC Data Integrity section 2.1)."""
    if identifier.startswith("did:web:"):
        try:
            did_web_to_url(identifier)
        except MicrocredError as exc:
            return exc.message.replace(identifier, marked(identifier))
        return None
    if identifier.startswith("did:"):
        return None
    parts = urlsplit(identifier)
    if parts.scheme != "https" or not parts.netloc or parts.fragment or parts.query:
        return "a document id must be a DID or an https URL without query or fragment"
    if not identifier.isascii():
        return "use the ASCII (punycode) form of the URL"
    return None


def did_document_from(value: Any, source: str, sha256: str = "") -> tuple[str, PinnedDocument]:
    """(DID or URL, pinned document) for a parsed did.json or https controller document; its
    ``id`` is the identifier it speaks for."""
    if not isinstance(value, Mapping):
        raise ConfigError(f"DID document {source} is not a JSON object")
    did = value.get("id")
    if not isinstance(did, str) or not (did.startswith("did:") or did.startswith("https://")):
        raise ConfigError(
            f"DID document {source} has no 'id' naming a DID or an https URL",
            hint='a did.json must have "id": "did:web:..." (a controller document "https://...")',
        )
    problem = controller_id_problem(did)
    if problem is not None:
        raise ConfigError(
            f"DID document {source}: its id {marked(did)} cannot be used: {problem}",
            hint="a document for an identifier that did:web or URL rules forbid is never used",
        )
    return did, PinnedDocument(value, source, sha256)


def load_did_document(path: Path) -> tuple[str, PinnedDocument]:
    value, digest = read_json_file_digest(path, "DID document")
    return did_document_from(value, str(path), digest)


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
