"""`microcred build` says what it signed: the names up to 20, then a count."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from microcred.cli import main
from microcred.cli._build_text import issued_line


def test_issued_line_names_up_to_twenty_then_counts() -> None:
    assert issued_line(["a"]) == "issued 1 new credential: a"
    names = [f"r{i:02d}" for i in range(23)]
    line = issued_line(names)
    assert line.startswith("issued 23 new credentials: r00, r01,")
    assert line.endswith("r19 and 3 more") and "r20" not in line


def test_build_names_what_it_issued_once(tmp_path: Path) -> None:
    root = tmp_path / "program"
    runner = CliRunner()
    assert runner.invoke(main, ["init", str(root)]).exit_code == 0
    assert runner.invoke(main, ["keys", "new", "-p", str(root)]).exit_code == 0
    first = runner.invoke(main, ["build", "-p", str(root)])
    assert first.exit_code == 0, first.output
    assert "issued 1 new credential: example-record" in first.stdout
    again = runner.invoke(main, ["build", "-p", str(root)])
    assert again.exit_code == 0 and "issued" not in again.stdout
