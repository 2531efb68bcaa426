"""`microcred registry ...`: export, summary, review, reverify (DESIGN section 4).

The group is module-level so other command modules can add subcommands to it (the CLR
transcript lives in ``transcript_cmd``): ``registry_group.add_command(...)`` in their
``register(main)``; :func:`register` loads ``transcript_cmd`` when it exists. Every subcommand
takes ``--registry URL`` (:data:`registry_option`) and opens it with :func:`open_registry`.
"""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.util
import io
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar, cast

import click

from microcred.cli._common import progress_bar, verification_inputs
from microcred.registry import (
    DEFAULT_URL,
    Registry,
    export_rows,
    pending_review,
    record_decision,
    reverify,
    summary,
    write_csv,
    write_json,
)
from microcred.verify import printable

F = TypeVar("F", bound=Callable[..., Any])
EXTRA_SUBCOMMANDS = ("transcript_cmd",)


def registry_option(fn: F) -> F:
    """``--registry URL`` (default sqlite:///registry.db in the current folder)."""
    return click.option(
        "--registry",
        "registry_url",
        metavar="URL",
        envvar="MICROCRED_REGISTRY",
        help=f"Registry database URL (default {DEFAULT_URL}; or postgresql+psycopg://…).",
    )(fn)


def open_registry(url: str | None) -> Registry:
    """An existing registry (a missing SQLite file is an error, not a new empty registry)."""
    return Registry.open(url, create=False)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


@click.group("registry")
def registry_group() -> None:
    """The school's registry of imported credentials: export, summary, review, reverify."""


@registry_group.command("export")
@registry_option
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), required=True)
@click.option("--learner", metavar="ID", help="Only this learner.")
@click.option("--term", metavar="TERM", help="Only this term.")
@click.option("-o", "--out", type=click.Path(dir_okay=False, path_type=Path), help="File to write.")
def export(
    registry_url: str | None, fmt: str, learner: str | None, term: str | None, out: Path | None
) -> None:
    """One row per imported credential (CSV or a JSON array), current verdicts."""
    from microcred.fsutil import atomic_write_text

    with open_registry(registry_url) as registry:
        rows = export_rows(registry, learner=learner, term=term)
        if out is None:
            (write_csv if fmt == "csv" else write_json)(rows, sys.stdout)
            return
        buffer = io.StringIO()
        count = (write_csv if fmt == "csv" else write_json)(rows, buffer)
        atomic_write_text(out, buffer.getvalue())
        click.echo(f"{count} credential(s) written to {out}", err=True)


@registry_group.command("summary")
@registry_option
@click.option("--learner", metavar="ID", help="Only this learner.")
@click.option("--json", "as_json", is_flag=True, help="A JSON array instead of a table.")
def summary_cmd(registry_url: str | None, learner: str | None, as_json: bool) -> None:
    """Credits recognised per learner and term (accepted only), and counts per verdict."""
    with open_registry(registry_url) as registry:
        groups = summary(registry, learner=learner)
    if as_json:
        click.echo(json.dumps(groups, ensure_ascii=True))
        return
    if not groups:
        click.echo("the registry holds no credentials" + (f" for {learner}" if learner else ""))
        return
    head = ("learner", "term", "credits", "accepted", "needs_review", "rejected")
    table = [head] + [
        (
            printable(g["learner"] or "-", 40),
            printable(g["term"] or "-", 30),
            ", ".join(f"{v:g} {printable(u, 30)}" for u, v in sorted(g["credits"].items())) or "0",
            str(g["accepted"]),
            str(g["needs_review"]),
            str(g["rejected"]),
        )
        for g in groups
    ]
    widths = [max(len(row[i]) for row in table) for i in range(len(head))]
    for row in table:
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())


@registry_group.command("review")
@registry_option
@click.option("--accept", "accept_ref", metavar="ID", help="Accept this credential (row number).")
@click.option("--reject", "reject_ref", metavar="ID", help="Reject this credential (row number).")
@click.option("--reason", metavar="TEXT", help="Why (required with --accept/--reject).")
@click.option(
    "--credits",
    type=float,
    metavar="N",
    help="With --accept: grant N credits in the policy's unit (when it could not compute them).",
)
@click.option("--by", metavar="NAME", help="Who decides (default: your user name).")
@click.option("--json", "as_json", is_flag=True, help="JSON output.")
def review(
    registry_url: str | None,
    accept_ref: str | None,
    reject_ref: str | None,
    reason: str | None,
    credits: float | None,
    by: str | None,
    as_json: bool,
) -> None:
    """List credentials that need review, or record a decision (appended to the log)."""
    from microcred.cli.import_cmd import default_by

    if accept_ref and reject_ref:
        raise click.UsageError("give --accept or --reject, not both")
    ref = accept_ref or reject_ref
    with open_registry(registry_url) as registry:
        if ref is None:
            items = pending_review(registry)
            if as_json:
                click.echo(json.dumps(items, ensure_ascii=True))
                return
            if not items:
                click.echo("nothing needs review")
            for item in items:
                what = printable(item["achievement"] or item["credential_id"] or "?", 80)
                click.echo(
                    f"{item['id']:>6}  {printable(item['learner'] or '-', 40)}  "
                    f"{printable(item['term'] or '-', 30)}  {what}"
                )
                for text in item["reasons"]:
                    click.echo(f"        {printable(text, None)}")
            return
        if not reason:
            raise click.UsageError('a decision needs --reason "…" (it is kept in the log)')
        verdict = "accepted" if accept_ref else "rejected"
        done = record_decision(
            registry, ref, verdict, reason, by=by or default_by(), now=_now(), credits=credits
        )
    if as_json:
        click.echo(json.dumps(done, ensure_ascii=True))
    else:
        amount = done["credits"]
        counted = ""
        if amount is not None and verdict == "accepted":
            counted = f", {amount:g} {done['credit_unit'] or 'credits'}"
        click.echo(
            f"row {done['row']}: {done['was']} -> {verdict}{counted} (logged; the import "
            f"verdict {done['original']} is kept)"
        )


@registry_group.command("reverify")
@registry_option
@verification_inputs(trust_help="Trust list (its pinned DID documents and status lists are used).")
@click.option("--by", metavar="NAME", help="Recorded with each flag (default: your user name).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per credential.")
def reverify_cmd(
    registry_url: str | None,
    did_docs: tuple[Path, ...],
    status_lists: tuple[str, ...],
    jwk_files: tuple[Path, ...],
    context_pairs: tuple[str, ...],
    trust_file: Path | None,
    at_text: str | None,
    by: str | None,
    as_json: bool,
) -> None:
    """Verify every stored credential again (fresh status lists); flag accepted ones now
    revoked or suspended as needs_review."""
    from microcred.cli._verify_run import parse_at
    from microcred.cli.import_cmd import default_by, verify_options

    now = parse_at(at_text)
    options, _ = verify_options(trust_file, did_docs, status_lists, None, jwk_files, context_pairs)
    flagged = total = 0
    with open_registry(registry_url) as registry, progress_bar("re-verifying") as update:
        for check in reverify(
            registry,
            options=options,
            now=now,
            recorded_at=_now(),
            by=by or default_by(),
            progress=lambda n, item: update(n, cast(int, None), item),
        ):
            total += 1
            flagged += check.flagged
            if as_json:
                click.echo(json.dumps(check.__dict__, ensure_ascii=True))
            elif check.flagged:
                click.echo(f"FLAGGED   row {check.row}: {printable(check.detail, None)}")
            else:
                click.echo(f"{check.result.upper():<9} row {check.row} (was {check.was})")
    if not as_json:
        click.echo(f"{total} credential(s) re-verified; {flagged} accepted one(s) flagged")


def register(main: click.Group) -> None:
    main.add_command(registry_group)
    for name in EXTRA_SUBCOMMANDS:
        module = f"microcred.cli.{name}"
        if importlib.util.find_spec(module) is not None:
            cast(Any, importlib.import_module(module)).register(main)
