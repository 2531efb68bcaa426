"""Suites microcred verifies but does not issue, against the reference JS stack (issue 9).

* the reference signs with FRESH keys every run (ecdsa-rdfc-2019 and ecdsa-jcs-2019 on P-256
  and P-384, Ed25519Signature2018, VC-JWT with EdDSA / ES256 / RS256 via ``jose``); microcred
  must call each valid, and every tampered copy invalid;
* the other way: a test-only signer here (microcred's canonicalizers + ``cryptography``) signs
  the same forms and the reference must accept them, so both sides compute the same bytes.

Two node processes in all (one batch each way): js/suites.mjs.
"""

from __future__ import annotations

import copy
import hashlib
import json
import subprocess
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from interop_support import JS_DIR, Reference

from microcred.jsonld.jcs import jcs
from microcred.jsonld.loader import default_loader
from microcred.jsonld.rdfc import canonicalize
from microcred.proof.multibase import b58encode, b64url_encode
from microcred.proof.timestamps import parse_datetimestamp
from microcred.verify import VerificationReport, VerifyOptions, check_credential
from microcred.verify.pinned import PinnedDocument

pytestmark = pytest.mark.interop

NOW = parse_datetimestamp("2026-06-01T00:00:00Z")
CREATED = "2026-05-01T00:00:00Z"
V2 = "https://www.w3.org/ns/credentials/v2"
V1 = "https://www.w3.org/2018/credentials/v1"
OB = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB_V1 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json"
WEB_DID = "did:web:issuer.example"
SUITES_JS = JS_DIR / "suites.mjs"


def badge(issuer: str, *, v1: bool = False) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "@context": [V1, OB_V1] if v1 else [V2, OB],
        "id": "urn:uuid:6f1c6f0e-6d2a-4d3e-9a51-3d1f1a3c9b10",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": issuer, "type": ["Profile"], "name": "Interop Test Issuer"},
        "name": "Interop badge",
        "credentialSubject": {
            "id": "did:example:learner",
            "type": ["AchievementSubject"],
            "achievement": {
                "id": "https://issuer.example/achievements/interop",
                "type": ["Achievement"],
                "name": "Interop — ünïcödé ✓",
                "description": "Reference-signed",
                "criteria": {"narrative": "Sign it elsewhere, verify it here."},
                "creditsAvailable": 1.5,
            },
        },
    }
    if v1:
        doc["issuanceDate"] = "2026-01-01T00:00:00Z"
    else:
        doc["validFrom"] = "2026-01-01T00:00:00Z"
    return doc


def suites_batch(reference: Reference, requests: list[dict[str, Any]], contexts: Any) -> Any:
    """One node process running js/suites.mjs over every request."""
    proc = subprocess.run(
        [reference.node, str(SUITES_JS)],
        input=json.dumps({"requests": requests, "defaults": {"contexts": contexts}}).encode(),
        capture_output=True,
        cwd=JS_DIR,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
    responses = json.loads(proc.stdout)["responses"]
    assert len(responses) == len(requests)
    for request, response in zip(requests, responses, strict=True):
        assert "error" not in response, (request.get("op"), request.get("suite"), response)
    return responses


def verify(doc: Any, **options: Any) -> VerificationReport:
    text = doc if isinstance(doc, str) else json.dumps(doc)
    return check_credential(text, now=NOW, options=VerifyOptions(**options))


def failing(report: VerificationReport) -> list[Any]:
    return [c.to_json() for c in report.checks if c.outcome not in ("passed", "not_requested")]


def tampered(doc: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(doc)
    out["credentialSubject"]["achievement"]["name"] = "Interop — forged"
    return out


def jwt_payload(issuer: str, *, form: str) -> dict[str, Any]:
    credential = badge(issuer)
    if form == "vc claim":
        return {
            "vc": credential,
            "iss": issuer,
            "jti": credential["id"],
            "sub": "did:example:learner",
            "nbf": int(datetime(2026, 1, 1, tzinfo=UTC).timestamp()),
            "exp": int(datetime(2030, 1, 1, tzinfo=UTC).timestamp()),
        }
    return {**credential, "iss": issuer, "iat": 1767225600}


def did_web_for_jwk(jwk: Mapping[str, Any]) -> dict[str, Any]:
    vm = f"{WEB_DID}#key-1"
    return {
        "@context": ["https://www.w3.org/ns/did/v1"],
        "id": WEB_DID,
        "verificationMethod": [
            {"id": vm, "type": "JsonWebKey", "controller": WEB_DID, "publicKeyJwk": dict(jwk)}
        ],
        "assertionMethod": [vm],
    }


ECDSA_CASES = [
    ("ecdsa-rdfc-2019", "P-256"),
    ("ecdsa-rdfc-2019", "P-384"),
    ("ecdsa-jcs-2019", "P-256"),
    ("ecdsa-jcs-2019", "P-384"),
]
JWT_CASES = [
    ("EdDSA", "vc claim", "did"),
    ("ES256", "vc claim", "did"),
    ("RS256", "vc claim", "jwk"),
    ("ES256", "JOSE-COSE payload", "jwk"),
]


@pytest.fixture(scope="module")
def signed_by_reference(reference: Reference, shipped_contexts: dict[str, Any]) -> Any:
    requests: list[dict[str, Any]] = [
        {"op": "sign-di", "suite": s, "curve": c, "document": badge("ISSUER"), "created": CREATED}
        for s, c in ECDSA_CASES
    ]
    requests.append(
        {
            "op": "sign-di",
            "suite": "Ed25519Signature2018",
            "document": badge(WEB_DID, v1=True),
            "created": CREATED,
        }
    )
    requests += [
        {
            "op": "sign-jwt",
            "alg": alg,
            "payload": jwt_payload(WEB_DID, form=form),
            "kid": f"{WEB_DID}#key-1" if via == "did" else None,
        }
        for alg, form, via in JWT_CASES
    ]
    return suites_batch(reference, requests, shipped_contexts)


@pytest.mark.parametrize("index", range(len(ECDSA_CASES)), ids=[f"{s}-{c}" for s, c in ECDSA_CASES])
def test_reference_ecdsa_credentials_verify_and_tampered_copies_do_not(
    signed_by_reference: Any, index: int
) -> None:
    signed = signed_by_reference[index]["signed"]
    report = verify(signed)
    assert report.result == "valid", failing(report)
    assert report.check("issuer_binding").outcome == "passed"  # type: ignore[union-attr]
    bad = verify(tampered(signed))
    assert bad.result == "invalid"
    assert bad.check("proof").problems[0].code == "CRYPTOGRAPHIC_SECURITY_ERROR"  # type: ignore[union-attr]


def test_reference_ed25519_signature_2018_verifies_with_its_did_document(
    signed_by_reference: Any,
) -> None:
    answer = signed_by_reference[len(ECDSA_CASES)]
    signed, did_doc = answer["signed"], answer["didDocument"]
    docs = {WEB_DID: PinnedDocument(did_doc, "did.json")}
    report = verify(signed, did_documents=docs)
    assert report.result == "valid", failing(report)
    legacy = [w.code for c in report.checks for w in c.warnings]
    assert "LEGACY_SUITE" in legacy
    assert verify(tampered(signed), did_documents=docs).result == "invalid"
    assert verify(signed).result == "indeterminate"  # no key offline: undecided, never valid


def _relative_ids(did_doc: Mapping[str, Any]) -> dict[str, Any]:
    """The reference's DID document as many did:web issuers write it: ``#key-1`` ids and
    references (DID Core relative DID URLs), resolved against the document's id."""
    out = copy.deepcopy(dict(did_doc))
    for method in out["verificationMethod"]:
        method["id"] = "#" + method["id"].split("#", 1)[1]
    out["assertionMethod"] = ["#" + ref.split("#", 1)[1] for ref in out["assertionMethod"]]
    return out


def test_cli_verifies_a_reference_credential_whose_did_web_document_uses_relative_ids(
    signed_by_reference: Any, tmp_path: Any
) -> None:
    from click.testing import CliRunner

    from microcred.cli import main

    answer = signed_by_reference[len(ECDSA_CASES)]
    did_doc = _relative_ids(answer["didDocument"])
    assert did_doc["verificationMethod"][0]["id"] == "#key-1"
    (tmp_path / "did.json").write_text(json.dumps(did_doc), encoding="utf-8")
    (tmp_path / "badge.json").write_text(json.dumps(answer["signed"]), encoding="utf-8")
    (tmp_path / "forged.json").write_text(json.dumps(tampered(answer["signed"])), "utf-8")
    args = ["verify", "--json", "--at", "2026-06-01", "--did-doc", str(tmp_path / "did.json")]
    ok = CliRunner().invoke(main, [*args, str(tmp_path / "badge.json")])
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.output.splitlines()[0])["result"] == "valid"
    bad = CliRunner().invoke(main, [*args, str(tmp_path / "forged.json")])
    assert bad.exit_code == 1, bad.output


@pytest.mark.parametrize(
    "index", range(len(JWT_CASES)), ids=[f"{a}-{f}-{v}" for a, f, v in JWT_CASES]
)
def test_reference_vc_jwt_verifies_with_a_pinned_key(signed_by_reference: Any, index: int) -> None:
    _alg, form, via = JWT_CASES[index]
    answer = signed_by_reference[len(ECDSA_CASES) + 1 + index]
    jwt, jwk = answer["jwt"], answer["jwk"]
    if via == "did":
        options: dict[str, Any] = {
            "did_documents": {WEB_DID: PinnedDocument(did_web_for_jwk(jwk), "did.json")}
        }
    else:
        options = {"jwks": (("issuer.jwk", jwk),)}
    report = verify(jwt, **options)
    assert report.result == "valid", failing(report)
    assert report.summary is not None and report.summary.achievement.name == "Interop — ünïcödé ✓"
    # without the key: undecided; with another key: invalid; a changed payload: invalid
    assert verify(jwt).result == "indeterminate"
    head, payload, signature = jwt.split(".")
    swapped = f"{head}.{b64url_encode(_changed(payload))}.{signature}"
    assert verify(swapped, **options).result == "invalid"
    assert report.check("parse").note.startswith(f"VC-JWT ({form}")  # type: ignore[union-attr]


def _changed(payload_b64: str) -> bytes:
    from microcred.proof.multibase import b64url_decode

    claims = json.loads(b64url_decode(payload_b64))
    target = claims.get("vc", claims)
    target["credentialSubject"]["achievement"]["name"] = "Forged"
    return json.dumps(claims).encode()


# ------------------------------------------------------------------ the other way round


def _ecdsa_sign(doc: dict[str, Any], suite: str, curve: str) -> dict[str, Any]:
    """TEST-ONLY ECDSA Data Integrity signer: microcred's canonical bytes, cryptography's ECDSA."""
    private = ec.generate_private_key(ec.SECP256R1() if curve == "P-256" else ec.SECP384R1())
    point = private.public_key().public_bytes(Encoding.X962, PublicFormat.CompressedPoint)
    header = b"\x80\x24" if curve == "P-256" else b"\x81\x24"
    multikey = "z" + b58encode(header + point)
    did = f"did:key:{multikey}"
    doc = copy.deepcopy(doc)
    doc["issuer"]["id"] = did
    proof: dict[str, Any] = {
        "type": "DataIntegrityProof",
        "cryptosuite": suite,
        "created": CREATED,
        "verificationMethod": f"{did}#{multikey}",
        "proofPurpose": "assertionMethod",
    }
    digest = hashlib.sha256 if curve == "P-256" else hashlib.sha384
    loader = default_loader()
    if suite == "ecdsa-jcs-2019":
        proof["@context"] = doc["@context"]
        config, body = jcs(proof), jcs(doc)
    else:
        config = canonicalize({**proof, "@context": doc["@context"]}, loader).encode()
        body = canonicalize(doc, loader).encode()
    data = digest(config).digest() + digest(body).digest()
    algorithm = hashes.SHA256() if curve == "P-256" else hashes.SHA384()
    r, s = decode_dss_signature(private.sign(data, ec.ECDSA(algorithm)))
    size = 32 if curve == "P-256" else 48
    proof["proofValue"] = "z" + b58encode(r.to_bytes(size, "big") + s.to_bytes(size, "big"))
    return {**doc, "proof": proof}


def _ed25519_2018_sign(doc: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """TEST-ONLY Ed25519Signature2018 signer (detached JWS over the two SHA-256 digests)."""
    private = ed25519.Ed25519PrivateKey.generate()
    vm = f"{WEB_DID}#key-1"
    did_doc = {
        "@context": [
            "https://www.w3.org/ns/did/v1",
            "https://w3id.org/security/suites/ed25519-2018/v1",
        ],
        "id": WEB_DID,
        "verificationMethod": [
            {
                "id": vm,
                "type": "Ed25519VerificationKey2018",
                "controller": WEB_DID,
                "publicKeyBase58": b58encode(private.public_key().public_bytes_raw()),
            }
        ],
        "assertionMethod": [vm],
    }
    proof = {
        "type": "Ed25519Signature2018",
        "created": CREATED,
        "verificationMethod": vm,
        "proofPurpose": "assertionMethod",
    }
    loader = default_loader()
    config = canonicalize({"@context": doc["@context"], **proof}, loader).encode()
    body = canonicalize(doc, loader).encode()
    header = b64url_encode(b'{"alg":"EdDSA","b64":false,"crit":["b64"]}')
    data = f"{header}.".encode() + hashlib.sha256(config).digest() + hashlib.sha256(body).digest()
    proof["jws"] = f"{header}..{b64url_encode(private.sign(data))}"
    return {**doc, "proof": proof}, did_doc


def _ed25519_jwt(payload: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    private = ed25519.Ed25519PrivateKey.generate()
    raw = private.public_key().public_bytes_raw()
    header = b64url_encode(json.dumps({"alg": "EdDSA", "typ": "JWT"}).encode())
    body = b64url_encode(json.dumps(payload).encode())
    signature = b64url_encode(private.sign(f"{header}.{body}".encode()))
    return f"{header}.{body}.{signature}", {"kty": "OKP", "crv": "Ed25519", "x": b64url_encode(raw)}


def test_the_reference_accepts_what_microcred_reads_as_the_signed_bytes(
    reference: Reference, shipped_contexts: dict[str, Any]
) -> None:
    signed = [_ecdsa_sign(badge("ISSUER"), s, c) for s, c in ECDSA_CASES]
    legacy, did_doc = _ed25519_2018_sign(badge(WEB_DID, v1=True))
    signed.append(legacy)
    jwt, jwk = _ed25519_jwt(jwt_payload(WEB_DID, form="vc claim"))
    docs = {"didDocuments": {WEB_DID: did_doc}}
    requests: list[dict[str, Any]] = [{"op": "verify-di", "document": d, **docs} for d in signed]
    requests += [{"op": "verify-di", "document": tampered(d), **docs} for d in signed]
    requests.append({"op": "verify-jwt", "jwt": jwt, "jwk": jwk, "alg": "EdDSA"})
    answers = suites_batch(reference, requests, shipped_contexts)
    n = len(signed)
    assert [a["verified"] for a in answers[:n]] == [True] * n, [a["message"] for a in answers[:n]]
    assert [a["verified"] for a in answers[n : 2 * n]] == [False] * n
    assert answers[-1]["verified"] is True, answers[-1]["message"]
    pinned = {WEB_DID: PinnedDocument(did_doc, "did.json")}
    for doc in signed:  # and microcred agrees with itself
        assert verify(doc, did_documents=pinned).result == "valid"
    assert verify(jwt, jwks=(("k", jwk),)).result == "valid"


# ------------------------------------------------------------------ JCS numbers (RFC 8785)


def test_integer_valued_doubles_sign_and_verify_like_the_reference(
    reference: Reference, shipped_contexts: dict[str, Any], mc: Any
) -> None:
    """1e20 is written 100000000000000000000 by the reference; both sides sign and verify it."""
    key = mc.generate_keypair()
    doc = badge(key.controller)
    doc["credentialSubject"]["achievement"]["creditsAvailable"] = 1e20
    created = parse_datetimestamp(CREATED)
    ours = {s: mc.add_proof(doc, key, s, created) for s in ("eddsa-jcs-2022", "eddsa-rdfc-2022")}
    wire = {"publicKeyMultibase": key.public_key_multibase, "controller": key.controller}
    wire |= {"id": key.id, "secretKeyMultibase": key.secret_key_multibase}
    requests = [{"op": "verify", "document": d} for d in ours.values()]
    requests += [
        {"op": "sign", "suite": s, "document": doc, "key": wire, "created": CREATED} for s in ours
    ]
    answers = reference.batch(requests, {"contexts": shipped_contexts})
    assert [a["verified"] for a in answers[:2]] == [True, True], answers[:2]
    for answer, (suite, mine) in zip(answers[2:], ours.items(), strict=True):
        theirs = answer["signed"]
        assert theirs["proof"]["proofValue"] == mine["proof"][-1]["proofValue"], suite
        text = json.dumps(theirs)  # Python writes the reference's number back in full
        assert '"creditsAvailable": 100000000000000000000' in text
        report = check_credential(text, now=NOW)
        assert report.result == "valid", failing(report)
