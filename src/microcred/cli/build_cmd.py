"""`microcred build [--out DIR] [--engine mkdocs|zensical]`: issue if needed, build the site."""

from __future__ import annotations

from pathlib import Path

import click

from microcred.cli import Context
from microcred.cli._build_text import build_lines
from microcred.cli._common import parse_now, passphrase_from_env, progress_bar
from microcred.cli._ending import may_end_now
from microcred.site import ENGINES, build_site


def register(main: click.Group) -> None:
    @main.command("build")
    @click.option(
        "--out",
        "out",
        type=click.Path(file_okay=False, path_type=Path),
        help="Folder for the built site (default: site/ in the project).",
    )
    @click.option(
        "--engine",
        type=click.Choice(ENGINES),
        default="mkdocs",
        show_default=True,
        help="Static site engine; Zensical must be installed separately.",
    )
    @click.option(
        "--now",
        "now_text",
        metavar="ISO",
        help="Build (and issue) time, e.g. 2026-11-01T12:00:00Z (default: now).",
    )
    @click.option(
        "--keep-source",
        type=click.Path(file_okay=False, path_type=Path),
        help="Also keep the generated site source (Markdown + mkdocs.yml) here.",
    )
    @click.pass_obj
    def build(
        obj: Context, out: Path | None, engine: str, now_text: str | None, keep_source: Path | None
    ) -> None:
        """Issue what changed, verify every credential, and build the static site.

        Works for an issuer program ([issuer] in microcred.toml) and for a candidate's
        portfolio ([portfolio]).
        """
        now = parse_now(now_text)
        with progress_bar("Building") as progress:
            result = build_site(
                obj.project,
                out,
                now=now,
                engine=engine,
                passphrase=passphrase_from_env(),
                keep_source=keep_source,
                progress=progress,
            )
        said, warned = build_lines(result)
        for line in said:
            click.echo(line)
        for line in warned:
            click.echo(line, err=True)
        may_end_now()  # the site is in place, its work folder gone, every child joined
