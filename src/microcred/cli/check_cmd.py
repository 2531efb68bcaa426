"""`microcred check`: every problem in every file, one `path:line: $.path: message` line each."""

from __future__ import annotations

import sys

import click

from microcred.cli import Context
from microcred.site import check_project


def register(main: click.Group) -> None:
    @main.command("check")
    @click.pass_obj
    def check(obj: Context) -> None:
        """Validate microcred.toml, every brief and every record; exit 1 on any problem."""
        lines = check_project(obj.project)
        for line in lines:
            click.echo(line)
        if lines:
            click.echo(f"{len(lines)} problem(s) found", err=True)
            sys.exit(1)
        click.echo("ok: no problems found", err=True)
