"""Strict base58btc / base64url codecs and the two multibase headers the suites allow.

Lenient decoders are an attack surface (MC-11, MC-12): a decoder that skips unknown characters
or pads silently lets two different strings mean the same bytes. Every decoder here accepts only
the canonical text of its output, so ``encode(decode(s)) == s`` for every accepted ``s``.
"""

from __future__ import annotations

import base64
import binascii
import re

from microcred.errors import ProofError

B58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {ch: i for i, ch in enumerate(B58_ALPHABET)}
_B64URL_RE = re.compile(r"[A-Za-z0-9_-]*", re.ASCII)

# Every multibase value microcred meets (keys, signatures) is < 200 characters; big-integer
# base58 decoding is quadratic, so refuse absurd input before doing any work.
MAX_B58_LENGTH = 4096


def _malformed(message: str) -> ProofError:
    return ProofError(message, code="MALFORMED_VALUE_ERROR")


def b58encode(data: bytes) -> str:
    """base58btc with one leading ``1`` per leading zero byte (Bitcoin alphabet)."""
    zeros = len(data) - len(data.lstrip(b"\0"))
    number = int.from_bytes(data, "big")
    digits: list[str] = []
    while number:
        number, rem = divmod(number, 58)
        digits.append(B58_ALPHABET[rem])
    return "1" * zeros + "".join(reversed(digits))


def b58decode(text: str, *, max_length: int = MAX_B58_LENGTH) -> bytes:
    """Inverse of :func:`b58encode`; any character outside the alphabet is an error."""
    if not isinstance(text, str):
        raise _malformed(f"base58btc value must be a string, not {type(text).__name__}")
    if len(text) > max_length:
        raise _malformed(f"base58btc value is {len(text)} characters long (limit {max_length})")
    number = 0
    for position, ch in enumerate(text):
        digit = _B58_INDEX.get(ch)
        if digit is None:
            raise _malformed(
                f"base58btc value has {ch!r} at position {position}, which is not in the "
                "base58btc alphabet (0, O, I and l never occur)"
            )
        number = number * 58 + digit
    zeros = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * zeros + body


def b64url_encode(data: bytes) -> str:
    """base64url without padding (RFC 4648 section 5)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Strict base64url-no-pad: no ``=``, no ``+``/``/``, no whitespace, no stray bits."""
    if not isinstance(text, str):
        raise _malformed(f"base64url value must be a string, not {type(text).__name__}")
    if not _B64URL_RE.fullmatch(text):
        bad = next(ch for ch in text if not _B64URL_RE.fullmatch(ch))
        hint = " (padding is not allowed)" if bad == "=" else ""
        raise _malformed(f"base64url value contains {bad!r}{hint}")
    if len(text) % 4 == 1:
        raise _malformed("base64url value has an impossible length (one extra character)")
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:  # pragma: no cover - the regex already screens
        raise _malformed(f"base64url value does not decode: {exc}") from exc
    if b64url_encode(data) != text:
        raise _malformed("base64url value is not canonical (its last character has stray bits)")
    return data


def multibase_encode_b58(data: bytes) -> str:
    """``z`` + base58btc: the only encoding the EdDSA suites emit."""
    return "z" + b58encode(data)


def multibase_decode(value: str) -> bytes:
    """Decode ``z`` (base58btc) or ``u`` (base64url, no padding); every other header is refused."""
    if not isinstance(value, str):
        raise _malformed(f"multibase value must be a string, not {type(value).__name__}")
    if not value:
        raise _malformed("multibase value is empty")
    header, body = value[0], value[1:]
    if header == "z":
        return b58decode(body)
    if header == "u":
        return b64url_decode(body)
    raise _malformed(
        f"multibase header {header!r} is not supported: use 'z' (base58btc) or 'u' (base64url)"
    )
