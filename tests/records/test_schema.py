"""The JSON Schemas: valid Draft 2020-12, published copies identical, messages readable."""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal

import pytest
from jsonschema import Draft202012Validator

from microcred.records import schema_text
from microcred.records.schema import SCHEMA_NAMES, describe, parse_datetime, suggest, validate

from .conftest import REPO


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_published_copy_is_byte_identical(name: str) -> None:
    published = (REPO / "schemas" / f"{name}.schema.json").read_bytes()
    assert published == schema_text(name).encode("utf-8")


def test_sync_script_reports_no_drift() -> None:
    done = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "sync_schemas.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_schema_is_valid_draft_2020_12_and_closed(name: str) -> None:
    document = json.loads(schema_text(name))
    Draft202012Validator.check_schema(document)
    assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert document["additionalProperties"] is False


def test_unknown_fields_get_suggestions_or_the_list() -> None:
    found = dict(validate("record", {"candidat": {}, "zzz": 1}))
    assert found[("candidat",)] == "unknown field 'candidat'; did you mean 'candidate'?"
    assert found[("zzz",)].startswith("unknown field 'zzz' (fields here: achievement, awarded,")


def test_required_fields_each_reported() -> None:
    found = [m for p, m in validate("program", {}) if p == ()]
    assert found == ["missing required field 'issuer'", "missing required field 'site'"]


def test_demographic_field_names_are_checked() -> None:
    found = dict(validate("record", {"demographics": {"Bad Name": "x"}}))
    assert found[("demographics", "Bad Name")] == (
        "field name 'Bad Name' names here use lower-case letters, digits and '_'"
    )


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, "nothing"),
        (True, "true"),
        (Decimal("1.50"), "the number 1.50"),
        ([], "a list"),
        ({}, "a group of fields"),
        ("x" * 80, repr("x" * 57 + "...")),
    ],
)
def test_describe(value: object, text: str) -> None:
    assert describe(value) == text


def test_suggest() -> None:
    assert suggest("achievement_type", ["achievementType", "name"]) == "achievementType"
    assert suggest("Name", ["name"]) == "name"
    assert suggest("qqqq", ["name"]) is None


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("2026-10-30T17:00:00Z", True),
        ("2026-10-30T17:00:00+02:00", True),
        ("2026-10-30 17:00Z", True),
        ("2026-10-30T17:00:00", False),
        ("2026-10-30", False),
        ("2026-13-30T17:00:00Z", False),
        ("May 3rd", False),
    ],
)
def test_datetimes_need_a_zone(text: str, ok: bool) -> None:
    parsed = parse_datetime(text)
    assert (parsed is not None) is ok
    if parsed is not None:
        assert parsed.tzinfo is not None
