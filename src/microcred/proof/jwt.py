"""Compact JWS (RFC 7515) as VC-JWT uses it (OB 3.0 section 8.2; VC-JOSE-COSE), verify only.

Strict reading: three base64url parts without padding, a JSON object header without duplicate
members, an ``alg`` microcred verifies (EdDSA, ES256, ES384, RS256), no ``crit`` extension it
does not understand (so ``b64: false`` is refused), never ``alg: none``. The signature covers
the ASCII bytes ``<header>.<payload>`` exactly as received. Which key to use is the caller's
business (a pinned DID / controller document or a JWK the user gives): a key carried in the
header (``jwk``, ``x5c``, ``jku``) proves nothing about the issuer and is never used on its own.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from microcred._util import loads_strict
from microcred.errors import MicrocredError, ProofError
from microcred.proof.multibase import b64url_decode
from microcred.proof.pubkeys import PublicKey, verify_with

ALGORITHMS: Mapping[str, str] = {
    "EdDSA": "Ed25519",
    "ES256": "P-256",
    "ES384": "P-384",
    "RS256": "RSA",
}
COMPACT_RE = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*", re.ASCII)
MAX_JWT_CHARS = 5_000_000
_SIGNATURE_BYTES = {"Ed25519": (64,), "P-256": (64,), "P-384": (96,)}


def _error(message: str, code: str = "PARSING_ERROR") -> ProofError:
    return ProofError(message, code=code)


@dataclass(frozen=True)
class CompactJws:
    header: Mapping[str, Any]
    payload: bytes
    signing_input: bytes
    signature: bytes

    @property
    def alg(self) -> str:
        return str(self.header.get("alg"))

    @property
    def kid(self) -> str | None:
        kid = self.header.get("kid")
        return kid if isinstance(kid, str) and kid else None


def is_compact_jws(text: str) -> bool:
    return len(text) <= MAX_JWT_CHARS and bool(COMPACT_RE.fullmatch(text))


def parse_compact(text: str) -> CompactJws:
    """Split and decode a compact JWS; ProofError (PARSING_ERROR / PROOF_VERIFICATION_ERROR)."""
    text = text.strip()
    if not is_compact_jws(text):
        raise _error("not a compact JWS: expected <header>.<payload>.<signature> in base64url")
    header_text, payload_text, signature_text = text.split(".")
    try:
        header = loads_strict(b64url_decode(header_text))
        payload = b64url_decode(payload_text)
        signature = b64url_decode(signature_text)
    except (MicrocredError, ValueError) as exc:
        raise _error(f"the JWT does not decode: {exc}") from None
    if not isinstance(header, dict):
        raise _error("the JWT header is not a JSON object")
    alg = header.get("alg")
    if alg == "none" or not isinstance(alg, str):
        raise _error(
            f"the JWT header alg is {alg!r}: an unsigned JWT proves nothing",
            "PROOF_VERIFICATION_ERROR",
        )
    if "crit" in header:
        raise _error(
            f"the JWT header marks {header['crit']!r} critical; microcred understands no "
            "JWS extension (b64: false and the like are refused)",
            "PROOF_VERIFICATION_ERROR",
        )
    return CompactJws(header, payload, f"{header_text}.{payload_text}".encode("ascii"), signature)


def verify_compact(jws: CompactJws, key: PublicKey) -> bool:
    """Whether ``key`` signed ``jws`` with its ``alg`` (the key kind must match the alg)."""
    wanted = ALGORITHMS.get(jws.alg)
    if wanted is None or key.kind != wanted:
        return False
    sizes = _SIGNATURE_BYTES.get(key.kind)
    if sizes is not None and len(jws.signature) not in sizes:
        return False
    return verify_with(key, jws.signature, jws.signing_input)
