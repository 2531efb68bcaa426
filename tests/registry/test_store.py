"""The registry database: URLs, migrations on open, the append-only log, the transcript API."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest
import regsupport as rs
import sqlalchemy

from microcred.cli import run
from microcred.registry import Registry, RegistryError, masked, parse_url
from microcred.registry.store import HEAD, MIGRATIONS


def test_default_url_and_driver_normalisation() -> None:
    assert parse_url(None).render_as_string() == "sqlite:///registry.db"
    assert parse_url("postgresql://u:p@h/db").drivername == "postgresql+psycopg"
    assert parse_url("postgres://u:p@h/db").drivername == "postgresql+psycopg"
    assert masked("postgresql+psycopg://user:s3cret@db.example/reg") == (
        "postgresql+psycopg://user:***@db.example/reg"
    )


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "mysql://u:s3cret@h/db",
            "registry mysql://u:***@h/db: 'mysql' databases are not supported",
        ),
        ("not a url", "--registry 'not a url' is not a database URL"),
        ("sqlite://", "names no file"),
        ("postgresql+asyncpg://u:s3cret@h/db", "the driver 'asyncpg' is not supported"),
    ],
)
def test_bad_urls_are_one_line_without_the_password(url: str, expected: str) -> None:
    with pytest.raises(RegistryError) as info:
        parse_url(url)
    text = info.value.diagnostics()
    assert expected in text and "s3cret" not in text and "\n" not in text


def test_unreachable_server_is_one_line_naming_the_masked_url(tmp_path: Path) -> None:
    # a Unix socket folder with no server in it: fails at once, opens no network socket
    url = f"postgresql+psycopg://registrar:s3cret@/microcred?host={tmp_path}"
    err = io.StringIO()
    cred = rs.write(tmp_path / "a.json", rs.credential())
    with contextlib.redirect_stderr(err):
        code = run(["import", "--registry", url, str(cred)])
    assert code == 1
    lines = err.getvalue().strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(
        "error: cannot use the registry postgresql+psycopg://registrar:***@/"
    )
    assert "s3cret" not in lines[0]
    assert "check that the server is running" in lines[0]


def test_not_a_database_file(tmp_path: Path) -> None:
    path = tmp_path / "registry.db"
    path.write_text("this is not SQLite " * 100)
    with pytest.raises(RegistryError, match="file is not a database"):
        Registry.open(f"sqlite:///{path}")


def test_read_commands_do_not_create_a_registry(tmp_path: Path) -> None:
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = run(["registry", "summary", "--registry", f"sqlite:///{tmp_path / 'none.db'}"])
    assert code == 1 and "no registry at" in err.getvalue()
    assert not (tmp_path / "none.db").exists()


def test_head_is_the_newest_migration() -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    assert ScriptDirectory.from_config(cfg).get_current_head() == HEAD


def test_migrations_run_once_and_refuse_a_newer_schema(registry_url: str) -> None:
    with Registry.open(registry_url) as reg:
        assert reg.count() == 0
        with reg.engine.begin() as conn:
            version = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
            assert version == HEAD
    with Registry.open(registry_url) as reg, reg.engine.begin() as conn:  # nothing to migrate
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = 'r9999'")
    with pytest.raises(RegistryError, match="newer than this microcred"):
        Registry.open(registry_url)


def test_decision_log_is_append_only(registry_url: str, tmp_path: Path) -> None:
    cred = rs.write(tmp_path / "a.json", rs.credential())
    assert run(["import", "--registry", registry_url, "--learner", rs.LEARNER, "--at", rs.AT,
                str(cred)]) == 0  # fmt: skip
    with Registry.open(registry_url) as reg:
        for statement in ("UPDATE decisions SET verdict = 'accepted'", "DELETE FROM decisions"):
            with (
                pytest.raises(sqlalchemy.exc.DatabaseError, match="append-only"),
                reg.engine.begin() as conn,
            ):
                conn.exec_driver_sql(statement)


def test_transcript_api(registry_url: str, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    rs.write(folder / "a.json", rs.credential(credits=2))
    rs.write(folder / "b.json", rs.credential(credits=3))
    rs.write(folder / "c.json", rs.credential(recipient=rs.OTHER_LEARNER))
    assert run(["import", "--registry", registry_url, "--learner", rs.LEARNER, "--term", "T1",
                "--at", rs.AT, str(folder)]) == 0  # fmt: skip
    with Registry.open(registry_url) as reg:
        accepted = reg.accepted_credentials(rs.LEARNER, "T1")
        assert [a.credits for a in accepted] == [2.0, 3.0]
        assert {a.credit_unit for a in accepted} == {"ECTS"}
        assert accepted[0].content == (folder / "a.json").read_bytes()
        assert reg.accepted_credentials(rs.LEARNER, "T2") == []
        assert len(reg.accepted_credentials(rs.LEARNER)) == 2
        first = reg.record_transcript(
            learner=rs.LEARNER, content=b'{"clr": 1}', issued_at="2026-06-02T00:00:00Z",
            issued_by="registrar", credential_id="urn:uuid:1", term="T1",
        )  # fmt: skip
        again = reg.record_transcript(
            learner=rs.LEARNER, content=b'{"clr": 1}', issued_at="2026-06-03T00:00:00Z"
        )
        assert first == again
        reg.set_transcript_status(first, "revoked")
        listed = reg.transcripts(rs.LEARNER)
        assert [(t["id"], t["status"], t["term"]) for t in listed] == [(first, "revoked", "T1")]


@pytest.mark.enable_socket
@pytest.mark.allow_hosts(["127.0.0.1", "::1", "localhost"])
def test_missing_postgresql_database_is_one_line(tmp_path: Path) -> None:
    if not rs.PG_URL:
        if rs.REQUIRE_PG:
            pytest.fail("MICROCRED_REQUIRE_PG is set but MICROCRED_TEST_PG is not")
        pytest.skip("MICROCRED_TEST_PG is unset: no PostgreSQL server to test against")
    url = parse_url(rs.PG_URL).set(database="microcred_no_such_db", password="s3cret-pw")
    wrong = url.render_as_string(hide_password=False)
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = run(["registry", "summary", "--registry", wrong])
    assert code == 1
    (line,) = err.getvalue().strip().splitlines()
    assert "s3cret-pw" not in line and ":***@" in line and "microcred_no_such_db" in line
    assert "the database exists" in line


def test_opening_and_reading_never_wait_for_an_import(registry_url: str) -> None:
    with (
        Registry.open(registry_url) as importer,
        importer.write(),  # an import in progress holds the writer lock
        Registry.open(registry_url, create=False) as reader,
    ):
        assert reader.count() == 0
        assert reader.transcripts() == []


def test_verification_workers_do_not_load_the_database_stack() -> None:
    import subprocess
    import sys

    code = "import sys, microcred.registry.pool; print(sorted(m for m in ('sqlalchemy', 'alembic') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
