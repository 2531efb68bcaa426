"""Credentials from other implementations (issue 9): VC-JWT, formats microcred does not check,
issuer as a plain URI, tamper evidence under keys that are not vouched for.

Signing here is TEST-ONLY (the adversarial generator's seeds, ``cryptography``); the reference
JS stack signs the same forms in tests/interop/test_reference_suites.py.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519

from microcred.bake import bake_png, bake_svg
from microcred.proof.multibase import b64url_encode
from microcred.verify import VerificationReport, VerifyOptions, check_credential, verify_paths
from microcred.verify.pinned import PinnedDocument

from .conftest import AT, gen

WEB_DID = "did:web:jwt.example"


def verify(doc: Any, **options: Any) -> VerificationReport:
    text = doc if isinstance(doc, str) else json.dumps(doc)
    return check_credential(text, now=AT, options=VerifyOptions(**options))


def first(report: VerificationReport) -> tuple[str, str, str]:
    wanted = {"invalid": "failed", "indeterminate": "indeterminate"}[report.result]
    check = next(c for c in report.checks if c.outcome == wanted)
    return report.result, check.id, check.problems[0].code


def unsigned(issuer: str = gen.ISSUER) -> dict[str, Any]:
    doc = gen.credential(issuer)
    doc.pop("credentialStatus")
    return doc


# ------------------------------------------------------------------ formats not checked


@pytest.mark.parametrize(
    ("proof", "named"),
    [
        ({"type": "DataIntegrityProof", "cryptosuite": "ecdsa-sd-2023"}, "ecdsa-sd-2023"),
        ({"type": "DataIntegrityProof", "cryptosuite": "bbs-2023"}, "bbs-2023"),
        ({"type": "MerkleProof2019", "proofValue": "z4Tnqf"}, "Blockcerts"),
        ({"type": "JsonWebSignature2020", "jws": "e..x"}, "JsonWebSignature2020"),
        ({"type": "EcdsaSecp256k1Signature2019", "jws": "e..x"}, "secp256k1"),
    ],
    ids=["ecdsa-sd-2023", "bbs-2023", "MerkleProof2019", "JsonWebSignature2020", "secp256k1"],
)
def test_real_formats_microcred_lacks_are_undecided_and_name_a_verifier(
    proof: dict[str, Any], named: str
) -> None:
    doc = unsigned()
    if proof["type"] != "MerkleProof2019":
        proof = {
            **proof,
            "verificationMethod": gen.ISSUER_VM,
            "proofPurpose": "assertionMethod",
            "proofValue": "z3FXQjecWufY46Y",
        }
    doc["proof"] = proof
    report = verify(doc)
    assert first(report) == ("indeterminate", "proof", "UNSUPPORTED_FORMAT")
    detail = report.check("proof").problems[0].detail  # type: ignore[union-attr]
    assert "microcred does not check" in detail and "verify it with" in detail and named in detail
    assert report.check("issuer_binding").outcome == "indeterminate"  # type: ignore[union-attr]


def test_a_suite_no_specification_defines_is_still_refused() -> None:
    doc = gen.secure(unsigned())
    doc["proof"][0]["cryptosuite"] = "eddsa-rdf-2022"
    assert first(verify(doc)) == ("invalid", "proof", "PROOF_VERIFICATION_ERROR")


def test_open_badges_2_documents_are_undecided() -> None:
    assertion = {
        "@context": "https://w3id.org/openbadges/v2",
        "type": "Assertion",
        "id": "https://example.org/assertions/1",
        "badge": "https://example.org/badges/1",
        "recipient": {"type": "email", "hashed": False, "identity": "a@example.org"},
        "issuedOn": "2020-01-01T00:00:00Z",
        "verification": {"type": "hosted"},
    }
    report = verify(assertion)
    assert first(report) == ("indeterminate", "parse", "UNSUPPORTED_VERSION")
    assert "Open Badges 2.0 verifier" in report.check("parse").problems[0].detail  # type: ignore[union-attr]
    assert all(c.outcome in ("skipped", "not_requested") for c in report.checks[1:])
    signed = _jwt(assertion, ed25519.Ed25519PrivateKey.generate())  # a signed OB 2.0 badge
    assert first(verify(signed)) == ("indeterminate", "parse", "UNSUPPORTED_VERSION")


def test_an_open_badges_2_baked_image_is_undecided(tmp_path: Path) -> None:
    png = tmp_path / "ob2.png"
    png.write_bytes(gen.png_with([gen.itxt('{"type": "Assertion"}', keyword=b"openbadges")]))
    (report,) = verify_paths([png], now=AT)
    assert first(report) == ("indeterminate", "parse", "UNSUPPORTED_VERSION")


def test_a_credential_that_is_not_an_open_badge_is_undecided() -> None:
    doc = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://www.w3.org/ns/credentials/examples/v2",
        ],
        "type": ["VerifiableCredential", "ExampleDegreeCredential"],
        "issuer": "did:example:university",
        "credentialSubject": {"id": "did:example:ada", "degree": {"name": "BSc"}},
    }
    report = verify(doc)
    assert first(report) == ("indeterminate", "data_model", "UNSUPPORTED_FORMAT")
    contexts = report.check("contexts")
    assert contexts is not None and contexts.outcome == "indeterminate"  # unknown context
    details = " ".join(p.detail for p in contexts.problems)
    assert "microcred does not check ExampleDegreeCredential credentials" in details
    assert "--context https://www.w3.org/ns/credentials/examples/v2=FILE" in details


def test_an_open_badge_with_a_wrong_type_is_still_malformed() -> None:
    doc = unsigned()
    doc["type"] = ["VerifiableCredential", "OtherCredential"]
    assert first(verify(gen.secure(doc))) == ("invalid", "data_model", "MALFORMED_VALUE_ERROR")


# ------------------------------------------------------------------ issuer as a URI


def test_issuer_as_a_plain_uri_is_accepted() -> None:
    doc = unsigned()
    doc["issuer"] = gen.ISSUER
    report = verify(gen.secure(doc))
    assert report.result == "valid", [c.to_json() for c in report.failures()]
    assert report.summary is not None and report.summary.issuer_name is None


# ------------------------------------------------------------------ tamper evidence


def test_a_changed_credential_is_invalid_even_when_its_key_is_not_vouched_for() -> None:
    """A key named by an https URL#z6Mk… fragment is never trusted, but a signature that does
    not match even that key shows the document was changed."""
    seed = gen.TEST_ONLY_ISSUER_SEED
    fragment = gen.did_key_vm(seed).split("#")[1]
    issuer = "https://school.example/issuers/1"
    signed = gen.secure(unsigned(issuer), seed, f"{issuer}#{fragment}")
    assert verify(signed).result == "indeterminate"
    changed = copy.deepcopy(signed)
    changed["name"] = "Changed after signing"
    assert first(verify(changed)) == ("invalid", "proof", "CRYPTOGRAPHIC_SECURITY_ERROR")


# ------------------------------------------------------------------ VC-JWT


def _jwt(payload: dict[str, Any], key: Any, header: dict[str, Any] | None = None) -> str:
    head = b64url_encode(json.dumps(header or {"alg": "EdDSA", "typ": "JWT"}).encode())
    body = b64url_encode(json.dumps(payload).encode())
    return f"{head}.{body}.{b64url_encode(key.sign(f'{head}.{body}'.encode()))}"


def _public_jwk(key: Any) -> dict[str, Any]:
    raw = key.public_key().public_bytes_raw()
    return {"kty": "OKP", "crv": "Ed25519", "x": b64url_encode(raw)}


def _payload(issuer: str = WEB_DID) -> dict[str, Any]:
    credential = unsigned(issuer)
    nbf = int(datetime(2026, 1, 15, tzinfo=UTC).timestamp())
    return {"vc": credential, "iss": issuer, "jti": credential["id"], "nbf": nbf}


def _did_doc(jwk: dict[str, Any]) -> dict[str, PinnedDocument]:
    vm = f"{WEB_DID}#key-1"
    document = {
        "@context": ["https://www.w3.org/ns/did/v1"],
        "id": WEB_DID,
        "verificationMethod": [
            {"id": vm, "type": "JsonWebKey2020", "controller": WEB_DID, "publicKeyJwk": jwk}
        ],
        "assertionMethod": [vm],
    }
    return {WEB_DID: PinnedDocument(document, "did.json")}


@pytest.fixture(scope="module")
def key() -> Any:
    return ed25519.Ed25519PrivateKey.generate()


def test_vc_jwt_with_a_pinned_did_document_or_jwk(key: Any) -> None:
    jwk = _public_jwk(key)
    header = {"alg": "EdDSA", "typ": "JWT", "kid": f"{WEB_DID}#key-1"}
    token = _jwt(_payload(), key, header)
    report = verify(token, did_documents=_did_doc(jwk))
    assert report.result == "valid", [c.to_json() for c in report.failures()]
    assert report.summary is not None and report.summary.valid_from == "2026-01-15T00:00:00Z"
    assert verify(token, jwks=(("k.jwk", jwk),)).result == "valid"
    assert first(verify(token))[:2] == ("indeterminate", "proof")
    other = _public_jwk(ed25519.Ed25519PrivateKey.generate())
    assert first(verify(token, jwks=(("o.jwk", other),))) == (
        "invalid",
        "proof",
        "CRYPTOGRAPHIC_SECURITY_ERROR",
    )


def test_vc_jwt_claims_must_agree_with_the_credential(key: Any) -> None:
    payload = _payload()
    payload["iss"] = "did:web:someone-else.example"
    report = verify(_jwt(payload, key), jwks=(("k", _public_jwk(key)),))
    assert first(report) == ("invalid", "parse", "MALFORMED_VALUE_ERROR")
    assert "iss" in report.check("parse").problems[0].detail  # type: ignore[union-attr]


def test_a_key_in_the_jwt_header_alone_is_not_enough_but_exposes_changes(key: Any) -> None:
    header = {"alg": "EdDSA", "typ": "JWT", "jwk": _public_jwk(key)}
    token = _jwt(_payload(), key, header)
    report = verify(token)
    assert first(report)[:2] == ("indeterminate", "proof")
    assert "proves nothing" in report.check("proof").problems[0].detail  # type: ignore[union-attr]
    head, _, signature = token.split(".")
    changed = _payload()
    changed["vc"]["name"] = "Changed"
    forged = f"{head}.{b64url_encode(json.dumps(changed).encode())}.{signature}"
    assert first(verify(forged)) == ("invalid", "proof", "CRYPTOGRAPHIC_SECURITY_ERROR")


@pytest.mark.parametrize(
    ("alg", "expected"),
    [
        ("none", ("invalid", "parse", "PROOF_VERIFICATION_ERROR")),
        ("ES512", ("indeterminate", "parse", "UNSUPPORTED_FORMAT")),
    ],
)
def test_jwt_algorithms_outside_the_list(key: Any, alg: str, expected: tuple[str, ...]) -> None:
    token = _jwt(_payload(), key, {"alg": alg})
    assert first(verify(token)) == expected


def test_a_jwt_baked_in_png_and_svg_verifies(key: Any, tmp_path: Path) -> None:
    token = _jwt(_payload(), key, {"alg": "EdDSA", "typ": "JWT", "kid": f"{WEB_DID}#key-1"})
    (tmp_path / "b.png").write_bytes(bake_png(gen.png_with([]), token))
    (tmp_path / "b.svg").write_text(bake_svg(gen.svg_with(""), token), encoding="utf-8")
    options = VerifyOptions(did_documents=_did_doc(_public_jwk(key)))
    reports = list(verify_paths([tmp_path], now=AT, options=options))
    assert [(Path(r.path).name, r.result) for r in reports] == [
        ("b.png", "valid"),
        ("b.svg", "valid"),
    ]


def test_vc_jwt_from_a_self_certifying_did_needs_no_files(key: Any) -> None:
    """did:jwk (and did:key) documents come from the identifier itself, offline."""
    jwk = _public_jwk(key)
    did = "did:jwk:" + b64url_encode(json.dumps(jwk).encode())
    token = _jwt(_payload(did), key, {"alg": "EdDSA", "typ": "JWT", "kid": f"{did}#0"})
    report = verify(token)
    assert report.result == "valid", [c.to_json() for c in report.failures()]
    no_kid = _jwt(_payload(did), key, {"alg": "EdDSA"})
    assert verify(no_kid).result == "valid"
    stranger = ed25519.Ed25519PrivateKey.generate()
    assert verify(_jwt(_payload(did), stranger, {"alg": "EdDSA"})).result == "invalid"


# ------------------------------------------------------------------ the command line


def test_cli_pins_a_jwk_and_a_context_from_files(key: Any, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from microcred.cli import main

    token = tmp_path / "badge.jwt"
    token.write_text(_jwt(_payload(), key) + "\n", encoding="ascii")
    jwk = tmp_path / "issuer.jwk"
    jwk.write_text(json.dumps(_public_jwk(key)), encoding="utf-8")
    at = ["--at", gen.AT]
    runner = CliRunner()
    undecided = runner.invoke(main, ["verify", *at, str(token)])
    assert undecided.exit_code == 3, undecided.output
    for flag in ("--jwk", "--did-doc"):  # a --did-doc holding a JWK counts as --jwk
        result = runner.invoke(main, ["verify", *at, flag, str(jwk), str(token)])
        assert result.exit_code == 0, result.output
        assert "claims: 'Data Analysis Sprint'" in result.output
    secret = tmp_path / "secret.jwk"
    secret.write_text(json.dumps({**_public_jwk(key), "d": "AAAA"}), encoding="utf-8")
    refused = runner.invoke(main, ["verify", *at, "--jwk", str(secret), str(token)])
    assert refused.exit_code == 2 and "secret" in refused.output
    ctx = tmp_path / "ctx.json"
    ctx.write_text('{"@context": {"x": "https://example.org/x"}}', encoding="utf-8")
    pinned = "https://www.w3.org/ns/credentials/v2"  # already pinned: ignored, not an error
    for spec in (f"https://example.org/ctx={ctx}", f"{pinned}={ctx}"):
        result = runner.invoke(
            main, ["verify", *at, "--context", spec, "--jwk", str(jwk), str(token)]
        )
        assert result.exit_code == 0, result.output
    bad = runner.invoke(main, ["verify", *at, "--context", str(ctx), str(token)])
    assert bad.exit_code == 2 and "URL=FILE" in bad.output


def test_a_jwt_whose_kid_spells_out_its_key_shows_changes_without_a_pinned_document(
    key: Any,
) -> None:
    from microcred.proof.multibase import b58encode

    multikey = "z" + b58encode(b"\xed\x01" + key.public_key().public_bytes_raw())
    header = {"alg": "EdDSA", "kid": f"{WEB_DID}#{multikey}"}
    token = _jwt(_payload(), key, header)
    assert first(verify(token))[:2] == ("indeterminate", "proof")  # the key is not vouched for
    head, _, signature = token.split(".")
    changed = _payload()
    changed["vc"]["credentialSubject"]["achievement"]["name"] = "Changed"
    forged = f"{head}.{b64url_encode(json.dumps(changed).encode())}.{signature}"
    assert first(verify(forged)) == ("invalid", "proof", "CRYPTOGRAPHIC_SECURITY_ERROR")
