"""The whole analytics object: exact top-level keys, breakdowns, k limits."""

from __future__ import annotations

import pytest

from microcred.analytics import TOP_LEVEL_KEYS, breakdown, compute, term_of
from microcred.errors import ConfigError

from .factory import D, brief, program, record


def test_exact_top_level_keys_and_shapes() -> None:
    data = compute(program([record(cohort="c1"), record(status="withdrawn")]))
    assert list(data) == list(TOP_LEVEL_KEYS)
    assert set(data["funnel"]) == {"started", "completed", "offered", "accepted", "rates"}
    assert set(data["cost"]) == {"stipends", "program_costs", "per_completed", "per_hire"}
    assert set(data["fairness"]) == {"k", "attributes"}
    assert set(data["stipend_transparency"]) == {"briefs", "paid", "unpaid"}
    assert set(data["time_to_offer_days"]) == {"n", "median", "p25", "p75"}


def test_breakdowns_by_brief_cohort_and_term() -> None:
    records = [
        record(achievement="a", cohort="spring", start=D(2026, 3, 30), end=D(2026, 4, 10)),
        record(
            achievement="a", cohort="spring", offer=True, start=D(2026, 4, 1), end=D(2026, 4, 10)
        ),
        record(achievement="b", start=D(2026, 12, 1), end=D(2026, 12, 12)),
    ]
    data = compute(program(records, [brief("a"), brief("b"), brief("c")]))
    assert list(data["by_brief"]) == ["a", "b"]  # groups that have records
    assert data["by_brief"]["a"]["rates"]["offer"] == 0.5
    assert data["by_cohort"]["spring"]["started"] == 2
    assert data["by_cohort"]["no cohort"]["started"] == 1
    terms = breakdown(records, "term")
    assert {t: f["started"] for t, f in terms.items()} == {"2026-Q1": 1, "2026-Q2": 1, "2026-Q4": 1}
    assert term_of(records[2]) == "2026-Q4"


@pytest.mark.parametrize("k", [2, 0, -1])
def test_k_is_never_below_three(k: int) -> None:
    with pytest.raises(ConfigError, match="too small"):
        compute(program([record()]), k=k)


def test_k_is_reported() -> None:
    assert compute(program([record()]), k=3)["fairness"]["k"] == 3
