"""`microcred issue [--now ISO] [--workers N]`: sign credentials for completed records."""

from __future__ import annotations

from collections import Counter

import click

from microcred.cli import Context
from microcred.cli._common import parse_now, passphrase_from_env, progress_bar
from microcred.cli._ending import may_end_now
from microcred.issue import IssueReport, issue_program
from microcred.layout import ISSUE_INDEX, credential_file, record_file


def report_notes(report: IssueReport) -> list[str]:
    """What a user must know after an issue run (also printed by other commands)."""
    notes = []
    for slug in report.orphaned:
        notes.append(
            f"{credential_file(slug)} has no record any more; it stays published until you "
            f"revoke it ('microcred revoke {slug}')"
        )
    for slug in report.withdrawn:
        notes.append(
            f"{record_file(slug)} is no longer completed, but its credential was issued; it stays "
            f"published until you revoke it ('microcred revoke {slug}')"
        )
    for slug in report.missing:
        notes.append(
            f"{credential_file(slug)} was issued ({ISSUE_INDEX}) but the file is gone; "
            "restore it from version control so it stays published and revocable"
        )
    for slug in report.rekeyed:
        notes.append(
            f"{credential_file(slug)} was signed by a compromised key after its cutoff; "
            "re-signed with the active key (same id, same content)"
        )
    if report.recovered:
        notes.append(
            f"{len(report.recovered)} credential(s) were complete on disk but not recorded in "
            f"{ISSUE_INDEX} as they are (an interrupted run, or an index written by an "
            "older microcred); their proofs verify, so they were kept as they are"
        )
    return notes


def register(main: click.Group) -> None:
    @main.command("issue")
    @click.option(
        "--now",
        "now_text",
        metavar="ISO",
        help="Issue time for new proofs (default: the current time), e.g. 2026-11-01T12:00:00Z.",
    )
    @click.option(
        "--workers",
        type=click.IntRange(min=1),
        metavar="N",
        help="Signing processes (default: every core once there are enough credentials to sign).",
    )
    @click.option(
        "--check/--no-check",
        default=True,
        show_default=True,
        help="Verify what this run signed, as the build does (the build then reuses it).",
    )
    @click.pass_obj
    def issue(obj: Context, now_text: str | None, workers: int | None, check: bool) -> None:
        """Sign a credential for every completed record that changed since the last run.

        Safe to interrupt at any point: running it again finishes the job, and an unchanged
        record's credential keeps every byte (also across key rotations). What it signed is
        then verified offline, as the build verifies it; the build reuses those verdicts.
        """
        now = parse_now(now_text)
        with progress_bar("Signing") as progress:
            report = issue_program(
                obj.project,
                now=now,
                progress=progress,
                workers=workers,
                passphrase=passphrase_from_env(),
            )
        parallel = f" ({report.workers} processes)" if report.workers > 1 else ""
        click.echo(
            f"issued {len(report.issued)}{parallel}, unchanged "
            f"{len(report.unchanged) + len(report.recovered)}, "
            f"not completed (not issued) {len(report.skipped)}"
        )
        if report.endorsements:
            click.echo(
                f"endorsements: {len(report.endorsements)}, signed now by their endorsers' "
                f"own keys {len(report.endorsed)}"
            )
        for note in report_notes(report):
            click.echo(f"note: {note}", err=True)
        signed = [*report.issued, *report.rekeyed, *report.recovered]
        if check and signed:
            from microcred.site import check_issued

            checks = check_issued(
                obj.project,
                signed,
                now=now,
                passphrase=passphrase_from_env(),
                key=report.signing_key,  # decrypted once, for signing
                program=report.program,
            )
            counts = Counter(c.result for c in checks.values())
            click.echo(
                f"checked {len(checks)}: "
                + ", ".join(f"{n} {state}" for state, n in sorted(counts.items()))
            )
            for slug, found in sorted(checks.items()):
                if found.result != "valid":
                    click.echo(f"note: {slug}: {found.result}: {found.summary}", err=True)
        may_end_now()  # credentials, index and caches written whole; the workers are gone
