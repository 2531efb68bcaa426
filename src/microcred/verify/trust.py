"""The trust file: which issuers a verifier accepts, under which verified names, and from when.

A valid signature only says *some* key signed; whether that key's owner is a school you
recognise is a policy decision kept in a local file (MC-32). Format (JSON)::

    {"microcred_trust": 1,
     "issuers": [{"did": "did:web:school.example", "name": "Example School",
                  "did_document": "school.did.json",
                  "did_document_sha256": "<hex>",
                  "since": "2024-01-01", "until": "2027-12-31",
                  "status_list_issuers": ["did:web:registry.example"],
                  "status_lists": {"https://school.example/status/revocation-1.json":
                                   "revocation-1.json"}}]}

Only ``did`` and ``name`` are required (a file with just those stays valid). ``did`` may be a
DID or the https URL of a controller document (VC Data Integrity section 2.1). The document
that resolves keys is pinned either by file (``did_document``, relative to the trust file) or
by the sha256 of its bytes (``did_document_sha256``: a copy given with ``--did-doc`` or shipped
in a site folder is used only when its digest matches). An entry without either says
"trusted by DID" but never makes a key resolvable. ``since``/``until`` bound when the issuer's
credentials count (by their signed ``validFrom``/``issuanceDate``); ``status_list_issuers``
names who else may sign this issuer's status lists. The name shown as verified is the one
written here, never the issuer's self-declared name.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from microcred._util import parse_date
from microcred.errors import ConfigError, MicrocredError
from microcred.proof.timestamps import format_datetimestamp, parse_datetimestamp
from microcred.verify.pinned import (
    PinnedDocument,
    StatusSnapshot,
    controller_id_problem,
    did_document_from,
    marked,
    read_json_file,
    read_json_file_digest,
    status_snapshot_from,
)

TRUST_VERSION = 1
_ISSUER_KEYS = frozenset(
    {
        "did",
        "name",
        "did_document",
        "did_document_sha256",
        "since",
        "until",
        "status_list_issuers",
        "status_lists",
        "note",
    }
)
_SHA256 = re.compile(r"[0-9a-f]{64}")
_TOP_KEYS = frozenset({"microcred_trust", "issuers", "note"})


@dataclass(frozen=True)
class TrustedIssuer:
    """One trust-file entry, parsed. ``since``/``until`` (aware datetimes, inclusive; a bare
    date means that whole UTC day) bound the issuance dates the verifier accepts."""

    did: str
    name: str
    did_document: PinnedDocument | None = None
    status_lists: Mapping[str, StatusSnapshot] = field(default_factory=dict)
    did_document_sha256: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    status_list_issuers: tuple[str, ...] = ()

    def pins(self, document: PinnedDocument) -> bool:
        """Does this entry pin ``document`` (by its file or by the digest of its bytes)?"""
        pinned = self.did_document
        if pinned is not None and (document is pinned or document.document == pinned.document):
            return True
        digest = self.did_document_sha256
        return digest is not None and document.sha256 == digest

    def window_problem(self, issued: datetime | None) -> str | None:
        """Why a credential issued at ``issued`` is outside this entry's trust window."""
        if self.since is None and self.until is None:
            return None
        if issued is None:
            return "it has no issuance date to compare with the trust window"
        if self.since is not None and issued < self.since:
            return f"it was issued {format_datetimestamp(issued)}, before {self.since:%Y-%m-%d}"
        if self.until is not None and issued > self.until:
            return f"it was issued {format_datetimestamp(issued)}, after {self.until:%Y-%m-%d}"
        return None


@dataclass(frozen=True)
class TrustStore:
    """Trusted issuers by DID, plus the DID documents and status lists pinned for them."""

    issuers: Mapping[str, TrustedIssuer]
    source: str = ""

    def lookup(self, did: str | None) -> TrustedIssuer | None:
        return self.issuers.get(did) if isinstance(did, str) else None

    def did_documents(self) -> dict[str, PinnedDocument]:
        return {i.did: i.did_document for i in self.issuers.values() if i.did_document}

    def pinned_by_digest(self, did: str, document: PinnedDocument) -> bool:
        """A document from elsewhere (site folder) counts only when this file pins its digest."""
        entry = self.issuers.get(did)
        return entry is not None and entry.did_document_sha256 is not None and entry.pins(document)

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


def _read_digest(path: Path, what: str, source: str, where: str) -> tuple[Any, str]:
    try:
        return read_json_file_digest(path, what)
    except ConfigError as exc:
        raise _bad(source, where, exc.message) from None


def _date(value: Any, source: str, where: str, *, end: bool) -> datetime | None:
    """A trust-window bound: ``YYYY-MM-DD`` (the whole UTC day) or a date-time with zone."""
    if value is None:
        return None
    if isinstance(value, str) and len(value) == 10:
        day = parse_date(value)
        if day is not None:
            start = datetime(day.year, day.month, day.day, tzinfo=UTC)
            if not end:
                return start
            return start.replace(hour=23, minute=59, second=59, microsecond=999999)
    try:
        return parse_datetimestamp(value, field=where)
    except MicrocredError:
        raise _bad(source, where, f"{value!r} is not a date (YYYY-MM-DD) or date-time") from None


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
        if not isinstance(did, str) or any(c.isspace() for c in did):
            raise _bad(source, f"{where}.did", f"{did!r} is not a DID")
        if "#" in did:
            raise _bad(source, f"{where}.did", "name the DID itself, without a '#fragment'")
        if not did.startswith(("did:", "https://")):
            raise _bad(source, f"{where}.did", f"{did!r} is not a DID or an https URL")
        problem = controller_id_problem(did)
        if problem is not None:
            raise _bad(source, f"{where}.did", f"{marked(did)}: {problem}")
        if not isinstance(name, str) or not name.strip():
            raise _bad(source, f"{where}.name", "must be a non-empty name")
        if did in issuers:
            raise _bad(source, f"{where}.did", f"{did} is listed twice")
        pinned = None
        if item.get("did_document") is not None:
            path = _inside(base, item["did_document"], source, f"{where}.did_document")
            value, digest = _read_digest(path, "DID document", source, f"{where}.did_document")
            try:
                doc_did, pinned = did_document_from(value, str(path), digest)
            except ConfigError as exc:
                raise _bad(source, f"{where}.did_document", exc.message) from None
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
        pin: Any = item.get("did_document_sha256")
        if pin is not None and (not isinstance(pin, str) or not _SHA256.fullmatch(pin)):
            raise _bad(source, f"{where}.did_document_sha256", "must be 64 lower-case hex digits")
        if pin is not None and pinned is not None and pinned.sha256 != pin:
            raise _bad(
                source,
                f"{where}.did_document_sha256",
                f"{pinned.source} has sha256 {pinned.sha256}, not the one pinned here",
            )
        since = _date(item.get("since"), source, f"{where}.since", end=False)
        until = _date(item.get("until"), source, f"{where}.until", end=True)
        if since is not None and until is not None and until < since:
            raise _bad(source, f"{where}.until", "is before since")
        delegates = item.get("status_list_issuers", [])
        if not isinstance(delegates, list) or not all(
            isinstance(d, str) and d.startswith(("did:", "https://")) and "#" not in d
            for d in delegates
        ):
            raise _bad(
                source, f"{where}.status_list_issuers", "must be an array of DIDs or https URLs"
            )
        issuers[did] = TrustedIssuer(
            did,
            name.strip(),
            pinned,
            lists,
            did_document_sha256=pin or (pinned.sha256 if pinned is not None else None),
            since=since,
            until=until,
            status_list_issuers=tuple(delegates),
        )
    return TrustStore(issuers, source)


def load_trust_file(path: Path) -> TrustStore:
    return parse_trust(read_json_file(path, "trust file"), str(path), path.parent)
