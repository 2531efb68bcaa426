"""`microcred demo`: the main job on the bundled example, end to end.

Copies the example program to a temporary folder, gives it a freshly generated, clearly
TEST-ONLY issuer key (created there, never in the repository, discarded afterwards), issues,
builds the site, then verifies every credential the site publishes from the site folder alone.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from collections import Counter
from pathlib import Path

import click

from microcred.cli._common import parse_now, progress_bar
from microcred.keyring import KeyRing
from microcred.layout import (
    CREDENTIALS_DIR,
    EXAMPLE_NAME,
    PRIVATE_DIR,
    STATUS_DIR,
    bundled_example,
)
from microcred.records import load_issuer_settings
from microcred.site import build_site
from microcred.verify import exit_code, verify_paths


def register(main: click.Group) -> None:
    @main.command("demo")
    @click.option(
        "--out",
        type=click.Path(file_okay=False, path_type=Path),
        default=Path("demo-site"),
        show_default=True,
        help="Where to build the site.",
    )
    @click.option(
        "--engine", type=click.Choice(["mkdocs", "zensical"]), default="mkdocs", show_default=True
    )
    @click.option("--now", "now_text", metavar="ISO", help="Issue/build time (default: now).")
    def demo(out: Path, engine: str, now_text: str | None) -> None:
        """Issue, build and verify the bundled example program."""
        now = parse_now(now_text)
        source = bundled_example()
        with tempfile.TemporaryDirectory(prefix="microcred-demo-") as tmp:
            work = Path(tmp) / EXAMPLE_NAME
            shutil.copytree(
                source,
                work,
                ignore=shutil.ignore_patterns(CREDENTIALS_DIR, STATUS_DIR, PRIVATE_DIR, "site"),
            )
            identity = load_issuer_settings(work).identity
            entry = KeyRing(work).new_key(identity, now=now)
            click.echo(f"TEST-ONLY issuer key generated for this demo: {entry.controller}")
            click.echo("  (it lives in a temporary folder and is deleted when the demo ends)")
            with progress_bar("Building") as progress:
                result = build_site(work, out.resolve(), now=now, engine=engine, progress=progress)
        click.echo(
            f"built {result.pages} pages with {result.credentials} credentials into "
            f"{result.out} in {result.seconds:.1f} s "
            f"({result.total_bytes / 1e6:.1f} MB, largest page "
            f"{result.largest_page[0]} {result.largest_page[1] / 1024:.0f} KB)"
        )
        for warning in result.warnings:
            click.echo(f"warning: {warning}", err=True)
        reports = list(verify_paths([result.out], now=now))
        verdicts = Counter(r.result for r in reports)
        click.echo(
            f"verified offline from the site folder: {len(reports)} credential(s): "
            + ", ".join(f"{n} {word}" for word, n in sorted(verdicts.items()))
        )
        for report in reports:
            if report.result != "valid":
                click.echo(f"  {report.result.upper()}: {report.path}", err=True)
        click.echo(f"open {result.out / 'index.html'} or run: microcred verify {out}")
        code = exit_code(reports)
        if not reports:
            click.echo("error: the site published no credentials", err=True)
            code = 1
        sys.exit(code)
