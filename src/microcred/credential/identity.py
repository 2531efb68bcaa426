"""Recipient identifiers: salted IdentityHash (OB 3.0 'IdentityObject'), never a plain e-mail."""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
from typing import Any

SALT_BYTES = 16


def normalise_email(email: str) -> str:
    """Trim, NFC and lower-case: OB defines no normalisation, so microcred states its own.

    Applied identically at issue time and by ``verify --recipient`` so the same person always
    matches, whatever case they type their address in.
    """
    return unicodedata.normalize("NFC", email.strip()).lower()


def new_salt() -> str:
    """A fresh random salt per credential: stops dictionary correlation across credentials."""
    import secrets  # issuing only: a verify never draws a salt (3 ms of its start-up)

    return secrets.token_hex(SALT_BYTES)


def identity_hash(value: str, salt: str | None, algorithm: str = "sha256") -> str:
    """``<alg>$<hex>`` of UTF-8(value + salt), as OB 3.0 IdentityHash defines it."""
    if algorithm not in ("sha256", "md5"):
        raise ValueError(f"unsupported identity hash algorithm {algorithm!r}")
    data = (value + (salt or "")).encode("utf-8")
    digest = hashlib.new(algorithm, data, usedforsecurity=False).hexdigest()
    return f"{algorithm}${digest}"


def email_identity(email: str, salt: str) -> dict[str, Any]:
    return {
        "type": "IdentityObject",
        "identityHash": identity_hash(normalise_email(email), salt),
        "identityType": "emailAddress",
        "hashed": True,
        "salt": salt,
    }


def matches_identity(identity: dict[str, Any], value: str) -> bool:
    """Does a known value (e-mail, name, id...) match one IdentityObject? Constant-time compare."""
    if not isinstance(identity, dict):
        return False
    given = identity.get("identityHash")
    if not isinstance(given, str):
        return False
    candidate = normalise_email(value) if identity.get("identityType") == "emailAddress" else value
    if identity.get("hashed") is not True:
        return hmac.compare_digest(given.encode(), candidate.encode())
    alg, sep, hexpart = given.partition("$")
    if not sep or alg.lower() not in ("sha256", "md5"):
        return False
    salt = identity.get("salt")
    expected = identity_hash(candidate, salt if isinstance(salt, str) else None, alg.lower())
    return hmac.compare_digest(expected.split("$", 1)[1], hexpart.lower())
