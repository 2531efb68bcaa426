"""Helpers shared by command modules: time parsing, passphrases, progress bars."""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

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


def passphrase_from_env() -> str | None:
    return os.environ.get("MICROCRED_KEY_PASSPHRASE")


@contextmanager
def progress_bar(label: str) -> Iterator[Callable[[int, int, str], None]]:
    """A rich progress bar on stderr, shown only on a terminal and for more than a few items."""
    console_ok = sys.stderr.isatty()
    with Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
        transient=True,
        disable=not console_ok,
    ) as progress:
        task = progress.add_task("", total=None)

        def update(done: int, total: int, item: str) -> None:
            progress.update(task, completed=done, total=total, description=item)

        yield update
