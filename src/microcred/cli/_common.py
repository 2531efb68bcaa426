"""Helpers shared by command modules: time parsing, passphrases, progress bars."""

from __future__ import annotations

import datetime as dt
import os
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from microcred.errors import ConfigError

_STAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def parse_now(text: str | None, option: str = "--now") -> dt.datetime:
    """A strict dateTimeStamp (time zone required) or the current UTC time."""
    if text is None:
        return dt.datetime.now(dt.UTC).replace(microsecond=0)
    if not _STAMP.match(text):
        raise ConfigError(
            f"{option} {text!r} is not a date-time with a time zone",
            hint="write it like 2026-11-01T12:00:00Z",
        )
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


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
