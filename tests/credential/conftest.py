from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from microcred.model import (
    Achievement,
    Candidate,
    Credits,
    Evidence,
    Identity,
    Issuer,
    Mentor,
    Outcome,
    Program,
    Record,
    Rubric,
    RubricCriterion,
    RubricLevel,
    RubricResult,
    SiteSettings,
    Skill,
    Stipend,
)

ISSUER_DID = "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"


def levels() -> tuple[RubricLevel, ...]:
    return (
        RubricLevel("emerging", "Emerging", 1, "Needs guidance"),
        RubricLevel("proficient", "Proficient", 2, "Works independently"),
        RubricLevel("exemplary", "Exemplary", 3),
    )


@pytest.fixture()
def program() -> Program:
    rubric = Rubric(
        (
            RubricCriterion("analysis", "Analysis", "Sound method", levels()),
            RubricCriterion("communication", "Communication", "Clear write-up", levels()),
        ),
        passing_points=3,
    )
    brief = Achievement(
        slug="data-sprint",
        name="Data Analysis Sprint — “Zoë’s” cohort",
        achievement_type="MicroCredential",
        description="Two-week data analysis micro-internship.",
        criteria="Deliver a **reproducible** notebook.",
        rubric=rubric,
        skills=(
            Skill("Data analysis", "ESCO", "https://data.europa.eu/esco/skill/abc", "S1.2"),
            Skill("SQL"),
        ),
        credits=Credits(Decimal("2"), "ECTS"),
        expected_hours=40,
        stipend=Stipend(Decimal("600"), "EUR", "total"),
    )
    record = Record(
        slug="zoe-data-sprint",
        candidate=Candidate("Zoë Ünal", "Zoe.Unal@Example.org", consent_publish=True),
        achievement="data-sprint",
        start_date=dt.date(2026, 5, 4),
        end_date=dt.date(2026, 5, 15),
        hours=Decimal("38.5"),
        mentor=Mentor("Søren Ødegård", "Lead analyst"),
        status="completed",
        results=(RubricResult("analysis", "exemplary"), RubricResult("communication", "proficient")),
        evidence=(Evidence("https://github.com/example/zoe-sprint", "Notebook", "See README."),),
        outcome=Outcome(offer_made=True, offer_date=dt.date(2026, 6, 1)),
        narrative="Cleaned 40k rows and presented findings.",
    )
    return Program(
        root=".",
        issuer=Issuer("Northwind Talent", "https://northwind.example.org/", "Pop-up internships",
                      email="hello@northwind.example.org", identity=Identity("did-key")),
        site=SiteSettings("https://northwind.example.org/program/"),
        achievements=(brief,),
        records=(record,),
    )
