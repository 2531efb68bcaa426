"""`microcred import` and `registry export/summary/review` end to end, on SQLite and PostgreSQL.

The mixed folder holds one credential of every kind an import must tell apart; each test
checks verdicts and reasons as a registrar would read them, and the exports parsed back.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
import regsupport as rs

from microcred.cli import run

EXPORT_COLUMNS = [
    "credential_id", "sha256", "issuer", "issuer_name", "achievement", "learner", "term",
    "credits", "credit_unit", "issuer_credits", "issuer_credit_unit", "verdict", "reasons",
    "imported_at", "decided_by",
]  # fmt: skip


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("mixed")
    inbox = root / "inbox"
    valid = rs.credential(name="Valid")
    same_id_first = rs.credential(cid=900, name="First with id 900")
    files = {
        "valid": rs.write(inbox / "valid.json", valid),
        "duplicate": rs.write(inbox / "z-duplicate-bytes.json", valid),
        "tampered": rs.write(inbox / "tampered.json", rs.tampered(rs.credential())),
        "revoked": rs.write(inbox / "revoked.json", rs.credential(index=rs.REVOKED_INDEX)),
        "expired": rs.write(
            inbox / "expired.json", rs.credential(valid_until="2026-03-01T00:00:00Z")
        ),
        "untrusted": rs.write(
            inbox / "untrusted.json", rs.credential(issuer_seed=rs.gen.TEST_ONLY_OTHER_SEED)
        ),
        "someone_else": rs.write(
            inbox / "someone-else.json", rs.credential(recipient=rs.OTHER_LEARNER)
        ),
        "id_first": rs.write(inbox / "id-a.json", same_id_first),
        "id_second": rs.write(inbox / "id-b.json", rs.credential(cid=900, credits=9)),
        "not_json": inbox / "notes.txt",
    }
    files["not_json"].write_text("not a credential\n", encoding="utf-8")
    rs.write(inbox / "sub" / "package.json", {"name": "not a credential either"})
    trust = rs.trust_file(root / "trust.json", (rs.ISSUER, "Example Test School"))
    status = rs.write(root / "revocation-1.json", rs.revocation_list())
    return {"root": root, "inbox": inbox, "files": files, "trust": trust, "status": status}


def _import(url: str, mixed: dict[str, Any], *extra: str) -> list[dict[str, Any]]:
    return _run_json(
        "import", "--registry", url, "--trust", str(mixed["trust"]),
        "--status-list", str(mixed["status"]), "--learner", rs.LEARNER, "--term", "2026-spring",
        "--at", rs.AT, "--by", "registrar", "--json", *extra,
    )  # fmt: skip


def _run_json(*args: str) -> list[dict[str, Any]]:
    out = io.StringIO()
    code = _run(out, *args)
    assert code == 0, out.getvalue()
    return [json.loads(line) for line in out.getvalue().splitlines() if line.strip()]


def _run(out: io.StringIO, *args: str) -> int:
    with contextlib.redirect_stdout(out):
        return run(list(args))


def _by_path(outcomes: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {Path(o["path"]).name: o for o in outcomes}


def test_mixed_folder_verdicts(registry_url: str, mixed: dict[str, Any]) -> None:
    explicit = mixed["inbox"] / "sub" / "package.json"
    outcomes = _import(
        registry_url, mixed, str(mixed["inbox"]), str(mixed["files"]["not_json"]), str(explicit)
    )
    assert outcomes[-1]["status"] == "skipped"  # named explicitly: listed, with the reason
    assert outcomes[-1]["reasons"] == [
        "not a credential: JSON without @context or a VerifiableCredential type"
    ]
    got = _by_path(outcomes[:-1])
    assert got["valid.json"]["verdict"] == "accepted"
    assert got["valid.json"]["credits"] == 2 and got["valid.json"]["credit_unit"] == "ECTS"
    assert got["z-duplicate-bytes.json"]["status"] == "already_imported"
    assert got["tampered.json"]["verdict"] == "rejected"
    assert got["tampered.json"]["reasons"][0].startswith("invalid: proof:")
    assert got["revoked.json"]["verdict"] == "rejected"
    assert got["revoked.json"]["reasons"][0].startswith("revoked:")
    assert got["someone-else.json"]["verdict"] == "rejected"
    assert got["someone-else.json"]["reasons"][0].startswith("recipient does not match")
    assert got["someone-else.json"]["credits"] is None
    assert got["expired.json"]["verdict"] == "needs_review"
    assert got["expired.json"]["reasons"][0].startswith("expired but true when earned")
    assert got["untrusted.json"]["verdict"] == "needs_review"
    assert got["untrusted.json"]["reasons"][0].startswith("untrusted issuer")
    assert got["id-a.json"]["verdict"] == "accepted"
    assert got["id-b.json"]["verdict"] == "needs_review"
    assert "another credential already uses this id" in got["id-b.json"]["reasons"][0]
    assert got["notes.txt"]["status"] == "skipped"
    assert got["notes.txt"]["reasons"][0].startswith("not a credential")
    assert "package.json" not in got  # a folder walk passes over JSON that is no credential
    assert all(o["status"] == "added" for n, o in got.items() if n not in
               ("z-duplicate-bytes.json", "notes.txt"))  # fmt: skip


def test_reimport_adds_nothing(registry_url: str, mixed: dict[str, Any]) -> None:
    first = _import(registry_url, mixed, str(mixed["inbox"]))
    second = _import(registry_url, mixed, str(mixed["inbox"]))
    assert [o["status"] for o in second] == ["already_imported"] * len(second)
    assert len(second) == len(first)
    rows = _export_json(registry_url)
    assert len(rows) == sum(o["status"] == "added" for o in first) == 8
    assert {o["verdict"] for o in second if o["path"].endswith("valid.json")} == {"accepted"}


def _export_json(url: str, *extra: str) -> list[dict[str, Any]]:
    out = io.StringIO()
    assert _run(out, "registry", "export", "--registry", url, "--format", "json", *extra) == 0
    data: list[dict[str, Any]] = json.loads(out.getvalue())
    return data


def test_exports_parse_back_and_agree(registry_url: str, mixed: dict[str, Any]) -> None:
    outcomes = _import(registry_url, mixed, str(mixed["inbox"]))
    as_json = _export_json(registry_url)
    out = io.StringIO()
    assert _run(out, "registry", "export", "--registry", registry_url, "--format", "csv") == 0
    reader = csv.DictReader(io.StringIO(out.getvalue()))
    assert reader.fieldnames == EXPORT_COLUMNS
    as_csv = list(reader)
    assert [list(r) for r in as_json] == [EXPORT_COLUMNS] * len(as_json)
    assert len(as_csv) == len(as_json) == 8
    added = {o["sha256"]: o for o in outcomes if o["status"] == "added"}
    for row_json, row_csv in zip(as_json, as_csv, strict=True):
        source = added[row_json["sha256"]]
        assert row_json["verdict"] == row_csv["verdict"] == source["verdict"]
        assert isinstance(row_json["reasons"], list)
        assert row_csv["reasons"] == ";".join(row_json["reasons"])
        assert row_json["learner"] == row_csv["learner"] == rs.LEARNER
        assert row_json["term"] == "2026-spring" and row_json["decided_by"] == "registrar"
        assert row_json["sha256"] == rs.sha256_file(Path(source["path"]))
        if row_json["verdict"] == "accepted":
            assert float(row_csv["credits"]) == row_json["credits"] == 2
        else:
            assert row_json["credits"] is None and row_csv["credits"] == ""
        assert row_json["issuer_credits"] == 2 or row_json["issuer_credits"] == 9
    # privacy: no salts or identity hashes leave the registry
    text = out.getvalue() + json.dumps(as_json)
    assert "salt" not in text.lower() and "sha256$" not in text
    only = _export_json(registry_url, "--learner", "nobody@example.com")
    assert only == []


def test_summary_and_review(registry_url: str, mixed: dict[str, Any]) -> None:
    _import(registry_url, mixed, str(mixed["inbox"]))
    summary = _run_json("registry", "summary", "--registry", registry_url, "--json")[0]
    assert summary == [
        {"learner": rs.LEARNER, "term": "2026-spring", "credits": {"ECTS": 4.0},
         "accepted": 2, "rejected": 3, "needs_review": 3}
    ]  # fmt: skip
    pending = _run_json("registry", "review", "--registry", registry_url, "--json")[0]
    assert len(pending) == 3
    expired = next(p for p in pending if p["reasons"][0].startswith("expired"))
    decided = _run_json(
        "registry", "review", "--registry", registry_url, "--accept", str(expired["id"]),
        "--reason", "earned while valid; transcript checked", "--by", "dean", "--json",
    )[0]  # fmt: skip
    assert decided["was"] == "needs_review" and decided["original"] == "needs_review"
    summary = _run_json("registry", "summary", "--registry", registry_url, "--json")[0]
    assert summary[0]["credits"] == {"ECTS": 6.0} and summary[0]["needs_review"] == 2
    row = next(r for r in _export_json(registry_url) if r["verdict"] == "accepted" and
               r["decided_by"] == "dean")  # fmt: skip
    assert row["reasons"][-1].startswith("review by dean on ")
    assert row["reasons"][-1].endswith("accepted: earned while valid; transcript checked")
    out = io.StringIO()
    assert _run(out, "registry", "review", "--registry", registry_url, "--reject", "99999",
                "--reason", "x") == 1  # fmt: skip
    rows = _export_json(registry_url)
    for row in rows:  # someone else's, tampered and revoked badges are never credited
        if row["verdict"] == "rejected":
            err = io.StringIO()
            with contextlib.redirect_stderr(err):
                code = _run(out, "registry", "review", "--registry", registry_url, "--accept",
                            row["sha256"][:12], "--reason", "please")  # fmt: skip
            assert code == 1 and "cannot be accepted by review" in err.getvalue()
    assert [r["verdict"] for r in _export_json(registry_url)] == [r["verdict"] for r in rows]


def test_dry_run_records_nothing(registry_url: str, mixed: dict[str, Any]) -> None:
    outcomes = _import(registry_url, mixed, str(mixed["inbox"]), "--dry-run")
    assert any(o["verdict"] == "accepted" for o in outcomes)
    assert _export_json(registry_url) == []
