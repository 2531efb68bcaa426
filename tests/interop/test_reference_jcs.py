"""microcred's RFC 8785 (JCS) bytes equal npm ``canonicalize`` (what eddsa-jcs-2022 uses) on
random JSON: keys that sort differently by UTF-16 code unit and by code point, control
characters, every double shape (subnormal, huge, negative zero, shortest round-trip digits).
One node process; the run's seed is in every failure message.
"""

from __future__ import annotations

import math
import random
import struct
from typing import Any

import pytest
from interop_support import Microcred, Reference, seed_note

pytestmark = pytest.mark.interop

COUNT = 300
KEY_CHARS = 'aZ_ é\u00ff\u0100\u05d0\ud7ff\ue000\ufb33\ufeff\uffff😂𝔘\U0010fffd\x00\x1f\x7f"\\/'
TEXT_CHARS = KEY_CHARS + "\t\n\r\x08\x0c\u2028\u2029\u0301 abc"


def _double(rng: random.Random) -> float:
    while True:
        value: float = struct.unpack("<d", rng.randbytes(8))[0]
        if math.isfinite(value):
            return value


def _number(rng: random.Random) -> int | float:
    pick = rng.random()
    if pick < 0.4:
        return _double(rng)
    if pick < 0.6:
        return rng.randint(-(2**53) + 1, 2**53 - 1)
    if pick < 0.8:
        return rng.choice((0, -0.0, 1e21, 1e-7, 5e-324, 1e-6, 1e20, 0.1 + 0.2, 2**53 - 1, 4.5))
    return round(rng.uniform(-1e6, 1e6), rng.randint(0, 12))


def _text(rng: random.Random, chars: str, max_len: int) -> str:
    return "".join(rng.choice(chars) for _ in range(rng.randint(0, max_len)))


def _value(rng: random.Random, depth: int) -> Any:
    pick = rng.random() if depth < 4 else rng.random() * 0.6
    if pick < 0.2:
        return _text(rng, TEXT_CHARS, 12)
    if pick < 0.45:
        return _number(rng)
    if pick < 0.6:
        return rng.choice((True, False, None))
    if pick < 0.8:
        return [_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    return {_text(rng, KEY_CHARS, 4): _value(rng, depth + 1) for _ in range(rng.randint(0, 6))}


@pytest.fixture(scope="module")
def pairs(reference: Reference, mc: Microcred, interop_seed: str) -> list[tuple[Any, str, bytes]]:
    rng = random.Random(f"{interop_seed}/jcs")
    values = [
        {_text(rng, KEY_CHARS, 4): _value(rng, 1) for _ in range(rng.randint(1, 8))}
        for _ in range(COUNT)
    ]
    answers = reference.batch([{"op": "jcs", "value": v} for v in values])
    return [
        (v, a.get("jcs", f"ERROR {a}"), mc.jcs(v)) for v, a in zip(values, answers, strict=True)
    ]


@pytest.mark.parametrize("chunk", range(10))
def test_jcs_bytes_match_reference(pairs: list[tuple[Any, str, bytes]], chunk: int) -> None:
    for value, theirs, ours in pairs[chunk::10]:
        assert ours == theirs.encode("utf-8"), f"{seed_note()}\ninput: {value!r}"
