"""The school's CLR 2.0 transcript (credential/clr.py): shape, credits, schema, signing.

Every embedded credential is signed for real (eddsa-rdfc-2022 + eddsa-jcs-2022) by keys
generated per run; the transcript is signed by the school with the issuing signer.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from microcred.credential.clr import (
    CLR_CONTEXT,
    Recognition,
    School,
    build_clr,
    embedded_credentials,
    recognised_total,
    totals,
)
from microcred.credential.clr_schemas import clr_errors, clr_schema
from microcred.credential.identity import matches_identity
from microcred.credential.schemas import ob_schema, schema_errors
from microcred.issue import sign_document
from microcred.proof.keys import KeyPair, generate_keypair
from microcred.proof.timestamps import parse_datetimestamp

AT = parse_datetimestamp("2026-09-01T10:00:00Z")
SIGNED_AT = parse_datetimestamp("2026-06-01T00:00:00Z")
OB_CONTEXT = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")


def badge(key: KeyPair, name: str, issuer_name: str, credits: int | None = None) -> Any:
    slug = name.lower().replace(" ", "-")
    subject: dict[str, Any] = {
        "type": ["AchievementSubject"],
        "id": "did:example:learner-1",
        "achievement": {
            "id": f"https://{issuer_name.split()[0].lower()}.example/achievements/{slug}",
            "type": ["Achievement"],
            "achievementType": "Fieldwork",
            "name": name,
            "description": f"{name}, a supervised micro-internship.",
            "criteria": {"narrative": "Complete the brief."},
        },
    }
    if credits is not None:
        subject["achievement"]["creditsAvailable"] = credits
        subject["creditsEarned"] = credits
    doc = {
        "@context": OB_CONTEXT,
        "id": f"urn:uuid:{uuid.uuid4()}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": name,
        "issuer": {"id": key.controller, "type": ["Profile"], "name": issuer_name},
        "validFrom": "2026-03-01T00:00:00Z",
        "credentialSubject": subject,
    }
    return sign_document(doc, key, created=SIGNED_AT)


def recognise(credential: Any, credits: str, group: str | None = None) -> Recognition:
    raw = json.dumps(credential).encode()
    return Recognition(
        credential=json.loads(raw),
        sha256=hashlib.sha256(raw).hexdigest(),
        credits=Decimal(credits),
        unit="ECTS",
        policy="wbl-2026",
        group=group,
        issuer_credits=Decimal(40),
        issuer_unit="hours",
        term="2026-autumn",
    )


@pytest.fixture(scope="module")
def school_key() -> KeyPair:
    return generate_keypair()


@pytest.fixture(scope="module")
def school(school_key: KeyPair) -> School:
    return School(did=school_key.controller, name="Rhine College", url="https://rhine.example/")


@pytest.fixture(scope="module")
def recognitions() -> list[Recognition]:
    northwind, harbour = generate_keypair(), generate_keypair()
    return [
        recognise(badge(northwind, "Data Sprint", "Northwind Talent", 40), "1.5", "Work placement"),
        recognise(badge(northwind, "UX Review", "Northwind Talent"), "2", "Work placement"),
        recognise(badge(harbour, "Port Logistics", "Harbour Guild"), "3"),
    ]


@pytest.fixture(scope="module")
def signed(school: School, school_key: KeyPair, recognitions: list[Recognition]) -> Any:
    clr = build_clr(school, recognitions, learner="S-2026-0042", issued=AT)
    return sign_document(clr, school_key, created=AT)


def test_transcript_is_a_clr_credential_issued_and_signed_by_the_school(
    signed: Any, school: School
) -> None:
    assert signed["@context"] == list(CLR_CONTEXT)
    assert signed["type"] == ["VerifiableCredential", "ClrCredential"]
    assert signed["issuer"]["id"] == school.did and signed["issuer"]["name"] == "Rhine College"
    assert [p["cryptosuite"] for p in signed["proof"]] == ["eddsa-rdfc-2022", "eddsa-jcs-2022"]
    assert signed["id"].startswith("urn:uuid:")
    assert signed["credentialSubject"]["type"] == ["ClrSubject"]


def test_every_accepted_credential_is_embedded_unchanged_with_its_own_proof(
    signed: Any, recognitions: list[Recognition]
) -> None:
    embedded = [item for _, item in embedded_credentials(signed)]
    assert embedded == [r.credential for r in recognitions]
    for item, rec in zip(embedded, recognitions, strict=True):
        # byte-equal after JSON parsing, including the issuer's proof set
        assert json.loads(json.dumps(item)) == json.loads(json.dumps(rec.credential))
        assert item["proof"] == rec.credential["proof"]


def test_credits_are_the_schools_in_its_unit_with_the_policy_named(
    signed: Any, recognitions: list[Recognition]
) -> None:
    achievements = signed["credentialSubject"]["achievement"]
    credited = [a for a in achievements if "creditsAvailable" in a]
    assert [a["creditsAvailable"] for a in credited] == [1.5, 2, 3]
    assert (
        sum(a["creditsAvailable"] for a in credited) == 6.5 == float(totals(recognitions)["ECTS"])
    )
    for ach in credited:
        assert ach["creator"]["id"] == signed["issuer"]["id"]
        assert "credits: " in ach["tag"][0] and ach["tag"][0].endswith(" ECTS")
        assert "policy: wbl-2026" in ach["tag"]
        assert "wbl-2026" in ach["resultDescription"][0]["name"]
        assert ach["resultDescription"][0]["resultType"] == "ext:RecognisedCredits"
        # the issuer's own statement (40 hours) is kept beside the school's conversion
        assert "40 hours" in ach["description"] and "ECTS" in ach["description"]
    assert "6.5 ECTS in total" in signed["description"]
    assert recognised_total(signed) == (Decimal("6.5"), "ECTS")


def test_associations_link_each_recognition_to_the_issuers_achievement_and_its_group(
    signed: Any, recognitions: list[Recognition]
) -> None:
    subject = signed["credentialSubject"]
    by_id = {a["id"]: a for a in subject["achievement"]}
    matches = [a for a in subject["association"] if a["associationType"] == "exactMatchOf"]
    originals = [r.credential["credentialSubject"]["achievement"]["id"] for r in recognitions]
    assert [a["targetId"] for a in matches] == originals
    assert all(a["sourceId"] in by_id for a in matches)
    parts = [a for a in subject["association"] if a["associationType"] == "isPartOf"]
    assert len(parts) == 2 and len({a["targetId"] for a in parts}) == 1
    group = by_id[parts[0]["targetId"]]
    assert group["name"] == "Work placement" and "creditsAvailable" not in group


def test_sha256_of_the_stored_bytes_ties_each_recognition_to_its_credential(
    signed: Any, recognitions: list[Recognition]
) -> None:
    ids = {
        a["otherIdentifier"][0]["identifier"]
        for a in signed["credentialSubject"]["achievement"]
        if "otherIdentifier" in a
    }
    assert ids == {f"sha256:{r.sha256}" for r in recognitions}


def test_validates_against_the_shipped_clr_schema(signed: Any) -> None:
    assert clr_errors(signed) == []
    broken = copy.deepcopy(signed)
    del broken["credentialSubject"]["verifiableCredential"]
    assert clr_errors(broken) == [
        "$.credentialSubject: 'verifiableCredential' is a required property"
    ]


@pytest.mark.conformance
def test_shipped_schema_is_the_standards_packs_and_strict_ob_holds_for_school_parts(
    signed: Any, standards: Path
) -> None:
    pack = standards / "schemas" / "clr-v2p0" / "clr_v2p0_clrcredential_schema.json"
    assert clr_schema() == json.loads(pack.read_text("utf-8"))
    assert schema_errors(signed, json.loads(pack.read_text("utf-8"))) == []
    # No strict (non-adapted) CLR schema is published; the school-made parts pass the strict
    # OB 3.0 definitions (arrays where arrays are required).
    strict = json.loads(
        (
            standards
            / "schemas/ob-v3p0/strict-jsonschema1/ob_v3p0_achievementcredential-jsonschema1.json"
        ).read_text("utf-8")
    )
    parts = [("Profile", signed["issuer"])]
    parts += [("Achievement", a) for a in signed["credentialSubject"]["achievement"]]
    for name, value in parts:
        schema = {"$schema": strict["$schema"], "$ref": f"#/$defs/{name}", "$defs": strict["$defs"]}
        assert schema_errors(value, schema) == [], name


def test_verify_layer_finds_the_shipped_schema_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MICROCRED_SCHEMA_DIR", raising=False)
    url = "https://purl.imsglobal.org/spec/clr/v2p0/schema/json/clr_v2p0_clrcredential_schema.json"
    assert ob_schema(url) == clr_schema(url)


def test_learner_is_named_by_student_id_or_salted_hash_never_plain_email(
    school: School, recognitions: list[Recognition]
) -> None:
    by_id = build_clr(school, recognitions[:1], learner="S-1", issued=AT)
    ident = by_id["credentialSubject"]["identifier"][0]
    assert ident == {
        "type": "IdentityObject",
        "identityHash": "S-1",
        "identityType": "sisSourcedId",
        "hashed": False,
    }
    hashed = build_clr(
        school, recognitions[:1], learner="Ada@Example.org", learner_mode="email-hash", issued=AT
    )
    ident = hashed["credentialSubject"]["identifier"][0]
    assert ident["hashed"] is True and ident["identityHash"].startswith("sha256$")
    assert matches_identity(ident, "ada@example.org")
    assert not EMAIL.search(json.dumps(hashed["credentialSubject"]["identifier"]))
    by_did = build_clr(school, recognitions[:1], learner="did:key:z6MkLearner", issued=AT)
    assert by_did["credentialSubject"]["id"] == "did:key:z6MkLearner"
    assert "id" not in by_id["credentialSubject"]
    plain = build_clr(
        school, recognitions[:1], learner="ada@example.org", learner_mode="email", issued=AT
    )
    assert plain["credentialSubject"]["identifier"][0]["identityHash"] == "ada@example.org"


def test_no_empty_transcript_and_no_credential_twice(
    school: School, recognitions: list[Recognition]
) -> None:
    with pytest.raises(ValueError, match="at least one"):
        build_clr(school, [], learner="S-1", issued=AT)
    with pytest.raises(ValueError, match="listed twice"):
        build_clr(school, [recognitions[0], recognitions[0]], learner="S-1", issued=AT)


def test_partial_and_status_are_carried(school: School, recognitions: list[Recognition]) -> None:
    entry = {
        "id": "https://rhine.example/status/transcripts-1.json#7",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "7",
        "statusListCredential": "https://rhine.example/status/transcripts-1.json",
    }
    clr = build_clr(school, recognitions, learner="S-1", issued=AT, partial=True, status=[entry])
    assert clr["partial"] is True and clr["credentialStatus"] == entry
    assert clr_errors(clr) == []
