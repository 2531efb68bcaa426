"""Verification keys of every kind (proof/pubkeys.py): strict decoding, secrets refused."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from microcred.errors import ProofError
from microcred.proof.multibase import b58encode, b64url_encode
from microcred.proof.pubkeys import key_from_jwk, key_from_method, key_from_multikey
from microcred.proof.resolve import resolve_verification_method


def _p256_multikey() -> str:
    point = ec.generate_private_key(ec.SECP256R1()).public_key()
    return "z" + b58encode(
        b"\x80\x24" + point.public_bytes(Encoding.X962, PublicFormat.CompressedPoint)
    )


def test_p256_and_p384_multikeys() -> None:
    mk = _p256_multikey()
    assert mk.startswith("zDn") and key_from_multikey(mk).kind == "P-256"
    point = ec.generate_private_key(ec.SECP384R1()).public_key()
    raw = point.public_bytes(Encoding.X962, PublicFormat.CompressedPoint)
    mk384 = "z" + b58encode(b"\x81\x24" + raw)
    assert mk384.startswith("z82") and key_from_multikey(mk384).kind == "P-384"


def test_a_point_off_the_curve_is_refused() -> None:
    bad = "z" + b58encode(b"\x80\x24\x02" + b"\xff" * 32)
    with pytest.raises(ProofError, match="invalidPublicKey"):
        key_from_multikey(bad)


def test_p256_did_key_resolves_offline() -> None:
    mk = _p256_multikey()
    did = f"did:key:{mk}"
    method = resolve_verification_method(f"{did}#{mk}")
    assert key_from_method(method).kind == "P-256"


@pytest.mark.parametrize(
    "jwk",
    [
        {"kty": "OKP", "crv": "Ed25519", "x": b64url_encode(b"\x01" + b"\x00" * 31), "d": "AA"},
        {"kty": "EC", "crv": "P-521", "x": "AA", "y": "AA"},
        {"kty": "oct", "k": "AA"},
    ],
    ids=["secret-member", "unsupported-curve", "symmetric"],
)
def test_jwks_that_are_refused(jwk: dict[str, Any]) -> None:
    with pytest.raises(ProofError):
        key_from_jwk(jwk)


def test_small_rsa_keys_are_refused() -> None:
    numbers = rsa.generate_private_key(65537, 1024).public_key().public_numbers()
    n = numbers.n.to_bytes((numbers.n.bit_length() + 7) // 8, "big")
    with pytest.raises(ProofError, match="2048"):
        key_from_jwk({"kty": "RSA", "n": b64url_encode(n), "e": "AQAB"})


def test_method_type_and_key_property_must_agree() -> None:
    vm = {"id": "did:web:x#k", "type": "JsonWebKey2020", "publicKeyMultibase": _p256_multikey()}
    with pytest.raises(ProofError, match="disagree"):
        key_from_method(vm)
    vm = {"id": "did:web:x#k", "type": "Ed25519VerificationKey2018", "publicKeyBase58": "1111"}
    with pytest.raises(ProofError, match="32"):
        key_from_method(vm)
