"""The byte-table small-order test agrees with the curve arithmetic it replaces (issue 12)."""

from __future__ import annotations

import random

from microcred.proof import _curve
from microcred.proof.keys import is_small_order, is_valid_point, verify_ed25519


def _slow_small_order(encoded: bytes) -> bool:
    point = _curve.decode_point(encoded)
    return point is not None and _curve.is_small_order_point(point)


def _multiply(point: _curve.Point, scalar: int) -> _curve.Point:
    acc = _curve.IDENTITY
    while scalar:
        if scalar & 1:
            acc = _curve._add(acc, point)
        point = _curve._add(point, point)
        scalar >>= 1
    return acc


def _encode(point: _curve.Point) -> bytes:
    x, y = point
    return (y | ((x & 1) << 255)).to_bytes(32, "little")


def test_table_is_the_torsion_subgroup_derived_from_the_arithmetic() -> None:
    # [L]P of a point of full order 8L generates the eight torsion points.
    for y in range(2, 100):
        point = _curve.decode_point(y.to_bytes(32, "little"))
        if point is None:
            continue
        torsion = _multiply(point, _curve.L)
        multiples = {_encode(_multiply(torsion, k)) for k in range(8)}
        if len(multiples) == 8:
            break
    assert multiples == _curve.SMALL_ORDER_ENCODINGS
    assert all(_slow_small_order(e) for e in multiples)


def test_fast_and_slow_agree_on_edge_encodings() -> None:
    candidates = set()
    for encoded in _curve.SMALL_ORDER_ENCODINGS:
        value = int.from_bytes(encoded, "little")
        y = value & ((1 << 255) - 1)
        for sign in (0, 1):
            for alias in (y, y + _curve.P):  # the non-canonical spelling when it fits
                if alias < 1 << 255:
                    candidates.add((alias | (sign << 255)).to_bytes(32, "little"))
    rng = random.Random(12)
    candidates |= {rng.randbytes(32) for _ in range(300)}
    disagreements = [c.hex() for c in candidates if is_small_order(c) != _slow_small_order(c)]
    assert disagreements == []
    # Non-canonical aliases of small-order points are neither small-order nor valid here.
    alias = (1 + _curve.P).to_bytes(32, "little")
    assert not is_valid_point(alias) and not is_small_order(alias)


def test_small_order_r_or_key_never_verifies() -> None:
    for encoded in _curve.SMALL_ORDER_ENCODINGS:
        forged = encoded + bytes(32)
        assert not verify_ed25519(encoded, forged, b"any message")
