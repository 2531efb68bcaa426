"""Real-world shapes of DID and controller documents (issue 9 follow-up): each fixture in
``fixtures/controller_docs`` is named for its shape; ``bad_*`` ones for their defect.

Every good fixture holds the same TEST-ONLY Ed25519 key (seed 0x07 * 32) or the P-256 key
derived from the scalar 0x5EED, so a shape may change how the key is written but never which
key comes out.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from microcred.errors import ProofError
from microcred.proof.keys import public_key_from_seed
from microcred.proof.resolve import method_key, resolve_verification_method

from .conftest import read_json

FIXTURES = Path(__file__).parent / "fixtures" / "controller_docs"
ED25519 = public_key_from_seed(bytes([7]) * 32)
P256 = (
    ec.derive_private_key(0x5EED, ec.SECP256R1())
    .public_key()
    .public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
)
GOOD = sorted(p.stem for p in FIXTURES.glob("*.json") if not p.stem.startswith("bad_"))


def _resolve(name: str, fragment: str = "key-1", purpose: str = "assertionMethod") -> Any:
    document = read_json(FIXTURES / f"{name}.json")
    vm = f"{document['id']}#{fragment}"
    return vm, resolve_verification_method(vm, {document["id"]: document}, purpose=purpose)


def test_every_shape_has_a_fixture() -> None:
    assert len(GOOD) >= 14
    assert any(name.startswith("https_") for name in GOOD)


@pytest.mark.parametrize("name", GOOD)
def test_real_world_shapes_resolve_to_their_key(name: str) -> None:
    vm, method = _resolve(name)
    key = method_key(method)
    assert key.data == (P256 if key.kind == "P-256" else ED25519)
    assert key.kind == ("P-256" if name.endswith("p256") else "Ed25519")
    # a relative "#key-1" comes back absolute, so later checks (controller, revocation
    # messages) see the URL the proof names
    assert method["id"] == vm


def test_relative_ids_resolve_against_this_document_only() -> None:
    document = read_json(FIXTURES / "relative_ids_ed25519_2020.json")
    other = "did:web:evil.example"
    with pytest.raises(ProofError, match="id must equal") as info:
        resolve_verification_method(f"{other}#key-1", {other: document})
    assert info.value.code == "INVALID_CONTROLLED_IDENTIFIER_DOCUMENT"
    with pytest.raises(ProofError, match="not a verification method"):
        resolve_verification_method(f"{document['id']}#key-2", {document["id"]: document})


def test_relative_reference_under_another_relationship_authorises_that_one_only() -> None:
    vm, method = _resolve("relative_ids_ed25519_2020", purpose="authentication")
    assert method["id"] == vm
    with pytest.raises(ProofError, match="listed under assertionMethod, authentication"):
        _resolve("relative_ids_ed25519_2020", purpose="capabilityInvocation")


@pytest.mark.parametrize(
    ("name", "code", "message"),
    [
        ("bare_key_name_without_hash", "INVALID_VERIFICATION_METHOD", "without '#'"),
        (
            "relative_reference_to_another_key",
            "INVALID_RELATIONSHIP_FOR_VERIFICATION_METHOD",
            "listed under authentication",
        ),
        (
            "relative_and_absolute_ids_disagree",
            "INVALID_CONTROLLED_IDENTIFIER_DOCUMENT",
            "2 times",
        ),
        ("method_controller_array", "INVALID_VERIFICATION_METHOD", "one URL string"),
        ("method_controller_relative", "INVALID_VERIFICATION_METHOD", "controller '#'"),
        ("ed25519_2020_type_with_p256_jwk", "INVALID_VERIFICATION_METHOD", "P-256 key"),
        ("multikey_type_with_jwk", "INVALID_VERIFICATION_METHOD", "publicKeyMultibase"),
        ("jwk_with_private_d", "INVALID_VERIFICATION_METHOD", "secret key material"),
        (
            "ed25519_2020_key_without_multicodec_header",
            "INVALID_VERIFICATION_METHOD",
            "without a multicodec header",
        ),
        (
            "https_document_id_is_not_the_key_document",
            "INVALID_VERIFICATION_METHOD",
            "not a verification method",
        ),
        (
            "did_document_with_credentials_context",
            "INVALID_CONTROLLED_IDENTIFIER_DOCUMENT",
            "not a DID document",
        ),
        (
            "relative_ids_key_only_under_authentication",
            "INVALID_RELATIONSHIP_FOR_VERIFICATION_METHOD",
            "not authorised for assertionMethod",
        ),
    ],
)
def test_defective_shapes_are_refused(name: str, code: str, message: str) -> None:
    with pytest.raises(ProofError, match=message) as info:
        _resolve(f"bad_{name}")
    assert info.value.code == code
