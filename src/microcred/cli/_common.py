"""Helpers shared by command modules: time parsing, passphrases, progress bars, and the
offline verification options (pinned files) every verifying command takes."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click

from microcred.cli._when import parse_now as parse_now

F = TypeVar("F", bound=Callable[..., Any])
_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)
TRUST_HELP = "Trust file listing the issuer DIDs you accept (see docs/verify.md)."
AT_HELP = "Verify as of this time (default: now)."


def verification_inputs(
    *, trust_help: str = TRUST_HELP, at_help: str = AT_HELP
) -> Callable[[F], F]:
    """The pinned inputs of offline verification, one definition for every verifying command.

    verify, import, registry reverify and registry transcript all verify through the same
    engine with the same pinning rules, so they take the same options under the same names:
    --did-doc (did_docs), --status-list (status_lists), --jwk (jwk_files), --context
    (context_pairs), --trust (trust_file) and --at (at_text). Only what --trust holds and what
    --at means differ per command, hence the two help texts.
    """
    options = (
        click.option(
            "--did-doc",
            "did_docs",
            multiple=True,
            type=_FILE,
            metavar="FILE",
            help="A DID document (did.json) to use for the DID in its 'id'; repeatable.",
        ),
        click.option(
            "--status-list",
            "status_lists",
            multiple=True,
            metavar="[URL=]FILE",
            help=(
                "A signed status list snapshot, for the URL in its 'id' or the URL given; "
                "repeatable."
            ),
        ),
        click.option(
            "--jwk",
            "jwk_files",
            multiple=True,
            type=_FILE,
            metavar="FILE",
            help="A VC-JWT issuer's public key (JWK or JWK Set) you got out of band; repeatable.",
        ),
        click.option(
            "--context",
            "context_pairs",
            multiple=True,
            metavar="URL=FILE",
            help="Pin a JSON-LD context microcred does not ship, from a local file; repeatable.",
        ),
        click.option("--trust", "trust_file", type=_FILE, metavar="FILE", help=trust_help),
        click.option("--at", "at_text", metavar="ISO", help=at_help),
    )

    def apply(command: F) -> F:
        for option in reversed(options):  # click lists options in decorator order, top first
            command = option(command)
        return command

    return apply


def passphrase_from_env() -> str | None:
    return os.environ.get("MICROCRED_KEY_PASSPHRASE")


@contextmanager
def progress_bar(label: str) -> Iterator[Callable[[int, int, str], None]]:
    """A rich progress bar on stderr, shown only on a terminal and for more than a few items."""
    if not sys.stderr.isatty():  # nothing to show: rich (25-40 ms to import) is not loaded

        def unseen(done: int, total: int, item: str) -> None:
            del done, total, item

        yield unseen
        return
    # imported here: rich costs ~40 ms of start-up that a one-file verify never needs
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    with Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
        transient=True,
        # No refresh thread: redrawn from ``update`` instead, so a build stays one thread
        # and may fork its verification workers (site/build.py forks only then).
        auto_refresh=False,
    ) as progress:
        task = progress.add_task("", total=None)
        last = [0.0]

        def update(done: int, total: int, item: str) -> None:
            progress.update(task, completed=done, total=total, description=item)
            now = time.monotonic()
            if now - last[0] >= 0.1 or done == total:
                last[0] = now
                progress.refresh()

        yield update
