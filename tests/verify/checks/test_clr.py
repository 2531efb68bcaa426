"""Credentials embedded in a CLR 2.0 transcript are verified with the same engine, by JSON path.

Everything is signed for real (eddsa-rdfc-2022 + eddsa-jcs-2022) with keys generated per run:
two did:key issuers, a did:web issuer whose document is pinned or not, and the school.
"""

from __future__ import annotations

import copy
import hashlib
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from microcred.cli import main
from microcred.credential.clr import Recognition, School, build_clr
from microcred.issue import sign_document
from microcred.proof.didweb import did_web_document
from microcred.proof.keys import KeyPair, generate_keypair
from microcred.proof.timestamps import parse_datetimestamp
from microcred.status import make_entry, new_bitstring, set_bit, status_list_credential
from microcred.verify import PinnedDocument, VerifyOptions, check_credential
from microcred.verify.pinned import StatusSnapshot

from .badges import SIGNED_AT, badge

AT = parse_datetimestamp("2026-09-01T00:00:00Z")
LIST_URL = "https://northwind.example/status/revocation-1.json"
WEB_DID = "did:web:harbour.example"
VC0 = "$.credentialSubject.verifiableCredential[0]"
VC1 = "$.credentialSubject.verifiableCredential[1]"


@pytest.fixture(scope="module")
def keys() -> dict[str, KeyPair]:
    return {
        "northwind": generate_keypair(),
        "guild": generate_keypair(),
        "web": generate_keypair(WEB_DID, "key-1"),
        "school": generate_keypair(),
    }


def transcript(school_key: KeyPair, credentials: list[Any]) -> Any:
    recs = []
    for cred in credentials:
        raw = json.dumps(cred).encode()
        recs.append(
            Recognition(cred, hashlib.sha256(raw).hexdigest(), Decimal(2), "ECTS", "wbl-2026")
        )
    school = School(did=school_key.controller, name="Rhine College")
    return sign_document(build_clr(school, recs, learner="S-9", issued=AT), school_key, created=AT)


def status_list(key: KeyPair, revoked: int | None) -> Any:
    bits = new_bitstring()
    if revoked is not None:
        set_bit(bits, revoked, True)
    unsigned = status_list_credential(
        LIST_URL, key.controller, bits, "revocation", valid_from=SIGNED_AT, ttl=86_400_000
    )
    return sign_document(unsigned, key, created=SIGNED_AT)


def check(doc: Any, **options: Any) -> Any:
    return check_credential(doc, now=AT, options=VerifyOptions(**options))


def test_a_transcript_of_good_credentials_is_valid_and_names_each_by_path(
    keys: dict[str, KeyPair],
) -> None:
    first, second = badge(keys["northwind"], "Data Sprint"), badge(keys["guild"], "Port Logistics")
    report = check(transcript(keys["school"], [first, second]))
    assert report.result == "valid", report.to_json()
    note = report.check("proof").note
    assert f"{VC0} ({first['id']}) by {keys['northwind'].controller}: signature verified" in note
    assert f"{VC1} ({second['id']}) by {keys['guild'].controller}: signature verified" in note
    # what it claims is the transcript and the credits it recognises in total (2 + 2 ECTS)
    summary = report.to_json()["summary"]
    assert summary["achievement"]["type"] == "ClrCredential"
    assert (
        summary["achievement"]["name"]
        == "Rhine College: transcript of recognised micro-internships"
    )
    assert summary["credits"] == {"amount": 4, "unit": "ECTS"}


def test_a_tampered_credential_the_school_signed_anyway_makes_the_transcript_invalid(
    keys: dict[str, KeyPair],
) -> None:
    forged = copy.deepcopy(badge(keys["guild"], "Port Logistics"))
    forged["credentialSubject"]["achievement"]["name"] = "Chief Port Officer"
    report = check(transcript(keys["school"], [badge(keys["northwind"], "Data Sprint"), forged]))
    assert report.result == "invalid"
    proof = report.check("proof")
    assert proof.outcome == "failed"
    assert proof.problems and all(p.detail.startswith(f"{VC1}: proof: ") for p in proof.problems)
    assert {p.code for p in proof.problems} == {"CRYPTOGRAPHIC_SECURITY_ERROR"}
    # the school's own proof set is fine: only the embedded credential is named
    assert "verified: proof[0] (eddsa-rdfc-2022)" in proof.note


def test_a_revoked_credential_fails_the_transcripts_status_and_no_snapshot_leaves_it_unknown(
    keys: dict[str, KeyPair],
) -> None:
    entry = make_entry(LIST_URL, 4242, "revocation")
    revocable = badge(keys["northwind"], "Data Sprint", credentialStatus=entry)
    doc = transcript(keys["school"], [revocable])
    revoked = check(
        doc, status_lists={LIST_URL: StatusSnapshot(status_list(keys["northwind"], 4242), "l")}
    )
    status = revoked.check("status")
    assert revoked.result == "invalid" and status.outcome == "failed"
    assert [p.code for p in status.problems] == ["REVOKED"]
    assert status.problems[0].detail.startswith(f"{VC0}: status: ")
    clear = check(
        doc, status_lists={LIST_URL: StatusSnapshot(status_list(keys["northwind"], None), "l")}
    )
    assert clear.result == "valid", clear.to_json()
    # no snapshot of the issuer's list: the school checked it when it signed -> a warning,
    # and undecided under --strict (never "not revoked")
    unknown = check(doc)
    assert unknown.result == "valid"
    assert unknown.check("status").warnings[0].code == "STATUS_RETRIEVAL_ERROR"
    assert unknown.check("status").warnings[0].detail.startswith(f"{VC0}: status: ")
    strict = check(doc, strict=True)
    assert strict.result == "indeterminate"
    assert strict.check("status").problems[0].code == "STATUS_RETRIEVAL_ERROR"


def test_an_expired_credential_is_a_warning_and_a_failure_under_strict(
    keys: dict[str, KeyPair],
) -> None:
    expired = badge(keys["guild"], "Port Logistics", validUntil="2026-06-01T00:00:00Z")
    doc = transcript(keys["school"], [expired])
    report = check(doc)
    validity = report.check("validity_period")
    assert report.result == "valid" and validity.outcome == "passed"
    assert validity.warnings[0].code == "EXPIRED" and validity.warnings[0].detail.startswith(VC0)
    strict = check(doc, strict=True)
    assert strict.result == "invalid" and strict.check("validity_period").outcome == "failed"


def test_an_issuer_key_that_cannot_be_resolved_offline_leaves_the_transcript_undecided(
    keys: dict[str, KeyPair],
) -> None:
    web = badge(keys["web"], "Harbour Survey")
    doc = transcript(keys["school"], [web])
    report = check(doc)
    assert report.result == "indeterminate"
    assert report.check("proof").problems[0].detail.startswith(f"{VC0}: proof: ")
    pinned = {WEB_DID: PinnedDocument(did_web_document(WEB_DID, [keys["web"]]), "did.json")}
    assert check(doc, did_documents=pinned).result == "valid"


def test_verify_cli_reports_the_transcript_with_its_embedded_paths(
    keys: dict[str, KeyPair], tmp_path: Path
) -> None:
    good = transcript(keys["school"], [badge(keys["northwind"], "Data Sprint")])
    forged = copy.deepcopy(badge(keys["guild"], "Port Logistics"))
    forged["name"] = "Forged"
    bad = transcript(keys["school"], [forged])
    (tmp_path / "good.json").write_text(json.dumps(good))
    (tmp_path / "bad.json").write_text(json.dumps(bad))
    runner = CliRunner()
    ok = runner.invoke(main, ["verify", "--json", str(tmp_path / "good.json")])
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.output)["result"] == "valid"
    failed = runner.invoke(main, ["verify", str(tmp_path / "bad.json")])
    assert failed.exit_code == 1
    assert f"{VC0}: proof:" in failed.output


def test_a_credential_hidden_under_another_spelling_is_refused_not_skipped(
    keys: dict[str, KeyPair],
) -> None:
    """The same RDF written with the full IRI instead of ``verifiableCredential`` would keep
    the school's signature valid while the embedded credential escaped checking."""
    forged = copy.deepcopy(badge(keys["guild"], "Port Logistics"))
    forged["name"] = "Forged"
    school = School(did=keys["school"].controller, name="Rhine College")
    raw = json.dumps(forged).encode()
    rec = Recognition(forged, hashlib.sha256(raw).hexdigest(), Decimal(2), "ECTS", "wbl-2026")
    unsigned = build_clr(school, [rec], learner="S-9", issued=AT)
    subject = unsigned["credentialSubject"]
    subject["https://purl.imsglobal.org/spec/vc/clr/vocab.html#verifiableCredential"] = subject.pop(
        "verifiableCredential"
    )
    doc = sign_document(unsigned, keys["school"], created=AT)
    report = check(doc)
    assert report.result == "invalid"
    failed = next(c for c in report.checks if c.outcome == "failed")
    assert failed.id in ("contexts", "data_model", "proof")


@pytest.mark.conformance
def test_the_1edtech_clr_sample_verifies_with_its_embedded_credential(standards: Path) -> None:
    """1EdTech's signed CLR 2.0 sample: the school's proof and the embedded credential's proof
    (another issuer, keys named at https URLs) both verify once their controller documents
    are pinned; without the embedded issuer's document the transcript stays undecided."""
    doc = json.loads(
        (standards / "examples/1edtech-validator/clr20-simple.json").read_text("utf-8")
    )
    embedded = doc["credentialSubject"]["verifiableCredential"][0]

    def controller(vm: str) -> tuple[str, PinnedDocument]:
        base, fragment = vm.split("#")
        document = {
            "@context": ["https://www.w3.org/ns/cid/v1"],
            "id": base,
            "verificationMethod": [
                {"id": vm, "type": "Multikey", "controller": base, "publicKeyMultibase": fragment}
            ],
            "assertionMethod": [vm],
        }
        return base, PinnedDocument(document, f"{base} (test)")

    school = controller(doc["proof"][0]["verificationMethod"])
    issuer = controller(embedded["proof"][0]["verificationMethod"])
    report = check(doc, did_documents=dict([school, issuer]))
    assert report.result == "valid", report.to_json()
    expected = (
        f"{VC0} (http://example.com/credentials/3527) by https://example.com/issuers/876543: "
        "signature verified"
    )
    assert expected in report.check("proof").note
    undecided = check(doc, did_documents=dict([school]))
    assert undecided.result == "indeterminate"
    assert undecided.check("proof").problems[0].detail.startswith(f"{VC0}: proof: ")


def test_a_transcript_larger_than_one_credential_may_be_is_verified(
    keys: dict[str, KeyPair],
) -> None:
    """A transcript embeds up to 64 credentials, so it is held to MAX_CLR_NODES, not to one
    credential's MAX_NODES (which capped a transcript at about 27 microcred badges)."""
    from microcred.verify.checks.parse import MAX_CLR_NODES, MAX_NODES

    evidence = [
        {"type": ["Evidence"], "name": f"Deliverable {n}", "narrative": f"Shipped part {n}."}
        for n in range(30)
    ]
    badges = [badge(keys["northwind"], f"Sprint {n}", evidence=evidence) for n in range(50)]
    clr = transcript(keys["school"], badges)
    size = len(json.dumps(clr))
    report = check(clr)
    assert report.result == "valid", report.to_json()
    # every embedded credential was verified by the engine, each on its own
    note = report.check("proof").note
    assert f"$.credentialSubject.verifiableCredential[49] ({badges[49]['id']})" in note
    from microcred.verify.checks.parse import size_problem

    assert size_problem(clr) is None and size > 0
    assert size_problem({**clr, "type": ["VerifiableCredential"]}) is not None  # > MAX_NODES
    assert MAX_NODES < MAX_CLR_NODES
