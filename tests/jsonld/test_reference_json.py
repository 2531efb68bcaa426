"""``microcred.jsonld.stringify.reference_json`` (used by ``microcred sign``) writes what
JSON.stringify(doc, null, 2) writes.

Numbers are spelled by ECMAScript Number::toString; everything else (layout, string escapes,
member order) is exactly json.dumps(indent=2, ensure_ascii=False), as before.
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from microcred.errors import MicrocredError
from microcred.jsonld import stringify
from microcred.jsonld.stringify import reference_json

NUMBERS = [2.0, -334.0, 1e-07, 1e16, 1.5e-10, 1e21, 0.1, 123456.789, 5e-324, -0.0, 1e-6, 4.5e15]


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (2.0, "2"),
        (-334.0, "-334"),
        (1e-07, "1e-7"),
        (1e16, "10000000000000000"),
        (1e21, "1e+21"),
        (1.5e-10, "1.5e-10"),
        (-0.0, "0"),
        (1e-6, "0.000001"),
        (5e-324, "5e-324"),
        (0.30000000000000004, "0.30000000000000004"),
    ],
)
def test_numbers_are_spelled_as_ecmascript(value: float, text: str) -> None:
    assert reference_json({"n": value}) == '{\n  "n": ' + text + "\n}"
    assert reference_json([value]) == "[\n  " + text + "\n]"
    assert reference_json(value) == text


def test_integers_and_other_scalars_unchanged() -> None:
    assert reference_json([2**53 - 1, True, False, None, "x"]) == json.dumps(
        [2**53 - 1, True, False, None, "x"], indent=2
    )


def test_non_finite_number_is_refused() -> None:
    with pytest.raises(MicrocredError):
        reference_json({"n": math.nan})


_json = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None)
@given(_json)
def test_without_floats_output_is_json_dumps(value: Any) -> None:
    assert reference_json(value) == json.dumps(value, ensure_ascii=False, indent=2)


@settings(max_examples=150, deadline=None)
@given(
    st.recursive(
        st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=3),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
        max_leaves=12,
    )
)
def test_floats_round_trip(value: Any) -> None:
    # "59925335502106990" is how ECMAScript spells 5.992533550210699e16: read it as a double
    assert json.loads(reference_json(value), parse_int=float) == value


@pytest.mark.interop
def test_matches_json_stringify(
    reference_batch: Callable[[list[dict[str, Any]]], list[dict[str, Any]]],
) -> None:
    values: list[Any] = [
        {"numbers": NUMBERS, "nested": {"a": [], "b": {}, "c": [{"d": 0.5}]}},
        {"text": '\u00e9\u2028\x7f\x01"\\\U0001f393', "empty": "", "list": [[], [1.25e-300]]},
        NUMBERS,
    ]
    answers = reference_batch([{"op": "stringify", "value": value} for value in values])
    assert [reference_json(value) for value in values] == [a["text"] for a in answers]


def _encoded_one_by_one(document: Any) -> str:
    """reference_json without its fast path (the layout writer): every value through the
    element-wise encoder."""

    def unusual(*_: Any) -> str:
        raise stringify._Unusual

    saved = stringify._layout
    stringify._layout = unusual  # type: ignore[assignment]
    try:
        return reference_json(document)
    finally:
        stringify._layout = saved


_LEAVES = [1, -7, 10**30, 0, True, False, None, 's\u2028"\\\x00é😀', ""]
FLOATS = [0.1, 1e21, 1e-7, -0.0, 2.0, 123456789.125, 5e-324, 1.7976931348623157e308]


def _random_value(rng: random.Random, floats: bool, depth: int = 0) -> Any:
    """Nested JSON data with awkward strings and keys (and, with ``floats``, awkward floats)."""
    roll = rng.random()
    if depth > 4 or roll < 0.3:
        if floats and roll < 0.1:
            return rng.choice(FLOATS) * rng.random()
        return rng.choice(_LEAVES)
    if roll < 0.6:
        return [_random_value(rng, floats, depth + 1) for _ in range(rng.randint(0, 4))]
    keys = ["a", "b", "c\n", "é", ""]
    return {rng.choice(keys): _random_value(rng, floats, depth + 1) for _ in range(4)}


def test_the_layout_writer_is_json_dumps_for_documents_without_floats() -> None:
    rng = random.Random(5)
    for _ in range(2000):
        document = {"x": _random_value(rng, floats=False)}
        assert reference_json(document) == json.dumps(document, ensure_ascii=False, indent=2)


def test_floats_through_the_layout_writer_come_out_as_encoding_each_value() -> None:
    rng = random.Random(12)
    for _ in range(500):
        document = {
            "a": [
                rng.choice(FLOATS) * rng.random(),
                {"b": rng.random() * 10 ** rng.randint(-30, 30)},
            ],
            "s": 'x\u2028y"\x01',
            "k\n": [1.5, [], {}, None, True, 7],
        }
        assert reference_json(document) == _encoded_one_by_one(document)


def test_a_string_holding_nul_comes_out_as_encoding_each_value() -> None:
    document = {"n": 1.5, "s": "\x000", "\x001": 2.5}
    assert reference_json(document) == _encoded_one_by_one(document)
    assert '"\\u00000"' in reference_json(document) and ": 2.5" in reference_json(document)


def test_python_json_is_json_dumps_floats_included() -> None:
    from microcred.jsonld.stringify import python_json

    rng = random.Random(21)
    for _ in range(3000):
        document = {"x": _random_value(rng, floats=True)}
        assert python_json(document) == json.dumps(document, ensure_ascii=False, indent=2)
    for odd in ({"n": float("nan")}, {"n": float("inf")}, {1: "int key"}, {"t": (1, 2)}):
        assert python_json(odd) == json.dumps(odd, ensure_ascii=False, indent=2)
