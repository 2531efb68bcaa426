"""XML Schema ``dateTimeStamp`` parsing and the one format microcred writes (the rules live in
:mod:`microcred._util`; this module gives them status errors)."""

from __future__ import annotations

import datetime as dt

from microcred._util import TimestampError, format_timestamp, parse_timestamp
from microcred.errors import StatusError


def parse_stamp(value: object, where: str) -> dt.datetime:
    """A timezone-qualified timestamp (``dateTimeStamp``); anything looser is malformed."""
    try:
        return parse_timestamp(value, field=where)
    except TimestampError as exc:
        if exc.reason == "value":
            raise StatusError(
                f"{where} {value!r} is not a real date and time", code="MALFORMED_VALUE_ERROR"
            ) from None
        raise StatusError(
            f"{where} {value!r} is not a dateTimeStamp",
            code="MALFORMED_VALUE_ERROR",
            hint="use e.g. 2025-01-31T12:00:00Z",
        ) from None


def format_stamp(when: dt.datetime) -> str:
    """``YYYY-MM-DDTHH:MM:SSZ`` in UTC; refuses naive datetimes (their zone is a guess)."""
    try:
        return format_timestamp(when)
    except TimestampError:
        raise StatusError(
            f"timestamp {when.isoformat()} has no time zone",
            code="USAGE_ERROR",
            hint="pass an aware datetime, e.g. datetime.now(timezone.utc)",
        ) from None


def require_aware(when: dt.datetime, name: str) -> None:
    if when.tzinfo is None or when.utcoffset() is None:
        raise StatusError(f"{name} must be timezone-aware", code="USAGE_ERROR")
