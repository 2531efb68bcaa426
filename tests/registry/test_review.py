"""Manual review: credits granted where the policy could not compute them; migrations keep data."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest
import regsupport as rs
import sqlalchemy

from microcred.cli import run
from microcred.registry import Registry
from microcred.registry.ledger import export_rows, summary
from microcred.registry.store import HEAD, MIGRATIONS


def _cli(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = run(list(args))
    return code, out.getvalue()


def test_review_grants_credits_the_policy_could_not_compute(
    registry_url: str, tmp_path: Path
) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text('name = "p"\nunit = "ECTS"\n[[rule]]\nname = "all"\n', encoding="utf-8")
    cred = rs.write(tmp_path / "a.json", rs.credential(credits=3, unit="quarter credits"))
    code, out = _cli("import", "--registry", registry_url, "--policy", str(policy), "--learner",
                     rs.LEARNER, "--term", "T", "--at", rs.AT, "--json", str(cred))  # fmt: skip
    got = json.loads(out)
    assert (got["verdict"], got["credits"]) == ("needs_review", None)
    code, out = _cli("registry", "review", "--registry", registry_url, "--accept", str(got["row"]),
                     "--credits", "2", "--reason", "3 quarter credits = 2 ECTS (registrar table)",
                     "--by", "dean")  # fmt: skip
    assert code == 0 and "needs_review -> accepted, 2 ECTS" in out
    with Registry.open(registry_url) as reg:
        assert summary(reg)[0]["credits"] == {"ECTS": 2.0}
        (row,) = list(export_rows(reg))
        assert (row["verdict"], row["credits"], row["credit_unit"]) == ("accepted", 2.0, "ECTS")
        assert [a.credits for a in reg.accepted_credentials(rs.LEARNER, "T")] == [2.0]
        with reg.engine.begin() as conn:
            computed = conn.exec_driver_sql("SELECT credits, verdict FROM credentials").one()
            assert tuple(computed) == (None, "needs_review")  # what the import decided stays
    code, _ = _cli("registry", "review", "--registry", registry_url, "--reject", str(got["row"]),
                   "--credits", "1", "--reason", "x")  # fmt: skip
    assert code == 1


def test_an_older_registry_is_migrated_with_its_rows(registry_url: str, tmp_path: Path) -> None:
    from alembic import command
    from alembic.config import Config

    from microcred.registry.dburl import parse_url

    engine = sqlalchemy.create_engine(parse_url(registry_url))
    with engine.begin() as conn:
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "r0001")
        conn.execute(
            sqlalchemy.text(
                "INSERT INTO credentials (sha256, content, result, verdict, current_verdict,"
                " reasons, report, imported_at, credits, credit_unit, learner, term) VALUES"
                " ('ab', :content, 'valid', 'accepted', 'accepted', '[]', '{}',"
                " '2026-01-01T00:00:00Z', 1.5, 'ECTS', 's-1', 'T')"
            ),
            {"content": b"x"},
        )
    engine.dispose()
    with Registry.open(registry_url) as reg:
        with reg.engine.begin() as conn:
            assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == HEAD
        assert summary(reg)[0]["credits"] == {"ECTS": 1.5}
        assert [a.credits for a in reg.accepted_credentials("s-1", "T")] == [1.5]


@pytest.mark.parametrize("value", ["-1", "nan"])
def test_credits_must_be_a_non_negative_number(
    registry_url: str, tmp_path: Path, value: str
) -> None:
    cred = rs.write(tmp_path / "a.json", rs.credential(valid_until="2026-03-01T00:00:00Z"))
    code, out = _cli("import", "--registry", registry_url, "--learner", rs.LEARNER, "--at", rs.AT,
                     "--json", str(cred))  # fmt: skip
    row = json.loads(out)["row"]
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code, _ = _cli("registry", "review", "--registry", registry_url, "--accept", str(row),
                       "--credits", value, "--reason", "x")  # fmt: skip
    assert code == 1 and "--credits goes with --accept" in err.getvalue()
