"""ecdsa-jcs-2019 / ecdsa-rdfc-2019 verification (proof/ecdsa.py), with a TEST-ONLY signer.

The reference stack signs and verifies the same forms in tests/interop/test_reference_suites.py.
"""

from __future__ import annotations

import copy
import hashlib
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from microcred.errors import ProofError
from microcred.jsonld.jcs import jcs
from microcred.proof.ecdsa import verify_ecdsa_proof
from microcred.proof.multibase import b58encode
from microcred.proof.pubkeys import PublicKey

CURVES = {
    "P-256": (ec.SECP256R1(), hashes.SHA256(), hashlib.sha256, 32),
    "P-384": (ec.SECP384R1(), hashes.SHA384(), hashlib.sha384, 48),
}
DOC = {
    "@context": ["https://www.w3.org/ns/credentials/v2"],
    "type": ["VerifiableCredential"],
    "issuer": "did:example:i",
    "credentialSubject": {"id": "did:example:s"},
    "n": 1e20,
}


def _signed(curve: str) -> tuple[dict[str, Any], PublicKey]:
    ec_curve, algorithm, digest, size = CURVES[curve]  # type: ignore[misc]
    private = ec.generate_private_key(ec_curve)
    point = private.public_key().public_bytes(Encoding.X962, PublicFormat.CompressedPoint)
    proof: dict[str, Any] = {
        "type": "DataIntegrityProof",
        "cryptosuite": "ecdsa-jcs-2019",
        "verificationMethod": "did:example:i#k",
        "proofPurpose": "assertionMethod",
        "@context": DOC["@context"],
    }
    data = digest(jcs(proof)).digest() + digest(jcs(DOC)).digest()
    r, s = decode_dss_signature(private.sign(data, ec.ECDSA(algorithm)))
    proof["proofValue"] = "z" + b58encode(r.to_bytes(size, "big") + s.to_bytes(size, "big"))
    return {**DOC, "proof": proof}, PublicKey(curve, point)  # type: ignore[arg-type]


@pytest.mark.parametrize("curve", ["P-256", "P-384"])
def test_signed_verifies_and_changes_do_not(curve: str) -> None:
    doc, key = _signed(curve)
    verify_ecdsa_proof(doc, doc["proof"], key, jcs=jcs)
    changed = copy.deepcopy(doc)
    changed["n"] = 2
    with pytest.raises(ProofError) as info:
        verify_ecdsa_proof(changed, changed["proof"], key, jcs=jcs)
    assert info.value.code == "CRYPTOGRAPHIC_SECURITY_ERROR"


def test_a_proof_context_changed_after_signing_is_refused() -> None:
    doc, key = _signed("P-256")
    proof = {**doc["proof"], "@context": [{"@vocab": "https://example.org/"}]}
    with pytest.raises(ProofError, match="prefix"):
        verify_ecdsa_proof(doc, proof, key, jcs=jcs)


def test_the_key_must_be_an_ecdsa_key_of_the_right_size() -> None:
    doc, _ = _signed("P-256")
    with pytest.raises(ProofError) as info:
        verify_ecdsa_proof(doc, doc["proof"], PublicKey("Ed25519", b"\x01" * 32), jcs=jcs)
    assert info.value.code == "INVALID_VERIFICATION_METHOD"
    _, other = _signed("P-384")
    with pytest.raises(ProofError, match="96"):
        verify_ecdsa_proof(doc, doc["proof"], other, jcs=jcs)
