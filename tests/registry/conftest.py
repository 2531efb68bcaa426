"""Registry fixtures: every ``registry_url`` test runs on SQLite AND on a real PostgreSQL.

PostgreSQL comes from ``MICROCRED_TEST_PG`` (a ``postgresql+psycopg://`` URL; .ci/run starts a
server on loopback and sets it). Each test gets a fresh schema on that server. Unset, the
PostgreSQL cases are skipped and the run ends with a loud banner; ``MICROCRED_REQUIRE_PG=1``
(CI) turns the skip into a failure.
"""

from __future__ import annotations

import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from regsupport import PG_URL, REQUIRE_PG

LOOPBACK = ["127.0.0.1", "::1", "localhost"]
_skipped: list[str] = []

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param(
        "postgresql",
        id="postgresql",
        marks=[pytest.mark.enable_socket, pytest.mark.allow_hosts(LOOPBACK)],
    ),
]


def _pg_schema_url(schema: str) -> str:
    sep = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{sep}options=-csearch_path%3D{schema}"


@pytest.fixture(params=BACKENDS)
def registry_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty registry URL on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'registry.db'}"
        return
    if not PG_URL:
        if REQUIRE_PG:
            pytest.fail("MICROCRED_REQUIRE_PG is set but MICROCRED_TEST_PG is not")
        pytest.skip("MICROCRED_TEST_PG is unset: no PostgreSQL server to test against")
    import sqlalchemy

    schema = f"t_{uuid.uuid4().hex[:12]}"
    engine = sqlalchemy.create_engine(PG_URL.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    try:
        yield _pg_schema_url(schema)
    finally:
        with engine.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        engine.dispose()


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped and "postgresql" in report.nodeid and not PG_URL:
        _skipped.append(report.nodeid)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not _skipped:
        return
    tr = terminalreporter
    tr.section("POSTGRESQL REGISTRY TESTS SKIPPED", sep="!", red=True, bold=True)
    tr.write_line(
        "MICROCRED_TEST_PG is unset, so the registry was tested on SQLite only.", red=True
    )
    tr.write_line(
        "Set MICROCRED_TEST_PG=postgresql+psycopg://user:password@127.0.0.1/db (a database "
        "you can create schemas in); .ci/run does this itself.",
        red=True,
    )
    tr.write_line(f"{len(_skipped)} PostgreSQL test(s) skipped.", red=True, bold=True)
