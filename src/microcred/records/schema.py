"""JSON Schema (Draft 2020-12) validation of program files, as located, readable problems.

The schemas in ``schemas/`` are the contract: editors can use the published copies in the
repository's ``schemas/`` folder. jsonschema's own messages are written for programmers
(``'yes' is not of type 'boolean'``); here every error kind gets a message that says what to
write instead, and unknown fields get a "did you mean" suggestion.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Mapping
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported when a file is validated (46 ms): a build of files whose parse
    # was kept (records/parsed.py) validates none
    from jsonschema import (  # type: ignore[import-untyped,unused-ignore]
        Draft202012Validator,
    )
    from jsonschema.exceptions import (  # type: ignore[import-untyped,unused-ignore]
        ValidationError,
    )

from microcred._util import DATE_RE as _DATE_RE
from microcred._util import RECORD_DATETIME_RE as _DATETIME_RE
from microcred._util import loads_strict
from microcred._util import parse_date as parse_date
from microcred._util import parse_record_datetime as parse_datetime
from microcred.records.paths import Path_

SCHEMA_NAMES = ("program", "achievement", "record")

_YAML11_BOOLS = frozenset({"yes", "no", "on", "off", "y", "n"})
_TYPE_WORDS = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "object": "a group of fields ('name: value' lines)",
    "array": "a list ('- item' lines)",
    "null": "nothing",
}


def schema_text(name: str) -> str:
    """The exact bytes (as text) of a shipped schema: ``program``, ``achievement``, ``record``."""
    return (resources.files("microcred.records") / "schemas" / f"{name}.schema.json").read_text(
        encoding="utf-8"
    )


@cache
def schema(name: str) -> Mapping[str, Any]:
    loaded: dict[str, Any] = loads_strict(schema_text(name))
    return loaded


def _format_checker() -> Any:
    from jsonschema import FormatChecker  # type: ignore[import-untyped,unused-ignore]

    checker = FormatChecker(formats=())
    checker.checks("date")(lambda v: not isinstance(v, str) or parse_date(v) is not None)
    checker.checks("date-time")(lambda v: not isinstance(v, str) or parse_datetime(v) is not None)
    return checker


def _inline(node: Any, defs: Mapping[str, Any]) -> Any:
    """Replace local ``#/$defs/x`` references by their target (keeping sibling keywords).

    Our schemas have no recursive references; resolving them once here makes validation
    about twice as fast as letting the ``referencing`` library look each one up per value.
    """
    if isinstance(node, list):
        return [_inline(item, defs) for item in node]
    if not isinstance(node, dict):
        return node
    out = {k: _inline(v, defs) for k, v in node.items() if k not in ("$ref", "$defs")}
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        out = {**_inline(defs[ref.removeprefix("#/$defs/")], defs), **out}
    return out


@cache
def _validator(name: str) -> Draft202012Validator:
    from jsonschema import Draft202012Validator  # type: ignore[import-untyped,unused-ignore]

    document = schema(name)
    return Draft202012Validator(
        _inline(document, document.get("$defs", {})), format_checker=_format_checker()
    )


def validate(name: str, instance: Any) -> Iterator[tuple[Path_, str]]:
    """Yield ``(json path, message)`` for every way ``instance`` breaks schema ``name``."""
    seen: set[tuple[Path_, str]] = set()
    for error in _validator(name).iter_errors(instance):
        for item in _explain(error):
            if item not in seen:
                seen.add(item)
                yield item


def describe(value: Any) -> str:
    """A value as a person would recognise it in their file."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | Decimal | float):
        return f"the number {value}"
    if isinstance(value, str):
        shown = value if len(value) <= 60 else value[:57] + "..."
        return repr(shown)
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a group of fields"
    return type(value).__name__


def suggest(word: str, choices: list[str] | tuple[str, ...] | set[str]) -> str | None:
    """The closest choice (case-insensitive first), if one is close enough to be a typo."""
    lowered = {c.lower().replace("_", ""): c for c in choices}
    key = word.lower().replace("_", "").replace("-", "")
    if key in lowered:
        return lowered[key]
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return close[0] if close else None


def _path(error: ValidationError) -> Path_:
    return tuple(error.absolute_path)


def _explain(error: ValidationError) -> Iterator[tuple[Path_, str]]:
    kind = error.validator
    value = error.instance
    sub: Mapping[str, Any] = error.schema if isinstance(error.schema, Mapping) else {}
    path = _path(error)
    if "propertyNames" in error.relative_schema_path:
        yield (*path, str(value)), f"field name {value!r} {sub.get('patternErrorMessage', '')}"
        return
    if kind == "additionalProperties" and isinstance(value, dict):
        allowed = sorted(sub.get("properties", {}))
        for key in value:
            if key in allowed:
                continue
            match = suggest(str(key), allowed)
            if match is not None:
                yield (*path, key), f"unknown field {key!r}; did you mean {match!r}?"
            else:
                yield (*path, key), f"unknown field {key!r} (fields here: {', '.join(allowed)})"
        return
    if kind == "required" and isinstance(value, dict):
        required: Any = error.validator_value
        for name in required:
            if name not in value:
                yield path, f"missing required field {name!r}"
        return
    yield path, _message(error, kind, value, sub)


def _message(error: ValidationError, kind: Any, value: Any, sub: Mapping[str, Any]) -> str:
    limit: Any = error.validator_value
    if kind == "type":
        return _type_message(limit, value, sub)
    if kind == "enum":
        options = ", ".join(str(o) for o in limit)
        near = suggest(value, [str(o) for o in limit]) if isinstance(value, str) else None
        hint = f"; did you mean {near!r}?" if near else ""
        return f"{describe(value)} is not one of: {options}{hint}"
    if kind == "pattern":
        return f"{describe(value)} {sub.get('patternErrorMessage', f'does not match {limit}')}"
    if kind == "format":
        return _format_message(str(limit), str(value))
    if kind == "minLength":
        return "must not be empty"
    if kind == "maxLength":
        return f"is longer than {limit} characters"
    if kind == "minimum":
        return f"{value} is below the minimum {limit}"
    if kind == "maximum":
        return f"{value} is above the maximum {limit}"
    if kind == "exclusiveMinimum":
        return f"must be more than {limit}"
    if kind == "multipleOf":
        return f"{value} is not a multiple of {limit}"
    if kind == "minItems":
        return f"needs at least {limit} item{'s' if limit != 1 else ''}"
    if kind == "maxItems":
        return f"has more than {limit} items"
    if kind == "maxProperties":
        return f"has more than {limit} fields"
    return str(error.message)  # pragma: no cover - every keyword our schemas use is above


def _type_message(expected: Any, value: Any, sub: Mapping[str, Any]) -> str:
    names = [expected] if isinstance(expected, str) else list(expected)
    if sub.get("format") == "date":
        return f"expected a date written YYYY-MM-DD, found {describe(value)}"
    if sub.get("format") == "date-time":
        return (
            f"expected a date and time with a time zone (e.g. 2026-10-30T17:00:00Z), "
            f"found {describe(value)}"
        )
    words = [_TYPE_WORDS.get(n, n) for n in names]
    want = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]
    found = describe(value)
    if value is None:
        return f"expected {want}, found an empty value; write a value or remove the line"
    hint = ""
    if "boolean" in names and isinstance(value, str) and value.lower() in _YAML11_BOOLS:
        hint = " (in YAML 1.2 yes/no/on/off are text: write true or false)"
    elif "string" in names and isinstance(value, bool):
        hint = f' (quote it if you mean the text: "{found}")'
    elif "string" in names and isinstance(value, int | Decimal):
        hint = f' (quote it if you mean the text: "{value}")'
    elif {"integer", "number"} & set(names) and isinstance(value, str):
        plain = value.replace("_", "").replace(",", "")
        if plain != value and re.fullmatch(r"[-+]?[0-9]+(\.[0-9]+)?", plain):
            hint = f" (write the number without separators: {plain})"
    return f"expected {want}, found {found}{hint}"


def _format_message(fmt: str, value: str) -> str:
    if fmt == "date":
        if _DATE_RE.match(value):
            return f"{value!r} is not a real calendar date"
        if _DATETIME_RE.match(value):
            return f"{value!r} is a date and time; write only the date, e.g. {value[:10]}"
        return f"{value!r} is not a date; write YYYY-MM-DD, e.g. 2026-05-03"
    if _DATE_RE.match(value):
        return f"{value!r} has no time; write a time and a time zone, e.g. {value}T17:00:00Z"
    match = _DATETIME_RE.match(value)
    if match is not None and match.group("tz") is None:
        return (
            f"{value!r} has no time zone (times are never guessed); add one, "
            f"e.g. {value}Z for UTC or {value}+02:00"
        )
    return f"{value!r} is not a date and time; write e.g. 2026-10-30T17:00:00Z"
