"""One implementation of each small rule microcred applies in many places.

* timestamps: :func:`parse_timestamp` (strict XSD ``dateTimeStamp``; never ``fromisoformat``,
  which accepts forms XSD forbids, MC-33/MC-55) and :func:`format_timestamp` (the one form
  microcred writes, ``YYYY-MM-DDTHH:MM:SSZ``); the calendar-date and record date-time readers
  that front matter and trust files use;
* strict JSON: :func:`loads_strict` (I-JSON only: no duplicate keys, NaN, lone surrogates,
  unsafe integers; size and depth capped);
* slugs: :func:`slugify`;
* linked paths: :func:`unlinked` (walks that keep a JSON path as (parent, step) pairs and
  spell it only for what they report);
* the CPU count a process may use: :func:`cpu_count` (``os.sched_getaffinity`` exists on Linux
  only);
* the W3C problem codes the verifier reports (``PARSING_ERROR``...).

Bottom layer: imports nothing from microcred except :mod:`microcred.errors`, so ``proof``
(which may import only ``errors``) can use it too. Errors here are plain ``ValueError``
subclasses; each layer wraps them in its own :class:`~microcred.errors.MicrocredError`.
"""

from __future__ import annotations

import functools
import json
import math
import os
import re
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, timedelta, timezone
from itertools import accumulate
from typing import Any

from microcred.errors import JsonLdError

# --------------------------------------------------------------------------- problem codes
# W3C problem names (VC DM 2.0, VC Data Integrity, CID, Bitstring Status List; DESIGN section 4).
PARSING_ERROR = "PARSING_ERROR"
MALFORMED_VALUE_ERROR = "MALFORMED_VALUE_ERROR"
CRYPTOGRAPHIC_SECURITY_ERROR = "CRYPTOGRAPHIC_SECURITY_ERROR"
PROOF_VERIFICATION_ERROR = "PROOF_VERIFICATION_ERROR"
PROOF_TRANSFORMATION_ERROR = "PROOF_TRANSFORMATION_ERROR"
DATA_LOSS_DETECTION_ERROR = "DATA_LOSS_DETECTION_ERROR"
INVALID_VERIFICATION_METHOD = "INVALID_VERIFICATION_METHOD"
INVALID_CONTROLLED_IDENTIFIER_DOCUMENT = "INVALID_CONTROLLED_IDENTIFIER_DOCUMENT"
INVALID_CONTROLLED_IDENTIFIER_DOCUMENT_ID = "INVALID_CONTROLLED_IDENTIFIER_DOCUMENT_ID"
INVALID_RELATIONSHIP_FOR_VERIFICATION_METHOD = "INVALID_RELATIONSHIP_FOR_VERIFICATION_METHOD"
RANGE_ERROR = "RANGE_ERROR"
STATUS_RETRIEVAL_ERROR = "STATUS_RETRIEVAL_ERROR"
STATUS_VERIFICATION_ERROR = "STATUS_VERIFICATION_ERROR"
STATUS_LIST_LENGTH_ERROR = "STATUS_LIST_LENGTH_ERROR"
# microcred's own.
RESOURCE_LIMIT_ERROR = "RESOURCE_LIMIT_ERROR"
CONTEXT_NOT_ALLOWED = "CONTEXT_NOT_ALLOWED"
EXPIRED = "EXPIRED"
NOT_YET_VALID = "NOT_YET_VALID"
REVOKED = "REVOKED"
SUSPENDED = "SUSPENDED"
UNTRUSTED_ISSUER = "UNTRUSTED_ISSUER"
RECIPIENT_MISMATCH = "RECIPIENT_MISMATCH"
INVALID_CONTEXT = "INVALID_CONTEXT"
UNSUPPORTED_VERSION = "UNSUPPORTED_VERSION"
UNSUPPORTED_FORMAT = "UNSUPPORTED_FORMAT"
VERIFIER_ERROR = "VERIFIER_ERROR"
# Warnings (failures under --strict).
SCHEMA_NOT_CHECKED = "SCHEMA_NOT_CHECKED"
LEGACY_DATA_MODEL = "LEGACY_DATA_MODEL"
LEGACY_SUITE = "LEGACY_SUITE"
STATUS_LIST_STALE = "STATUS_LIST_STALE"
NONSTANDARD_VALUE = "NONSTANDARD_VALUE"
RECIPIENT_NOT_IDENTIFIED = "RECIPIENT_NOT_IDENTIFIED"
PROOF_GENERATION_ERROR = "PROOF_GENERATION_ERROR"

# --------------------------------------------------------------------------- timestamps

DATETIMESTAMP_RE = re.compile(
    r"(?P<year>[0-9]{4})-(?P<month>[0-9]{2})-(?P<day>[0-9]{2})"
    r"T(?P<hour>[0-9]{2}):(?P<minute>[0-9]{2}):(?P<second>[0-9]{2})(?P<fraction>\.[0-9]{1,12})?"
    r"(?P<tz>Z|[+-][0-9]{2}:[0-9]{2})",
    re.ASCII,
)
TIMESTAMP_EXAMPLE = "2024-05-01T12:00:00Z"


class TimestampError(ValueError):
    """Not a usable timestamp. ``reason``: ``type`` (not a string), ``format`` (not the XSD
    lexical form) or ``value`` (well-formed but no such instant, or a naive datetime)."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason


def parse_timestamp(value: object, *, field: str = "value") -> datetime:
    """An XSD ``dateTimeStamp`` (time zone required) as an aware UTC datetime.

    Up to 12 fraction digits (microseconds kept), ``24:00:00`` as the next midnight, offsets
    within ±14:00; ``field`` names the value in the message.
    """
    if not isinstance(value, str):
        raise TimestampError(
            f"{field} must be an XSD dateTimeStamp string, not {type(value).__name__}", "type"
        )
    match = DATETIMESTAMP_RE.fullmatch(value)
    if match is None:
        raise TimestampError(
            f"{field} {value!r} is not an XSD dateTimeStamp (a time zone is required); "
            f"use e.g. {TIMESTAMP_EXAMPLE}",
            "format",
        )
    parts = {k: int(v) for k, v in match.groupdict().items() if k not in {"fraction", "tz"}}
    fraction = match["fraction"] or ""
    tz = match["tz"]
    try:
        if tz == "Z":
            offset = timedelta(0)
        else:
            hours, minutes = int(tz[1:3]), int(tz[4:6])
            if minutes > 59 or hours > 14 or (hours == 14 and minutes):
                raise ValueError("time zone offset out of range")
            offset = timedelta(hours=hours, minutes=minutes) * (-1 if tz[0] == "-" else 1)
        end_of_day = parts["hour"] == 24
        if end_of_day and (parts["minute"] or parts["second"] or fraction.strip(".0")):
            raise ValueError("24:00:00 is the only time allowed with hour 24")
        micro = int((fraction[1:] + "000000")[:6]) if fraction else 0
        moment = datetime(
            parts["year"],
            parts["month"],
            parts["day"],
            0 if end_of_day else parts["hour"],
            parts["minute"],
            parts["second"],
            micro,
            tzinfo=timezone(offset),
        )
        if end_of_day:
            moment += timedelta(days=1)
        return moment.astimezone(UTC)
    except (ValueError, OverflowError) as exc:
        raise TimestampError(
            f"{field} {value!r} is not a valid date and time: {exc}", "value"
        ) from exc


def format_timestamp(moment: datetime) -> str:
    """``YYYY-MM-DDTHH:MM:SSZ`` in UTC (fractions dropped); a naive datetime is refused, since
    its time zone would be a guess."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise TimestampError(f"timestamp {moment.isoformat()} has no time zone", "value")
    u = moment.astimezone(UTC)
    return f"{u.year:04d}-{u.month:02d}-{u.day:02d}T{u.hour:02d}:{u.minute:02d}:{u.second:02d}Z"


DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
RECORD_DATETIME_RE = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,6})?)?"
    r"(?P<tz>Z|[+-][0-9]{2}:[0-9]{2})?\Z"
)


def parse_date(value: str) -> date | None:
    """A ``YYYY-MM-DD`` calendar date, or None."""
    if not DATE_RE.match(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def parse_record_datetime(value: str) -> datetime | None:
    """A date-time as people write it in front matter (RFC 3339; a space for ``T`` and no
    seconds are fine), WITH a time zone (never guessed); None otherwise."""
    match = RECORD_DATETIME_RE.match(value)
    if match is None or match.group("tz") is None:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


# --------------------------------------------------------------------------- strict JSON
# Only I-JSON (RFC 7493) goes in, so every later layer sees one meaning. Python's ``json`` keeps
# the last of duplicate keys, accepts NaN/Infinity, keeps lone surrogates from ``\\ud800``
# escapes, turns ``1e400`` into ``inf`` and raises RecursionError on deep nesting; signers and
# verifiers in other languages disagree on exactly those inputs (MC-19, MC-61).

MAX_SAFE_INTEGER = 2**53 - 1
LARGE_JSON_BYTES = 1 << 30
"""Size cap for files microcred writes itself and that grow with the program (index, state)."""
_MAX_NUMBER_CHARS = 400
_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKETS = re.compile(r"[\[\]{}]")
_ESCAPED_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")


def has_surrogate(text: str) -> bool:
    """Whether ``text`` holds a UTF-16 surrogate code point (U+D800-U+DFFF), which UTF-8 cannot
    encode. In C, with no pattern: a character class over that range took 0.7 ms to compile
    at start-up, and ASCII text (nearly all of it) is answered at once."""
    if text.isascii():
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def reaches(text: str, first: str) -> bool:
    """Whether ``text`` holds a character at or above ``first`` (not ASCII). The character
    class up to U+10FFFF is compiled on the first text that is not ASCII (1-2 ms, which every
    start-up paid before), and searched in C (``max`` walks a long text ten times slower)."""
    return not text.isascii() and _up_from(first).search(text) is not None


@functools.cache
def _up_from(first: str) -> re.Pattern[str]:
    return re.compile(f"[{re.escape(first)}-\U0010ffff]")


def _fail(message: str, hint: str | None = None) -> JsonLdError:
    return JsonLdError(message, code="PARSING_ERROR", hint=hint)


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)  # in C; only an object with a repeated key is looked at again
    if len(out) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _fail(
                    f"duplicate key {key!r} in one JSON object",
                    "JSON readers disagree on which value wins; keep one",
                )
            seen.add(key)
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
    kind = type(value)
    if kind is not dict and kind is not list and not isinstance(value, dict | list):
        return 0  # a scalar document (valid JSON, refused later by callers that need objects)
    return _depth_below(value, limit, 1)


def _depth_below(item: Any, limit: int, depth: int) -> int:
    """The deepest level under ``item`` (at ``depth``), past ``limit`` at most by one: the
    recursion never goes deeper than that. Plain types are told apart by identity (every
    JSON read walks its whole value: 2.5 times faster than a stack of tuples)."""
    if depth > limit:
        return depth
    deepest = depth
    for child in item.values() if isinstance(item, dict) else item:
        kind = type(child)
        if kind is dict or kind is list or isinstance(child, dict | list):
            found = _depth_below(child, limit, depth + 1)
            if found > deepest:
                deepest = found
                if deepest > limit:
                    break
    return deepest


def _check_surrogates(value: Any) -> None:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if has_surrogate(item):
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


def loads_known(data: bytes) -> Any:
    """What :func:`loads_strict` returns for ``data``, for bytes the caller knows passed it
    before (it names them by their digest): the same number rules, without the checks those
    bytes passed (repeated keys, depth, lone surrogates: half of a 10 KB credential's read)."""
    return json.loads(
        data.decode("utf-8"), parse_int=_int, parse_float=_float, parse_constant=_constant
    )


def read_sealed_json(path: Any, *, version: int, max_bytes: int = 500_000_000) -> dict[str, Any]:
    """A JSON cache file this account's microcred sealed (:mod:`microcred.sealed`) with this
    ``version``, else nothing (absent, unsealed, foreign, damaged: the work is done again)."""
    from microcred.sealed import unseal_json

    try:
        with open(path, "rb") as handle:
            body = unseal_json(handle.read())
        data = loads_strict(body, max_bytes=max_bytes) if body is not None else None
    except (OSError, ValueError, JsonLdError):
        return {}
    if not isinstance(data, dict) or data.get("version") != version:
        return {}
    return data


def write_sealed_json(path: Any, data: Mapping[str, Any], *, version: int) -> None:
    """Write a JSON cache file sealed for :func:`read_sealed_json`, atomically, in a cache
    folder made private; one that cannot be written only costs time."""
    from pathlib import Path

    from microcred.fsutil import atomic_write_text
    from microcred.sealed import cache_dir_ready, seal_json

    target = Path(path)
    try:
        cache_dir_ready(target.parent)
        text = json.dumps({**data, "version": version}, sort_keys=True)
        atomic_write_text(target, seal_json(text))
    except OSError:
        pass


# --------------------------------------------------------------------------- slugs

_FOLD = str.maketrans(
    {
        "ø": "o",
        "æ": "ae",
        "œ": "oe",
        "ß": "ss",
        "đ": "d",
        "ð": "d",
        "þ": "th",
        "ł": "l",
        "ı": "i",
        "ħ": "h",
        "ŋ": "n",
    }
)


def slugify(text: str, *, max_len: int = 64, fold: bool = True) -> str:
    """ASCII slug of ``text``: lower-case letters and digits joined by single ``-``.

    ``fold`` also spells letters without a decomposition (``"Søren Ødegård"`` ->
    ``soren-odegard``); without it they are dropped. Returns ``""`` when nothing is left.
    """
    if fold:
        folded = unicodedata.normalize("NFKD", text.casefold().translate(_FOLD))
        folded = "".join(c for c in folded if not unicodedata.combining(c)).translate(_FOLD)
        ascii_text = folded.encode("ascii", "ignore").decode("ascii")
    else:
        decomposed = unicodedata.normalize("NFKD", text)
        ascii_text = decomposed.encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")[:max_len].strip("-")


# --------------------------------------------------------------------------- processes


def unlinked(path: Any) -> tuple[Any, list[Any]]:
    """A path kept as nested ``(parent, step)`` pairs -> (its root, its steps from the root).

    Walks over every node of a document keep their path this way and spell it only for what
    they report: building a string per node cost more than the rest of such a walk."""
    steps: list[Any] = []
    while isinstance(path, tuple):
        path, step = path
        steps.append(step)
    steps.reverse()
    return path, steps


def spelled(root: str, path: Any) -> str:
    """A linked path (see :func:`unlinked`) as JSON-path text after ``root``: a string step is
    a member (``.key``), an integer an index (``[3]``)."""
    _, steps = unlinked(path)
    return root + "".join(f"[{step}]" if isinstance(step, int) else f".{step}" for step in steps)


_NOT_MAPPINGS = (str, int, float, list, type(None))


def names_no_member(text: bytes | None, names: Iterable[str]) -> bool:
    """Whether JSON text certainly has no member called any of ``names`` (ASCII letters): no
    name in quotes, and no ``\\u`` (the only escape that can spell a letter). False when
    unsure (no text)."""
    if text is None or b"\\u" in text:
        return False
    return not any(b'"' + name.encode("ascii") + b'"' in text for name in names)


def member_at_most_once(text: bytes | None, name: str) -> bool:
    """Whether JSON text certainly has at most one member called ``name`` (ASCII), at any
    depth: the name in quotes occurs at most once (a string value that spells it only adds
    to the count), and no ``\\u`` escape could spell it otherwise. False when unsure."""
    if text is None or b"\\u" in text:
        return False
    return text.count(b'"' + name.encode("ascii") + b'"') <= 1


JSON_SCALARS: frozenset[type] = frozenset({str, int, float, bool, type(None)})
"""Exact types of JSON leaves: a walk that looks only at objects and arrays skips a value
whose ``type()`` is one of these without pushing it."""


def is_mapping(value: Any) -> bool:
    """``isinstance(value, Mapping)`` without the ABC check for the usual JSON values: the
    walks over every value of a credential (several per verification) spent a tenth of their
    time in it."""
    return type(value) is dict or (
        not isinstance(value, _NOT_MAPPINGS) and isinstance(value, Mapping)
    )


def fork_is_safe() -> bool:
    """Worker processes may be forked: the platform forks, and no other thread runs (one could
    hold a lock the child needs). Forked workers inherit loaded code and caches."""
    import multiprocessing
    import threading

    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def cpu_count() -> int:
    """CPUs this process may run on (its affinity mask on Linux; all CPUs elsewhere)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # macOS, Windows: no sched_getaffinity
        return max(1, os.cpu_count() or 1)
