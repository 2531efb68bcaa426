"""`microcred init DIR [--portfolio] [--name N] [--url BASE_URL]`."""

from __future__ import annotations

from pathlib import Path

import click

from microcred.layout import CREDENTIALS_DIR
from microcred.scaffold import scaffold


def register(main: click.Group) -> None:
    @main.command("init")
    @click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
    @click.option(
        "--portfolio",
        is_flag=True,
        help="A candidate's portfolio of badges from any issuer, not an issuer program.",
    )
    @click.option("--name", metavar="N", help="Program (or candidate) name.")
    @click.option(
        "--url",
        "url",
        metavar="BASE_URL",
        help="Where the site will be published, e.g. https://owner.github.io/repo/.",
    )
    def init(directory: Path, portfolio: bool, name: str | None, url: str | None) -> None:
        """Create a new program (or portfolio) in DIRECTORY, which must be new or empty."""
        written = scaffold(directory, portfolio=portfolio, name=name, url=url)
        for path in written:
            click.echo(f"created {path}")
        if portfolio:
            click.echo(f"next: put credentials in {CREDENTIALS_DIR}/, then 'microcred build'")
        else:
            click.echo(
                "next: 'microcred keys new', edit microcred.toml, then 'microcred check' "
                "and 'microcred build' (see README.md)"
            )
