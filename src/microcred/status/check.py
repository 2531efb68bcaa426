"""Verifier side: one status entry against one already signature-checked list credential.

Pure: no I/O, no clock of its own, never raises on bad data (every problem becomes a
:class:`StatusOutcome`). The caller has verified the list's proofs and decided whether its
issuer may speak for the credential; it passes that verdict in as ``list_issuer_ok``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

from microcred.errors import StatusError
from microcred.status._dates import format_stamp, parse_stamp, require_aware
from microcred.status.bitstring import DEFAULT_MAX_BYTES, MIN_ENTRIES, decode_list, get_status_value
from microcred.status.entry import (
    ENTRY_TYPE_2021,
    StatusEntry,
    UnsupportedStatusTypeError,
    validate_entry,
)

LIST_TYPE = "BitstringStatusListCredential"
SUBJECT_TYPE = "BitstringStatusList"
LIST_TYPE_2021 = "StatusList2021Credential"
SUBJECT_TYPE_2021 = "StatusList2021"
VERIFICATION = "STATUS_VERIFICATION_ERROR"
LENGTH = "STATUS_LIST_LENGTH_ERROR"
RETRIEVAL = "STATUS_RETRIEVAL_ERROR"

State = Literal["ok", "revoked", "suspended", "set", "failed", "unsupported", "stale", "newer"]


@dataclass(frozen=True)
class StatusOutcome:
    """What one status entry says, and as of when.

    ``state``: ``ok`` (bit clear), ``revoked`` / ``suspended`` (bit set for that purpose),
    ``set`` (non-zero value for ``refresh``/``message``; see ``message``), ``failed`` (the list
    or entry is bad: ``code`` is the W3C problem name), ``unsupported`` (a status type microcred
    does not implement), ``stale`` (snapshot older than its ``ttl``) or ``newer`` (the list was
    signed after the time of verification, so it cannot say what the status was then): the
    last three mean "unknown", never "not revoked".
    """

    state: State
    purpose: str | None = None
    index: int | None = None
    list_url: str | None = None
    value: int | None = None
    message: str | None = None
    code: str | None = None
    detail: str | None = None
    valid_from: dt.datetime | None = None
    valid_until: dt.datetime | None = None
    ttl_ms: int | None = None
    warnings: tuple[str, ...] = ()

    @property
    def is_failure(self) -> bool:
        return self.state == "failed"

    @property
    def is_indeterminate(self) -> bool:
        return self.state in ("unsupported", "stale", "newer")

    @property
    def as_of(self) -> dt.datetime | None:
        """When the list snapshot was issued: the date behind "status as of <date>"."""
        return self.valid_from


class _Fail(Exception):
    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


def _types(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [t for t in value if isinstance(t, str)]
    return []


def _subject(list_credential: Mapping[str, Any]) -> Mapping[str, Any]:
    subject = list_credential.get("credentialSubject")
    if isinstance(subject, list) and len(subject) == 1:
        subject = subject[0]
    if not isinstance(subject, Mapping):
        raise _Fail(VERIFICATION, "the list credential has no single credentialSubject object")
    return subject


def _dates(
    list_credential: Mapping[str, Any], subject: Mapping[str, Any]
) -> tuple[dt.datetime | None, dt.datetime | None, int | None]:
    # VC 1.1 lists (the 2021 StatusList2021Credential) are dated by issuanceDate/expirationDate.
    start = "validFrom" if "validFrom" in list_credential else "issuanceDate"
    end = "validUntil" if "validUntil" in list_credential else "expirationDate"
    try:
        valid_from = (
            parse_stamp(list_credential[start], f"list {start}")
            if start in list_credential
            else None
        )
        valid_until = (
            parse_stamp(list_credential[end], f"list {end}") if end in list_credential else None
        )
    except StatusError as exc:
        raise _Fail(exc.code, exc.message) from None
    ttl = subject.get("ttl")
    if ttl is not None and (isinstance(ttl, bool) or not isinstance(ttl, int) or ttl < 0):
        raise _Fail("MALFORMED_VALUE_ERROR", f"list ttl {ttl!r} is not a non-negative integer (ms)")
    return valid_from, valid_until, ttl


def _before(start: dt.datetime, ttl_ms: int, now: dt.datetime) -> bool:
    """``start + ttl < now``; a ttl reaching past the calendar's end never runs out."""
    try:
        return start + dt.timedelta(milliseconds=ttl_ms) < now
    except OverflowError:
        return False


def check_entry_against_list(
    entry: Mapping[str, Any] | StatusEntry,
    list_credential: Mapping[str, Any],
    *,
    list_issuer_ok: bool,
    now: dt.datetime,
    fetched_at: dt.datetime | None = None,
    min_entries: int = MIN_ENTRIES,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> StatusOutcome:
    """Run BSL's validate algorithm for one entry (MC-43..53, MC-60).

    ``fetched_at`` (optional): when the snapshot was retrieved; with the list's ``ttl`` it
    decides staleness (MC-53b). ``now`` must be timezone-aware.
    """
    require_aware(now, "now")
    # 1. The entry's own shape.
    try:
        parsed = entry if isinstance(entry, StatusEntry) else validate_entry(entry)
    except UnsupportedStatusTypeError as exc:
        return StatusOutcome("unsupported", code=exc.code, detail=exc.message)
    except StatusError as exc:
        return StatusOutcome("failed", code=exc.code, detail=exc.diagnostics())
    base = StatusOutcome(
        "failed",
        purpose=parsed.purpose,
        index=parsed.index,
        list_url=parsed.list_url,
        warnings=parsed.warnings,
    )
    try:
        return _check(
            parsed, list_credential, base, list_issuer_ok, now, fetched_at, min_entries, max_bytes
        )
    except _Fail as fail:
        return replace(base, code=fail.code, detail=fail.detail)


def _check(
    parsed: StatusEntry,
    list_credential: Mapping[str, Any],
    base: StatusOutcome,
    list_issuer_ok: bool,
    now: dt.datetime,
    fetched_at: dt.datetime | None,
    min_entries: int,
    max_bytes: int,
) -> StatusOutcome:
    warnings = list(parsed.warnings)
    # 2. Only a list whose proofs verified and whose issuer may speak for the credential counts.
    if not list_issuer_ok:
        raise _Fail(VERIFICATION, "the status list's proof or issuer was not accepted")
    # 3. It must be a BitstringStatusListCredential, for this URL.
    if not isinstance(list_credential, Mapping):
        raise _Fail(VERIFICATION, "the status list is not a JSON object")
    list_type, subject_type = (
        (LIST_TYPE_2021, SUBJECT_TYPE_2021)
        if parsed.kind == ENTRY_TYPE_2021
        else (LIST_TYPE, SUBJECT_TYPE)
    )
    types = _types(list_credential.get("type"))
    if "VerifiableCredential" not in types or list_type not in types:
        raise _Fail(VERIFICATION, f"the status list's type {types} lacks {list_type}")
    list_id = list_credential.get("id")
    if list_id is None:
        warnings.append("the status list credential has no id to compare with the entry's URL")
    elif list_id != parsed.list_url:
        raise _Fail(
            VERIFICATION, f"the status list is {list_id!r}, but the entry names {parsed.list_url!r}"
        )
    subject = _subject(list_credential)
    if subject_type not in _types(subject.get("type")):
        raise _Fail(VERIFICATION, f"the list's credentialSubject.type is not {subject_type}")
    # 4. Validity period of the snapshot, and its freshness.
    valid_from, valid_until, ttl = _dates(list_credential, subject)
    dated = replace(base, valid_from=valid_from, valid_until=valid_until, ttl_ms=ttl)
    if valid_until is not None and now >= valid_until:
        return replace(
            dated,
            code=VERIFICATION,
            detail=f"the status list expired at {format_stamp(valid_until)}",
            warnings=tuple(warnings),
        )
    if valid_from is not None and now < valid_from:
        return replace(
            dated,
            state="newer",
            code=RETRIEVAL,
            detail=(
                f"the status list is newer than the time of verification (signed "
                f"{format_stamp(valid_from)}): it cannot tell the status at that time"
            ),
            warnings=tuple(warnings),
        )
    if fetched_at is not None and ttl is not None:
        require_aware(fetched_at, "fetched_at")
        if _before(fetched_at, ttl, now):
            return replace(
                dated,
                state="stale",
                code=RETRIEVAL,
                detail=f"the status list snapshot is older than its ttl of {ttl} ms",
                warnings=tuple(warnings),
            )
    # 5. The entry's purpose must be one the list declares (MC-44).
    purposes = _types(subject.get("statusPurpose"))
    if not purposes:
        raise _Fail("MALFORMED_VALUE_ERROR", "the list's statusPurpose is missing or not a string")
    if parsed.purpose not in purposes:
        raise _Fail(
            VERIFICATION,
            f"the entry's statusPurpose {parsed.purpose!r} is not one of the list's "
            f"({', '.join(purposes)})",
        )
    # 6. Decode (strict wire format, bounded inflation).
    encoded = subject.get("encodedList")
    if not isinstance(encoded, str):
        raise _Fail("MALFORMED_VALUE_ERROR", "the list's encodedList is missing or not a string")
    try:
        bits = decode_list(encoded, max_bytes=max_bytes)
    except StatusError as exc:
        raise _Fail(exc.code, exc.diagnostics()) from None
    # 7. Herd privacy needs at least min_entries entries (MC-48).
    entries = len(bits) * 8 // parsed.size
    if entries < min_entries:
        raise _Fail(
            LENGTH, f"the status list holds {entries} entries; at least {min_entries} are required"
        )
    # 8. The index must be inside the list (MC-46).
    if parsed.index >= entries:
        raise _Fail(
            "RANGE_ERROR",
            f"statusListIndex {parsed.index} is outside the list of {entries} entries",
        )
    # 9. Read the value, MSB first (MC-50).
    value = get_status_value(bits, parsed.index, parsed.size)
    message = parsed.message_for(value)
    if value == 0:
        state: State = "ok"
    elif parsed.purpose == "revocation":
        state = "revoked"
    elif parsed.purpose == "suspension":
        state = "suspended"
    else:
        state = "set"
    return replace(dated, state=state, value=value, message=message, warnings=tuple(warnings))
