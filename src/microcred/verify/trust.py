"""The trust file: which issuer DIDs a verifier accepts, under which verified names.

A valid signature only says *some* key signed; whether that key's owner is a school you
recognise is a policy decision kept in a local file (MC-32). Format (JSON)::

    {"microcred_trust": 1,
     "issuers": [{"did": "did:web:school.example", "name": "Example School",
                  "did_document": "school.did.json",
                  "status_lists": {"https://school.example/status/revocation-1.json":
                                   "revocation-1.json"}}]}

``did_document`` and ``status_lists`` paths are relative to the trust file. The name shown to
users as verified is the one written here, never the issuer's self-declared name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from microcred.errors import ConfigError
from microcred.verify.pinned import (
    PinnedDocument,
    StatusSnapshot,
    did_document_from,
    read_json_file,
    status_snapshot_from,
)

TRUST_VERSION = 1
_ISSUER_KEYS = frozenset({"did", "name", "did_document", "status_lists", "note"})
_TOP_KEYS = frozenset({"microcred_trust", "issuers", "note"})


@dataclass(frozen=True)
class TrustedIssuer:
    did: str
    name: str
    did_document: PinnedDocument | None = None
    status_lists: Mapping[str, StatusSnapshot] = field(default_factory=dict)


@dataclass(frozen=True)
class TrustStore:
    """Trusted issuers by DID, plus the DID documents and status lists pinned for them."""

    issuers: Mapping[str, TrustedIssuer]
    source: str = ""

    def lookup(self, did: str | None) -> TrustedIssuer | None:
        return self.issuers.get(did) if isinstance(did, str) else None

    def did_documents(self) -> dict[str, PinnedDocument]:
        return {i.did: i.did_document for i in self.issuers.values() if i.did_document}

    def status_lists(self) -> dict[str, StatusSnapshot]:
        out: dict[str, StatusSnapshot] = {}
        for issuer in self.issuers.values():
            out.update(issuer.status_lists)
        return out


def _bad(source: str, where: str, message: str) -> ConfigError:
    return ConfigError(
        f"trust file {source}: {where}: {message}",
        hint='expected {"issuers": [{"did": "did:...", "name": "..."}]}',
    )


def _inside(base: Path, rel: Any, source: str, where: str) -> Path:
    if not isinstance(rel, str) or not rel:
        raise _bad(source, where, "must be a relative file path")
    path = Path(rel)
    return path if path.is_absolute() else base / path


def _read(path: Path, what: str, source: str, where: str) -> Any:
    try:
        return read_json_file(path, what)
    except ConfigError as exc:
        raise _bad(source, where, exc.message) from None


def parse_trust(data: Any, source: str, base: Path) -> TrustStore:
    """Validate a parsed trust file; every mistake is a ConfigError naming its place."""
    if not isinstance(data, Mapping):
        raise _bad(source, "$", "must be a JSON object")
    unknown = sorted(set(data) - _TOP_KEYS)
    if unknown:
        raise _bad(source, "$", f"unknown key(s) {', '.join(unknown)}")
    version = data.get("microcred_trust", TRUST_VERSION)
    if version != TRUST_VERSION:
        raise _bad(source, "$.microcred_trust", f"version {version!r} is not supported (use 1)")
    items = data.get("issuers")
    if not isinstance(items, list):
        raise _bad(source, "$.issuers", "must be an array")
    issuers: dict[str, TrustedIssuer] = {}
    for number, item in enumerate(items):
        where = f"$.issuers[{number}]"
        if not isinstance(item, Mapping):
            raise _bad(source, where, "must be an object")
        unknown = sorted(set(item) - _ISSUER_KEYS)
        if unknown:
            raise _bad(source, where, f"unknown key(s) {', '.join(unknown)}")
        did, name = item.get("did"), item.get("name")
        if not isinstance(did, str) or not did.startswith("did:") or any(c.isspace() for c in did):
            raise _bad(source, f"{where}.did", f"{did!r} is not a DID")
        if "#" in did:
            raise _bad(source, f"{where}.did", "name the DID itself, without a '#fragment'")
        if not isinstance(name, str) or not name.strip():
            raise _bad(source, f"{where}.name", "must be a non-empty name")
        if did in issuers:
            raise _bad(source, f"{where}.did", f"{did} is listed twice")
        pinned = None
        if item.get("did_document") is not None:
            path = _inside(base, item["did_document"], source, f"{where}.did_document")
            doc_did, pinned = did_document_from(
                _read(path, "DID document", source, f"{where}.did_document"), str(path)
            )
            if doc_did != did:
                raise _bad(
                    source,
                    f"{where}.did_document",
                    f"{path} is the document of {doc_did}, not {did}",
                )
        lists: dict[str, StatusSnapshot] = {}
        raw_lists = item.get("status_lists", {})
        if not isinstance(raw_lists, Mapping):
            raise _bad(source, f"{where}.status_lists", "must map status list URLs to files")
        for url, rel in raw_lists.items():
            place = f"{where}.status_lists[{url!r}]"
            path = _inside(base, rel, source, place)
            key, snap = status_snapshot_from(
                _read(path, "status list", source, place), str(path), url
            )
            lists[key] = snap
        issuers[did] = TrustedIssuer(did, name.strip(), pinned, lists)
    return TrustStore(issuers, source)


def load_trust_file(path: Path) -> TrustStore:
    return parse_trust(read_json_file(path, "trust file"), str(path), path.parent)
