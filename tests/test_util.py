"""microcred._util: the one implementation of each small rule."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from microcred import _util
from microcred._util import (
    TimestampError,
    cpu_count,
    format_timestamp,
    parse_date,
    parse_record_datetime,
    parse_timestamp,
    slugify,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-05-01T12:00:00Z", dt.datetime(2024, 5, 1, 12, tzinfo=dt.UTC)),
        ("2024-05-01T14:00:00+02:00", dt.datetime(2024, 5, 1, 12, tzinfo=dt.UTC)),
        ("2024-05-01T24:00:00Z", dt.datetime(2024, 5, 2, tzinfo=dt.UTC)),
        ("2024-05-01T12:00:00.1234567Z", dt.datetime(2024, 5, 1, 12, 0, 0, 123456, tzinfo=dt.UTC)),
    ],
)
def test_timestamps_parse_to_utc(text: str, expected: dt.datetime) -> None:
    assert parse_timestamp(text) == expected


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("2024-05-01T12:00:00", "format"),  # no time zone: never guessed
        ("2024-05-01", "format"),
        ("2024-05-01 12:00:00Z", "format"),
        ("x2024-05-01T12:00:00Zy", "format"),  # anchored
        ("2024-05-01T12:00:00z", "format"),
        ("٢٠٢٤-05-01T12:00:00Z", "format"),  # ASCII digits only
        ("2024-02-30T12:00:00Z", "value"),
        ("2024-05-01T12:00:00+15:00", "value"),
        (20240501, "type"),
    ],
)
def test_timestamps_outside_xsd_are_refused(value: object, reason: str) -> None:
    with pytest.raises(TimestampError) as caught:
        parse_timestamp(value, field="validFrom")
    assert caught.value.reason == reason
    assert "validFrom" in caught.value.message


def test_one_format_is_written() -> None:
    moment = dt.datetime(2024, 5, 1, 14, 0, 5, 999, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    assert format_timestamp(moment) == "2024-05-01T12:00:05Z"
    with pytest.raises(TimestampError):
        format_timestamp(dt.datetime(2024, 5, 1, 12))  # naive: its zone would be a guess


def test_dates_as_people_write_them() -> None:
    assert parse_date("2024-05-01") == dt.date(2024, 5, 1)
    assert parse_date("2024-W18-3") is None
    assert parse_date("2024-02-30") is None
    assert parse_record_datetime("2024-05-01 12:30+02:00") is not None
    assert parse_record_datetime("2024-05-01T12:30") is None  # a time zone is required


def test_slugs() -> None:
    assert slugify("Søren Ødegård") == "soren-odegard"
    assert slugify("Søren Ødegård", fold=False) == "sren-degard"
    assert slugify("  --Ünïcödé  Næme--  ") == "unicode-naeme"
    assert slugify("a" * 70 + " b", max_len=64) == "a" * 64
    assert slugify("ab-" * 30, max_len=5) == "ab-ab"  # never ends in '-'
    assert slugify("!!!") == ""


def test_cpu_count_without_sched_getaffinity(monkeypatch: pytest.MonkeyPatch) -> None:
    # macOS and Windows have no os.sched_getaffinity: the count must still work there.
    monkeypatch.delattr(os, "sched_getaffinity", raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 3)
    assert cpu_count() == 3
    monkeypatch.setattr(os, "cpu_count", lambda: None)
    assert cpu_count() == 1


def test_strict_json_is_here_for_every_layer() -> None:
    from microcred.errors import JsonLdError

    assert _util.loads_strict('{"a": [1, 2.5, "x"]}') == {"a": [1, 2.5, "x"]}
    with pytest.raises(JsonLdError, match="duplicate key"):
        _util.loads_strict('{"a": 1, "a": 2}')


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ('{"b": 1, "a": 2, "b": 3, "a": 4}', "b"),
        ('{"a": 1, "b": 2, "c": 3, "b": 4, "a": 5}', "b"),
        ('{"x": {"q": 1, "q": 2}, "x": 3}', "q"),  # the inner object closes first
        ('{"k": [{"z": 1}, {"z": 1, "y": 2, "y": 3}]}', "y"),
    ],
)
def test_the_first_repeated_key_of_the_first_object_to_close_is_named(
    text: str, first: str
) -> None:
    from microcred.errors import JsonLdError

    with pytest.raises(JsonLdError, match=f"^duplicate key '{first}' in one JSON object"):
        _util.loads_strict(text)


def _depth(value: object) -> int:
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    return 0


def test_the_depth_walk_finds_the_deepest_value_and_stops_past_the_limit() -> None:
    import random

    rng = random.Random(3)

    def make(level: int) -> object:
        if level > 12 or rng.random() < 0.25:
            return rng.choice([1, "x", None, 2.5])
        if rng.random() < 0.5:
            return [make(level + 1) for _ in range(rng.randint(0, 3))]
        return {str(k): make(level + 1) for k in range(rng.randint(0, 3))}

    for _ in range(2000):
        value = make(0)
        want = _depth(value)
        assert _util._value_depth(value, 64) == want
        limit = rng.randint(0, 8)
        got = _util._value_depth(value, limit)
        assert (got > limit) == (want > limit)
        assert got == (want if want <= limit else limit + 1)
    deep: list[object] = []
    for _ in range(100_000):  # far deeper than Python's recursion limit: the walk stops
        deep = [deep]
    assert _util._value_depth(deep, 64) == 65
    assert _util._value_depth({"a": deep}, 64) == 65


def test_the_code_point_checks_answer_as_the_character_classes_they_replace() -> None:
    """has_surrogate and reaches stand for the patterns [\\ud800-\\udfff], [\\ue000-\\U0010ffff]
    and [\\U00010000-\\U0010ffff] (compiled at start-up before): same answers on every
    boundary and on random text."""
    import random
    import re

    surrogate = re.compile("[\ud800-\udfff]")
    private_up = re.compile("[\ue000-\U0010ffff]")
    astral = re.compile("[\U00010000-\U0010ffff]")
    edges = [0, 0x7F, 0x80, 0xFF, 0x7FF, 0x800, 0xD7FF, 0xD800, 0xDBFF, 0xDC00, 0xDFFF, 0xE000]
    edges += [0xFFFD, 0xFFFF, 0x10000, 0x1F600, 0x10FFFF]
    rng = random.Random(16)
    texts = ["", "plain ascii", *(chr(c) for c in edges)]
    for _ in range(3000):
        texts.append("".join(chr(rng.choice(edges)) for _ in range(rng.randint(0, 6))))
    for text in texts:
        assert _util.has_surrogate(text) == bool(surrogate.search(text)), ascii(text)
        assert _util.reaches(text, "\ue000") == bool(private_up.search(text)), ascii(text)
        assert _util.reaches(text, "\U00010000") == bool(astral.search(text)), ascii(text)


@pytest.mark.parametrize(
    "text",
    [
        '{"a": 1, "b": [1.5, -2, 0, 1e3, 2.0], "c": {"d": null, "e": true, "f": "x\\u00e9"}}',
        '{"big": 100000000000000000000, "exact": 9007199254740991, "small": 5e-324}',
        '[{"deep": [[[[{"k": "\\ud83d\\ude00"}]]]]}]',
        '"just a string"',
    ],
)
def test_loads_known_reads_what_loads_strict_read(text: str) -> None:
    """Bytes that passed loads_strict give the same value, and the same types, again."""
    strict = _util.loads_strict(text.encode())
    known = _util.loads_known(text.encode())

    def typed(value: object) -> object:
        if isinstance(value, dict):
            return {k: typed(v) for k, v in value.items()}
        if isinstance(value, list):
            return [typed(v) for v in value]
        return (type(value).__name__, value)

    assert typed(known) == typed(strict)


def test_sealed_json_cache_files_round_trip_and_refuse_anything_else(tmp_path: Path) -> None:
    path = tmp_path / "cache" / "entries.json"
    _util.write_sealed_json(path, {"entries": {"a": [1, "x"]}}, version=3)
    assert _util.read_sealed_json(path, version=3) == {"entries": {"a": [1, "x"]}, "version": 3}
    assert _util.read_sealed_json(path, version=4) == {}  # another version: not this cache
    path.write_bytes(path.read_bytes().replace(b'"x"', b'"y"'))  # edited after sealing
    assert _util.read_sealed_json(path, version=3) == {}
    assert _util.read_sealed_json(tmp_path / "absent.json", version=3) == {}
