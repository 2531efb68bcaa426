"""Release-ready: sdist and wheel build with `python -m build`, pass `twine check`, and the
wheel installed into a fresh virtual environment runs `microcred demo` end to end.

The venv sees the already installed dependencies (--system-site-packages) and installs only
the wheel, without an index, so the run proves the wheel carries everything of microcred's
own (templates, contexts, schemas, the bundled example), not that PyPI is reachable. The build
itself needs the build backend (setuptools) in an isolated environment, as a release does.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

import microcred

REPO = Path(__file__).resolve().parents[1]

pytestmark = [pytest.mark.slow]


def test_version_comes_from_one_place() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert "version" not in project and project["dynamic"] == ["version"]
    assert (REPO / "CHANGELOG.md").read_text(encoding="utf-8").count(f"## {microcred.__version__}")


def _run(*args: str | Path, cwd: Path, timeout: int = 600) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    done = subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        check=False,
    )
    assert done.returncode == 0, f"{args}: {done.stdout[-2000:]}\n{done.stderr[-3000:]}"
    return done.stdout + done.stderr


def test_wheel_installs_in_a_fresh_venv_and_runs_the_demo(tmp_path: Path) -> None:
    pytest.importorskip("build", reason="pip install -e '.[dev]' installs the build frontend")
    dist = tmp_path / "dist"
    # --no-isolation: the backend comes from the dev extras, so no package index is needed.
    _run(sys.executable, "-m", "build", "--no-isolation", "--outdir", dist, REPO, cwd=tmp_path)
    wheel = next(dist.glob("microcred-*.whl"))
    sdist = next(dist.glob("microcred-*.tar.gz"))
    assert wheel.name.startswith(f"microcred-{microcred.__version__}-")
    assert "PASSED" in _run(sys.executable, "-m", "twine", "check", wheel, sdist, cwd=tmp_path)
    names = zipfile.ZipFile(wheel).namelist()
    for needed in (
        "microcred/site/_template/mkdocs.yml.j2",
        "microcred/site/_template/assets/verify.js",
        "microcred/data/examples/northwind-microinternships/microcred.toml",
        "microcred/py.typed",
    ):
        assert needed in names, needed

    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", "--system-site-packages", venv, cwd=tmp_path)
    python = venv / "bin" / "python"
    _run(python, "-m", "pip", "install", "--no-deps", "--no-index", wheel, cwd=tmp_path)
    where = _run(python, "-c", "import microcred; print(microcred.__file__)", cwd=tmp_path)
    assert str(venv) in where  # the wheel's copy, not the source checkout
    out = _run(venv / "bin" / "microcred", "demo", "--out", tmp_path / "site", cwd=tmp_path)
    assert "0 FAIL" in out or " valid" in out
    assert (tmp_path / "site" / "index.html").is_file()
    assert "invalid" not in out.split("verified offline", 1)[-1]
