"""JSON as the reference implementation writes it: ``JSON.stringify(doc, null, 2)``."""

from __future__ import annotations

import json
import math
from typing import Any

from microcred.jsonld.jcs import es6_number


def reference_json(document: Any) -> str:
    """Serialised as the reference implementation does (JSON.stringify(doc, null, 2)): the
    W3C vectors' signed.json files come out byte for byte, with no trailing newline.

    json.dumps spells floats with Python's repr (2.0, 1e-07, 1e+16); JSON.stringify uses
    ECMAScript Number::toString (2, 1e-7, 10000000000000000), so numbers go through JCS's
    es6_number. Layout, string escapes (ensure_ascii off) and member order are json.dumps's.
    """

    try:
        return _layout(document, "")
    except _Unusual:
        pass
    if not _has_float(document):  # json.dumps's layout is the reference's without floats
        return json.dumps(document, ensure_ascii=False, indent=2)

    def encode(value: Any, indent: str) -> str:
        if isinstance(value, float):
            return es6_number(value)
        inner = indent + "  "
        if isinstance(value, dict) and value:
            members = (
                f"{inner}{json.dumps(str(key), ensure_ascii=False)}: {encode(item, inner)}"
                for key, item in value.items()
            )
            return "{\n" + ",\n".join(members) + "\n" + indent + "}"
        if isinstance(value, list | tuple) and value:
            items = (inner + encode(item, inner) for item in value)
            return "[\n" + ",\n".join(items) + "\n" + indent + "]"
        return json.dumps(value, ensure_ascii=False)

    return encode(document, "")


class _Unusual(Exception):
    """Not plain JSON data (a key that is not a string, a tuple, a subclass): json.dumps's
    own rules apply."""


def python_json(document: Any) -> str:
    """``json.dumps(document, ensure_ascii=False, indent=2)``, the same text, faster: what
    ``microcred issue`` and the site write (Python's float spelling, not ECMAScript's)."""
    try:
        return _layout(document, "", _python_float)
    except _Unusual:
        return json.dumps(document, ensure_ascii=False, indent=2)


def plain_python_json(document: Any) -> str | None:
    """:func:`python_json`'s text when ``document`` is plain JSON data (str keys, lists,
    finite numbers), which strict JSON parsing gives back as it is; else None."""
    try:
        return _layout(document, "", _python_float)
    except _Unusual:
        return None


def _python_float(value: float) -> str:
    if not math.isfinite(value):
        raise _Unusual  # NaN, Infinity: json.dumps's own spelling
    return float.__repr__(value)


def _layout(value: Any, indent: str, number: Any = es6_number) -> str:
    """``json.dumps(value, ensure_ascii=False, indent=2)`` for plain JSON data, floats spelled
    as ECMAScript does; strings escaped by json's own C escaper. json.dumps lays out indented
    text in pure Python (its C encoder has no indent), and this is a third faster."""
    kind = type(value)
    if kind is str:
        return _escape(value)
    if kind is dict:
        if not value:
            return "{}"
        inner = indent + "  "
        members = []
        for key, item in value.items():
            if type(key) is not str:
                raise _Unusual
            members.append(inner + _escape(key) + ": " + _layout(item, inner, number))
        return "{\n" + ",\n".join(members) + "\n" + indent + "}"
    if kind is list:
        if not value:
            return "[]"
        inner = indent + "  "
        return (
            "[\n"
            + ",\n".join(inner + _layout(item, inner, number) for item in value)
            + "\n"
            + indent
            + "]"
        )
    if kind is bool:
        return "true" if value else "false"
    if value is None:
        return "null"
    if kind is int:
        return int.__repr__(value)
    if kind is float:
        return str(number(value))
    raise _Unusual


_escape = json.encoder.encode_basestring  # what json.dumps uses with ensure_ascii=False


def _has_float(document: Any) -> bool:
    """Whether a float sits anywhere in ``document`` (only floats are spelled differently)."""
    stack = [document]
    while stack:
        value = stack.pop()
        if isinstance(value, float):
            return True
        if isinstance(value, dict):
            stack.extend(value.values())
        elif isinstance(value, list | tuple):
            stack.extend(value)
    return False
