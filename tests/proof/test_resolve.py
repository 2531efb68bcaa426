from __future__ import annotations

import copy
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from microcred.errors import ProofError
from microcred.proof.didweb import RetiredKey, did_web_document
from microcred.proof.keys import generate_keypair
from microcred.proof.resolve import (
    ensure_method_active,
    method_public_key,
    resolve_verification_method,
)

from .conftest import read_json

DID = "did:web:school.example"


def _web_document() -> tuple[dict[str, Any], Any]:
    key = generate_keypair(DID, "key-1")
    return did_web_document(DID, [key]), key


def test_did_key_resolves_locally() -> None:
    key = generate_keypair()
    method = resolve_verification_method(key.id, {})
    assert method == key.to_public_json()
    assert method_public_key(method) == key.public_key


def test_did_key_fragment_swap_is_refused_mc27() -> None:
    issuer, attacker = generate_keypair(), generate_keypair()
    swapped = f"{issuer.controller}#{attacker.public_key_multibase}"
    with pytest.raises(ProofError, match="exactly one key") as info:
        resolve_verification_method(swapped, {})
    assert info.value.code == "INVALID_VERIFICATION_METHOD"


def test_did_key_documents_are_never_taken_from_the_caller() -> None:
    issuer, attacker = generate_keypair(), generate_keypair()
    fake = copy.deepcopy(resolve_verification_method(issuer.id))
    fake["publicKeyMultibase"] = attacker.public_key_multibase
    planted = {
        issuer.controller: {
            "id": issuer.controller,
            "verificationMethod": [fake],
            "assertionMethod": [issuer.id],
        }
    }
    assert method_public_key(resolve_verification_method(issuer.id, planted)) == issuer.public_key


@pytest.mark.parametrize(
    "vm",
    [
        "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp",
        "did:web:school.example",
        "did:web:school.example#",
        "#key-1",
        "key-1",
        "did:web:school.example?v=1#key-1",
        None,
        42,
    ],
    ids=[
        "did-key-no-fragment-mc28",
        "did-web-no-fragment",
        "empty-fragment",
        "relative",
        "bare-word",
        "query",
        "none",
        "number",
    ],
)
def test_verification_method_must_be_an_absolute_url_with_fragment(vm: Any) -> None:
    document, _ = _web_document()
    with pytest.raises(ProofError) as info:
        resolve_verification_method(vm, {DID: document})
    assert info.value.code == "INVALID_VERIFICATION_METHOD"


def test_embedded_key_material_is_ignored_mc29() -> None:
    issuer, attacker = generate_keypair(), generate_keypair()
    embedded = {"id": issuer.id, "publicKeyMultibase": attacker.public_key_multibase}
    assert method_public_key(resolve_verification_method(embedded, {})) == issuer.public_key


def test_did_web_resolves_only_from_supplied_documents() -> None:
    document, key = _web_document()
    assert resolve_verification_method(key.id, {DID: document})["publicKeyMultibase"] == (
        key.public_key_multibase
    )
    with pytest.raises(ProofError) as info:
        resolve_verification_method(key.id, {})
    assert info.value.code == "INVALID_CONTROLLED_IDENTIFIER_DOCUMENT"
    assert "not available offline" in info.value.message
    assert "--did-doc" in info.value.message
    assert "https://school.example/.well-known/did.json" in info.value.message


def test_https_controller_key_is_not_taken_from_the_fragment() -> None:
    key = generate_keypair()
    vm = f"https://example.edu/issuers/565049#{key.public_key_multibase}"
    with pytest.raises(ProofError, match="--did-doc") as info:
        resolve_verification_method(vm, {})
    assert info.value.code == "INVALID_CONTROLLED_IDENTIFIER_DOCUMENT"


def _mutated(change: Any) -> tuple[dict[str, Any], str]:
    document, key = _web_document()
    change(document, key)
    return document, key.id


@pytest.mark.parametrize(
    ("change", "code", "message"),
    [
        (
            lambda d, k: d.update(id="did:web:evil.example"),
            "INVALID_CONTROLLED_IDENTIFIER_DOCUMENT",
            "id must equal",
        ),
        (
            lambda d, k: d["verificationMethod"][0].update(controller="did:web:evil.example"),
            "INVALID_VERIFICATION_METHOD",
            "controller",
        ),
        (
            lambda d, k: d["verificationMethod"][0].update(id="key-1"),
            "INVALID_VERIFICATION_METHOD",
            "without '#'",
        ),
        (
            lambda d, k: d.update(
                service=[
                    {"id": k.id, "type": "LinkedDomains", "serviceEndpoint": "https://evil.example"}
                ]
            ),
            "INVALID_CONTROLLED_IDENTIFIER_DOCUMENT",
            "service",
        ),
        (
            lambda d, k: d["verificationMethod"].append(
                {
                    **d["verificationMethod"][0],
                    "publicKeyMultibase": generate_keypair().public_key_multibase,
                }
            ),
            "INVALID_CONTROLLED_IDENTIFIER_DOCUMENT",
            "2 times",
        ),
        (
            lambda d, k: d["verificationMethod"][0].update(type="JsonWebKey2020"),
            "INVALID_VERIFICATION_METHOD",
            "type",
        ),
        (
            lambda d, k: d["verificationMethod"][0].update(
                publicKeyMultibase="z6MkeXATEjyXENzBXBxgC5EHk2JE5aqd7qMGGtDpLUH1e2Sj"
            ),
            "INVALID_VERIFICATION_METHOD",
            "small-order",
        ),
        (
            lambda d, k: d["verificationMethod"][0].update(secretKeyMultibase="z3u2..."),
            "INVALID_VERIFICATION_METHOD",
            "secret",
        ),
        (
            lambda d, k: d["verificationMethod"][0].pop("publicKeyMultibase"),
            "INVALID_VERIFICATION_METHOD",
            "no publicKeyMultibase",
        ),
        (
            lambda d, k: d["verificationMethod"][0].update(revoked="2024-01-01"),
            "INVALID_VERIFICATION_METHOD",
            "dateTimeStamp",
        ),
        (
            lambda d, k: d.update({"@context": ["https://www.w3.org/ns/credentials/v2"]}),
            "INVALID_CONTROLLED_IDENTIFIER_DOCUMENT",
            "@context",
        ),
        (
            lambda d, k: d.update(assertionMethod=[], authentication=[k.id]),
            "INVALID_RELATIONSHIP_FOR_VERIFICATION_METHOD",
            "listed under authentication",
        ),
        (
            lambda d, k: d.pop("assertionMethod"),
            "INVALID_RELATIONSHIP_FOR_VERIFICATION_METHOD",
            "not authorised",
        ),
        (
            lambda d, k: d.update(assertionMethod=["#key-2"]),
            "INVALID_RELATIONSHIP_FOR_VERIFICATION_METHOD",
            "not authorised",
        ),
    ],
    ids=[
        "document-id-mismatch-mc30",
        "controller-mismatch-mc30",
        "bare-vm-name-mc30",
        "id-reused-by-service-mc30",
        "duplicated-vm",
        "unsupported-vm-type",
        "small-order-key",
        "published-secret",
        "no-public-key",
        "bad-revoked-date",
        "not-a-did-context",
        "authentication-only-mc26",
        "no-assertion-method",
        "relative-reference-to-another-key",
    ],
)
def test_inconsistent_documents_are_refused(change: Any, code: str, message: str) -> None:
    document, vm = _mutated(change)
    with pytest.raises(ProofError, match=message) as info:
        resolve_verification_method(vm, {DID: document})
    assert info.value.code == code


def test_other_purposes_can_be_asked_for() -> None:
    document, key = _web_document()
    document["authentication"] = [key.id]
    assert resolve_verification_method(key.id, {DID: document}, purpose="authentication")
    with pytest.raises(ProofError, match="capabilityInvocation"):
        resolve_verification_method(key.id, {DID: document}, purpose="capabilityInvocation")
    with pytest.raises(ProofError, match="unknown proof purpose"):
        resolve_verification_method(key.id, {DID: document}, purpose="invalidPurpose")


def test_result_is_a_copy() -> None:
    document, key = _web_document()
    snapshot = copy.deepcopy(document)
    method = resolve_verification_method(key.id, {DID: document})
    method["publicKeyMultibase"] = "changed"
    assert document == snapshot


@pytest.mark.conformance
@pytest.mark.parametrize(
    ("name", "did"),
    [
        (
            "did-web-legacy.did.json",
            "did:web:digitalcredentials.github.io:vc-test-fixtures:dids:legacy",
        ),
        (
            "did-web-oidf.did.json",
            "did:web:digitalcredentials.github.io:vc-test-fixtures:dids:oidf",
        ),
    ],
)
def test_published_dcc_documents_resolve(standards: Path, name: str, did: str) -> None:
    document = read_json(standards / "examples" / "dcc" / name)
    vm = f"{did}#z6MkjXe1vZvPRqFuc9nRBtZ3e1Y9XKDFSbjFAfzLfW2bD6cZ"
    method = resolve_verification_method(vm, {did: document})
    assert method["type"] in {"Multikey", "Ed25519VerificationKey2020"}
    assert method_public_key(method).hex() == (
        "4b6999d1709954fb5516df7125b03d4a663fb7a1d0c12afb31767c2fe619d6a2"
    )


def test_revoked_key_applies_from_its_revocation_time_mc31() -> None:
    active = generate_keypair(DID, "key-2")
    old = generate_keypair(DID, "key-1")
    revoked_at = datetime(2025, 1, 1, tzinfo=UTC)
    document = did_web_document(DID, [active], [RetiredKey(old, revoked_at)])
    method = resolve_verification_method(old.id, {DID: document})
    assert method["revoked"] == "2025-01-01T00:00:00Z"
    ensure_method_active(method, datetime(2024, 12, 31, 23, 59, 59, tzinfo=UTC))
    for later in (revoked_at, datetime(2026, 1, 1, tzinfo=UTC)):
        with pytest.raises(ProofError, match="was revoked") as info:
            ensure_method_active(method, later)
        assert info.value.code == "INVALID_VERIFICATION_METHOD"
    expiring = {**method, "expires": "2024-06-01T00:00:00Z"}
    del expiring["revoked"]
    with pytest.raises(ProofError, match="expired"):
        ensure_method_active(expiring, datetime(2024, 6, 1, tzinfo=UTC))
    ensure_method_active(
        resolve_verification_method(active.id, {DID: document}), datetime(2030, 1, 1, tzinfo=UTC)
    )
