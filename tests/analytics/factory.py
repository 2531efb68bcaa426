"""Small in-memory programs for analytics tests: every number in them is countable by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from itertools import count

from microcred.model import (
    Achievement,
    Candidate,
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
    Stipend,
)

_n = count(1)
D = dt.date
START, END = D(2026, 3, 2), D(2026, 3, 13)


def brief(
    slug: str = "brief-a",
    stipend: Stipend | None = None,
    expected_hours: int | None = None,
) -> Achievement:
    levels = (RubricLevel("low", "Low", 0), RubricLevel("high", "High", 1))
    return Achievement(
        slug=slug,
        name=f"Brief {slug}",
        achievement_type="Assignment",
        description="d",
        criteria="c",
        rubric=Rubric((RubricCriterion("only", "Only", "d", levels),)),
        stipend=stipend,
        expected_hours=expected_hours,
        open=True,
    )


def record(
    *,
    achievement: str = "brief-a",
    status: str = "completed",
    offer: bool = False,
    accepted: bool | None = None,
    start: dt.date = START,
    end: dt.date = END,
    hours: str = "40",
    offer_date: dt.date | None = None,
    accepted_date: dt.date | None = None,
    first_delivery: dt.date | None = None,
    cohort: str | None = None,
    demographics: dict[str, str] | None = None,
    name: str | None = None,
) -> Record:
    n = next(_n)
    outcome = Outcome(
        offer_made=offer,
        offer_date=offer_date,
        offer_accepted=accepted,
        accepted_date=accepted_date,
        first_delivery_date=first_delivery,
    )
    return Record(
        slug=f"rec-{n:04d}",
        candidate=Candidate(name or f"Candidate Number{n}", f"person{n}@example.org"),
        achievement=achievement,
        start_date=start,
        end_date=end,
        hours=Decimal(hours),
        mentor=Mentor("Mentor"),
        status=status,  # type: ignore[arg-type]
        results=(RubricResult("only", "high"),) if status == "completed" else (),
        outcome=outcome,
        cohort=cohort,
        demographics=tuple(sorted((demographics or {}).items())),
    )


def program(records: list[Record], briefs: list[Achievement] | None = None) -> Program:
    briefs = briefs or [brief()]
    return Program(
        root=".",
        issuer=Issuer("Issuer", "https://issuer.example.org/"),
        site=SiteSettings("https://issuer.example.org/site/"),
        achievements=tuple(briefs),
        records=tuple(records),
    )


def repeat(n: int, **kwargs: object) -> list[Record]:
    return [record(**kwargs) for _ in range(n)]  # type: ignore[arg-type]
