"""The ``microcred`` command (cli.console): after `sign` and `verify`, which say when their work
is done, it ends without the interpreter's teardown. Every line and every file is there, the
exit codes are the rules', and nothing changes for a command run in process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from clihelpers import key_and_unsigned

from microcred.cli import console
from microcred.cli._ending import ENDED

CONSOLE = [sys.executable, "-c", "from microcred.cli import console; console()"]
CREATED = "2026-03-04T05:06:07Z"
AT = ["--at", "2027-06-01T00:00:00Z"]
COUNT = 40  # more than two chunks: the workers run, and must be gone before the end


def _console(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CONSOLE, *args], capture_output=True, text=True, check=False, timeout=300
    )


@pytest.fixture(scope="module")
def signed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """COUNT credentials signed by the command, one of them then tampered with."""
    base = tmp_path_factory.mktemp("console")
    keyfile, unsigned = key_and_unsigned(base, COUNT)
    out = base / "out"
    done = _console("sign", "--key", str(keyfile), "--created", CREATED, "--jobs", "2",
                    "--out-dir", str(out), str(unsigned))  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("signed ") == COUNT  # every line, in order
    files = sorted(out.iterdir())
    assert [p.name for p in files] == [f"c{i:03d}.json" for i in range(COUNT)]
    assert all(json.loads(p.read_text("utf-8"))["proof"] for p in files)  # whole files
    return out


def test_verify_writes_every_line_and_the_rule_s_exit_code(signed: Path) -> None:
    done = _console("verify", "--json", "--jobs", "2", *AT, str(signed))
    assert done.returncode == 0, done.stderr
    reports = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r["result"] for r in reports] == ["valid"] * COUNT

    human = _console("verify", "--jobs", "2", *AT, str(signed))
    assert human.returncode == 0
    assert human.stdout.rstrip().endswith(f"{COUNT} credential(s): {COUNT} OK, 0 FAIL, 0 UNDECIDED")


def test_a_failing_credential_still_gives_exit_1_and_every_line(
    signed: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    for path in signed.iterdir():
        (folder / path.name).write_bytes(path.read_bytes())
    tampered = json.loads((folder / "c007.json").read_text("utf-8"))
    tampered["name"] = "Changed after signing"
    (folder / "c007.json").write_text(json.dumps(tampered), "utf-8")
    done = _console("verify", "--json", "--jobs", "2", *AT, str(folder))
    assert done.returncode == 1
    results = [json.loads(line)["result"] for line in done.stdout.splitlines()]
    assert len(results) == COUNT and results.count("invalid") == 1


def test_other_commands_exit_as_before() -> None:
    version = _console("--version")
    assert version.returncode == 0 and "microcred" in version.stdout
    usage = _console("verify", "--at", "not a date", "x.json")
    assert usage.returncode == 2 and "error" in usage.stderr.lower()


def test_under_a_profiler_the_console_exits_the_usual_way(signed: Path, tmp_path: Path) -> None:
    """A profiler (or coverage, or a debugger) writes its report at exit: with one watching,
    the command ends the usual way, so the report is written."""
    stats = tmp_path / "verify.prof"
    script = tmp_path / "entry.py"
    script.write_text("from microcred.cli import console\nconsole()\n", "utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "cProfile", "-o", str(stats), str(script),
         "verify", "--json", *AT, str(signed)],
        capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.splitlines()) == COUNT and stats.stat().st_size > 0


def test_in_process_the_console_exits_the_usual_way(monkeypatch: pytest.MonkeyPatch) -> None:
    """A command run in process may have said it is done; that is forgotten before the next
    run, so only a command of this run can end the process early."""
    ENDED.append(True)  # as a `verify` run by CliRunner in this process leaves it
    monkeypatch.setattr(sys, "argv", ["microcred", "--version"])
    with pytest.raises(SystemExit) as raised:
        console()
    assert raised.value.code == 0


def test_verify_and_sign_end_without_the_teardown_other_commands_keep_it(signed: Path) -> None:
    """What the quick end skips, seen: an atexit handler runs after `--version`, not after a
    finished `verify` (whose output is nevertheless complete)."""
    probe = [sys.executable, "-c", "import atexit; atexit.register(print, 'TEARDOWN'); "
             "from microcred.cli import console; console()"]  # fmt: skip
    done = subprocess.run([*probe, "verify", "--json", *AT, str(signed)],
                          capture_output=True, text=True, timeout=300, check=False)  # fmt: skip
    assert done.returncode == 0 and "TEARDOWN" not in done.stdout
    assert len(done.stdout.splitlines()) == COUNT
    version = subprocess.run([*probe, "--version"], capture_output=True, text=True, check=False)
    assert version.returncode == 0 and "TEARDOWN" in version.stdout


def test_issue_and_build_end_quickly_with_everything_in_place(tmp_path: Path) -> None:
    """The site is in place, its work folder gone and the caches written before the quick
    end; the next build finds all of it and keeps the output."""
    import os
    import shutil

    root = tmp_path / "program"
    shutil.copytree(Path(__file__).parents[2] / "examples" / "northwind-microinternships", root)
    env = {**os.environ, "MICROCRED_KEY_PASSPHRASE": "console test only"}
    probe = [sys.executable, "-c", "import atexit; atexit.register(print, 'TEARDOWN'); "
             "from microcred.cli import console; console()", "-p", str(root)]  # fmt: skip
    now = ["--now", "2026-11-01T12:00:00Z"]

    def step(*args: str) -> subprocess.CompletedProcess[str]:
        done = subprocess.run([*probe, *args], capture_output=True, text=True, env=env,
                              check=False, timeout=600)  # fmt: skip
        assert done.returncode == 0, done.stderr
        return done

    assert "TEARDOWN" in step("keys", "new").stdout  # not one of the quick commands
    issued = step("issue", *now)
    assert "TEARDOWN" not in issued.stdout and issued.stdout.startswith("issued ")
    site = tmp_path / "site"
    built = step("build", *now, "--out", str(site))
    assert "TEARDOWN" not in built.stdout and built.stdout.startswith(f"built {site}")
    assert (site / "index.html").is_file() and (site / "microcred-site.json").is_file()
    assert not list(tmp_path.glob(".microcred-build-*"))  # the work folder is gone
    inode = (site / "index.html").stat().st_ino
    step("build", *now, "--out", str(site))
    assert (site / "index.html").stat().st_ino == inode  # its record was written: kept
