"""The bundled example program (the README's demo) is valid and shows every feature."""

from __future__ import annotations

import datetime as dt
import unicodedata

import pytest

from microcred.errors import ProblemsError
from microcred.model import Program
from microcred.records import check_program, load_issuer_settings, load_program, load_settings

from .conftest import EXAMPLE


@pytest.fixture(scope="module")
def example() -> Program:
    return load_program(EXAMPLE)


def test_example_has_zero_problems() -> None:
    assert [str(p) for p in check_program(EXAMPLE)] == []


def test_example_issuer_and_site(example: Program) -> None:
    assert example.issuer.identity.kind == "did-key"
    assert example.issuer.url.startswith("https://") and ".example.org/" in example.issuer.url
    assert example.site.base_url.endswith("/microinternships/")  # a project-pages style path


def test_example_briefs_are_complete(example: Program) -> None:
    briefs = example.achievements
    assert len(briefs) >= 3
    for brief in briefs:
        assert 3 <= len(brief.rubric.criteria) <= 5, brief.slug
        assert all(3 <= len(c.levels) <= 4 for c in brief.rubric.criteria), brief.slug
        assert brief.rubric.passing_points is not None
        assert brief.credits is not None and brief.credits.unit == "ECTS"
        assert brief.stipend is not None and brief.stipend.currency in ("EUR", "CHF")
        assert brief.expected_hours and brief.skills and brief.body
        assert all(s.framework in ("O*NET", "ESCO") and s.url for s in brief.skills)
    assert sum(1 for b in briefs if b.task) >= 3
    # a Basel partner pays in Swiss francs: cost analytics keep currencies apart
    assert {b.stipend.currency for b in briefs if b.stipend} == {"EUR", "CHF"}
    assert any(b.open and not any(r.achievement == b.slug for r in example.records) for b in briefs)


def test_example_records_are_varied(example: Program) -> None:
    records = example.records
    assert len(records) >= 10
    statuses = {r.status for r in records}
    assert statuses == {"completed", "withdrawn"}
    outcomes = [r.outcome for r in records]
    assert any(o.offer_accepted is True and o.first_delivery_date for o in outcomes)
    assert any(o.offer_made and o.offer_accepted is False for o in outcomes)
    assert any(o.offer_made and o.offer_accepted is None for o in outcomes)
    assert any(not o.offer_made for o in outcomes)
    consents = {r.candidate.consent_publish for r in records}
    assert consents == {True, False}
    assert sum(1 for r in records if r.candidate.id) >= 2
    assert all(r.candidate.email.endswith(("@example.org", "@example.com")) for r in records)
    names = {r.candidate.name for r in records}
    for name in (
        "Zoë Ünal",
        "Nguyễn Thị Mai",
        "Søren Ødegård",
        "李雷",
        "José Ñúñez",
        "Aoife Ní Bhraonáin",
    ):
        assert name in names
        assert unicodedata.is_normalized("NFC", name)
    assert all(e.url.startswith("https://") for r in records for e in r.evidence)
    last = max(d for r in records for d in (r.end_date, r.outcome.first_delivery_date) if d)
    assert last.year == 2026 and last.month == 10
    assert all(r.start_date.year == 2026 for r in records)


def test_example_awarded_times_are_zoned(example: Program) -> None:
    for record in example.records:
        if record.awarded is not None:
            assert record.awarded.utcoffset() is not None
        assert record.awarded_at.tzinfo is dt.UTC


def test_portfolio_slugs_are_safe_and_unique(example: Program) -> None:
    slugs = {}
    for record in example.records:
        slug = record.candidate.slug
        assert slug is not None
        assert slug == slug.lower() and slug.isascii()
        slugs.setdefault(slug, set()).add(record.candidate.email)
        if not record.candidate.consent_publish:
            assert slug == record.slug or slug.startswith("id-")
    assert all(len(emails) == 1 for emails in slugs.values())


def test_bodies_are_split_from_front_matter(example: Program) -> None:
    record = next(r for r in example.records if r.slug == "data-2026-03-01")
    assert record.narrative.startswith("Zoë turned a messy billing export")
    assert "---" not in record.narrative
    brief = example.achievement("data-analysis-sprint")
    assert brief.body.startswith("Small subscription businesses")


def test_settings_alone(tmp_path: object) -> None:
    issuer, site = load_settings(EXAMPLE)
    assert issuer == load_issuer_settings(EXAMPLE)
    assert site.base_url == "https://northwind-talent.example.org/microinternships/"


def test_settings_missing(tmp_path: pytest.TempPathFactory) -> None:
    with pytest.raises(ProblemsError) as caught:
        load_issuer_settings(str(tmp_path))
    assert caught.value.diagnostics().startswith("microcred.toml: file not found")
