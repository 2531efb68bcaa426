"""A verdict never improves under a rewrite that keeps the signed RDF, nor when one proof of a
proof set is removed (issue 8). Credentials microcred signed (the adversarial corpus); the
reference stack's are in tests/interop/test_reference_rewrites.py. Generator: rewrites.py."""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any

import pytest

from microcred.jsonld.loader import default_loader
from microcred.verify import VerifyOptions, check_credential
from microcred.verify.pinned import StatusSnapshot
from microcred.verify.trust import TrustedIssuer, TrustStore

from .conftest import AT, corpus_json, default_options, gen
from .rewrites import drop_each_proof, not_better, rdf_rewrites, rdfc_only

STALE = "support/revocation-1.stale-ttl.json"
CRED = "https://www.w3.org/2018/credentials#"
TRUST = TrustStore({gen.ISSUER: TrustedIssuer(gen.ISSUER, "Example Test School")}, "trust.json")


def _with_list(options: VerifyOptions, url: str, document: Any) -> VerifyOptions:
    return replace(
        options, status_lists={**options.status_lists, url: StatusSnapshot(document, "x")}
    )


CASES: dict[str, tuple[str, VerifyOptions]] = {
    "valid": ("valid_baseline.json", default_options(trust=TRUST)),
    "revoked": ("mc43_status_revoked.json", default_options()),
    "suspended": ("mc43_status_suspended.json", default_options()),
    "expired": ("mc55_schema_expired.json", default_options()),
    "not_yet_valid": ("mc55_schema_not_yet_valid.json", default_options()),
    "other_recipient": (
        "mc34_identity_recipient_other_person.json",
        default_options(recipient="mallory@example.com"),
    ),
    "stale_list": (
        "mc53_status_snapshot_stale.json",
        _with_list(default_options(), gen.REV_URL, corpus_json(STALE)),
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_no_rdf_preserving_rewrite_improves_a_microcred_verdict(case: str) -> None:
    name, options = CASES[case]
    document = corpus_json(name)
    original = check_credential(document, now=AT, options=options)
    rewrites = list(rdf_rewrites(document))
    # The generator must really reach the properties the checks read.
    labels = " ".join(label for label, _ in rewrites)
    for needle in ("full-iri validUntil", "nest credentialStatus", "alias type", "full-iri issuer"):
        if needle.split()[1] in document:
            assert needle in labels, (needle, labels)
    assert len(rewrites) > 30
    worse: list[str] = []
    for label, rewritten in [*rewrites, *drop_each_proof(document)]:
        candidate = rdfc_only(rewritten) if not label.startswith("drop-proof") else rewritten
        report = check_credential(candidate, now=AT, options=options)
        why = not_better(original, report)
        if why:
            worse.append(f"{label}: {why}")
    assert not worse, worse


@pytest.mark.parametrize(
    ("name", "list_file"),
    [
        ("mc43_status_revoked.json", "support/revocation-1.json"),
        ("mc53_status_snapshot_stale.json", STALE),
    ],
)
def test_no_rewrite_of_the_status_list_improves_the_verdict(name: str, list_file: str) -> None:
    document = corpus_json(name)
    status_list = corpus_json(list_file)
    original = check_credential(
        document, now=AT, options=_with_list(default_options(), gen.REV_URL, status_list)
    )
    assert original.result == "invalid" or original.check("status").warnings  # type: ignore[union-attr]
    rewrites = list(rdf_rewrites(status_list))
    labels = " ".join(label for label, _ in rewrites)
    for needle in ("encodedList", "statusPurpose", "validFrom"):
        assert needle in labels
    if "ttl" in str(status_list):
        assert "ttl" in labels
    worse = []
    for label, rewritten in [*rewrites, *drop_each_proof(status_list)]:
        candidate = rdfc_only(rewritten) if not label.startswith("drop-proof") else rewritten
        options = _with_list(default_options(), gen.REV_URL, candidate)
        report = check_credential(document, now=AT, options=options)
        why = not_better(original, report)
        if why:
            worse.append(f"{label}: {why}")
    assert not worse, worse


def test_the_attacks_of_the_issue_report_fail() -> None:
    """The measured attacks: a revoked credential with its credentialStatus under its full IRI
    (or @nest) after dropping the JCS proof, and an expired one with validUntil so written."""
    revoked = rdfc_only(corpus_json("mc43_status_revoked.json"))
    status = revoked.pop("credentialStatus")
    full = {**revoked, "https://www.w3.org/2018/credentials#credentialStatus": status}
    nested = {**copy.deepcopy(revoked), "@nest": {"credentialStatus": status}}
    for document in (full, nested):
        report = check_credential(document, now=AT, options=default_options())
        assert report.result == "invalid"
        assert report.check("status").problems[0].code == "REVOKED"  # type: ignore[union-attr]
    expired = rdfc_only(corpus_json("mc55_schema_expired.json"))
    until = expired.pop("validUntil")
    expired["https://www.w3.org/2018/credentials#validUntil"] = {
        "@value": until,
        "@type": "http://www.w3.org/2001/XMLSchema#dateTime",
    }
    report = check_credential(expired, now=AT, options=default_options())
    assert report.result == "invalid"
    assert report.check("validity_period").problems[0].code == "EXPIRED"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "changed",
    [
        1,
        {"@vocab": "https://evil.example/"},
        ["https://www.w3.org/ns/credentials/v2", {"@import": "https://evil.example/c"}],
        [],
    ],
    ids=["number", "inline-vocab", "inline-import", "empty"],
)
def test_an_rdfc_proof_whose_own_context_was_changed_fails(changed: Any) -> None:
    document = rdfc_only(corpus_json("valid_baseline.json"))
    document["proof"]["@context"] = changed
    report = check_credential(document, now=AT, options=default_options())
    assert report.result == "invalid"
    proof = report.check("proof")
    assert (
        proof is not None and "not a prefix of the document's @context" in proof.problems[0].detail
    )
    # The document's own contexts (what signers add to the proof) remain fine.
    document["proof"]["@context"] = document["@context"]
    assert check_credential(document, now=AT, options=default_options()).result == "valid"


S = "https://www.w3.org/ns/credentials/status#"


def _entry_node(status: dict[str, Any]) -> dict[str, Any]:
    return {
        "@id": status["id"],
        "@type": S + "BitstringStatusListEntry",
        S + "statusPurpose": status["statusPurpose"],
        S + "statusListIndex": status["statusListIndex"],
        S + "statusListCredential": {"@id": status["statusListCredential"]},
    }


def test_a_property_moved_to_another_node_with_the_same_id_is_refused() -> None:
    """RDF merges nodes with one @id: credentialStatus stated in @included, or in a second
    description of the credential, keeps the N-Quads, but is not where a reader looks."""
    from .rewrites import nquads

    loader = default_loader()
    original = rdfc_only(corpus_json("mc43_status_revoked.json"))
    moved = copy.deepcopy(original)
    status = moved.pop("credentialStatus")
    again = {"@id": moved["id"], CRED + "credentialStatus": _entry_node(status)}
    included = {**copy.deepcopy(moved), "@included": [again]}
    reverse = {
        **copy.deepcopy(moved),
        "@included": [
            {**_entry_node(status), "@reverse": {CRED + "credentialStatus": {"@id": moved["id"]}}}
        ],
    }
    for document in (included, reverse):
        assert nquads(document, loader) == nquads(original, loader)
        report = check_credential(document, now=AT, options=default_options())
        assert report.result == "invalid", [c.to_json() for c in report.checks]
        contexts = report.check("contexts")
        assert (
            contexts is not None
            and "microcred reads a credential only with each" in contexts.problems[0].detail
        )


def test_a_status_list_s_ttl_moved_to_a_second_subject_node_is_refused() -> None:
    from .rewrites import nquads

    loader = default_loader()
    stale = rdfc_only(corpus_json(STALE))
    subject = stale["credentialSubject"]
    moved = copy.deepcopy(stale)
    ttl = moved["credentialSubject"].pop("ttl")
    assert "id" in subject  # the list's subject is a node that could be described twice
    moved["credentialSubject"]["@included"] = [{"@id": subject["id"], S + "ttl": ttl}]
    assert nquads(moved, loader) == nquads(stale, loader)
    options = _with_list(default_options(), gen.REV_URL, moved)
    report = check_credential(
        corpus_json("mc53_status_snapshot_stale.json"), now=AT, options=options
    )
    assert (
        not_better(
            check_credential(
                corpus_json("mc53_status_snapshot_stale.json"),
                now=AT,
                options=_with_list(default_options(), gen.REV_URL, stale),
            ),
            report,
        )
        is None
    )


def test_no_rewrite_hides_an_expired_endorsement() -> None:
    """Endorsements are read too: an expired one stays a warning (a failure under --strict)
    whatever the spelling inside or around it."""
    from microcred.issue import sign_document
    from microcred.proof.keys import generate_keypair

    from .test_endorsements import SIGNED_AT, credential, endorsement

    issuer, endorser = generate_keypair(), generate_keypair()
    expired = endorsement(endorser, validUntil="2026-04-01T00:00:00Z")
    document = credential(issuer, [expired])
    # The issuer signs with eddsa-rdfc-2022 only, so the outer JSON may be respelled.
    unsigned = {k: v for k, v in document.items() if k != "proof"}
    document = sign_document(unsigned, issuer, created=SIGNED_AT, suites=("eddsa-rdfc-2022",))
    strict = VerifyOptions(strict=True)
    original = check_credential(document, now=AT, options=strict)
    assert original.result == "invalid"
    assert check_credential(document, now=AT).result == "valid"
    rewrites = list(rdf_rewrites(document))
    assert any(".endorsement" in label or " endorsement" in label for label, _ in rewrites)
    worse = []
    for label, rewritten in rewrites:
        for options in (strict, VerifyOptions()):
            baseline = original if options is strict else check_credential(document, now=AT)
            why = not_better(baseline, check_credential(rewritten, now=AT, options=options))
            if why:
                worse.append(f"{label}: {why}")
    assert not worse, worse


@pytest.mark.parametrize(
    "name",
    [
        "mc33_identity_proof_expired.json",
        "mc33_identity_proof_created_next_year.json",
        "valid_baseline.json",
    ],
)
def test_no_respelling_of_proof_options_improves_the_verdict(name: str) -> None:
    """An expired proof with ``expires`` written as its IRI still verifies (RDFC hashes the
    options through RDF) but must not read as unexpired."""
    from .rewrites import proof_option_rewrites

    document = corpus_json(name)
    original = check_credential(document, now=AT, options=default_options())
    found = list(proof_option_rewrites(document))
    assert found, "the generator must reach the proof options"
    if "expired" in name:
        assert any(".expires" in label for label, _ in found)
    worse = []
    for label, rewritten in found:
        why = not_better(original, check_credential(rewritten, now=AT, options=default_options()))
        if why:
            worse.append(f"{label}: {why}")
    assert not worse, worse
