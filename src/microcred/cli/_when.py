"""``--now``: the moment a command acts at (no click here: the commands answered before click
is loaded, cli/_quick.py, read it the same way)."""

from __future__ import annotations

import datetime as dt

from microcred._util import TimestampError, parse_timestamp
from microcred.errors import ConfigError


def parse_now(text: str | None, option: str = "--now") -> dt.datetime:
    """A strict dateTimeStamp (time zone required) or the current UTC time."""
    if text is None:
        return dt.datetime.now(dt.UTC).replace(microsecond=0)
    try:
        return parse_timestamp(text, field=option)
    except TimestampError:
        raise ConfigError(
            f"{option} {text!r} is not a date-time with a time zone",
            hint="write it like 2026-11-01T12:00:00Z",
        ) from None
