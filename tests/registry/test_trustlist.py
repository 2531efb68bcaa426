"""The trust list: verify's trust file plus optional since/until per issuer, errors with lines."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest
import regsupport as rs

from microcred.cli import run
from microcred.errors import ProblemsError
from microcred.registry.trustlist import load_trust_list


def _import(tmp_path: Path, trust: Path, *creds: Path) -> list[dict[str, object]]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = run([
            "import", "--registry", f"sqlite:///{tmp_path / 'r.db'}", "--trust", str(trust),
            "--learner", rs.LEARNER, "--at", rs.AT, "--json", *map(str, creds),
        ])  # fmt: skip
    assert code == 0, out.getvalue()
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_plain_verify_trust_file_is_valid(tmp_path: Path) -> None:
    trust = rs.trust_file(tmp_path / "trust.json", (rs.ISSUER, "Example School"))
    store, windows = load_trust_list(trust)
    assert store.lookup(rs.ISSUER) is not None and windows == {}
    cred = rs.write(tmp_path / "a.json", rs.credential())
    assert _import(tmp_path, trust, cred)[0]["verdict"] == "accepted"


def test_issued_outside_the_trusted_period_needs_review(tmp_path: Path) -> None:
    # the test credentials are issued 2026-01-15
    trust = rs.trust_file(tmp_path / "t.json", (rs.ISSUER, "Example School"),
                          extra={"since": "2026-02-01", "until": "2027-01-01T00:00:00Z"})  # fmt: skip
    got = _import(tmp_path, trust, rs.write(tmp_path / "a.json", rs.credential()))[0]
    assert got["verdict"] == "needs_review"
    reason = got["reasons"][0]
    assert reason.startswith("untrusted issuer: ") and "2026-02-01" in reason, reason
    inside = rs.trust_file(tmp_path / "t2.json", (rs.ISSUER, "Example School"),
                           extra={"since": "2026-01-01", "until": "2026-02-01"})  # fmt: skip
    got = _import(tmp_path, inside, rs.write(tmp_path / "b.json", rs.credential()))[0]
    assert got["verdict"] == "accepted"


def test_bad_dates_and_bad_entries_name_their_line(tmp_path: Path) -> None:
    path = tmp_path / "trust.json"
    path.write_text(
        '{\n  "microcred_trust": 1,\n  "issuers": [\n    {"did": "did:key:z6MkA", "name": "A"},\n'
        '    {\n      "did": "did:key:z6MkB",\n      "name": "B",\n      "since": "last year"\n'
        "    }\n  ]\n}\n",
        encoding="utf-8",
    )
    with pytest.raises(ProblemsError) as info:
        load_trust_list(path)
    text = info.value.diagnostics()
    assert text.startswith(f"{path}:8: $.issuers[1].since: "), text
    assert "'last year' is not a date" in text and "\n" not in text
    path.write_text(
        '{"issuers": [\n  {"did": "did:key:z6MkA", "name": "A"},\n  {"did": "not-a-did",\n'
        '   "name": "B"}\n]}\n',
        encoding="utf-8",
    )
    with pytest.raises(ProblemsError) as info:
        load_trust_list(path)
    text = info.value.diagnostics()
    assert text.startswith(f"{path}:3: $.issuers[1].did: 'not-a-did' is not a DID"), text


def test_bad_trust_file_imports_nothing(tmp_path: Path) -> None:
    path = tmp_path / "trust.json"
    path.write_text('{"issuers": [{"did": "did:key:z6MkA", "name": "A", "until": 5}]}')
    err = io.StringIO()
    cred = rs.write(tmp_path / "a.json", rs.credential())
    with contextlib.redirect_stderr(err):
        code = run(["import", "--registry", f"sqlite:///{tmp_path / 'r.db'}", "--trust",
                    str(path), str(cred)])  # fmt: skip
    assert code == 1 and f"{path}:1: $.issuers[0].until: 5 is not a date" in err.getvalue()
    assert not (tmp_path / "r.db").exists()
