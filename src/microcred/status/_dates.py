"""XML Schema ``dateTimeStamp`` parsing and the one format microcred writes."""

from __future__ import annotations

import datetime as dt
import re

from microcred.errors import StatusError

_STAMP_RE = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})", re.ASCII
)


def parse_stamp(value: object, where: str) -> dt.datetime:
    """A timezone-qualified timestamp (``dateTimeStamp``); anything looser is malformed."""
    if not isinstance(value, str) or not _STAMP_RE.fullmatch(value):
        raise StatusError(
            f"{where} {value!r} is not a dateTimeStamp",
            code="MALFORMED_VALUE_ERROR",
            hint="use e.g. 2025-01-31T12:00:00Z",
        )
    text = value[:-1] + "+00:00" if value.endswith("Z") else value
    # Python parses at most microseconds: trim extra fractional digits before parsing.
    match = re.search(r"\.(\d+)", text)
    if match and len(match.group(1)) > 6:
        text = text[: match.start(1) + 6] + text[match.end(1) :]
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        raise StatusError(
            f"{where} {value!r} is not a real date and time", code="MALFORMED_VALUE_ERROR"
        ) from None


def format_stamp(when: dt.datetime) -> str:
    """``YYYY-MM-DDTHH:MM:SSZ`` in UTC; refuses naive datetimes (their zone is a guess)."""
    if when.tzinfo is None or when.utcoffset() is None:
        raise StatusError(
            f"timestamp {when.isoformat()} has no time zone",
            code="USAGE_ERROR",
            hint="pass an aware datetime, e.g. datetime.now(timezone.utc)",
        )
    u = when.astimezone(dt.UTC)
    return f"{u.year:04d}-{u.month:02d}-{u.day:02d}T{u.hour:02d}:{u.minute:02d}:{u.second:02d}Z"


def require_aware(when: dt.datetime, name: str) -> None:
    if when.tzinfo is None or when.utcoffset() is None:
        raise StatusError(f"{name} must be timezone-aware", code="USAGE_ERROR")
