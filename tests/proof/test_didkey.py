from __future__ import annotations

from pathlib import Path

import pytest

from microcred.errors import ProofError
from microcred.proof.didkey import did_key_from_public, did_key_public_key, resolve_did_key
from microcred.proof.keys import generate_keypair, public_key_from_seed
from microcred.proof.multibase import b58encode, b64url_encode

from .conftest import read_json

# security-cases.md MC-14: did:key of 0xed01 + the identity point.
SMALL_ORDER_DID = "did:key:z6MkeXATEjyXENzBXBxgC5EHk2JE5aqd7qMGGtDpLUH1e2Sj"


@pytest.mark.conformance
def test_did_key_vectors(vectors: Path) -> None:
    cases = read_json(vectors / "did-key" / "ed25519-x25519.json")
    assert len(cases) == 5
    for did, case in cases.items():
        public = public_key_from_seed(bytes.fromhex(case["seed"]))
        assert did_key_from_public(public) == did
        listed = case["verificationKeyPair"]
        if "publicKeyBase58" in listed:
            assert b58encode(public) == listed["publicKeyBase58"]
        else:  # the last vector gives the key as a JWK
            assert b64url_encode(public) == listed["publicKeyJwk"]["x"]
        document = resolve_did_key(did)
        expected_vm = case["didDocument"]["verificationMethod"][0]["id"]
        (method,) = document["verificationMethod"]
        assert method["id"] == expected_vm
        assert method["controller"] == did == document["id"]
        for relationship in (
            "assertionMethod",
            "authentication",
            "capabilityInvocation",
            "capabilityDelegation",
        ):
            assert document[relationship] == case["didDocument"][relationship]


def test_resolved_document_is_a_multikey_did_document() -> None:
    pair = generate_keypair()
    document = resolve_did_key(pair.controller)
    assert document["@context"] == [
        "https://www.w3.org/ns/did/v1",
        "https://w3id.org/security/multikey/v1",
    ]
    assert document["verificationMethod"] == [pair.to_public_json()]
    assert did_key_public_key(pair.controller) == pair.public_key


@pytest.mark.parametrize(
    ("did", "name"),
    [
        ("did:key:", "invalidDid"),
        ("did:web:example.com", "invalidDid"),
        ("did:key:1:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp", "invalidDid"),
        ("did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp#frag", "invalidDid"),
        ("did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooW0", "invalidDid"),
        ("did:key:z" + b58encode(b"\xed\x01" + b"\x11" * 31), "invalidPublicKeyLength"),
        ("did:key:z" + b58encode(b"\xed\x01" + b"\x11" * 33), "invalidPublicKeyLength"),
        ("did:key:z6LShs9GGnqk85isEBzzshkuVWrVKsRp24GnDuHk8QWkARMW", "unsupportedPublicKeyType"),
        ("did:key:zDnaerDaTF5BXEavCrfRZEk316dpbLsfPDZ3WJ5hRTPFU2169", "unsupportedPublicKeyType"),
        (SMALL_ORDER_DID, "invalidPublicKey"),
    ],
    ids=[
        "empty",
        "other-method",
        "version-segment",
        "fragment",
        "non-alphabet",
        "short-key",
        "long-key",
        "x25519",
        "p256",
        "small-order-mc14",
    ],
)
def test_bad_did_keys_are_refused_with_spec_names(did: str, name: str) -> None:
    with pytest.raises(ProofError, match=name) as info:
        resolve_did_key(did)
    assert info.value.code == "INVALID_VERIFICATION_METHOD"


def test_did_key_from_public_refuses_unusable_keys() -> None:
    with pytest.raises(ProofError, match="invalidPublicKeyLength"):
        did_key_from_public(b"\x01" * 31)
    with pytest.raises(ProofError, match="small-order"):
        did_key_from_public(b"\x01" + bytes(31))
