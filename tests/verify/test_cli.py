"""`microcred verify` on the command line: exit codes, JSON lines, human lines."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from microcred.cli import main

from .conftest import CORPUS, gen

AT = ["--at", gen.AT]
LISTS = [
    "--status-list",
    str(CORPUS / "support/revocation-1.json"),
    "--status-list",
    f"{gen.SUS_URL}={CORPUS / 'support/suspension-1.json'}",
]
VALID = str(CORPUS / "valid_baseline.json")
TAMPERED = str(CORPUS / "mc01_tamper_changed_claim.json")


def run(*args: str) -> Result:
    return CliRunner().invoke(main, ["verify", *args], catch_exceptions=False)


def test_all_valid_exits_0() -> None:
    result = run(*AT, *LISTS, VALID)
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"OK        {VALID}")
    assert "1 credential(s): 1 OK, 0 FAIL, 0 UNDECIDED" in result.output


def test_any_invalid_exits_1() -> None:
    result = run(*AT, *LISTS, VALID, TAMPERED)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].startswith("OK ")
    fail = next(i for i, line in enumerate(lines) if line.startswith("FAIL"))
    assert TAMPERED in lines[fail]
    tail = "\n".join(lines[fail:])
    assert "  proof: failed" in tail
    assert "CRYPTOGRAPHIC_SECURITY_ERROR: proof[0] (eddsa-rdfc-2022)" in tail
    assert "means: the signature does not match the content" in tail
    assert "do: do not accept this file" in tail


def test_undecided_exits_3_and_says_why() -> None:
    result = run(*AT, VALID)  # no status list snapshot
    assert result.exit_code == 3
    assert result.output.startswith("UNDECIDED")
    assert "status: indeterminate" in result.output
    assert "--status-list" in result.output


def test_untrusted_exits_3_trusted_exits_0() -> None:
    trust = ["--trust", str(CORPUS / "support/trust.json")]
    lookalike = str(CORPUS / "mc32_identity_untrusted_lookalike_name.json")
    untrusted = run(*AT, *LISTS, *trust, lookalike)
    assert untrusted.exit_code == 3
    assert "NOT in the trust file" in untrusted.output
    assert "calls itself 'Lycée Victor Hugo' (self-declared, not verified)" in untrusted.output
    trusted = run(*AT, *LISTS, *trust, VALID)
    assert trusted.exit_code == 0
    assert "trusted as 'Example Test School (TEST ONLY)' (trust file)" in trusted.output


@pytest.mark.parametrize(
    "args",
    [
        ["--no-such-option", VALID],
        [],
        [str(CORPUS / "does-not-exist.json")],
        ["--at", "yesterday", VALID],
        ["--did-doc", str(CORPUS / "nope.json"), VALID],
        ["--status-list", str(CORPUS / "valid_baseline.json") + ".missing", VALID],
        ["--trust", str(CORPUS / "support/revocation-1.json"), VALID],
    ],
)
def test_usage_errors_exit_2(args: list[str]) -> None:
    result = CliRunner().invoke(main, ["verify", *args])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output


def test_json_lines_follow_the_contract() -> None:
    result = run(
        "--json", *AT, *LISTS, VALID, TAMPERED, str(CORPUS / "mc53_status_no_snapshot.json")
    )
    lines = result.output.splitlines()
    assert len(lines) == 3
    records = [json.loads(line) for line in lines]
    for record in records:
        assert list(record) == ["path", "id", "issuer", "result", "trusted", "summary", "checks"]
        assert [c["id"] for c in record["checks"]] == [
            "parse",
            "data_model",
            "contexts",
            "proof",
            "issuer_binding",
            "validity_period",
            "status",
            "issuer_trust",
            "recipient",
        ]
        for check in record["checks"]:
            assert check["outcome"] in (
                "passed",
                "failed",
                "indeterminate",
                "skipped",
                "not_requested",
            )
            assert all(set(p) == {"code", "detail"} for p in check["problems"])
        assert record["trusted"] is None
        assert record["issuer"] == gen.ISSUER
    assert [r["result"] for r in records] == ["valid", "invalid", "valid"]
    assert records[1]["checks"][3]["problems"][0]["code"] == "CRYPTOGRAPHIC_SECURITY_ERROR"
    assert [c["outcome"] for c in records[1]["checks"][4:]] == ["skipped"] * 3 + [
        "not_requested"
    ] * 2
    assert result.exit_code == 1


def test_a_non_json_file_named_explicitly_is_a_failed_parse(tmp_path: Path) -> None:
    junk = tmp_path / "photo.jpg"
    junk.write_bytes(b"\xff\xd8\xff\xe0 not json at all")
    result = run("--json", *AT, str(junk))
    (record,) = [json.loads(line) for line in result.output.splitlines()]
    assert record["path"] == str(junk)
    assert record["result"] == "invalid"
    assert record["checks"][0]["outcome"] == "failed"
    assert record["checks"][0]["problems"][0]["code"] == "PARSING_ERROR"
    assert result.exit_code == 1


def test_a_folder_is_walked_skipping_non_credentials(tmp_path: Path) -> None:
    shutil.copy(VALID, tmp_path / "one.json")
    (tmp_path / "sub").mkdir()
    shutil.copy(CORPUS / "mc68_control_baked.svg", tmp_path / "sub" / "two.svg")
    (tmp_path / "sub" / "search_index.json").write_text('{"docs": []}')
    shutil.copy(CORPUS / "support/school.example.did.json", tmp_path / "sub" / "did.json")
    (tmp_path / "README.md").write_text("# not a credential")
    result = run("--json", *AT, *LISTS, str(tmp_path))
    paths = [json.loads(line)["path"] for line in result.output.splitlines()]
    assert paths == [str(tmp_path / "one.json"), str(tmp_path / "sub" / "two.svg")]
    assert result.exit_code == 0


def test_nothing_found_is_undecided(tmp_path: Path) -> None:
    (tmp_path / "index.json").write_text("{}")
    result = CliRunner().invoke(main, ["verify", str(tmp_path)])
    assert result.exit_code == 3
    assert "no credentials found" in result.output


def test_flags_supply_did_documents_recipient_and_strict() -> None:
    web = str(CORPUS / "valid_did_web_pinned.json")
    web_list = ["--status-list", str(CORPUS / "support/web-revocation-1.json")]
    assert run(*AT, *web_list, web).exit_code == 3
    doc = ["--did-doc", str(CORPUS / "support/school.example.did.json")]
    assert run(*AT, *web_list, *doc, web).exit_code == 0
    assert run(*AT, *LISTS, "--recipient", "ALICE@example.com ", VALID).exit_code == 0
    mismatch = run(*AT, *LISTS, "--recipient", "mallory@example.com", VALID)
    assert mismatch.exit_code == 1 and "RECIPIENT_MISMATCH" in mismatch.output
    number = str(CORPUS / "mc47_status_index_json_number.json")
    relaxed = run(*AT, *LISTS, number)
    assert relaxed.exit_code == 0 and "passed with warnings" in relaxed.output
    assert run(*AT, *LISTS, "--strict", number).exit_code == 1


def test_the_installed_command_runs_in_a_subprocess() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "from microcred.cli import console; console()",
            "verify",
            "--json",
            *AT,
            *LISTS,
            VALID,
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["result"] == "valid"
    assert done.stderr == ""


@pytest.mark.parametrize(
    ("option", "pinned", "what", "hint"),
    [
        ("--did-doc", "support/school.example.did.json", "documents of did:web:", "DID"),
        ("--status-list", "support/revocation-1.json", "snapshots of", "status list URL"),
    ],
)
def test_a_did_or_status_list_pinned_twice_is_a_usage_error(
    tmp_path: Path, option: str, pinned: str, what: str, hint: str
) -> None:
    """Two documents for one DID, or two snapshots for one list URL: which one counts would
    depend on the order of the options, so the command refuses (exit 2) and names both."""
    first = CORPUS / pinned
    second = tmp_path / first.name
    second.write_bytes(first.read_bytes())
    twice = run(*AT, option, str(first), option, str(second), VALID)
    assert twice.exit_code == 2
    assert f"{option} {first} and {option} {second} are both {what}" in twice.output
    assert f"per {hint}" in twice.output
