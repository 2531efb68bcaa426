"""data_model: what the OB 3.0 schema allows stays valid, however odd; what it refuses fails."""

from __future__ import annotations

from typing import Any

import pytest

from microcred.proof.keys import generate_keypair
from microcred.proof.timestamps import parse_datetimestamp
from microcred.verify import VerifyOptions, check_credential

from .badges import badge

AT = parse_datetimestamp("2026-09-01T00:00:00Z")


def _badge(name: Any, description: Any = "A sprint.") -> Any:
    return badge(generate_keypair(), name, description=description)


@pytest.mark.parametrize("blank", ["", " ", "\u00a0", "\u2066\u00ad\u00a0\u200f\u2029"])
def test_a_blank_achievement_name_is_a_warning_not_invalid(blank: str) -> None:
    """The schema asks for a string, nothing more (a random credential of the interop
    generator named "\\u00a0" was called invalid)."""
    report = check_credential(_badge(blank, blank), now=AT, options=VerifyOptions())
    check = report.check("data_model")
    assert report.result == "valid" and check is not None
    assert [w.code for w in check.warnings] == ["NONSTANDARD_VALUE", "NONSTANDARD_VALUE"]
    assert "achievement.name is blank" in check.warnings[0].detail
    strict = check_credential(_badge(blank), now=AT, options=VerifyOptions(strict=True))
    assert strict.result == "invalid"


def test_an_achievement_name_that_is_not_text_is_invalid() -> None:
    report = check_credential(_badge(42), now=AT, options=VerifyOptions())
    check = report.check("data_model")
    assert report.result == "invalid" and check is not None
    assert any("achievement.name: must be text" in p.detail for p in check.problems)
