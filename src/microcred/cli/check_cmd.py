"""`microcred check`: every problem in every file, one `path:line: $.path: message` line each."""

from __future__ import annotations

import sys

import click

from microcred.cli import Context
from microcred.records import check_program


def register(main: click.Group) -> None:
    @main.command("check")
    @click.pass_obj
    def check(obj: Context) -> None:
        """Validate microcred.toml, every brief and every record; exit 1 on any problem."""
        root = obj.project
        problems = check_program(root)
        for problem in problems:
            click.echo(str(problem))
        if problems:
            click.echo(f"{len(problems)} problem(s) found", err=True)
            sys.exit(1)
        click.echo("ok: no problems found", err=True)
