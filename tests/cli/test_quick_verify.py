"""A plain ``microcred verify [--json] PATH...`` runs before click is loaded (cli/_quick.py):
the same lines, streams and exit code as the click command; any other spelling goes to click.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from clihelpers import key_and_unsigned, quick_answer

from microcred.cli._quick import _verify_words

QUICK = [sys.executable, "-c", "from microcred.cli import console; console()"]
CLICK = [sys.executable, "-c", "from microcred.cli.app import console; console()"]
COUNT = 20  # more than one chunk: the folder is verified by workers
_MOMENT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def _run(command: list[str], *args: str) -> tuple[int, str, str]:
    done = subprocess.run([*command, *args], capture_output=True, text=True, check=False)
    # the moment of the check differs between two runs a second apart; nothing else may
    return done.returncode, _MOMENT.sub("T", done.stdout), _MOMENT.sub("T", done.stderr)


@pytest.fixture(scope="module")
def signed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("quick-verify")
    keyfile, unsigned = key_and_unsigned(base, COUNT)
    out = base / "out"
    done = subprocess.run(
        [*CLICK, "sign", "--key", str(keyfile), "--out-dir", str(out), str(unsigned)],
        capture_output=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return out


def test_plain_verify_command_lines_are_read(signed: Path) -> None:
    one = str(signed / "c000.json")
    assert _verify_words(["verify", one]) == (False, [Path(one)])
    assert _verify_words(["verify", "--json", str(signed), one]) == (
        True,
        [signed, Path(one)],
    )
    assert _verify_words(["verify", one, "--json"]) == (True, [Path(one)])
    for other in (
        [],
        ["verify"],
        ["verify", "--json"],
        ["verify", "--json", "--json", one],
        ["verify", "--jobs", "2", one],
        ["verify", "--at", "2027-01-01", one],
        ["verify", "-", one],
        ["verify", str(signed / "no-such-file.json")],
        ["-p", ".", "verify", one],
        ["sign", one],
        ["verify", "--help"],
    ):
        assert _verify_words(other) is None, other


@pytest.mark.parametrize("as_json", [[], ["--json"]])
def test_a_folder_says_what_click_says(signed: Path, as_json: list[str]) -> None:
    quick = _run(QUICK, "verify", *as_json, str(signed))
    through_click = _run(CLICK, "verify", *as_json, str(signed))
    assert quick == through_click
    assert quick[0] == 0 and quick[1].count("urn:uuid:") == COUNT


def test_one_file_a_failing_one_and_none_say_what_click_says(signed: Path, tmp_path: Path) -> None:
    one = str(signed / "c003.json")
    assert _run(QUICK, "verify", one) == _run(CLICK, "verify", one)
    tampered = json.loads((signed / "c007.json").read_text("utf-8"))
    tampered["name"] = "Changed after signing"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(tampered), "utf-8")
    failing = _run(QUICK, "verify", "--json", one, str(bad))
    assert failing == _run(CLICK, "verify", "--json", one, str(bad))
    assert failing[0] == 1 and len(failing[1].splitlines()) == 2
    empty = tmp_path / "empty"
    empty.mkdir()
    nothing = _run(QUICK, "verify", str(empty))
    assert nothing == _run(CLICK, "verify", str(empty))
    assert nothing[0] == 3 and "no credentials found" in nothing[2]


def test_the_quick_verify_loads_no_click(signed: Path) -> None:
    argv = ["verify", str(signed / "c001.json")]
    assert quick_answer("verify_command", argv, ["click", "rich"]) == [0, False, False]
