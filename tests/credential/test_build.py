from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from microcred.credential import build_credential, credential_id, identity_hash, matches_identity
from microcred.credential.schemas import schema_errors
from microcred.model import Program

ISSUER_DID = "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"

SALT = "00112233445566778899aabbccddeeff"


def _cred(program: Program) -> dict:
    status = [{
        "id": "https://northwind.example.org/program/status/revocation-1.json#42",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "42",
        "statusListCredential": "https://northwind.example.org/program/status/revocation-1.json",
    }]
    return build_credential(program, program.records[0], issuer_did=ISSUER_DID, salt=SALT,
                            status=status)


def test_shape_follows_design_section_5(program: Program) -> None:
    cred = _cred(program)
    assert cred["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert cred["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert cred["id"].startswith("urn:uuid:")
    assert cred["issuer"]["id"] == ISSUER_DID
    assert cred["validFrom"] == "2026-05-15T00:00:00Z"
    subject = cred["credentialSubject"]
    assert subject["creditsEarned"] == 2 and isinstance(subject["creditsEarned"], int)
    assert [r["achievedLevel"].rsplit("-", 1)[-1] for r in subject["result"]] == ["exemplary", "proficient"]
    assert subject["result"][0]["value"] == "3/3"
    assert "credits: 2 ECTS" in subject["achievement"]["tag"]
    assert subject["achievement"]["alignment"][0]["targetFramework"] == "ESCO"
    assert cred["evidence"][0]["description"].startswith("38.5 hours")


def test_recipient_is_salted_hash_and_no_email_anywhere(program: Program) -> None:
    text = json.dumps(_cred(program), ensure_ascii=False)
    # neither the candidate's nor the issuer's address, in any case
    assert re.findall(r"[\w.+-]+@[\w-]+\.[\w.]+", text) == []
    assert "example.org/" in text and "hello" not in text
    ident = _cred(program)["credentialSubject"]["identifier"][0]
    assert ident["hashed"] is True and ident["salt"] == SALT
    assert matches_identity(ident, "  zoe.unal@EXAMPLE.org ")
    assert not matches_identity(ident, "someone.else@example.org")


def test_id_is_stable_per_issuer_and_record() -> None:
    assert credential_id(ISSUER_DID, "a") == credential_id(ISSUER_DID, "a")
    assert credential_id(ISSUER_DID, "a") != credential_id(ISSUER_DID, "b")
    assert credential_id(ISSUER_DID, "a") != credential_id("did:web:example.org", "a")


@pytest.mark.conformance
def test_identity_hash_vector(standards: Path) -> None:
    vec = json.loads((standards / "vectors/identity-hash/identity-hash.json").read_text())
    text = json.dumps(vec)
    assert "sha256$b5809d8a92f8858436d7e6b87c12ebc0ae1eac4baecc2c0b913aee2c922ef399" in text
    assert identity_hash("a@example.com", "Kosher") == (
        "sha256$b5809d8a92f8858436d7e6b87c12ebc0ae1eac4baecc2c0b913aee2c922ef399"
    )


@pytest.mark.conformance
@pytest.mark.parametrize("schema", [
    "schemas/ob-v3p0/ob_v3p0_achievementcredential_schema.json",
    "schemas/ob-v3p0/strict-jsonschema1/ob_v3p0_achievementcredential-jsonschema1.json",
])
def test_validates_against_both_ob_schemas(program: Program, standards: Path, schema: str) -> None:
    cred = _cred(program)
    cred["proof"] = [{"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022",
                      "created": "2026-05-15T00:00:00Z", "proofPurpose": "assertionMethod",
                      "verificationMethod": ISSUER_DID + "#" + ISSUER_DID.split(":")[-1],
                      "proofValue": "z" + "1" * 87}]
    errors = schema_errors(cred, json.loads((standards / schema).read_text()))
    assert errors == []


@pytest.mark.conformance
def test_schema_check_can_fail(program: Program, standards: Path) -> None:
    cred = _cred(program)
    del cred["credentialSubject"]["achievement"]["criteria"]
    schema = json.loads((standards / "schemas/ob-v3p0/ob_v3p0_achievementcredential_schema.json").read_text())
    assert any("criteria" in e for e in schema_errors(cred, schema))
