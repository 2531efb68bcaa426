"""XSD ``dateTimeStamp`` parsing with an anchored ASCII regex (never ``fromisoformat``).

``fromisoformat`` accepts forms XSD forbids (no offset, ``2023-W01``, spaces, Unicode digits),
and an unanchored regex lets ``"x2023-01-01T00:00:00Zy"`` through (MC-33): both would make two
verifiers disagree about the same proof.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

from microcred.errors import ProofError

DATETIMESTAMP_RE = re.compile(
    r"(?P<year>[0-9]{4})-(?P<month>[0-9]{2})-(?P<day>[0-9]{2})"
    r"T(?P<hour>[0-9]{2}):(?P<minute>[0-9]{2}):(?P<second>[0-9]{2})(?P<fraction>\.[0-9]{1,12})?"
    r"(?P<tz>Z|[+-][0-9]{2}:[0-9]{2})",
    re.ASCII,
)


def parse_datetimestamp(
    value: object, *, field: str = "value", code: str = "MALFORMED_VALUE_ERROR"
) -> datetime:
    """Return an aware UTC datetime; ``field`` names the property in the error message."""
    example = "use e.g. 2024-05-01T12:00:00Z"
    if not isinstance(value, str):
        raise ProofError(
            f"{field} must be an XSD dateTimeStamp string, not {type(value).__name__}", code=code
        )
    match = DATETIMESTAMP_RE.fullmatch(value)
    if match is None:
        raise ProofError(
            f"{field} {value!r} is not an XSD dateTimeStamp (a time zone is required); {example}",
            code=code,
        )
    parts = {k: int(v) for k, v in match.groupdict().items() if k not in {"fraction", "tz"}}
    fraction = match["fraction"] or ""
    tz = match["tz"]
    try:
        if tz == "Z":
            offset = timedelta(0)
        else:
            hours, minutes = int(tz[1:3]), int(tz[4:6])
            if minutes > 59 or hours > 14 or (hours == 14 and minutes):
                raise ValueError("time zone offset out of range")
            offset = timedelta(hours=hours, minutes=minutes) * (-1 if tz[0] == "-" else 1)
        end_of_day = parts["hour"] == 24
        if end_of_day and (parts["minute"] or parts["second"] or fraction.strip(".0")):
            raise ValueError("24:00:00 is the only time allowed with hour 24")
        micro = int((fraction[1:] + "000000")[:6]) if fraction else 0
        moment = datetime(
            parts["year"],
            parts["month"],
            parts["day"],
            0 if end_of_day else parts["hour"],
            parts["minute"],
            parts["second"],
            micro,
            tzinfo=timezone(offset),
        )
        if end_of_day:
            moment += timedelta(days=1)
        return moment.astimezone(UTC)
    except (ValueError, OverflowError) as exc:
        raise ProofError(
            f"{field} {value!r} is not a valid date and time: {exc}", code=code
        ) from exc


def format_datetimestamp(moment: datetime) -> str:
    """``YYYY-MM-DDTHH:MM:SSZ`` in UTC; naive datetimes are refused (they hide a time zone bug)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ProofError(
            f"timestamp {moment.isoformat()} has no time zone; pass an aware datetime (UTC)",
            code="PROOF_GENERATION_ERROR",
        )
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
