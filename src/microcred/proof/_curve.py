"""Just enough edwards25519 arithmetic to screen points before OpenSSL sees them.

OpenSSL (through ``cryptography``) verifies with the cofactorless equation and accepts the
identity point as a public key, so a signature ``identity || 0`` verifies for every message
(MC-14). Decoding a point and multiplying it by the cofactor tells us whether it is one of the
eight small-order points; nothing here needs to be constant-time because only public values
(keys and signature ``R``) pass through it.

That arithmetic costs eight modular exponentiations (about 0.6 ms), so the hot path compares
the 32 bytes with the eight canonical encodings of the small-order points instead: ``decode_point``
accepts only canonical encodings, so "decodes to a small-order point" and "is one of these eight
byte strings" are the same test (tests/proof/test_curve_fast.py re-derives the table with the
arithmetic below).
"""

from __future__ import annotations

P = 2**255 - 19
L = 2**252 + 27742317777372353535851937790883648493  # order of the prime subgroup
_D = (-121665 * pow(121666, P - 2, P)) % P
_SQRT_M1 = pow(2, (P - 1) // 4, P)

Point = tuple[int, int]
IDENTITY: Point = (0, 1)

SMALL_ORDER_ENCODINGS = frozenset(
    bytes.fromhex(text)
    for text in (
        "0100000000000000000000000000000000000000000000000000000000000000",  # identity
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",  # order 2
        "0000000000000000000000000000000000000000000000000000000000000000",  # order 4
        "0000000000000000000000000000000000000000000000000000000000000080",  # order 4
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",  # order 8
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",  # order 8
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",  # order 8
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",  # order 8
    )
)
"""Canonical encodings of the eight points of the torsion subgroup."""


def is_small_order_encoding(encoded: bytes) -> bool:
    """True when ``encoded`` decodes to a small-order point (no curve arithmetic)."""
    return bytes(encoded) in SMALL_ORDER_ENCODINGS


def decode_point(encoded: bytes) -> Point | None:
    """RFC 8032 section 5.1.3 decoding; ``None`` for anything but a canonical curve point."""
    if len(encoded) != 32:
        return None
    raw = int.from_bytes(encoded, "little")
    sign = raw >> 255
    y = raw & ((1 << 255) - 1)
    if y >= P:
        return None
    u = (y * y - 1) % P
    v = (_D * y * y + 1) % P
    x = (u * pow(v, 3, P) * pow(u * pow(v, 7, P), (P - 5) // 8, P)) % P
    vx2 = (v * x * x) % P
    if vx2 == u:
        pass
    elif vx2 == (-u) % P:
        x = (x * _SQRT_M1) % P
    else:
        return None
    if x == 0 and sign == 1:
        return None
    if x & 1 != sign:
        x = P - x
    return (x, y)


def _add(a: Point, b: Point) -> Point:
    # Complete twisted Edwards addition (a = -1); d is not a square, so no exceptional cases.
    x1, y1 = a
    x2, y2 = b
    t = (_D * x1 * x2 * y1 * y2) % P
    x3 = ((x1 * y2 + y1 * x2) * pow(1 + t, P - 2, P)) % P
    y3 = ((y1 * y2 + x1 * x2) * pow(1 - t, P - 2, P)) % P
    return (x3, y3)


def is_small_order_point(point: Point) -> bool:
    """True when 8 * point is the identity, i.e. the point lies in the torsion subgroup."""
    acc = point
    for _ in range(3):
        acc = _add(acc, acc)
    return acc == IDENTITY
