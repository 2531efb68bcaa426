"""RFC 8785 JSON Canonicalization Scheme (JCS), as eddsa-jcs-2022 hashes it.

Written here rather than borrowed so that inputs outside I-JSON (NaN, lone surrogates, unsafe
integers) fail with a microcred error instead of producing bytes another implementation would
not produce. Two details differ from ``json.dumps(sort_keys=True)``: keys sort by UTF-16 code
units (astral characters sort before U+E000..U+FFFF), and numbers use the ECMAScript
``Number.prototype.toString`` format (``1e+21``, ``1e-7``, ``-0`` -> ``0``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

from microcred.errors import JsonLdError

MAX_SAFE_INTEGER = 2**53 - 1
MAX_DEPTH = 200  # loads_strict stops at 64; this only guards values built in code
_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
}
_NEEDS_ESCAPE = re.compile(r'["\\\x00-\x1f]')
_SURROGATE = re.compile("[\ud800-\udfff]")


def _fail(message: str) -> JsonLdError:
    return JsonLdError(message, code="MALFORMED_VALUE_ERROR", hint="RFC 8785 needs I-JSON input")


def _escape_char(match: re.Match[str]) -> str:
    char = match.group()
    return _ESCAPES.get(char) or f"\\u{ord(char):04x}"


def _string(value: str) -> str:
    if _SURROGATE.search(value):
        raise _fail("string contains a lone UTF-16 surrogate")
    return '"' + _NEEDS_ESCAPE.sub(_escape_char, value) + '"'


def es6_number(value: float) -> str:
    """ECMAScript Number::toString of a finite double (RFC 8785 section 3.2.2.3)."""
    if not math.isfinite(value):
        raise _fail(f"{value} is not a JSON number")
    if value == 0:
        return "0"
    sign = "-" if value < 0 else ""
    # repr() gives the shortest digit string that round-trips, as ECMAScript requires.
    mantissa, _, exp_text = repr(abs(value)).partition("e")
    whole, _, frac = mantissa.partition(".")
    digits = (whole + frac).lstrip("0")
    exp10 = int(exp_text or 0) - len(frac)  # value = int(digits) * 10**exp10
    trimmed = digits.rstrip("0")
    exp10 += len(digits) - len(trimmed)
    digits = trimmed
    point = exp10 + len(digits)  # value = 0.<digits> * 10**point (ECMAScript's n)
    k = len(digits)
    if k <= point <= 21:
        text = digits + "0" * (point - k)
    elif 0 < point <= 21:
        text = digits[:point] + "." + digits[point:]
    elif -6 < point <= 0:
        text = "0." + "0" * (-point) + digits
    else:
        exponent = point - 1
        sign_e = "+" if exponent >= 0 else "-"
        head = digits[0] + ("." + digits[1:] if k > 1 else "")
        text = f"{head}e{sign_e}{abs(exponent)}"
    return sign + text


def _encode(value: Any, out: list[str], depth: int) -> None:
    if depth > MAX_DEPTH:
        raise _fail(f"value is nested more than {MAX_DEPTH} levels deep")
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, str):
        out.append(_string(value))
    elif isinstance(value, int):
        if abs(value) > MAX_SAFE_INTEGER:
            raise _fail(f"integer {value} is outside the I-JSON range ±(2**53-1)")
        out.append(str(value))
    elif isinstance(value, float):
        out.append(es6_number(value))
    elif isinstance(value, Mapping):
        for key in value:
            if not isinstance(key, str):
                raise _fail(f"object key {key!r} is not a string")
            if _SURROGATE.search(key):
                raise _fail("object key contains a lone UTF-16 surrogate")
        out.append("{")
        for index, key in enumerate(sorted(value, key=lambda k: k.encode("utf-16-be"))):
            if index:
                out.append(",")
            out.append(_string(key))
            out.append(":")
            _encode(value[key], out, depth + 1)
        out.append("}")
    elif isinstance(value, Sequence) and not isinstance(value, bytes | bytearray):
        out.append("[")
        for index, item in enumerate(value):
            if index:
                out.append(",")
            _encode(item, out, depth + 1)
        out.append("]")
    else:
        raise _fail(f"{type(value).__name__} is not a JSON value")


def jcs(value: Any) -> bytes:
    """Canonical RFC 8785 UTF-8 bytes of a JSON value (raises JsonLdError on non-I-JSON)."""
    out: list[str] = []
    try:
        _encode(value, out, 0)
    except RecursionError:
        raise _fail("value is nested too deeply") from None
    return "".join(out).encode("utf-8")
