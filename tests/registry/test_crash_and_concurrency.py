"""An import is one transaction: kill -9 leaves the registry as before; two imports at once
(same bytes, one cap) neither duplicate rows nor spend the cap twice. SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import regsupport as rs

from microcred.registry import Registry
from microcred.registry.ledger import export_rows

CLI = [sys.executable, "-c", "from microcred.cli import main; main(prog_name='microcred')"]
pytestmark = pytest.mark.slow


def _variants(base: dict[str, Any], folder: Path, count: int, start: int = 0) -> list[Path]:
    """``count`` distinct credentials, cheaply: one signed credential renamed each time (so
    each is a different, rejected credential; the verification work is the same)."""
    paths = []
    for number in range(start, start + count):
        path = folder / f"c{number:04d}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({**base, "name": f"Variant {number}"}, indent=2))
        paths.append(path)
    return paths


def _cli(*args: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.Popen([*CLI, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)


def _rows(url: str) -> list[dict[str, Any]]:
    with Registry.open(url) as reg:
        return list(export_rows(reg))


@pytest.mark.parametrize("workers", ["1", "2"])
def test_kill_9_during_import_leaves_the_registry_as_before(
    registry_url: str, tmp_path: Path, workers: str
) -> None:
    base = rs.credential()
    first = _variants(base, tmp_path / "first", 3)
    _variants(base, tmp_path / "second", 40, start=100)
    common = ["--registry", registry_url, "--learner", rs.LEARNER, "--at", rs.AT]
    with _cli("import", *common, str(tmp_path / "first")) as done:
        _, err = done.communicate(timeout=120)
        assert done.returncode == 0, err
    before = _rows(registry_url)
    assert len(before) == len(first)

    with _cli("import", *common, "--workers", workers, str(tmp_path / "second")) as proc:
        assert proc.stdout is not None
        seen = 0
        while seen < 5:  # rows are being written inside the open transaction
            line = proc.stdout.readline()
            assert line, proc.communicate()[1]
            seen += line.startswith((b"ACCEPTED", b"REJECTED", b"REVIEW"))
        os.kill(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    assert _rows(registry_url) == before

    with _cli("import", *common, "--workers", workers, str(tmp_path / "second")) as again:
        _, err = again.communicate(timeout=300)
        assert again.returncode == 0, err
    assert len(_rows(registry_url)) == len(before) + 40


def test_concurrent_imports_do_not_double_count(registry_url: str, tmp_path: Path) -> None:
    creds = [rs.credential(credits=2) for _ in range(9)]
    for number, cred in enumerate(creds):
        if number < 6:
            rs.write(tmp_path / "a" / f"{number}.json", cred)
        if number >= 3:
            rs.write(tmp_path / "b" / f"{number}.json", cred)
    policy = tmp_path / "policy.toml"
    policy.write_text('name = "p"\nunit = "ECTS"\n[caps]\nper_term = 10\n[[rule]]\nname = "all"\n')
    common = ["--registry", registry_url, "--policy", str(policy), "--learner", rs.LEARNER,
              "--term", "T", "--at", rs.AT, "--json"]  # fmt: skip
    if registry_url.startswith("sqlite"):  # create the file first: both then race for rows only
        with Registry.open(registry_url):
            pass
    procs = [_cli("import", *common, str(tmp_path / name)) for name in ("a", "b")]
    outcomes = []
    for proc in procs:
        with proc:
            out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        outcomes += [json.loads(line) for line in out.splitlines()]
    rows = _rows(registry_url)
    assert len(rows) == 9 and len({r["sha256"] for r in rows}) == 9
    assert sum(o["status"] == "already_imported" for o in outcomes) == 3
    accepted = [r for r in rows if r["verdict"] == "accepted"]
    assert len(accepted) == 5 and sum(r["credits"] for r in accepted) == 10
    assert all(r["reasons"][0].startswith("over a cap") for r in rows if r["verdict"] != "accepted")
