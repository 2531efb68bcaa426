"""The report model: result rules, exit codes, the JSON line contract, safe human text."""

from __future__ import annotations

import pytest

from microcred.verify import CHECK_IDS, CheckResult, Finding, VerificationReport, exit_code
from microcred.verify import report as report_module
from microcred.verify.report import human_lines, overall_result, printable, verdict_word


def make(
    outcomes: dict[str, str], *, trust: str = "not_requested", path: str = "c.json"
) -> VerificationReport:
    checks = []
    for check_id in CHECK_IDS:
        outcome = trust if check_id == "issuer_trust" else outcomes.get(check_id, "passed")
        problems = (
            (Finding("CODE_" + check_id.upper(), f"{check_id} detail"),)
            if outcome in ("failed", "indeterminate")
            else ()
        )
        checks.append(CheckResult(check_id, outcome, problems))  # type: ignore[arg-type]
    return VerificationReport(
        path, "urn:uuid:1", "did:key:z6Mk", tuple(checks), "2026-06-01T00:00:00Z"
    )


def test_result_is_invalid_then_indeterminate_then_valid() -> None:
    assert make({}).result == "valid"
    assert make({"status": "indeterminate"}).result == "indeterminate"
    assert make({"status": "indeterminate", "recipient": "failed"}).result == "invalid"
    assert make({"proof": "skipped"}).result == "valid"


def test_trust_never_changes_the_result_only_trusted() -> None:
    assert make({}, trust="failed").result == "valid"
    assert make({}, trust="failed").trusted is False
    assert make({}, trust="passed").trusted is True
    assert make({}).trusted is None
    assert make({}, trust="skipped").trusted is False
    assert overall_result([CheckResult("issuer_trust", "failed")]) == "valid"


@pytest.mark.parametrize(
    ("reports", "code"),
    [
        ([], 3),
        ([{}], 0),
        ([{}, {"proof": "failed"}], 1),
        ([{"status": "indeterminate"}, {}], 3),
        ([{"status": "indeterminate"}, {"proof": "failed"}], 1),
    ],
)
def test_exit_codes(reports: list[dict[str, str]], code: int) -> None:
    assert exit_code(make(r) for r in reports) == code


def test_untrusted_is_exit_3_and_trusted_exit_0() -> None:
    assert exit_code([make({}, trust="failed")]) == 3
    assert exit_code([make({}, trust="passed")]) == 0
    assert verdict_word(make({}, trust="failed")) == "UNDECIDED"
    assert verdict_word(make({"proof": "failed"})) == "FAIL"
    assert verdict_word(make({})) == "OK"


def test_json_line_has_exactly_the_contract_keys_in_order() -> None:
    data = make({"proof": "failed"}).to_json()
    assert list(data) == ["path", "id", "issuer", "result", "trusted", "summary", "checks"]
    assert [c["id"] for c in data["checks"]] == list(CHECK_IDS)
    proof = data["checks"][3]
    assert list(proof)[:3] == ["id", "outcome", "problems"]
    assert proof["problems"] == [{"code": "CODE_PROOF", "detail": "proof detail"}]


def test_every_code_the_verifier_emits_is_explained() -> None:
    codes = [
        value
        for name, value in vars(report_module).items()
        if name.isupper() and isinstance(value, str) and value.isupper() and "_" in value
    ]
    assert len(codes) > 20
    for code in codes:
        means, action = report_module.explain(code)
        assert code in report_module.EXPLANATIONS, code
        assert means and action


def test_printable_escapes_controls_and_bidi() -> None:
    assert printable("a\u202eb\x1b[31mc\u200bd") == "a\\u202eb\\u001b[31mc\\u200bd"
    assert printable("Lycée") == "Lycée"
    assert len(printable("x" * 500)) == 120


def test_printable_escapes_every_listed_character_and_nothing_else() -> None:
    # the quick search and the character loop must agree on every code point they meet
    listed = sorted(report_module._BIDI_AND_CONTROLS)
    for code in [*listed, *range(0x20, 0x7F), 0xA0, 0x2010, 0x2065, 0x206A, 0xFEFE, 0x1F600]:
        text = f"a{chr(code)}b"
        expected = f"a\\u{code:04x}b" if code in report_module._BIDI_AND_CONTROLS else text
        assert printable(text, None) == expected, hex(code)
    assert printable("]\\^-[", None) == "]\\^-["  # class metacharacters stay themselves


def test_human_lines_show_verdict_issuer_dates_and_advice() -> None:
    lines = human_lines(make({"proof": "failed"}, trust="skipped"))
    assert lines[0].startswith("FAIL      c.json")
    assert "did:key:z6Mk" in lines[1] and "trust not evaluated" in lines[1]
    untrusted = human_lines(make({}, trust="failed"))
    assert "NOT in the trust file" in untrusted[1]
    assert "checked at 2026-06-01T00:00:00Z" in lines[2]
    text = "\n".join(lines)
    assert "  proof: failed" in text
    assert "CODE_PROOF: proof detail" in text
    assert "means:" in text and "do:" in text
