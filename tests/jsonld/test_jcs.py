"""RFC 8785 JCS: the RFC/cyberphone vectors, UTF-16 key order, ES6 numbers, I-JSON refusals."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from c14n import canonicalize as reference_jcs  # pyld's dependency: an independent implementation
from hypothesis import given, settings
from hypothesis import strategies as st

from microcred.errors import JsonLdError
from microcred.jsonld import jcs
from microcred.jsonld.jcs import es6_number

from .conftest import STANDARDS_AT_COLLECTION

JCS_DIR = Path("vectors") / "jcs-rfc8785"


def _vector_names() -> list[Any]:
    folder = STANDARDS_AT_COLLECTION / JCS_DIR / "input"
    if not folder.is_dir():  # skipped loudly by tests/conftest.py
        return [pytest.param("missing", id="standards-pack-missing")]
    return [pytest.param(p.stem, id=p.stem) for p in sorted(folder.glob("*.json"))]


@pytest.mark.conformance
@pytest.mark.parametrize("name", _vector_names())
def test_rfc8785_vectors(standards: Path, name: str) -> None:
    folder = standards / JCS_DIR
    value = json.loads((folder / "input" / f"{name}.json").read_text(encoding="utf-8"))
    expected = (folder / "output" / f"{name}.json").read_bytes()
    expected_hex = bytes.fromhex((folder / "outhex" / f"{name}.txt").read_text().replace(" ", ""))
    assert jcs(value) == expected == expected_hex


def test_keys_sort_by_utf16_code_units() -> None:
    # U+1F600 is D83D DE00 in UTF-16, so it sorts before U+FB01 (code point order differs).
    value = {"\ufb01": 1, "\U0001f600": 2, "a": 3, "\u00e9": 4}
    assert jcs(value) == '{"a":3,"é":4,"😀":2,"ﬁ":1}'.encode()
    assert sorted(value) != ["a", "é", "😀", "ﬁ"]  # the naive order would be wrong


@pytest.mark.parametrize(
    ("number", "text"),
    [
        (0.0, "0"),
        (-0.0, "0"),
        (1.0, "1"),
        (4.5, "4.5"),
        (1e21, "1e+21"),
        (1e20, "100000000000000000000"),
        (1e-6, "0.000001"),
        (1e-7, "1e-7"),
        (-1.5e-7, "-1.5e-7"),
        (333333333.33333329, "333333333.3333333"),
        (1e30, "1e+30"),
        (5e-324, "5e-324"),
        (1.7976931348623157e308, "1.7976931348623157e+308"),
        (295147905179352830000.0, "295147905179352830000"),
        (0.1 + 0.2, "0.30000000000000004"),
    ],
)
def test_es6_number_format(number: float, text: str) -> None:
    assert es6_number(number) == text


def test_strings_escape_minimally() -> None:
    assert jcs('\u0001\b\t\n\f\r"\\/\u007f\u2028é') == (
        '"\\u0001\\b\\t\\n\\f\\r\\"\\\\/\u007f\u2028é"'.encode()
    )


@pytest.mark.parametrize(
    "value",
    [
        math.nan,
        math.inf,
        -math.inf,
        2**53,
        -(2**53),
        "\ud800",
        {"k\udc00": 1},
        {1: "x"},
        b"x",
        {"set"},
        object(),
    ],
    ids=[
        "nan",
        "inf",
        "-inf",
        "2**53",
        "-2**53",
        "lone-surrogate",
        "surrogate-key",
        "int-key",
        "bytes",
        "set",
        "object",
    ],
)
def test_non_i_json_is_refused(value: Any) -> None:
    with pytest.raises(JsonLdError):
        jcs(value)


def test_deep_nesting_is_refused_not_crashing() -> None:
    value: Any = []
    for _ in range(5000):
        value = [value]
    with pytest.raises(JsonLdError):
        jcs(value)


_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(st.characters(exclude_categories=["Cs"])),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.text(st.characters(exclude_categories=["Cs"]), max_size=4), children, max_size=4
        )
    ),
    max_leaves=8,
)


@settings(max_examples=100, deadline=None)
@given(_json)
def test_agrees_with_reference_implementation(value: Any) -> None:
    assert jcs(value) == reference_jcs(value)


def _number(text: str) -> int | float:
    # ES6 prints large doubles as long integers ("53964124227253460"); read them as doubles.
    number = int(text)
    return number if abs(number) <= 2**53 - 1 else float(text)


@settings(max_examples=100, deadline=None)
@given(_json)
def test_output_parses_back_to_the_same_value(value: Any) -> None:
    assert json.loads(jcs(value), parse_int=_number) == value


def test_the_json_dumps_path_equals_rfc8785() -> None:
    import importlib
    import random

    import rfc8785

    jcs_module = importlib.import_module("microcred.jsonld.jcs")

    rng = random.Random(8785)
    alphabet = ["a", "Z", "é", "\x00", "\x1f", "\x7f", '"', "\\", "\n", "\b", "\u2028", "\ue000",
                "\uffff", "😀", "\U0010ffff", "/", " ", "0"]  # fmt: skip

    def text() -> str:
        return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 5)))

    def value(depth: int = 0) -> Any:
        roll = rng.random()
        if depth > 3 or roll < 0.35:
            return rng.choice([text(), 0, -7, 2**53 - 1, True, False, None, 1.5, 1e21])
        if roll < 0.6:
            return [value(depth + 1) for _ in range(rng.randint(0, 3))]
        return {text(): value(depth + 1) for _ in range(rng.randint(0, 4))}

    fast = 0
    for _ in range(4000):
        document = value()
        want = rfc8785.dumps(jcs_module._plain(document, 0))
        assert jcs_module.jcs(document) == want, document
        fast += max(want.decode(), default="") < "\ue000" and "." not in want.decode()
    assert fast > 500  # the json.dumps path really ran


def test_floats_take_the_json_dumps_path_only_where_both_spell_them_alike() -> None:
    import math
    import random
    import struct

    import rfc8785

    from microcred.jsonld.jcs import jcs

    rng = random.Random(1e-4)
    edges = [1e-4, 1e16, 1e-6, 1e21, 5e-324, 2.0**53, 0.1 + 0.2, 1 / 3, 2.0, -0.0, 0.0, 1.5]
    edges += [math.nextafter(x, d) for x in (1e-4, 1e16, 1e-6, 1e21) for d in (0, math.inf)]
    samples = edges + [-x for x in edges]
    for _ in range(40000):
        roll = rng.random()
        if roll < 0.4:  # any double at all
            (x,) = struct.unpack("<d", rng.getrandbits(64).to_bytes(8, "little"))
            if not math.isfinite(x):
                continue
        elif roll < 0.8:  # decimals people write: 1.5, 0.25, 12.75, 0.001
            x = round(rng.uniform(-1e6, 1e6), rng.randint(0, 6)) * 10 ** rng.randint(-8, 8)
        else:  # around the bounds where the notations change
            x = rng.choice([1e-4, 1e16, 1e-6, 1e21]) * rng.uniform(0.5, 2)
        samples.append(x)
    for x in samples:
        document = {"n": x, "list": [x, 1]}
        assert jcs(document) == rfc8785.dumps(document), x


def test_parsed_json_and_the_same_value_built_in_code_canonicalise_alike() -> None:
    """Plain dicts and lists are read in place; other mappings and sequences are copied
    first. Both give the same bytes, and the same refusals with the same words."""
    from types import MappingProxyType

    document = {"b": [1, 2.5, "é", None, True], "a": {"z": "😀", "y": [{"x": 1e-7}]}}
    built = MappingProxyType(
        {"b": (1, 2.5, "é", None, True), "a": MappingProxyType({"z": "😀", "y": [{"x": 1e-7}]})}
    )
    assert jcs(document) == jcs(built) == reference_jcs(document)
    assert jcs({"k": "plain"}) == b'{"k":"plain"}'
    for bad, words in (
        ({"k": "\ud800"}, "string contains a lone UTF-16 surrogate"),
        ({"\udfff": 1}, "object key contains a lone UTF-16 surrogate"),
        ({"n": 2**53}, "outside the I-JSON range"),
        ([float("nan")], "is not a JSON number"),
        ({1: "x"}, "is not a string"),
    ):
        with pytest.raises(JsonLdError, match=words):
            jcs(bad)
