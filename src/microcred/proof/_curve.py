"""Just enough edwards25519 arithmetic to screen points before OpenSSL sees them.

OpenSSL (through ``cryptography``) verifies with the cofactorless equation and accepts the
identity point as a public key, so a signature ``identity || 0`` verifies for every message
(MC-14). Decoding a point and multiplying it by the cofactor tells us whether it is one of the
eight small-order points; nothing here needs to be constant-time because only public values
(keys and signature ``R``) pass through it.
"""

from __future__ import annotations

P = 2**255 - 19
L = 2**252 + 27742317777372353535851937790883648493  # order of the prime subgroup
_D = (-121665 * pow(121666, P - 2, P)) % P
_SQRT_M1 = pow(2, (P - 1) // 4, P)

Point = tuple[int, int]
IDENTITY: Point = (0, 1)


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
