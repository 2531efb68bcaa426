"""RFC 8785 JSON Canonicalization Scheme (JCS), as eddsa-jcs-2022 hashes it.

The serialisation is the ``rfc8785`` package's (the one sigstore-python uses; byte-identical
to the implementation microcred had on the RFC vectors and on random doubles). This adapter
keeps microcred's strictness in front of it: inputs outside I-JSON (NaN, lone surrogates,
unsafe integers, non-string keys, values nested past :data:`MAX_DEPTH`) fail with a
:class:`~microcred.errors.JsonLdError` saying what is wrong, and any ``Mapping`` / sequence
built in code is accepted as JSON does. Two details differ from ``json.dumps(sort_keys=True)``:
keys sort by UTF-16 code units, and numbers use the ECMAScript ``Number.prototype.toString``
format (``1e+21``, ``1e-7``, ``-0`` -> ``0``).
"""

from __future__ import annotations

import contextlib
import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

import rfc8785

from microcred._util import has_surrogate, reaches
from microcred.errors import JsonLdError

MAX_SAFE_INTEGER = 2**53 - 1
MAX_DEPTH = 200  # loads_strict stops at 64; this only guards values built in code


def _fail(message: str) -> JsonLdError:
    return JsonLdError(message, code="MALFORMED_VALUE_ERROR", hint="RFC 8785 needs I-JSON input")


# Python's repr and ECMAScript's Number::toString both write the shortest digits that read
# back as the same double (the nearer one on a tie); they differ only in notation: repr uses
# an exponent below 1e-4 and from 1e16, ECMAScript below 1e-6 and from 1e21, and repr writes
# a whole number as "2.0". Between these bounds a fraction is spelled the same by both.
_SAME_SPELLING_MIN = 1e-4
_SAME_SPELLING_MAX = 1e16


def _spelled_apart(value: float) -> bool:
    """``json.dumps`` writes this finite double otherwise than RFC 8785 does."""
    return value.is_integer() or not _SAME_SPELLING_MIN <= abs(value) < _SAME_SPELLING_MAX


def _plain(value: Any, depth: int, floats: list[bool] | None = None) -> Any:
    """``value`` as dicts, lists and scalars ``rfc8785`` serialises, refusing non-I-JSON;
    ``floats`` (when given) gets True once a float is met that ``json.dumps`` would spell
    otherwise than RFC 8785 (a whole number, or one written with an exponent)."""
    if depth > MAX_DEPTH:
        raise _fail(f"value is nested more than {MAX_DEPTH} levels deep")
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        if has_surrogate(value):
            raise _fail("string contains a lone UTF-16 surrogate")
        return value
    if isinstance(value, int):
        if abs(value) > MAX_SAFE_INTEGER:
            raise _fail(f"integer {value} is outside the I-JSON range ±(2**53-1)")
        return int(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _fail(f"{value} is not a JSON number")
        if floats is not None and _spelled_apart(value):
            floats.append(True)
        return value
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise _fail(f"object key {key!r} is not a string")
            if has_surrogate(key):
                raise _fail("object key contains a lone UTF-16 surrogate")
            out[key] = _plain(item, depth + 1, floats)
        return out
    if isinstance(value, Sequence) and not isinstance(value, bytes | bytearray):
        return [_plain(item, depth + 1, floats) for item in value]
    raise _fail(f"{type(value).__name__} is not a JSON value")


def _already_plain(value: Any, floats: list[bool]) -> bool:
    """:func:`_plain`'s checks on a tree of dicts, lists and JSON scalars, read in place (no
    copy, no per-string search: a lone surrogate fails the final encoding instead); False
    when the tree holds any other type (``_plain`` copies or refuses it). Raises what
    ``_plain`` raises for the numbers and depth it checks."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        kind = type(item)
        if kind is dict:
            if depth >= MAX_DEPTH:
                return False  # _plain says how deep
            for key, child in item.items():
                if type(key) is not str:
                    return False
                stack.append((child, depth + 1))
        elif kind is list:
            if depth >= MAX_DEPTH:
                return False
            stack.extend((child, depth + 1) for child in item)
        elif kind is str or item is None or kind is bool:
            continue
        elif kind is int:
            if abs(item) > MAX_SAFE_INTEGER:
                return False
        elif kind is float:
            if not math.isfinite(item):
                return False
            if _spelled_apart(item):
                floats.append(True)
        else:
            return False
    return True


# Above U+DFFF, UTF-16 code units and code points sort differently (astral characters become
# surrogates): only then do RFC 8785's key order and Python's sort_keys disagree.
_SORTS_APART = "\ue000"


def jcs(value: Any) -> bytes:
    """Canonical RFC 8785 UTF-8 bytes of a JSON value (raises JsonLdError on non-I-JSON).

    Without characters above U+DFFF, and with no float but fractions both spell alike (see
    :func:`_plain`), RFC 8785 is ``json.dumps`` with sorted keys, no white space and
    ``ensure_ascii`` off (the same escapes: the short ones, ``\\u00xx`` for other controls,
    nothing else), which runs in C; anything else goes through ``rfc8785``.
    tests/jsonld/test_jcs.py compares the two."""
    try:
        floats: list[bool] = []
        if _already_plain(value, floats) and not floats:  # parsed JSON: no copy needed
            text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
            if not reaches(text, _SORTS_APART):
                with contextlib.suppress(UnicodeEncodeError):  # _plain names the surrogate
                    return text.encode("utf-8")
        floats = []
        plain = _plain(value, 0, floats)
        if not floats:
            text = json.dumps(plain, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
            if not reaches(text, _SORTS_APART):
                return text.encode("utf-8")
        return rfc8785.dumps(plain)
    except RecursionError:
        raise _fail("value is nested too deeply") from None
    except rfc8785.CanonicalizationError as exc:  # pragma: no cover - _plain refuses first
        raise _fail(str(exc)) from None


def es6_number(value: float) -> str:
    """ECMAScript Number::toString of a finite double (RFC 8785 section 3.2.2.3)."""
    return jcs(float(value)).decode("ascii")
