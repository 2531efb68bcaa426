"""`microcred verify`: offline, fail-closed verification with a per-check report.

Exit codes (DESIGN section 4): 0 every credential valid (and trusted with --trust), 1 at least
one invalid, 2 usage error, 3 none invalid but at least one undecided or untrusted. This
command exits itself because that scheme differs from the group's one-error-one-exit rule.
What it does once its words are read is cli/_verify_run.py (shared with the click-free path).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from microcred.cli._common import verification_inputs
from microcred.cli._verify_run import USAGE_ERROR, parse_at, run_verify, verify_options
from microcred.errors import MicrocredError


def register(main: click.Group) -> None:
    @main.command("verify")
    @click.option(
        "--json", "as_json", is_flag=True, help="One JSON object per credential, per line."
    )
    @verification_inputs()
    @click.option("--recipient", metavar="VALUE", help="Check the credential names this person.")
    @click.option("--strict", is_flag=True, help="Treat warnings as failures.")
    @click.option(
        "--jobs",
        type=click.IntRange(min=1),
        metavar="N",
        help="Worker processes for many credentials (default: every core).",
    )
    @click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
    def verify(
        as_json: bool,
        did_docs: tuple[Path, ...],
        status_lists: tuple[str, ...],
        trust_file: Path | None,
        at_text: str | None,
        recipient: str | None,
        strict: bool,
        jobs: int | None,
        jwk_files: tuple[Path, ...],
        context_pairs: tuple[str, ...],
        paths: tuple[Path, ...],
    ) -> None:
        """Verify credentials (.json, baked .png/.svg, folders, built sites) fully offline.

        Exit 0: all valid (and trusted with --trust); 1: any invalid; 2: usage error;
        3: none invalid but some undecided (e.g. key or status not available offline) or
        untrusted.
        """
        try:
            now = parse_at(at_text)
            options = verify_options(
                did_docs, status_lists, trust_file, recipient, strict, jwk_files, context_pairs
            )
        except MicrocredError as exc:
            click.echo(f"error: {exc.diagnostics()}", err=True)
            sys.exit(USAGE_ERROR)
        sys.exit(
            run_verify(
                list(paths),
                as_json=as_json,
                now=now,
                options=options,
                jobs=jobs,
                say=click.echo,
                warn=lambda line: click.echo(line, err=True),
            )
        )
