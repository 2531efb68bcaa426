"""``BitstringStatusListEntry``: build the ones microcred issues, validate the ones it reads."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from microcred.errors import StatusError

ENTRY_TYPE = "BitstringStatusListEntry"
ENTRY_TYPE_2021 = "StatusList2021Entry"
"""The W3C CCG predecessor (status-list/2021/v1 context); read like a bitstring entry of size 1."""
PURPOSES_2021 = ("revocation", "suspension")
PURPOSES = ("revocation", "suspension", "refresh", "message")
ISSUED_PURPOSES = ("revocation", "suspension")
MAX_INDEX_DIGITS = 20
"""No list microcred can decode has 10**20 entries; longer strings are refused before int()."""
MAX_STATUS_SIZE = 16
"""statusMessage must list 2**statusSize messages, so larger sizes cannot be well formed here."""
MAX_ENTRIES = 16
"""Cap on ``credentialStatus`` entries per credential (MC-61: 1,000 entries)."""

MALFORMED = "MALFORMED_VALUE_ERROR"
_INDEX_RE = re.compile(r"0|[1-9][0-9]*", re.ASCII)
_URL_RE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s]+", re.ASCII)
_HEX_RE = re.compile(r"0x[0-9A-Fa-f]+", re.ASCII)


class UnsupportedStatusTypeError(StatusError):
    """A status mechanism microcred does not implement: the outcome is *unknown*, never "ok".

    Code ``STATUS_RETRIEVAL_ERROR`` because the status could not be obtained (MC-53a).
    """

    code = "STATUS_RETRIEVAL_ERROR"

    def __init__(self, status_type: str, where: str | None = None) -> None:
        self.status_type = status_type
        super().__init__(
            f"unsupported status type {status_type!r}; status cannot be checked",
            where=where,
            hint=f"microcred checks {ENTRY_TYPE} and {ENTRY_TYPE_2021} only",
        )


@dataclass(frozen=True)
class StatusIndex:
    """A parsed ``statusListIndex``; ``from_json_number`` flags the tolerated 1EdTech form."""

    value: int
    from_json_number: bool = False


@dataclass(frozen=True)
class StatusEntry:
    """A validated ``BitstringStatusListEntry``."""

    list_url: str
    index: int
    purpose: str
    size: int = 1
    messages: tuple[tuple[int, str], ...] = ()
    id: str | None = None
    warnings: tuple[str, ...] = ()
    kind: str = ENTRY_TYPE
    """``BitstringStatusListEntry`` or ``StatusList2021Entry`` (decides the list's types)."""

    def message_for(self, value: int) -> str | None:
        return dict(self.messages).get(value)


def _malformed(message: str, where: str | None = None, hint: str | None = None) -> StatusError:
    return StatusError(message, code=MALFORMED, where=where, hint=hint)


def parse_status_index(value: object, *, where: str = "statusListIndex") -> StatusIndex:
    """Parse ``statusListIndex`` strictly (MC-47).

    Only ASCII ``^(0|[1-9][0-9]*)$`` strings: Python's ``int()`` would accept ``" 5"``,
    ``"1_000"`` and ``"٣"``, JavaScript's ``parseInt`` ``"5abc"``. A JSON integer is accepted
    (the 1EdTech sample uses one) but flagged, so the report can warn.
    """
    if isinstance(value, bool):
        raise _malformed(f"{value!r} is a boolean, not an index", where)
    if isinstance(value, int):
        if value < 0 or value >= 10**MAX_INDEX_DIGITS:
            raise _malformed(f"{value} is not a usable non-negative index", where)
        return StatusIndex(value, from_json_number=True)
    if not isinstance(value, str):
        raise _malformed(
            f"must be a decimal string, not {type(value).__name__}", where, 'e.g. "94567"'
        )
    if len(value) > MAX_INDEX_DIGITS:
        raise _malformed(f"has {len(value)} characters, more than any list can index", where)
    if not _INDEX_RE.fullmatch(value):
        raise _malformed(
            f"{value!r} is not a base-10 integer string",
            where,
            "use ASCII digits without sign, spaces, separators or leading zeros",
        )
    return StatusIndex(int(value))


def make_entry(list_url: str, index: int, purpose: str) -> dict[str, Any]:
    """The ``credentialStatus`` entry microcred issues (index always a decimal string)."""
    if not isinstance(list_url, str) or not list_url.startswith(("https://", "http://")):
        raise _malformed(f"status list URL {list_url!r} is not an http(s) URL")
    if "#" in list_url:
        raise _malformed(f"status list URL {list_url!r} must not carry a fragment")
    if isinstance(index, bool) or not isinstance(index, int) or index < 0:
        raise StatusError(
            f"status index {index!r} is not a non-negative integer", code="RANGE_ERROR"
        )
    if purpose not in PURPOSES:
        raise _malformed(f"status purpose {purpose!r} is not one of {', '.join(PURPOSES)}")
    return {
        "id": f"{list_url}#{index}",
        "type": ENTRY_TYPE,
        "statusPurpose": purpose,
        "statusListIndex": str(index),
        "statusListCredential": list_url,
    }


def status_entries(credential_status: object, *, max_entries: int = MAX_ENTRIES) -> list[Any]:
    """``credentialStatus`` as a list (one object or an array); every entry counts (MC-51)."""
    if credential_status is None:
        return []
    items = (
        list(credential_status)
        if isinstance(credential_status, Sequence) and not isinstance(credential_status, str)
        else [credential_status]
    )
    if not items:
        raise _malformed("credentialStatus is an empty array")
    if len(items) > max_entries:
        raise _malformed(
            f"credentialStatus has {len(items)} entries; at most {max_entries} are read"
        )
    return items


def _types(value: object, where: str) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and value and all(isinstance(t, str) for t in value):
        return list(value)
    raise _malformed("type must be a string or an array of strings", where)


def _messages(entry: Mapping[str, Any], size: int, where: str) -> tuple[tuple[int, str], ...]:
    raw = entry.get("statusMessage")
    if raw is None:
        if size > 1:
            raise _malformed(
                f"statusSize {size} requires statusMessage", where, f"list {2**size} messages"
            )
        return ()
    if not isinstance(raw, list):
        raise _malformed("statusMessage must be an array", where)
    if len(raw) != 2**size:
        raise _malformed(
            f"statusMessage has {len(raw)} item(s) but statusSize {size} needs {2**size}", where
        )
    seen: dict[int, str] = {}
    for number, item in enumerate(raw):
        place = f"{where}.statusMessage[{number}]"
        if not isinstance(item, Mapping):
            raise _malformed("must be an object with status and message", place)
        status, message = item.get("status"), item.get("message")
        if not isinstance(status, str) or not _HEX_RE.fullmatch(status):
            raise _malformed(f"status {status!r} is not a hex string like '0x1'", place)
        value = int(status, 16)
        if value >= 2**size or value in seen:
            raise _malformed(f"status {status} is out of range or repeated", place)
        if not isinstance(message, str):
            raise _malformed("message must be a string", place)
        seen[value] = message
    return tuple(sorted(seen.items()))


def validate_entry(entry: object, *, where: str = "credentialStatus") -> StatusEntry:
    """Check one entry's own shape (MC-47, MC-52, MC-53a) before any list is looked at.

    Raises :class:`UnsupportedStatusTypeError` for other status mechanisms and
    ``StatusError(MALFORMED_VALUE_ERROR)`` for a malformed entry.
    """
    if not isinstance(entry, Mapping):
        raise _malformed("a status entry must be an object", where)
    if "type" not in entry:
        raise _malformed("status entry has no type", where)
    types = _types(entry["type"], where)
    kind = ENTRY_TYPE if ENTRY_TYPE in types else ENTRY_TYPE_2021
    if kind not in types:
        raise UnsupportedStatusTypeError(", ".join(types), where)
    allowed = PURPOSES if kind == ENTRY_TYPE else PURPOSES_2021
    purpose = entry.get("statusPurpose")
    if not isinstance(purpose, str) or purpose not in allowed:
        raise _malformed(f"statusPurpose {purpose!r} is not one of {', '.join(allowed)}", where)
    if "statusListIndex" not in entry:
        raise _malformed("statusListIndex is missing", where)
    index = parse_status_index(entry["statusListIndex"], where=f"{where}.statusListIndex")
    list_url = entry.get("statusListCredential")
    if not isinstance(list_url, str) or not _URL_RE.fullmatch(list_url):
        raise _malformed(f"statusListCredential {list_url!r} is not a URL", where)
    entry_id = entry.get("id")
    if entry_id is not None:
        if not isinstance(entry_id, str) or not _URL_RE.fullmatch(entry_id):
            raise _malformed(f"id {entry_id!r} is not a URL", where)
        if entry_id == list_url:
            raise _malformed(
                "id equals statusListCredential; the entry id must not be the list's URL",
                where,
                f"use e.g. {list_url}#{index.value}",
            )
    size = entry.get("statusSize", 1) if kind == ENTRY_TYPE else 1
    if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= MAX_STATUS_SIZE:
        raise _malformed(
            f"statusSize {size!r} must be an integer from 1 to {MAX_STATUS_SIZE}", where
        )
    messages = _messages(entry, size, where)
    warnings = (
        ("statusListIndex is a JSON number; the standard requires a decimal string",)
        if index.from_json_number
        else ()
    )
    return StatusEntry(
        list_url=list_url,
        index=index.value,
        purpose=purpose,
        size=size,
        messages=messages,
        id=entry_id,
        warnings=warnings,
        kind=kind,
    )
