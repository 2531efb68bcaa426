"""Interop fixtures (see interop_support.py): the reference harness, microcred's API, the seed.

When node or ``js/node_modules`` is missing every ``interop`` test is skipped and the run ends
with a loud banner; ``MICROCRED_REQUIRE_INTEROP=1`` turns that into failures (for CI).
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

# The suite runs with --import-mode=importlib, which does not put test folders on sys.path; the
# helper modules beside this file (interop_support, interop_credgen) are imported by name.
sys.path.insert(0, str(Path(__file__).resolve().parent))

from interop_support import (
    INTEROP_SEED,
    JS_DIR,
    NODE_PROBLEM,
    REQUIRE,
    SHIPPED_CONTEXTS,
    Microcred,
    Reference,
    load_shipped_contexts,
)

_skipped: list[str] = []
_failed: list[str] = []


@pytest.fixture(scope="session")
def reference() -> Reference:
    """The reference harness; skips loudly (or fails when required) without node."""
    if NODE_PROBLEM is not None:
        if REQUIRE:
            pytest.fail(f"MICROCRED_REQUIRE_INTEROP is set but {NODE_PROBLEM}")
        pytest.skip(f"reference JS harness unavailable: {NODE_PROBLEM}")
    node = shutil.which("node")
    assert node is not None
    return Reference(node)


@pytest.fixture(scope="session")
def shipped_contexts() -> dict[str, Any]:
    if not (SHIPPED_CONTEXTS / "manifest.json").is_file():
        pytest.skip("src/microcred/jsonld/contexts/manifest.json is not there yet")
    return load_shipped_contexts()


@pytest.fixture(scope="session")
def interop_seed() -> str:
    return INTEROP_SEED


@pytest.fixture(scope="session")
def mc() -> Microcred:
    return Microcred()


def pytest_report_header(config: pytest.Config) -> list[str]:
    state = "ready" if NODE_PROBLEM is None else f"UNAVAILABLE: {NODE_PROBLEM}"
    return [f"interop: reference JS harness {state}; seed {INTEROP_SEED}"]


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if "interop" not in report.keywords:
        return
    if report.skipped and NODE_PROBLEM is not None:
        _skipped.append(report.nodeid)
    elif report.failed:
        _failed.append(report.nodeid)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    tr = terminalreporter
    if _failed:
        tr.section("INTEROP FAILURES", sep="!", red=True, bold=True)
        tr.write_line(f"Replay with MICROCRED_INTEROP_SEED={INTEROP_SEED}", red=True, bold=True)
    if _skipped:
        tr.section("INTEROP TESTS SKIPPED", sep="!", red=True, bold=True)
        tr.write_line(f"Reference harness unavailable: {NODE_PROBLEM}", red=True, bold=True)
        tr.write_line(f"Install it with: (cd {JS_DIR} && npm ci)", red=True)
        tr.write_line(f"{len(_skipped)} interop test(s) skipped.", red=True)
