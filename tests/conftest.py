"""Shared test configuration.

The standards pack (W3C / 1EdTech vectors, contexts, schemas, third-party examples) is read in
place from ONE setting: the ``MICROCRED_STANDARDS`` environment variable, defaulting to
``../shared/standards`` beside the repository. When it is absent every conformance test is skipped
and the run ends with a loud banner naming them.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import settings

# Property tests check behaviour, not speed: no per-example deadline (a loaded 2-core CI
# machine would otherwise fail them at random), and no example database written to disk.
# MICROCRED_HYPOTHESIS_DERANDOMIZE=1 (set by .ci/run) makes the CI gate reproducible.
settings.register_profile(
    "microcred",
    deadline=None,
    database=None,
    derandomize=os.environ.get("MICROCRED_HYPOTHESIS_DERANDOMIZE", "") not in ("", "0"),
)
settings.load_profile("microcred")

# Compiled templates go to a folder of this run, never to the user's own cache (and every
# CLI the tests start inherits it).
os.environ.setdefault("MICROCRED_CACHE_DIR", tempfile.mkdtemp(prefix="microcred-test-cache-"))

REPO = Path(__file__).resolve().parent.parent
STANDARDS_DIR = Path(
    os.environ.get("MICROCRED_STANDARDS", str(REPO.parent / "shared" / "standards"))
).resolve()
SHARED_DIR = STANDARDS_DIR.parent

@pytest.fixture
def user_cache(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], None]]:
    """Points the user's cache folder (``MICROCRED_CACHE_DIR``) at a value ("" turns it off),
    forgetting what this process worked out from the old one (the compiled templates'
    folder, the seal key) then and again after the test."""
    from microcred import sealed
    from microcred.site import compiled

    def forget() -> None:
        compiled.cache_folder.cache_clear()
        sealed._key.cache_clear()

    def point(value: str) -> None:
        monkeypatch.setenv(sealed.ENV_CACHE_DIR, value)
        forget()

    yield point
    monkeypatch.undo()
    forget()


_skipped_conformance: list[str] = []


def standards_available() -> bool:
    return (STANDARDS_DIR / "SUMMARY.md").is_file()


@pytest.fixture(scope="session")
def standards() -> Path:
    """Path of the standards pack; skips (loudly, see the summary) when it is missing."""
    if not standards_available():
        pytest.skip(f"standards pack not found at {STANDARDS_DIR} (set MICROCRED_STANDARDS)")
    return STANDARDS_DIR


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if standards_available():
        return
    marker = pytest.mark.skip(reason=f"standards pack missing at {STANDARDS_DIR}")
    for item in items:
        if "conformance" in item.keywords:
            item.add_marker(marker)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped and "conformance" in report.keywords:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        _skipped_conformance.append(f"{report.nodeid}  ({reason.removeprefix('Skipped: ')})")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not _skipped_conformance:
        return
    tr = terminalreporter
    tr.section("CONFORMANCE TESTS SKIPPED", sep="!", red=True, bold=True)
    if not standards_available():
        tr.write_line(f"The standards pack was not found at {STANDARDS_DIR}.", red=True, bold=True)
        tr.write_line("Set MICROCRED_STANDARDS=/path/to/shared/standards to run them.", red=True)
    tr.write_line("Skipped conformance tests (and why):", red=True)
    for nodeid in _skipped_conformance:
        tr.write_line(f"  - {nodeid}", red=True)
