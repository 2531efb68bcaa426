"""Data Integrity ECDSA cryptosuites, verify only: ecdsa-rdfc-2019 and ecdsa-jcs-2019.

Same shape as the EdDSA suites (suites.py): transform (RDFC-1.0 or JCS), hash the proof
configuration and the document, sign ``proofConfigHash || documentHash`` with ECDSA. The hash
follows the curve (VC DI ECDSA section 3: SHA-256 for P-256, SHA-384 for P-384); the signature
is ``z`` + base58btc of the raw r || s (64 or 96 bytes). For P-384, digests made with SHA-256
(as Digital Bazaar's data-integrity library computes them for every curve) are accepted as well:
both are collision-resistant, and the ECDSA signature itself always uses SHA-384.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from microcred.errors import ProofError
from microcred.proof.chains import proof_list, referenced_proofs
from microcred.proof.multibase import b58decode
from microcred.proof.pubkeys import PublicKey, verify_ecdsa_raw
from microcred.proof.suites import (
    ECDSA_JCS_2019,
    ECDSA_SUITES,
    MAX_CLOCK_SKEW,
    Canonicalizer,
    JcsCanonicalizer,
    _check_times,
    _contexts,
    _run_jcs,
    _run_rdfc,
)

_SIGNATURE_BYTES = {"P-256": 64, "P-384": 96}


def _error(message: str, code: str = "PROOF_VERIFICATION_ERROR") -> ProofError:
    return ProofError(message, code=code)


def check_context_prefix(signed_value: Any, document: Mapping[str, Any]) -> None:
    """VC-DI "Verify Proof": a proof's own ``@context`` (URLs only) must be a prefix of the
    document's; anything else means contexts changed after signing (MC-20, as suites.py)."""
    signed, present = _contexts(signed_value), _contexts(document.get("@context"))
    if (
        "@context" not in document
        or not signed
        or not all(isinstance(c, str) for c in signed)
        or present[: len(signed)] != signed
    ):
        raise _error(
            "the proof's @context is not a prefix of the document's @context "
            "(contexts were changed, removed or reordered after signing)"
        )


def _canonical(
    suite: str,
    unsecured: Mapping[str, Any],
    proof: Mapping[str, Any],
    rdfc: Canonicalizer | None,
    jcs: JcsCanonicalizer | None,
) -> tuple[bytes, bytes]:
    """(canonical proof configuration, canonical document) as the suite transforms them."""
    document = dict(unsecured)
    config = {k: v for k, v in proof.items() if k != "proofValue"}
    if "@context" in config:
        check_context_prefix(config["@context"], document)
    if suite == ECDSA_JCS_2019:
        if "@context" in config:
            document["@context"] = config["@context"]
        return _run_jcs(jcs, config), _run_jcs(jcs, document)
    if "@context" not in document:
        raise _error(f"{suite} needs a JSON-LD document", "PROOF_TRANSFORMATION_ERROR")
    config["@context"] = document["@context"]
    return _run_rdfc(rdfc, config), _run_rdfc(rdfc, document)


def verify_ecdsa_proof(
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
    """Verify one ecdsa-rdfc-2019 / ecdsa-jcs-2019 proof of ``document``; ProofError if not."""
    suite = proof.get("cryptosuite")
    if proof.get("type") != "DataIntegrityProof" or suite not in ECDSA_SUITES:
        raise _error(f"not an ECDSA Data Integrity proof: {proof.get('type')!r} {suite!r}")
    if proof.get("proofPurpose") != expected_purpose:
        raise _error(
            f"proofPurpose is {proof.get('proofPurpose')!r}; expected {expected_purpose!r}"
        )
    if key.kind not in _SIGNATURE_BYTES:
        raise _error(
            f"{suite} needs a P-256 or P-384 key; the verification method is {key.kind}",
            "INVALID_VERIFICATION_METHOD",
        )
    value = proof.get("proofValue")
    if not isinstance(value, str) or not value.startswith("z"):
        raise _error("proofValue must be a base58btc multibase string starting with 'z'")
    signature = b58decode(value[1:], max_length=300)
    if len(signature) != _SIGNATURE_BYTES[key.kind]:
        raise _error(
            f"proofValue decodes to {len(signature)} bytes; a {key.kind} signature is "
            f"{_SIGNATURE_BYTES[key.kind]}"
        )
    _check_times(proof, now, max_clock_skew)
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    if "previousProof" in proof:
        proofs = proof_list(document, "PROOF_VERIFICATION_ERROR")
        unsecured["proof"] = referenced_proofs(proofs, proof, "PROOF_VERIFICATION_ERROR")
    canonical_config, canonical_document = _canonical(str(suite), unsecured, proof, rdfc, jcs)
    digests = [hashlib.sha384] if key.kind == "P-384" else [hashlib.sha256]
    if key.kind == "P-384":
        digests.append(hashlib.sha256)
    for digest in digests:
        hash_data = digest(canonical_config).digest() + digest(canonical_document).digest()
        if verify_ecdsa_raw(key, signature, hash_data):
            return
    raise _error(
        f"{suite} proof by {proof.get('verificationMethod')}: the signature does not match: the "
        "document or proof options changed after signing, or another key signed it",
        "CRYPTOGRAPHIC_SECURITY_ERROR",
    )
