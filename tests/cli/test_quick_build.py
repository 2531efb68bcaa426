"""An unchanged ``microcred build`` is answered before click is loaded (cli/_quick.py): the
same lines, streams and exit code as the click command; every other command line, and every
build that has work to do, goes to click untouched."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from clihelpers import quick_answer
from sitehelpers import copy_example

from microcred.cli._quick import _words, kept_build_command
from microcred.site import build_site, entry
from microcred.site import unchanged as unchanged_module

NOW = "2026-11-01T12:00:00Z"
QUICK = [sys.executable, "-c", "from microcred.cli import console; console()"]
CLICK = [sys.executable, "-c", "from microcred.cli.app import console; console()"]
ENV = {**os.environ, "MICROCRED_KEY_PASSPHRASE": "quick build tests"}


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["build"], {}),
        (["-p", "P", "build"], {"project": "P"}),
        (["build", "--project=P", "--out", "O"], {"project": "P", "out": "O"}),
        (
            ["--project", "P", "build", "--now=T", "--keep-source", "K", "--engine", "mkdocs"],
            {"project": "P", "now": "T", "keep_source": "K", "engine": "mkdocs"},
        ),
        (["build", "-p", "build"], {"project": "build"}),
    ],
)
def test_plain_build_command_lines_are_read(argv: list[str], words: dict[str, str]) -> None:
    assert _words(argv) == words


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["issue"],
        ["build", "--help"],
        ["-h", "build"],
        ["--version"],
        ["build", "--out"],  # no value
        ["build", "--out="],
        ["build", "--out", "-x"],  # a value that looks like an option
        ["build", "--out", "A", "--out", "B"],  # given twice
        ["-p", "A", "build", "-p", "B"],
        ["-pDIR", "build"],
        ["-p=DIR", "build"],
        ["build", "extra"],
        ["build", "build"],
        ["--out", "O", "build"],  # a build option before the command
        ["build", "--no-such-option", "x"],
    ],
)
def test_anything_else_is_left_to_click(argv: list[str]) -> None:
    assert _words(argv) is None


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example program with a key of its own, built once through click."""
    root = copy_example(tmp_path_factory.mktemp("quick") / "program")
    subprocess.run([*CLICK, "-p", str(root), "keys", "new"], env=ENV, check=True)
    build = [*CLICK, "-p", str(root), "build", "--now", NOW, "--out", str(root / "out")]
    subprocess.run(build, env=ENV, check=True, capture_output=True)
    # one credential revoked, so the build also says something on stderr
    slug = sorted((root / "credentials").glob("*.json"))[1].stem
    revoke = [*CLICK, "-p", str(root), "revoke", slug, "--reason", "test", "--by", "test"]
    subprocess.run([*revoke, "--now", NOW], env=ENV, check=True, capture_output=True)
    subprocess.run(build, env=ENV, check=True, capture_output=True)
    return root


def _run(command: list[str], root: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    argv = ["-p", str(root), "build", "--now", NOW, "--out", str(root / "out"), *extra]
    return subprocess.run([*command, *argv], env=ENV, capture_output=True, text=True, check=False)


def test_an_unchanged_build_says_what_click_says(built: Path) -> None:
    quick, through_click = _run(QUICK, built), _run(CLICK, built)
    assert quick.returncode == through_click.returncode == 0
    assert quick.stdout == through_click.stdout
    assert quick.stderr == through_click.stderr
    assert quick.stdout.startswith(f"built {built / 'out'} (issuer): ")
    assert "note: " in quick.stderr and "revoked" in quick.stderr


def test_the_quick_answer_loads_no_click(built: Path) -> None:
    """Nor ``dataclasses``, which imports ``inspect`` (15-20 ms of a 70-100 ms answer): the
    result and check types are written out, the located problem and the layout's dataclasses
    load on first use."""
    argv = ["-p", str(built), "build", "--now", NOW, "--out", str(built / "out")]
    unwanted = ["click", "rich", "microcred.site.build", "dataclasses", "inspect"]
    loaded = quick_answer("kept_build_command", argv, unwanted)
    assert loaded == [0] + [False] * len(unwanted)


def test_a_build_with_work_to_do_goes_to_click_and_is_checked_once(
    built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "program"
    shutil.copytree(built, root)
    record = sorted((root / "records").glob("*.md"))[0]
    record.write_text(record.read_text("utf-8") + "\nA later note.\n", "utf-8")
    argv = ["-p", str(root), "build", "--now", NOW, "--out", str(root / "out")]
    asked: list[Path] = []
    real = unchanged_module.kept_build

    def counted(*args: object, **kwargs: object) -> object:
        asked.append(Path(str(args[0])))
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(entry, "kept_build", counted)
    monkeypatch.setenv("MICROCRED_KEY_PASSPHRASE", ENV["MICROCRED_KEY_PASSPHRASE"])
    assert kept_build_command(argv) is None  # the record changed: the site is to be built
    when = dt.datetime(2026, 11, 1, 12, tzinfo=dt.UTC)
    result = build_site(root, root / "out", now=when, passphrase=ENV["MICROCRED_KEY_PASSPHRASE"])
    assert result.seconds > 0.0 and len(asked) == 1  # the build did not ask again
    assert kept_build_command(argv) == 0  # now it is kept
    assert len(asked) == 2


def test_a_bad_time_or_engine_is_left_to_click(built: Path) -> None:
    assert kept_build_command(["-p", str(built), "build", "--now", "yesterday"]) is None
    assert kept_build_command(["-p", str(built), "build", "--engine", "hugo"]) is None
    said = _run(QUICK, built, "--engine", "hugo")
    assert said.returncode == 2 and "hugo" in said.stderr  # click's usage error, as always
