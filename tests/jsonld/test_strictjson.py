"""loads_strict: only I-JSON gets through; every refusal is a PARSING_ERROR with a reason."""

from __future__ import annotations

import time

import pytest

from microcred.errors import JsonLdError
from microcred.jsonld import loads_strict


def _refused(text: str | bytes, **caps: int) -> str:
    with pytest.raises(JsonLdError) as info:
        loads_strict(text, **caps)
    assert info.value.code == "PARSING_ERROR"
    return str(info.value)


def test_plain_json_parses() -> None:
    text = '{"a": [1, 2.5, "x\\u00e9\\ud83d\\ude00", true, null], "b": {"c": -3}}'
    assert loads_strict(text) == {"a": [1, 2.5, "xé😀", True, None], "b": {"c": -3}}
    assert loads_strict(text.encode()) == loads_strict(text)


def test_duplicate_keys() -> None:
    assert "duplicate key 'name'" in _refused('{"name": "A", "name": "B"}')
    assert "duplicate" in _refused('[{"x": {"k": 1, "k": 1}}]')


@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_constants(token: str) -> None:
    assert token in _refused(f'{{"n": {token}}}')


@pytest.mark.parametrize(
    "text",
    ['"\\ud800"', '"\\udc00"', '{"\\ud800": 1}', '["ok", {"k": "a\\udbffb"}]', '"\\ude00\\ud83d"'],
    ids=["high", "low", "key", "nested", "reversed-pair"],
)
def test_escaped_lone_surrogates(text: str) -> None:
    assert "surrogate" in _refused(text)


def test_raw_lone_surrogate_in_str_input() -> None:
    assert "surrogate" in _refused('"\ud800"')


@pytest.mark.parametrize(
    "number", [str(2**53 + 1), str(-(2**53 + 1)), "18446744073709551617", "9" * 5000, "9" * 399]
)
def test_integers_no_double_holds_are_refused(number: str) -> None:
    _refused(f'{{"n": {number}}}')


@pytest.mark.parametrize(
    "number", [str(2**53), str(-(2**53)), "18446744073709551616", "100000000000000000000"]
)
def test_integer_valued_doubles_written_in_full_are_read_as_doubles(number: str) -> None:
    """ECMAScript writes the double 1e20 as 100000000000000000000 (RFC 8785 reads it back)."""
    (value,) = loads_strict(f"[{number}]")
    assert isinstance(value, float) and value == int(number)


def test_largest_safe_integers_pass() -> None:
    assert loads_strict(f"[{2**53 - 1}, {-(2**53 - 1)}]") == [2**53 - 1, -(2**53 - 1)]


@pytest.mark.parametrize("number", ["1e400", "-1e400", "1" + "0" * 400 + ".0"])
def test_float_overflow(number: str) -> None:
    _refused(f"[{number}]")


@pytest.mark.parametrize("number", ["-0", "-0.0", "-0e5"])
def test_negative_zero(number: str) -> None:
    assert "negative zero" in _refused(f"[{number}]")


def test_deep_nesting_is_a_parsing_error_not_recursion() -> None:
    # MC-61: 200,000 '[' would make json.loads raise RecursionError.
    started = time.monotonic()
    message = _refused("[" * 200_000 + "]" * 200_000, max_bytes=10**6)
    assert "200000 levels" in message
    assert time.monotonic() - started < 5  # generous; measured ~0.05 s


def test_depth_cap_is_exact() -> None:
    assert loads_strict("[" * 64 + "]" * 64) is not None
    assert "65 levels" in _refused("[" * 65 + "]" * 65)
    assert "3 levels" in _refused('{"a": [{"b": 1}]}', max_depth=2)


def test_brackets_inside_strings_do_not_count() -> None:
    assert loads_strict('["[[[[{{{{\\"]]]]"]', max_depth=1) == ['[[[[{{{{"]]]]']


def test_size_cap() -> None:
    text = '"' + "x" * 100 + '"'
    assert "limit" in _refused(text, max_bytes=50)
    assert "limit" in _refused(text.encode(), max_bytes=50)
    assert "limit" in _refused('"' + "é" * 30 + '"', max_bytes=50)  # 62 UTF-8 bytes


def test_byte_order_mark() -> None:
    assert "byte-order mark" in _refused(b'\xef\xbb\xbf{"a": 1}')
    assert "byte-order mark" in _refused('\ufeff{"a": 1}')


def test_invalid_utf8() -> None:
    assert "UTF-8" in _refused(b'{"a": "\xff"}')


def test_syntax_error_names_line_and_column() -> None:
    message = _refused('{\n  "a": 1,\n  "b": \n}')
    assert "line 4" in message and "column" in message


def test_not_text() -> None:
    _refused(123)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "value"), [("2", 2), ("1.5", 1.5), ("true", True), ("null", None), ('"x"', "x")]
)
def test_scalar_documents_parse(text: str, value: object) -> None:
    # The depth check used to iterate the scalar: a bare TypeError for valid JSON.
    assert loads_strict(text) == value
    assert loads_strict(text.encode()) == value


def test_integer_valued_doubles_canonicalize_as_rfc8785_writes_them() -> None:
    """RFC 8785 section 3.2.2.3 (ECMAScript Number::toString), whatever JCS implementation."""
    from microcred.jsonld.jcs import jcs

    text = '{"c": 1E21, "b": 1e20, "a": 100000000000000000000, "d": 9007199254740992}'
    expected = (
        b'{"a":100000000000000000000,"b":100000000000000000000,"c":1e+21,"d":9007199254740992}'
    )
    assert jcs(loads_strict(text)) == expected
