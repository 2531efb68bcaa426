"""Embedded EndorsementCredentials are verified with the same engine (OB 3.0 section 9, step 6).

Every credential here is signed for real (eddsa-rdfc-2022 + eddsa-jcs-2022) with keys generated
per test run: did:key endorsers, and one did:web endorser whose document is pinned or not.
"""

from __future__ import annotations

import copy
import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from microcred.cli import main
from microcred.issue import sign_document
from microcred.proof.didweb import did_web_document
from microcred.proof.keys import KeyPair, generate_keypair
from microcred.proof.timestamps import parse_datetimestamp
from microcred.verify import (
    CHECK_IDS,
    PinnedDocument,
    VerificationReport,
    VerifyOptions,
    check_credential,
)
from microcred.verify.checks.parse import MAX_ENDORSEMENTS

AT = parse_datetimestamp("2026-06-01T00:00:00Z")
SIGNED_AT = parse_datetimestamp("2026-03-01T00:00:00Z")
CONTEXT = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]
ACHIEVEMENT_ID = "https://school.example/achievements/data-analysis"
WEB_DID = "did:web:endorser.example"
# Where OB 3.0 embeds endorsements, and the JSON path the report names for the first one.
LOCATIONS = {
    "credential": "$.endorsement[0]",
    "issuer": "$.issuer.endorsement[0]",
    "achievement": "$.credentialSubject.achievement.endorsement[0]",
    "creator": "$.credentialSubject.achievement.creator.endorsement[0]",
}


@pytest.fixture(scope="module")
def issuer_key() -> KeyPair:
    return generate_keypair()


@pytest.fixture(scope="module")
def endorser_key() -> KeyPair:
    return generate_keypair()


@pytest.fixture(scope="module")
def web_key() -> KeyPair:
    return generate_keypair(WEB_DID, "key-1")


def endorsement(
    key: KeyPair,
    comment: str = "Rigorous and well assessed",
    issuer_id: str | None = None,
    **extra: Any,
) -> Any:
    unsigned = {
        "@context": CONTEXT,
        "id": f"urn:uuid:{uuid.uuid4()}",
        "type": ["VerifiableCredential", "EndorsementCredential"],
        "name": "Endorsement of the data analysis sprint",
        "issuer": {"id": issuer_id or key.controller, "type": ["Profile"], "name": "Endorser"},
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {
            "id": ACHIEVEMENT_ID,
            "type": ["EndorsementSubject"],
            "endorsementComment": comment,
        },
        **extra,
    }
    return sign_document(unsigned, key, created=SIGNED_AT)


def credential(key: KeyPair, endorsements: list[Any], where: str = "credential") -> Any:
    """An OpenBadgeCredential by ``key`` carrying ``endorsements`` at ``where``, then signed."""
    achievement: dict[str, Any] = {
        "id": ACHIEVEMENT_ID,
        "type": ["Achievement"],
        "name": "Data analysis sprint",
        "description": "A four-week data analysis micro-internship.",
        "criteria": {"narrative": "Deliver the analysis and present it."},
    }
    issuer: dict[str, Any] = {"id": key.controller, "type": ["Profile"], "name": "Test School"}
    doc: dict[str, Any] = {
        "@context": CONTEXT,
        "id": f"urn:uuid:{uuid.uuid4()}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": issuer,
        "validFrom": "2026-02-01T00:00:00Z",
        "credentialSubject": {
            "id": "did:example:learner-7",
            "type": ["AchievementSubject"],
            "achievement": achievement,
        },
    }
    target = {
        "credential": doc,
        "issuer": issuer,
        "achievement": achievement,
        "creator": achievement.setdefault(
            "creator", {"id": "https://school.example", "type": ["Profile"], "name": "Faculty"}
        ),
    }[where]
    if where != "creator":
        del achievement["creator"]
    target["endorsement"] = endorsements
    return sign_document(doc, key, created=SIGNED_AT)


def check(doc: Any, **options: Any) -> VerificationReport:
    report = check_credential(doc, now=AT, options=VerifyOptions(**options))
    assert tuple(c.id for c in report.checks) == CHECK_IDS  # the DESIGN section 4 contract
    return report


def outcomes(report: VerificationReport) -> dict[str, str]:
    return {c.id: c.outcome for c in report.checks}


@pytest.mark.parametrize("where", sorted(LOCATIONS))
def test_valid_endorsement_at_every_location_is_verified(
    where: str, issuer_key: KeyPair, endorser_key: KeyPair
) -> None:
    report = check(credential(issuer_key, [endorsement(endorser_key)], where))
    assert report.result == "valid", [c.to_json() for c in report.checks]
    proof = report.check("proof")
    assert proof is not None
    assert f"{LOCATIONS[where]} by {endorser_key.controller}: verified" in proof.note


def test_tampered_endorsement_makes_the_credential_invalid(
    issuer_key: KeyPair, endorser_key: KeyPair
) -> None:
    tampered = endorsement(endorser_key)
    tampered["credentialSubject"]["endorsementComment"] = "World class, the best we have seen"
    # The issuer signs over the tampered endorsement: only the endorsement's proof is broken.
    report = check(credential(issuer_key, [tampered], "achievement"))
    assert report.result == "invalid"
    proof = report.check("proof")
    assert proof is not None and proof.outcome == "failed"
    assert proof.problems[0].code == "CRYPTOGRAPHIC_SECURITY_ERROR"
    assert proof.problems[0].detail.startswith(
        "$.credentialSubject.achievement.endorsement[0]: proof: proof[0] (eddsa-rdfc-2022)"
    )
    assert "verified: proof[0]" in proof.note  # the issuer's own proofs still verified
    assert outcomes(report)["validity_period"] == "skipped"


def test_endorsement_signed_by_someone_else_fails_binding(
    issuer_key: KeyPair, endorser_key: KeyPair
) -> None:
    claimed = generate_keypair().controller  # the endorsement claims another endorser
    report = check(credential(issuer_key, [endorsement(endorser_key, issuer_id=claimed)]))
    proof = report.check("proof")
    assert report.result == "invalid" and proof is not None and proof.outcome == "failed"
    assert proof.problems[0].code == "INVALID_VERIFICATION_METHOD"
    assert proof.problems[0].detail.startswith("$.endorsement[0]: issuer_binding: ")
    assert claimed in proof.problems[0].detail


def test_did_web_endorser_is_undecided_without_its_document_and_valid_with_it(
    issuer_key: KeyPair, web_key: KeyPair
) -> None:
    doc = credential(issuer_key, [endorsement(web_key)], "issuer")
    report = check(doc)
    assert report.result == "indeterminate"
    proof = report.check("proof")
    assert proof is not None and proof.outcome == "indeterminate"
    assert proof.problems[0].code == "INVALID_CONTROLLED_IDENTIFIER_DOCUMENT"
    assert proof.problems[0].detail.startswith("$.issuer.endorsement[0]: proof: proof[0]")
    assert f"by {WEB_DID}: undecided" in proof.note
    assert outcomes(report)["issuer_binding"] == "passed"  # the issuer's own key is fine

    pinned = {WEB_DID: PinnedDocument(did_web_document(WEB_DID, [web_key]), "endorser.did.json")}
    report = check(doc, did_documents=pinned)
    assert report.result == "valid", [c.to_json() for c in report.checks]


def test_did_doc_option_on_the_command_line(
    tmp_path: Path, issuer_key: KeyPair, web_key: KeyPair
) -> None:
    path = tmp_path / "badge.json"
    path.write_text(json.dumps(credential(issuer_key, [endorsement(web_key)])), encoding="utf-8")
    did_doc = tmp_path / "endorser.did.json"
    did_doc.write_text(json.dumps(did_web_document(WEB_DID, [web_key])), encoding="utf-8")
    runner = CliRunner()
    base = ["verify", "--json", "--at", "2026-06-01T00:00:00Z"]
    undecided = runner.invoke(main, [*base, str(path)], catch_exceptions=False)
    assert undecided.exit_code == 3
    line = json.loads(undecided.output)
    assert list(line) == ["path", "id", "issuer", "result", "trusted", "summary", "checks"]
    assert line["result"] == "indeterminate"
    valid = runner.invoke(main, [*base, "--did-doc", str(did_doc), str(path)])
    assert valid.exit_code == 0, valid.output
    assert json.loads(valid.output)["result"] == "valid"


def test_expired_endorsement_is_a_warning_and_a_failure_under_strict(
    issuer_key: KeyPair, endorser_key: KeyPair
) -> None:
    expired = endorsement(endorser_key, validUntil="2026-04-01T00:00:00Z")
    doc = credential(issuer_key, [expired])
    report = check(doc)
    assert report.result == "valid"
    validity = report.check("validity_period")
    assert validity is not None and validity.outcome == "passed"
    assert [w.code for w in validity.warnings] == ["EXPIRED"]
    assert validity.warnings[0].detail.startswith("$.endorsement[0]: validity_period: ")

    strict = check(doc, strict=True)
    assert strict.result == "invalid"
    assert outcomes(strict)["proof"] == "passed"
    validity = strict.check("validity_period")
    assert validity is not None and validity.outcome == "failed"
    assert validity.problems[0].code == "EXPIRED"


def test_endorsement_status_unknown_offline_is_a_warning_and_undecided_under_strict(
    issuer_key: KeyPair, endorser_key: KeyPair
) -> None:
    entry = {
        "id": "https://endorser.example/status/1#94567",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "94567",
        "statusListCredential": "https://endorser.example/status/1",
    }
    doc = credential(issuer_key, [endorsement(endorser_key, credentialStatus=entry)])
    report = check(doc)
    status = report.check("status")
    assert report.result == "valid" and status is not None and status.outcome == "passed"
    assert [w.code for w in status.warnings] == ["STATUS_RETRIEVAL_ERROR"]
    assert status.warnings[0].detail.startswith("$.endorsement[0]: status: ")
    # Unknown is never promoted to "revoked": strict makes it undecided, not invalid.
    strict = check(doc, strict=True)
    assert strict.result == "indeterminate"
    assert outcomes(strict)["status"] == "indeterminate"


def test_an_endorsements_own_endorsements_are_not_followed(
    issuer_key: KeyPair, endorser_key: KeyPair
) -> None:
    inner = endorsement(endorser_key)
    inner["credentialSubject"]["endorsementComment"] = "changed after signing"
    outer_endorsement = endorsement(endorser_key)
    del outer_endorsement["proof"]
    outer_endorsement["issuer"]["endorsement"] = [inner]
    outer_endorsement = sign_document(outer_endorsement, endorser_key, created=SIGNED_AT)
    report = check(credential(issuer_key, [outer_endorsement]))
    assert report.result == "valid", [c.to_json() for c in report.checks]
    proof = report.check("proof")
    assert proof is not None and proof.note.count(" by did:key:") == 3  # 2 own proofs + 1


def test_too_many_endorsements_are_refused_before_any_work(
    issuer_key: KeyPair, endorser_key: KeyPair
) -> None:
    one = endorsement(endorser_key)
    doc = credential(issuer_key, [])
    doc["endorsement"] = [copy.deepcopy(one) for _ in range(MAX_ENDORSEMENTS - 3)]
    doc["issuer"]["endorsement"] = [copy.deepcopy(one) for _ in range(4)]
    report = check(doc)
    parse = report.check("parse")
    assert report.result == "invalid" and parse is not None and parse.outcome == "failed"
    assert parse.problems[0].code == "MALFORMED_VALUE_ERROR"
    assert f"{MAX_ENDORSEMENTS + 1} endorsements" in parse.problems[0].detail


def test_endorsement_that_is_not_an_object_fails(issuer_key: KeyPair) -> None:
    report = check(credential(issuer_key, ["https://endorser.example/endorsements/1"]))
    proof = report.check("proof")
    assert report.result == "invalid" and proof is not None
    assert proof.problems[0].code == "PARSING_ERROR"
    assert proof.problems[0].detail.startswith("$.endorsement[0]: parse: ")
