"""Strict JSON parsing: only I-JSON (RFC 7493) goes in, so every later layer sees one meaning.

Python's ``json`` keeps the last of duplicate keys, accepts ``NaN``/``Infinity``, keeps lone
surrogates from ``\\ud800`` escapes, turns ``1e400`` into ``inf`` and raises ``RecursionError``
on deep nesting. Signers and verifiers in other languages disagree on exactly those inputs
(MC-19, MC-61), so they are refused here, before any JSON-LD or canonicalization work.
"""

from __future__ import annotations

import json
import math
import re
from itertools import accumulate
from typing import Any

from microcred.errors import JsonLdError

MAX_SAFE_INTEGER = 2**53 - 1
_MAX_NUMBER_CHARS = 400
_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKETS = re.compile(r"[\[\]{}]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_ESCAPED_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")


def _fail(message: str, hint: str | None = None) -> JsonLdError:
    return JsonLdError(message, code="PARSING_ERROR", hint=hint)


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _fail(
                f"duplicate key {key!r} in one JSON object",
                "JSON readers disagree on which value wins; keep one",
            )
        out[key] = value
    return out


def _constant(name: str) -> Any:
    raise _fail(f"{name} is not a JSON number", "use a finite number or a string")


def _int(text: str) -> int | float:
    if len(text) < 16 and text != "-0":  # fast path: at most 15 digits is always safe
        return int(text)
    if len(text) > _MAX_NUMBER_CHARS:
        raise _fail(f"number with {len(text)} digits is too long")
    if text == "-0":
        raise _fail("negative zero (-0) is not portable JSON", "write 0")
    value = int(text)
    if abs(value) > MAX_SAFE_INTEGER:
        # An integer-valued double written out in full, as ECMAScript writes 1e20
        # ("100000000000000000000"): every reader gets this exact value, so it is read as
        # the double it is (JCS and RDF then serialise it as the reference does). Integers
        # no double holds exactly would mean different numbers to different readers.
        as_double = float(value) if abs(value) < 2**1024 else math.inf
        if math.isfinite(as_double) and as_double == value:
            return as_double
        raise _fail(
            f"integer {text} is outside the I-JSON range ±(2**53-1) and no 64-bit double "
            "holds it exactly",
            "large numbers lose precision in other readers; write it as a string",
        )
    return value


def _float(text: str) -> float:
    if len(text) > _MAX_NUMBER_CHARS:
        raise _fail(f"number with {len(text)} characters is too long")
    value = float(text)
    if math.isinf(value):
        raise _fail(f"number {text} overflows a 64-bit float")
    if value == 0 and text.lstrip().startswith("-"):
        raise _fail(f"negative zero ({text}) is not portable JSON", "write 0")
    return value


def _text_depth(text: str) -> int:
    """Nesting depth of JSON text, found without recursion (strings removed first)."""
    stripped = _STRINGS.sub("", text)
    steps = (1 if b in "[{" else -1 for b in _BRACKETS.findall(stripped))
    return max(accumulate(steps, initial=0))


def _value_depth(value: Any, limit: int) -> int:
    """Nesting depth of a parsed value; stops early once past ``limit``."""
    if not isinstance(value, dict | list):
        return 0  # a scalar document (valid JSON, refused later by callers that need objects)
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item
        deepest = max(deepest, depth)
        if deepest > limit:
            break
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return deepest


def _check_surrogates(value: Any) -> None:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                raise _fail(
                    "string contains a lone UTF-16 surrogate (e.g. \\ud800)",
                    "it is not valid Unicode; remove or replace it",
                )
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def loads_strict(text: str | bytes, *, max_bytes: int = 5_000_000, max_depth: int = 64) -> Any:
    """Parse I-JSON or raise ``JsonLdError(code="PARSING_ERROR")`` saying what is wrong."""
    if isinstance(text, bytes | bytearray):
        if len(text) > max_bytes:
            raise _fail(f"document is {len(text)} bytes, more than the {max_bytes} byte limit")
        if text.startswith(b"\xef\xbb\xbf"):
            raise _fail("document starts with a byte-order mark", "save it as UTF-8 without BOM")
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _fail(f"document is not valid UTF-8 (byte {exc.start})") from None
    elif not isinstance(text, str):
        raise _fail(f"expected JSON text, got {type(text).__name__}")
    else:
        if len(text) > max_bytes:
            raise _fail(f"document is longer than the {max_bytes} byte limit")
        try:
            size = len(text.encode("utf-8"))
        except UnicodeEncodeError:
            raise _fail("document contains a lone UTF-16 surrogate") from None
        if size > max_bytes:
            raise _fail(f"document is {size} bytes, more than the {max_bytes} byte limit")
        if text.startswith("\ufeff"):
            raise _fail("document starts with a byte-order mark", "save it as UTF-8 without BOM")
    try:
        value = json.loads(
            text,
            object_pairs_hook=_pairs,
            parse_constant=_constant,
            parse_int=_int,
            parse_float=_float,
        )
    except JsonLdError:
        raise
    except json.JSONDecodeError as exc:
        raise _fail(f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    except RecursionError:
        depth = _text_depth(text)
        raise _fail(
            f"JSON nesting is {depth} levels deep, more than the limit of {max_depth}"
        ) from None
    except ValueError as exc:
        raise _fail(f"invalid JSON: {exc}") from None
    if _value_depth(value, max_depth) > max_depth:
        depth = _text_depth(text)
        raise _fail(f"JSON nesting is {depth} levels deep, more than the limit of {max_depth}")
    if _ESCAPED_SURROGATE.search(text):
        _check_surrogates(value)
    return value
