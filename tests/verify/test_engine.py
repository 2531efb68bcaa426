"""The engine and its three doors: iter_checks, check_credential, verify_credential."""

from __future__ import annotations

import copy
import datetime as dt
import json
from typing import Any

import pytest

from microcred.errors import ConfigError, MicrocredError
from microcred.verify import (
    CHECK_IDS,
    VerificationFailed,
    VerifyOptions,
    check_credential,
    engine,
    iter_checks,
    verify_credential,
)
from microcred.verify.trust import TrustedIssuer, TrustStore

from .conftest import AT, corpus_json, default_options, gen


def test_the_engine_yields_the_nine_checks_in_order(
    baseline: dict[str, Any], options: VerifyOptions
) -> None:
    results = list(iter_checks(baseline, now=AT, options=options))
    assert tuple(r.id for r in results) == CHECK_IDS
    assert [r.outcome for r in results] == ["passed"] * 7 + ["not_requested"] * 2


def test_a_valid_credential_verifies_and_says_what_it_used(
    baseline: dict[str, Any], options: VerifyOptions
) -> None:
    report = verify_credential(json.dumps(baseline), now=AT, options=options, path="b.json")
    assert report.result == "valid" and report.ok and report.trusted is None
    assert report.issuer == gen.ISSUER and report.id == baseline["id"]
    status = report.check("status")
    assert status is not None and "as of 2026-05-01T00:00:00Z" in status.note
    validity = report.check("validity_period")
    assert validity is not None and "checked at 2026-06-01T00:00:00Z" in validity.note


@pytest.mark.parametrize(
    ("when", "check", "code"),
    [
        ("2031-02-01T00:00:00Z", "validity_period", "EXPIRED"),
        # Before issuance the proof itself claims to be made in the future (MC-33).
        ("2025-12-01T00:00:00Z", "proof", "PROOF_VERIFICATION_ERROR"),
        ("2026-01-14T23:56:00Z", "validity_period", None),  # within the 300 s skew: passes
    ],
)
def test_the_clock_is_injected(
    baseline: dict[str, Any], when: str, check: str, code: str | None
) -> None:
    now = dt.datetime.fromisoformat(when.replace("Z", "+00:00"))
    report = check_credential(baseline, now=now, options=VerifyOptions())
    result = report.check(check)
    assert result is not None
    if code is None:
        assert result.outcome == "passed"
    else:
        assert result.outcome == "failed" and result.problems[0].code == code
        assert report.result == "invalid"


def test_verify_credential_fails_closed(baseline: dict[str, Any], options: VerifyOptions) -> None:
    tampered = copy.deepcopy(baseline)
    tampered["name"] = "Something else"
    with pytest.raises(VerificationFailed) as caught:
        verify_credential(tampered, now=AT, options=options, path="t.json")
    assert isinstance(caught.value, MicrocredError)
    assert caught.value.code == "CRYPTOGRAPHIC_SECURITY_ERROR"
    assert caught.value.report.result == "invalid"
    assert "t.json is invalid: proof:" in caught.value.diagnostics()


def test_verify_credential_refuses_undecided_and_untrusted(baseline: dict[str, Any]) -> None:
    with pytest.raises(VerificationFailed) as undecided:
        verify_credential(baseline, now=AT)  # no status list snapshot given
    assert undecided.value.report.result == "indeterminate"
    assert undecided.value.code == "STATUS_RETRIEVAL_ERROR"
    trust = TrustStore(
        {"did:web:elsewhere.example": TrustedIssuer("did:web:elsewhere.example", "X")}
    )
    with pytest.raises(VerificationFailed) as untrusted:
        verify_credential(baseline, now=AT, options=default_options(trust=trust))
    assert untrusted.value.report.result == "valid"
    assert untrusted.value.code == "UNTRUSTED_ISSUER"
    assert "untrusted" in untrusted.value.diagnostics()


def test_trusted_issuer_is_named_from_the_trust_file(baseline: dict[str, Any]) -> None:
    trust = TrustStore({gen.ISSUER: TrustedIssuer(gen.ISSUER, "Verified Name")})
    report = verify_credential(baseline, now=AT, options=default_options(trust=trust))
    assert report.trusted is True and report.trusted_name == "Verified Name"
    assert report.issuer_name == "Example Test School (TEST ONLY)"


@pytest.mark.parametrize(
    "raw", [b"", b"\xff\xfe\x00", "not json", "[]", "null", '"a string"', b"{" * 100, 42]
)
def test_bad_input_is_a_failed_parse_never_an_exception(raw: Any) -> None:
    report = check_credential(raw, now=AT)
    parse = report.check("parse")
    assert parse is not None and parse.outcome == "failed"
    assert parse.problems[0].code == "PARSING_ERROR"
    assert report.result == "invalid"
    later = [c.outcome for c in report.checks[1:]]
    assert later == ["skipped"] * 6 + ["not_requested"] * 2


def test_later_checks_are_skipped_after_a_fatal_failure(baseline: dict[str, Any]) -> None:
    tampered = copy.deepcopy(baseline)
    tampered["name"] = "x"
    trust = TrustStore({gen.ISSUER: TrustedIssuer(gen.ISSUER, "School")})
    report = check_credential(
        tampered, now=AT, options=default_options(trust=trust, recipient="alice@example.com")
    )
    outcomes = {c.id: c.outcome for c in report.checks}
    assert outcomes["proof"] == "failed"
    assert [outcomes[k] for k in CHECK_IDS[4:]] == ["skipped"] * 5
    assert report.trusted is False  # skipped trust is not "trusted"


def test_data_model_failures_do_not_skip_the_rest(
    baseline: dict[str, Any], options: VerifyOptions
) -> None:
    broken = copy.deepcopy(baseline)
    broken["validFrom"] = "yesterday"
    report = check_credential(broken, now=AT, options=options)
    outcomes = {c.id: c.outcome for c in report.checks}
    assert outcomes["data_model"] == "failed"
    assert outcomes["proof"] == "failed"  # the date is signed, so the proof breaks too


def test_strict_turns_warnings_into_failures() -> None:
    doc = corpus_json("mc47_status_index_json_number.json")
    relaxed = check_credential(doc, now=AT, options=default_options())
    strict = check_credential(doc, now=AT, options=default_options(strict=True))
    assert relaxed.result == "valid"
    status = strict.check("status")
    assert strict.result == "invalid" and status is not None
    assert status.outcome == "failed" and status.problems[0].code == "NONSTANDARD_VALUE"


def test_a_crashing_check_fails_closed(
    baseline: dict[str, Any], options: VerifyOptions, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(ctx: object) -> None:
        raise RuntimeError("unexpected")

    checks = tuple((cid, boom if cid == "status" else fn) for cid, fn in engine.CHECKS)
    monkeypatch.setattr(engine, "CHECKS", checks)
    report = check_credential(baseline, now=AT, options=options)
    status = report.check("status")
    assert status is not None and status.outcome == "failed"
    assert status.problems[0].code == "VERIFIER_ERROR"
    assert report.result == "invalid"


def test_naive_time_is_refused(baseline: dict[str, Any]) -> None:
    with pytest.raises(ConfigError):
        check_credential(baseline, now=dt.datetime(2026, 6, 1))


def test_recipient_is_matched_by_salted_hash(
    baseline: dict[str, Any], options: VerifyOptions
) -> None:
    from dataclasses import replace

    ok = check_credential(
        baseline, now=AT, options=replace(options, recipient=" ALICE@example.com")
    )
    assert ok.result == "valid" and "hashed emailAddress" in ok.check("recipient").note  # type: ignore[union-attr]
    other = check_credential(
        baseline, now=AT, options=replace(options, recipient="bob@example.com")
    )
    recipient = other.check("recipient")
    assert recipient is not None and recipient.problems[0].code == "RECIPIENT_MISMATCH"
    assert "bob@example.com" not in recipient.problems[0].detail


def test_recipient_vector_from_the_standard(standards: Any) -> None:
    pytest.importorskip("microcred.credential.identity")
    vector = json.loads((standards / "vectors/identity-hash/identity-hash.json").read_text())[0]
    doc = gen.credential()
    doc["credentialSubject"]["identifier"] = [
        {
            "type": "IdentityObject",
            "identityHash": vector["identityHash"].upper().replace("SHA256$", "sha256$"),
            "identityType": vector["identityType"],
            "hashed": True,
            "salt": vector["salt"],
        }
    ]
    signed = gen.secure(doc)
    from dataclasses import replace

    opts = replace(default_options(), recipient=vector["identity"].upper() + "  ")
    report = check_credential(signed, now=AT, options=opts)
    assert report.result == "valid", [c.to_json() for c in report.checks]


def test_did_web_credential_needs_a_pinned_document() -> None:
    signed = corpus_json("valid_did_web_pinned.json")
    pinned = check_credential(signed, now=AT, options=default_options())
    assert pinned.result == "valid"
    bare = check_credential(signed, now=AT, options=VerifyOptions())
    assert bare.result == "indeterminate"
    binding = bare.check("issuer_binding")
    assert binding is not None and binding.outcome == "indeterminate"
    assert "--did-doc" in binding.problems[0].detail


def test_a_status_list_verified_once_still_binds_to_each_credential_s_issuer() -> None:
    options = default_options()
    ours = corpus_json("valid_baseline.json")
    assert check_credential(ours, now=AT, options=options).result == "valid"
    assert options.cache  # the list's own verification is reused for the next credential
    theirs = gen.secure(
        gen.credential(gen.ATTACKER, cid="77"), gen.TEST_ONLY_ATTACKER_SEED, gen.ATTACKER_VM
    )
    report = check_credential(theirs, now=AT, options=options)
    status = report.check("status")
    # Another issuer's list is not used: the status is unknown, never "not revoked" (issue 8).
    assert status is not None and status.outcome == "indeterminate"
    assert report.result == "indeterminate"
    assert status.problems[0].code == "STATUS_VERIFICATION_ERROR"
    assert "not by the credential's issuer" in status.problems[0].detail
