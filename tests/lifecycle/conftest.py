"""Lifecycle fixtures: small programs with real keys, and the reference (Digital Bazaar) harness.

The reference harness is the one tests/interop drives (tests/interop/js/harness.mjs, through
interop_support.Reference). Without node or its node_modules the reference tests are skipped and
the run ends with a loud banner; MICROCRED_REQUIRE_INTEROP=1 turns that into a failure.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # lchelpers (the suite runs with --import-mode=importlib)
sys.path.insert(0, str(HERE.parent / "interop"))  # interop_support: the reference harness

from interop_support import JS_DIR, NODE_PROBLEM, REQUIRE, Reference  # noqa: E402
from lchelpers import NOW, make_program  # noqa: E402

from microcred.keyring import KeyRing  # noqa: E402
from microcred.records import load_issuer_settings  # noqa: E402

_skipped_reference: list[str] = []


@pytest.fixture()
def program(tmp_path: Path) -> Callable[..., Path]:
    """Factory: a program folder with an issuer key in its key ring (created at NOW - 30 days)."""

    def make(name: str = "program", **options: Any) -> Path:
        root = make_program(tmp_path / name, **options)
        identity = load_issuer_settings(root).identity
        KeyRing(root).new_key(identity, now=NOW - dt.timedelta(days=30))
        return root

    return make


@pytest.fixture(scope="session")
def reference() -> Reference:
    if NODE_PROBLEM is not None:
        if REQUIRE:
            pytest.fail(f"MICROCRED_REQUIRE_INTEROP is set but {NODE_PROBLEM}")
        pytest.skip(f"reference JS harness unavailable: {NODE_PROBLEM}")
    node = shutil.which("node")
    assert node is not None
    return Reference(node)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped and "interop" in report.keywords and NODE_PROBLEM is not None:
        _skipped_reference.append(report.nodeid)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not _skipped_reference:
        return
    tr = terminalreporter
    tr.section("LIFECYCLE REFERENCE TESTS SKIPPED", sep="!", red=True, bold=True)
    tr.write_line(f"Reference harness unavailable: {NODE_PROBLEM}", red=True, bold=True)
    tr.write_line(f"Install it with: (cd {JS_DIR} && npm ci)", red=True)
    for nodeid in _skipped_reference:
        tr.write_line(f"  - {nodeid}", red=True)
