"""`registry reverify`: stored credentials are verified again against fresh status lists;
accepted ones now revoked are flagged needs_review in the log (the import verdict stays)."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import regsupport as rs

from microcred.cli import run
from microcred.registry import Registry
from microcred.registry.ledger import export_rows


def _cli(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = run(list(args))
    return code, out.getvalue()


def test_reverify_flags_accepted_credentials_revoked_since(
    registry_url: str, tmp_path: Path
) -> None:
    index = 4242
    cred = rs.write(tmp_path / "in" / "a.json", rs.credential(index=index))
    other = rs.write(tmp_path / "in" / "b.json", rs.credential(index=4243))
    clean = rs.write(tmp_path / "list-before.json", rs.revocation_list(()))
    code, out = _cli("import", "--registry", registry_url, "--status-list", str(clean),
                     "--learner", rs.LEARNER, "--term", "T", "--at", rs.AT, "--json", str(cred), str(other))  # fmt: skip
    assert code == 0, out
    assert [json.loads(line)["verdict"] for line in out.splitlines()] == ["accepted"] * 2

    revoked = rs.write(tmp_path / "list-after.json", rs.revocation_list((index,)))
    code, out = _cli("registry", "reverify", "--registry", registry_url, "--status-list",
                     str(revoked), "--by", "auditor", "--at", rs.AT, "--json")  # fmt: skip
    assert code == 0, out
    checks = [json.loads(line) for line in out.splitlines()]
    assert [(c["flagged"], c["result"]) for c in checks] == [(True, "revoked"), (False, "valid")]

    with Registry.open(registry_url) as reg:
        rows = list(export_rows(reg))
        assert [r["verdict"] for r in rows] == ["needs_review", "accepted"]
        assert rows[0]["credits"] is None and rows[0]["decided_by"] == "auditor"
        assert rows[0]["reasons"][-1].startswith("reverify by auditor on ")
        with reg.engine.begin() as conn:
            original = conn.exec_driver_sql("SELECT verdict FROM credentials ORDER BY id").scalars()
            assert list(original) == ["accepted", "accepted"]
    code, out = _cli("registry", "summary", "--registry", registry_url)
    assert code == 0 and "2 ECTS" in out and "needs_review" in out.splitlines()[0]
    # a second run flags nothing new
    code, out = _cli("registry", "reverify", "--registry", registry_url, "--status-list",
                     str(revoked), "--at", rs.AT)  # fmt: skip
    assert out.splitlines()[-1] == "2 credential(s) re-verified; 0 accepted one(s) flagged"
