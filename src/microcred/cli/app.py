"""The click application: the group, the shared ``--project`` option and the one place where
errors become a single line. Each command lives in its own module with a ``register(main)``
function (``<name>_cmd``, imported when that command runs: cli/_lazy.py)."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

import click

from microcred import __version__
from microcred.cli._ending import ENDED
from microcred.cli._guard import guarded
from microcred.cli._lazy import LazyLoader


class Context:
    """Per-invocation settings shared by every command."""

    def __init__(self, project: Path) -> None:
        # Absolute from here on: engines (mkdocs) resolve relative paths against other folders.
        self.project = project.resolve()


class _Group(click.Group):
    """Turns every library error into its user text; never shows a traceback."""

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        lazy: LazyLoader | None = getattr(self, "lazy", None)
        return lazy.command(cmd_name) if lazy else super().get_command(ctx, cmd_name)

    def invoke(self, ctx: click.Context) -> object:
        done: list[object] = []

        def work() -> int:
            done.append(click.Group.invoke(self, ctx))
            return 0

        code = guarded(
            work,
            lambda line: click.echo(line, err=True),
            passthrough=(click.exceptions.Exit, click.ClickException),
        )
        if not done:  # an error, said in one line
            sys.exit(code)
        return done[0]


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="microcred")
@click.option(
    "-p",
    "--project",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path(),
    show_default=True,
    help="Program folder (holds microcred.toml).",
)
@click.pass_context
def main(ctx: click.Context, project: Path) -> None:
    """microcred: provable micro-internships as Open Badges 3.0 credentials."""
    ctx.obj = Context(project)


COMMAND_MODULES = (
    "init_cmd",
    "keys_cmd",
    "check_cmd",
    "issue_cmd",
    "build_cmd",
    "demo_cmd",
    "sign_cmd",
    "verify_cmd",
    "revoke_cmd",
    "reset_cmd",
    "bake_cmd",
    "import_cmd",
    "analytics_cmd",
)
"""Every command module, in registration order; each has ``register(main)``. A command named
X lives in ``X_cmd`` where it can: running it then imports that module alone (cli/_lazy.py)."""


def _set_project(ctx: click.Context, _param: click.Parameter, value: Path | None) -> None:
    if value is not None:
        ctx.ensure_object(Context).project = value.resolve()


def _accept_project_everywhere(group: click.Group) -> None:
    """``-p/--project`` works after the command name too (``microcred issue -p DIR``)."""
    for command in group.commands.values():
        taken = {o for p in command.params for o in getattr(p, "opts", [])}
        if not taken & {"-p", "--project"}:
            command.params.append(
                click.Option(
                    ["-p", "--project"],
                    type=click.Path(file_okay=False, path_type=Path),
                    expose_value=False,
                    callback=_set_project,
                    help="Program folder (holds microcred.toml); same as before the command.",
                )
            )
        if isinstance(command, click.Group):
            _accept_project_everywhere(command)


main.lazy = LazyLoader(main, COMMAND_MODULES, _accept_project_everywhere)  # type: ignore[attr-defined]


def run(argv: Sequence[str] | None = None) -> int:
    """Entry for tests: run the CLI in-process and return the exit code."""
    try:
        main.main(args=list(argv) if argv is not None else None, standalone_mode=True)
    except SystemExit as exc:
        return int(exc.code or 0) if not isinstance(exc.code, str) else 1
    return 0


def console() -> None:
    """The ``microcred`` command through click (see :func:`microcred.cli.console`). Exits as
    click does; after a command that
    called :func:`microcred.cli._ending.may_end_now`, with the streams flushed and without
    the interpreter's teardown (atexit handlers, module cleanup): nothing is left for it."""
    ENDED.clear()
    try:
        main(prog_name="microcred")
    except SystemExit as exc:
        watched = sys.gettrace() is not None or sys.getprofile() is not None
        if not ENDED or type(exc.code) is not int or watched:  # a profiler reports at exit
            raise
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except (OSError, ValueError):  # a closed or broken stream: the usual way out
            raise exc from None
        os._exit(exc.code)
