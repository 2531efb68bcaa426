"""Which suite a proof uses, and verifying it with a key of any kind microcred supports.

Verified: DataIntegrityProof with eddsa-rdfc-2022, eddsa-jcs-2022, eddsa-2022 (legacy),
ecdsa-rdfc-2019, ecdsa-jcs-2019; Ed25519Signature2020 and Ed25519Signature2018 (legacy).
Proof formats that exist but microcred does not check raise :class:`UnsupportedProof` with the
name of a verifier that does: the answer is "undecided", never "invalid" (a credential is not
defective because microcred lacks a suite).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from microcred.errors import ProofError
from microcred.proof.pubkeys import PublicKey
from microcred.proof.suites import (
    ECDSA_SUITES,
    ED25519_SIGNATURE_2018,
    ED25519_SIGNATURE_2020,
    EDDSA_2022,
    EDDSA_JCS_2022,
    EDDSA_RDFC_2022,
    MAX_CLOCK_SKEW,
    Canonicalizer,
    JcsCanonicalizer,
    verify_proof,
)

UNSUPPORTED_FORMAT = "UNSUPPORTED_FORMAT"
DI_SUITES = (EDDSA_RDFC_2022, EDDSA_JCS_2022, EDDSA_2022, *ECDSA_SUITES)
LEGACY = (ED25519_SIGNATURE_2020, ED25519_SIGNATURE_2018, EDDSA_2022)
OTHER_CRYPTOSUITES: Mapping[str, str] = {
    "ecdsa-sd-2023": "a selective-disclosure verifier such as Digital Bazaar's "
    "@digitalbazaar/ecdsa-sd-2023-cryptosuite",
    "bbs-2023": "a BBS verifier such as Digital Bazaar's @digitalbazaar/bbs-2023-cryptosuite",
    "eddsa-sd-2023": "a selective-disclosure verifier that implements eddsa-sd-2023",
    "ecdsa-secp256k1-2019": "a verifier that implements secp256k1 Data Integrity proofs",
}
OTHER_PROOF_TYPES: Mapping[str, str] = {
    "MerkleProof2019": "the Blockcerts verifier (cert-verifier-js), which checks the "
    "blockchain anchor",
    "EcdsaSecp256k1Signature2019": "a Linked Data Signatures verifier with secp256k1 support "
    "(for example Veramo or Sphereon)",
    "EcdsaSecp256k1RecoverySignature2020": "a Linked Data Signatures verifier with "
    "secp256k1 recovery support (for example Veramo)",
    "JsonWebSignature2020": "a verifier with JsonWebSignature2020 support (for example "
    "Transmute's or Sphereon's libraries)",
    "RsaSignature2018": "a Linked Data Signatures verifier with RsaSignature2018 support",
    "BbsBlsSignature2020": "a BBS+ verifier (for example MATTR's jsonld-signatures-bbs)",
    "EcdsaSecp256r1Signature2019": "a verifier that implements EcdsaSecp256r1Signature2019",
}


class UnsupportedProof(ProofError):
    """A real proof format microcred does not check (undecided, not invalid)."""

    code = UNSUPPORTED_FORMAT


def is_known_unsupported(proof: Mapping[str, Any]) -> bool:
    """A proof type or cryptosuite that exists in the wild but is not checked here."""
    kind, suite = proof.get("type"), proof.get("cryptosuite")
    if not isinstance(kind, str):  # an array or object names no format (and is unhashable)
        return False
    return kind in OTHER_PROOF_TYPES or (
        kind == "DataIntegrityProof" and isinstance(suite, str) and suite in OTHER_CRYPTOSUITES
    )


def _unknown(what: str) -> ProofError:
    return ProofError(
        f"unsupported suite: {what} is not a proof format microcred knows of (verified: "
        f"DataIntegrityProof with {', '.join(DI_SUITES)}; {ED25519_SIGNATURE_2020}, "
        f"{ED25519_SIGNATURE_2018})",
        code="PROOF_VERIFICATION_ERROR",
    )


def classify(proof: Mapping[str, Any]) -> str:
    """The suite of a proof. A real format microcred does not check raises UnsupportedProof
    (undecided); a name no specification defines is refused like a malformed proof (MC-16)."""
    kind, suite = proof.get("type"), proof.get("cryptosuite")
    if not isinstance(kind, str) or not isinstance(suite, str | None):
        # An array or object is no suite name (and is unhashable: never a lookup key).
        raise _unknown(f"proof type {kind!r} with cryptosuite {suite!r}")
    if kind == "DataIntegrityProof":
        if suite in DI_SUITES:
            return str(suite)
        if suite in OTHER_CRYPTOSUITES:
            raise UnsupportedProof(
                f"microcred does not check DataIntegrityProof with cryptosuite {suite!r} — "
                f"verify it with {OTHER_CRYPTOSUITES[str(suite)]}"
            )
        raise _unknown(f"DataIntegrityProof with cryptosuite {suite!r}")
    if kind in (ED25519_SIGNATURE_2020, ED25519_SIGNATURE_2018):
        if suite is not None:
            raise _unknown(f"a {kind} proof with a cryptosuite ({suite!r})")
        return str(kind)
    if kind in OTHER_PROOF_TYPES:
        raise UnsupportedProof(
            f"microcred does not check proofs of type {kind!r} — verify it with "
            f"{OTHER_PROOF_TYPES[str(kind)]}"
        )
    raise _unknown(f"proof type {kind!r}")


def verify_any(
    document: Mapping[str, Any],
    proof: Mapping[str, Any],
    key: PublicKey,
    *,
    rdfc: Canonicalizer | None = None,
    jcs: JcsCanonicalizer | None = None,
    expected_purpose: str = "assertionMethod",
    now: datetime | None = None,
    max_clock_skew: timedelta = MAX_CLOCK_SKEW,
) -> None:
    """Verify one proof of ``document`` with ``key``; ProofError (or UnsupportedProof) if not."""
    suite = classify(proof)
    if suite in ECDSA_SUITES:
        from microcred.proof.ecdsa import verify_ecdsa_proof  # such proofs only

        verify_ecdsa_proof(
            document,
            proof,
            key,
            rdfc=rdfc,
            jcs=jcs,
            expected_purpose=expected_purpose,
            now=now,
            max_clock_skew=max_clock_skew,
        )
        return
    if key.kind != "Ed25519":
        raise ProofError(
            f"{suite} needs an Ed25519 key; the verification method is {key.kind}",
            code="INVALID_VERIFICATION_METHOD",
        )
    if suite == ED25519_SIGNATURE_2018:
        from microcred.proof.legacy import verify_ed25519_2018  # such proofs only

        verify_ed25519_2018(
            document,
            proof,
            key,
            rdfc=rdfc,
            expected_purpose=expected_purpose,
            now=now,
            max_clock_skew=max_clock_skew,
        )
        return
    verify_proof(
        document,
        proof,
        key.data,
        rdfc=rdfc,
        jcs=jcs,
        expected_purpose=expected_purpose,
        now=now,
        max_clock_skew=max_clock_skew,
    )
