"""XSD ``dateTimeStamp`` parsing with an anchored ASCII regex (never ``fromisoformat``); the
rule itself lives in :mod:`microcred._util`, this module gives it proof errors.

``fromisoformat`` accepts forms XSD forbids (no offset, ``2023-W01``, spaces, Unicode digits),
and an unanchored regex lets ``"x2023-01-01T00:00:00Zy"`` through (MC-33): both would make two
verifiers disagree about the same proof.
"""

from __future__ import annotations

from datetime import datetime

from microcred._util import DATETIMESTAMP_RE as DATETIMESTAMP_RE
from microcred._util import TimestampError, format_timestamp, parse_timestamp
from microcred.errors import ProofError


def parse_datetimestamp(
    value: object, *, field: str = "value", code: str = "MALFORMED_VALUE_ERROR"
) -> datetime:
    """Return an aware UTC datetime; ``field`` names the property in the error message."""
    try:
        return parse_timestamp(value, field=field)
    except TimestampError as exc:
        raise ProofError(exc.message, code=code) from exc


def format_datetimestamp(moment: datetime) -> str:
    """``YYYY-MM-DDTHH:MM:SSZ`` in UTC; naive datetimes are refused (they hide a time zone bug)."""
    try:
        return format_timestamp(moment)
    except TimestampError:
        raise ProofError(
            f"timestamp {moment.isoformat()} has no time zone; pass an aware datetime (UTC)",
            code="PROOF_GENERATION_ERROR",
        ) from None
