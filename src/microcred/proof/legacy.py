"""Ed25519Signature2018, verify only (legacy Linked Data Signatures, VC 1.1 era badges).

The proof carries a detached JWS (RFC 7515 with RFC 7797 ``b64: false``): ``jws`` is
``<base64url header>..<base64url signature>``, the header exactly ``alg EdDSA``, ``b64 false``,
``crit ["b64"]``. What is signed is ``<header>.`` followed by the raw 64 bytes
``sha256(canonical proof options) || sha256(canonical document)`` (RDFC-1.0 / URDNA2015). The
proof options are the proof without ``jws``/``proofValue``/``signatureValue`` under the
document's ``@context``; jsonld-signatures before version 6 used the security v2 context there
instead, so that form is accepted too.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from microcred._util import loads_strict
from microcred.errors import MicrocredError, ProofError
from microcred.proof.ecdsa import check_context_prefix
from microcred.proof.keys import verify_ed25519
from microcred.proof.multibase import b64url_decode
from microcred.proof.pubkeys import PublicKey
from microcred.proof.suites import (
    ED25519_SIGNATURE_2018,
    MAX_CLOCK_SKEW,
    Canonicalizer,
    _check_times,
    _run_rdfc,
)

SECURITY_V2 = "https://w3id.org/security/v2"
_HEADER = {"alg": "EdDSA", "b64": False, "crit": ["b64"]}


def _error(message: str, code: str = "PROOF_VERIFICATION_ERROR") -> ProofError:
    return ProofError(message, code=code)


def _detached_jws(value: Any) -> tuple[bytes, bytes]:
    """(signing-input prefix ``<header>.``, signature) of a detached, unencoded-payload JWS."""
    if not isinstance(value, str) or value.count(".") != 2:
        raise _error("an Ed25519Signature2018 proof needs 'jws' of the form <header>..<signature>")
    header_text, payload, signature_text = value.split(".")
    if payload:
        raise _error("the proof's jws must be detached (nothing between the two dots)")
    try:
        header = loads_strict(b64url_decode(header_text))
        signature = b64url_decode(signature_text)
    except (MicrocredError, ValueError) as exc:
        raise _error(f"the proof's jws does not decode: {exc}") from None
    if header != _HEADER:
        raise _error(f"the jws header must be {json.dumps(_HEADER)}, found {header!r}")
    if len(signature) != 64:
        raise _error(f"the jws signature is {len(signature)} bytes; an Ed25519 signature is 64")
    return (header_text + ".").encode("ascii"), signature


def verify_ed25519_2018(
    document: Mapping[str, Any],
    proof: Mapping[str, Any],
    key: PublicKey,
    *,
    rdfc: Canonicalizer | None = None,
    expected_purpose: str = "assertionMethod",
    now: datetime | None = None,
    max_clock_skew: timedelta = MAX_CLOCK_SKEW,
) -> None:
    """Verify one Ed25519Signature2018 proof of ``document``; ProofError if it does not."""
    if proof.get("type") != ED25519_SIGNATURE_2018:
        raise _error(f"not an Ed25519Signature2018 proof: {proof.get('type')!r}")
    if proof.get("proofPurpose") != expected_purpose:
        raise _error(
            f"proofPurpose is {proof.get('proofPurpose')!r}; expected {expected_purpose!r}"
        )
    if key.kind != "Ed25519":
        raise _error(
            f"Ed25519Signature2018 needs an Ed25519 key, not {key.kind}",
            "INVALID_VERIFICATION_METHOD",
        )
    prefix, signature = _detached_jws(proof.get("jws"))
    _check_times(proof, now, max_clock_skew)
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    if "@context" not in unsecured:
        raise _error("Ed25519Signature2018 needs a JSON-LD document", "PROOF_TRANSFORMATION_ERROR")
    document_hash = hashlib.sha256(_run_rdfc(rdfc, unsecured)).digest()
    options = {k: v for k, v in proof.items() if k not in ("jws", "proofValue", "signatureValue")}
    if "@context" in options:
        check_context_prefix(options["@context"], unsecured)
    contexts = [options.get("@context", unsecured["@context"])]
    if "@context" not in options:
        contexts.append(SECURITY_V2)
    for context in contexts:
        config = {**options, "@context": context}
        proof_hash = hashlib.sha256(_run_rdfc(rdfc, config)).digest()
        if verify_ed25519(key.data, signature, prefix + proof_hash + document_hash):
            return
    raise _error(
        f"Ed25519Signature2018 proof by {proof.get('verificationMethod')}: the signature does "
        "not match: the document or proof options changed after signing, or another key signed it",
        "CRYPTOGRAPHIC_SECURITY_ERROR",
    )
