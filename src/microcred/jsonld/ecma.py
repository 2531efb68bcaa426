"""ECMAScript number spellings that jsonld.js bakes into signed RDF.

The reference stack writes an ``xsd:double`` literal as ``value.toExponential(15)`` with the
trailing zeros of the mantissa and the ``+`` of the exponent removed, and reads a string typed
``xsd:double`` with ``parseFloat``. pyld uses ``'%.15E'`` (ties to even, on the binary value)
and ``float()`` (which accepts ``inf``, ``nan``, ``1_0``), so 16-digit rounding ties and odd
strings came out differently and broke byte-for-byte agreement. These functions follow
ECMA-262 (Number.prototype.toExponential, parseFloat) exactly, on the exact binary value.
"""

from __future__ import annotations

import math
import re

# StrWhiteSpaceChar: WhiteSpace (TAB VT FF ZWNBSP and category Zs) and LineTerminator.
_JS_SPACE = (
    "\t\n\x0b\x0c\r \xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
    "\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
)
# StrDecimalLiteral (ECMA-262 section 7.1.4.1): what parseFloat reads, as a prefix.
_DECIMAL = re.compile(r"[+-]?(?:Infinity|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)")
_MANTISSA_TAIL = re.compile(r"(\d)0*e\+?")


def to_exponential(value: float, digits: int) -> str:
    """``Number.prototype.toExponential(digits)``: ties pick the larger mantissa (half up)."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "-Infinity" if value < 0 else "Infinity"
    sign = "-" if value < 0 else ""  # -0 is not < 0: (-0).toExponential() has no sign
    if value == 0:
        mantissa, exponent = "0" * (digits + 1), 0
    else:
        from decimal import ROUND_HALF_UP, Decimal  # only here: not at every start-up

        exact = Decimal(abs(value))  # every double is a finite decimal: no rounding here
        exponent = exact.adjusted()
        step = Decimal((0, (1,), exponent - digits))
        coefficient = exact.quantize(step, rounding=ROUND_HALF_UP).as_tuple().digits
        if len(coefficient) > digits + 1:  # 9.99...95 rounded up to 10.00...0
            exponent += 1
        mantissa = "".join(map(str, coefficient[: digits + 1]))
    head = mantissa[0] + ("." + mantissa[1:] if digits else "")
    return f"{sign}{head}e{'+' if exponent >= 0 else '-'}{abs(exponent)}"


def xsd_double(value: float) -> str:
    """Lexical form jsonld.js gives an ``xsd:double`` (``1.5E0``, ``2.251799813685249E15``)."""
    return _MANTISSA_TAIL.sub(r"\1E", to_exponential(value, 15), count=1)


def parse_float(text: str) -> float:
    """``parseFloat(text)``: the longest decimal-literal prefix after leading JS white space."""
    match = _DECIMAL.match(text.lstrip(_JS_SPACE))
    if match is None:
        return math.nan
    literal = match.group()
    if literal.lstrip("+-") == "Infinity":
        return -math.inf if literal.startswith("-") else math.inf
    return float(literal)


def is_decimal_literal(text: str) -> bool:
    """True when ``parseFloat`` reads all of ``text`` (bar surrounding JS white space)."""
    return _DECIMAL.fullmatch(text.strip(_JS_SPACE)) is not None
