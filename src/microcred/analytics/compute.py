"""One analytics object from a program: the exact shape ``microcred analytics --json`` prints."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from microcred.analytics.cost import cost, stipend_transparency
from microcred.analytics.fairness import fairness
from microcred.analytics.funnel import accepted, completed, funnel, spread
from microcred.analytics.funnel import time_to_offer as _time_to_offer
from microcred.analytics.funnel import time_to_productivity as _time_to_productivity
from microcred.analytics.settings import DEFAULT_K, MIN_K
from microcred.errors import ConfigError
from microcred.model import Program, Record

TOP_LEVEL_KEYS = (
    "funnel",
    "by_brief",
    "by_cohort",
    "time_to_productivity_days",
    "time_to_offer_days",
    "cost",
    "fairness",
    "stipend_transparency",
)
GROUPINGS = ("brief", "cohort", "term")
NO_COHORT = "no cohort"


def term_of(record: Record) -> str:
    """The calendar quarter the micro-internship started in, e.g. ``2026-Q2``."""
    start = record.start_date
    return f"{start.year}-Q{(start.month - 1) // 3 + 1}"


def _key(by: str) -> Callable[[Record], str]:
    if by == "brief":
        return lambda r: r.achievement
    if by == "cohort":
        return lambda r: r.cohort if r.cohort is not None else NO_COHORT
    if by == "term":
        return term_of
    raise ConfigError(f"unknown grouping {by!r}", hint=f"use one of {', '.join(GROUPINGS)}")


def breakdown(records: Sequence[Record], by: str) -> dict[str, Any]:
    """Group -> funnel, for the groups that have at least one record."""
    key = _key(by)
    groups: dict[str, list[Record]] = {}
    for record in records:
        groups.setdefault(key(record), []).append(record)
    ordered = sorted(groups, key=lambda g: (g == NO_COHORT, g))
    return {g: funnel(groups[g]) for g in ordered}


def check_k(k: int) -> int:
    if k < MIN_K:
        raise ConfigError(
            f"k = {k} is too small: groups of fewer than {MIN_K} people could be identified",
            hint=f"use k >= {MIN_K}; the default is {DEFAULT_K}",
        )
    return k


def compute(
    program: Program,
    *,
    k: int = DEFAULT_K,
    program_costs: Mapping[str, Decimal] | None = None,
) -> dict[str, Any]:
    """Every aggregate, as JSON-ready values (see docs/analytics.md for each definition)."""
    check_k(k)
    records = program.records
    briefs = {a.slug: a for a in program.achievements}
    return {
        "funnel": funnel(records),
        "by_brief": breakdown(records, "brief"),
        "by_cohort": breakdown(records, "cohort"),
        "time_to_productivity_days": spread(_time_to_productivity(records)),
        "time_to_offer_days": spread(_time_to_offer(records)),
        "cost": cost(
            records,
            briefs,
            program_costs or {},
            completed=len(completed(records)),
            accepted=len(accepted(records)),
        ),
        "fairness": fairness(records, k),
        "stipend_transparency": stipend_transparency(program.achievements),
    }
