"""did:key for Ed25519, resolved locally (no registry, no network).

Errors carry the did:key spec's names (invalidDid, invalidPublicKeyLength, invalidPublicKey,
unsupportedPublicKeyType) in the message and code INVALID_VERIFICATION_METHOD, so a verifier can
report them unchanged.
"""

from __future__ import annotations

import re
from typing import Any

from microcred.errors import ProofError
from microcred.proof.keys import check_public_key, multikey_from_public, public_key_from_multikey

DID_KEY_RE = re.compile(r"did:key:z[a-km-zA-HJ-NP-Z1-9]+", re.ASCII)
DID_V1 = "https://www.w3.org/ns/did/v1"
MULTIKEY_V1 = "https://w3id.org/security/multikey/v1"
RELATIONSHIPS = (
    "authentication",
    "assertionMethod",
    "capabilityInvocation",
    "capabilityDelegation",
)


def did_key_from_public(public_key: bytes) -> str:
    """``did:key:z6Mk…`` of a 32-byte Ed25519 public key (refuses invalid and small-order keys)."""
    return "did:key:" + multikey_from_public(check_public_key(public_key))


def did_key_public_key(did: str) -> bytes:
    """The Ed25519 public key a did:key names, with every check of :func:`resolve_did_key`."""
    if not isinstance(did, str) or not DID_KEY_RE.fullmatch(did):
        shown = did if isinstance(did, str) else type(did).__name__
        raise ProofError(
            f"{shown!r} is not a did:key: invalidDid: expected did:key:z… with base58btc "
            "characters only (no version segment, no fragment, no query)",
            code="INVALID_VERIFICATION_METHOD",
        )
    try:
        return public_key_from_multikey(did[len("did:key:") :])
    except ProofError as exc:
        raise ProofError(f"{did}: {exc.message}", code="INVALID_VERIFICATION_METHOD") from exc


def resolve_did_key(did: str) -> dict[str, Any]:
    """The DID document of an Ed25519 did:key: one Multikey VM ``did#<multibase>`` controlled by
    the DID and referenced from every verification relationship."""
    public_key = did_key_public_key(did)
    multikey = multikey_from_public(public_key)
    vm_id = f"{did}#{multikey}"
    document: dict[str, Any] = {
        "@context": [DID_V1, MULTIKEY_V1],
        "id": did,
        "verificationMethod": [
            {"id": vm_id, "type": "Multikey", "controller": did, "publicKeyMultibase": multikey}
        ],
    }
    for relationship in RELATIONSHIPS:
        document[relationship] = [vm_id]
    return document
