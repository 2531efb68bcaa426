"""`-p/--project` is accepted before and after the command name, for every command."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from microcred.cli import main


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out = []
    for name, command in group.commands.items():
        out.append((*prefix, name))
        if isinstance(command, click.Group):
            out.extend(_commands(command, (*prefix, name)))
    return out


@pytest.mark.parametrize("path", _commands(main), ids=" ".join)
def test_every_command_lists_the_project_option(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(main, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "-p, --project" in result.output


@pytest.mark.parametrize("where", ["before", "after"])
def test_check_reads_the_project_given_on_either_side(tmp_path: Path, where: str) -> None:
    missing = tmp_path / "no-such-program"
    args = ["-p", str(missing), "check"] if where == "before" else ["check", "-p", str(missing)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    assert str(missing) in result.stdout + result.stderr


def test_after_the_command_wins_over_before(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    result = CliRunner().invoke(main, ["-p", str(first), "check", "--project", str(second)])
    out = result.stdout + result.stderr
    assert str(second) in out and str(first) not in out


def test_subcommand_of_a_group_and_issue_accept_it(tmp_path: Path) -> None:
    root = tmp_path / "program"
    runner = CliRunner()
    assert runner.invoke(main, ["init", str(root)]).exit_code == 0
    made = runner.invoke(main, ["keys", "new", "-p", str(root)])
    assert made.exit_code == 0, made.output
    assert (root / ".microcred" / "keyring.json").is_file()
    issued = runner.invoke(main, ["issue", "-p", str(root)])
    assert issued.exit_code == 0, issued.output
    assert list((root / "credentials").glob("*.json"))
