"""`microcred check`: every problem in every file, one `path:line: $.path: message` line each."""

from __future__ import annotations

import sys

import click

from microcred.cli import Context
from microcred.layout import CONFIG_FILE
from microcred.records import check_program
from microcred.site.build import project_kind
from microcred.site.portfolio import collect, load_settings


def _check_portfolio(ctx: Context) -> list[str]:
    """A portfolio holds other issuers' credentials: check they can be read, not their content
    (``microcred build`` verifies each one and shows its verdict)."""
    load_settings(ctx.project)
    problems = []
    for item in collect(ctx.project):
        if item.error:
            problems.append(f"{item.source}: {item.error}")
    return problems


def register(main: click.Group) -> None:
    @main.command("check")
    @click.pass_obj
    def check(obj: Context) -> None:
        """Validate microcred.toml, every brief and every record; exit 1 on any problem."""
        if (obj.project / CONFIG_FILE).is_file() and project_kind(obj.project) == "portfolio":
            lines = _check_portfolio(obj)
        else:
            lines = [str(p) for p in check_program(obj.project)]
        for line in lines:
            click.echo(line)
        if lines:
            click.echo(f"{len(lines)} problem(s) found", err=True)
            sys.exit(1)
        click.echo("ok: no problems found", err=True)
