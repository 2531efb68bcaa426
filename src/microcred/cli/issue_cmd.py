"""`microcred issue [--now ISO]`: sign credentials for completed records, incrementally."""

from __future__ import annotations

import click

from microcred.cli import Context
from microcred.cli._common import parse_now, progress_bar
from microcred.issue import issue_program


def register(main: click.Group) -> None:
    @main.command("issue")
    @click.option(
        "--now",
        "now_text",
        metavar="ISO",
        help="Issue time for new proofs (default: the current time), e.g. 2026-11-01T12:00:00Z.",
    )
    @click.pass_obj
    def issue(obj: Context, now_text: str | None) -> None:
        """Sign a credential for every completed record that changed since the last run."""
        root = obj.project
        now = parse_now(now_text)
        with progress_bar("Signing") as progress:
            report = issue_program(root, now=now, progress=progress)
        click.echo(
            f"issued {len(report.issued)}, unchanged {len(report.unchanged)}, "
            f"withdrawn (not issued) {len(report.skipped)}"
        )
        for slug in report.orphaned:
            click.echo(
                f"note: credentials/{slug}.json has no record any more; it stays published "
                "until you revoke it ('microcred revoke')",
                err=True,
            )
