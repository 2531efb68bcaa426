"""The worked example of docs/analytics.md, number for number."""

from __future__ import annotations

from decimal import Decimal

from microcred.analytics import compute
from microcred.model import Stipend

from .factory import D, brief, program, record


def test_docs_worked_example() -> None:
    audit = brief("audit", Stipend(Decimal(500), "EUR", "total"), expected_hours=40)
    records = [
        record(achievement="audit", offer=True, accepted=True, offer_date=D(2026, 3, 20),
               accepted_date=D(2026, 3, 24), first_delivery=D(2026, 4, 7),
               demographics={"gender": "f"}),
        record(achievement="audit", offer=True, accepted=True, offer_date=D(2026, 3, 23),
               accepted_date=D(2026, 3, 25), first_delivery=D(2026, 4, 14),
               demographics={"gender": "m"}),
        record(achievement="audit", offer=True, accepted=False, offer_date=D(2026, 3, 16),
               demographics={"gender": "f"}),
        record(achievement="audit", demographics={"gender": "m"}),
        record(achievement="audit"),
        record(achievement="audit", status="withdrawn", hours="10", end=D(2026, 3, 5),
               demographics={"gender": "f"}),
    ]  # fmt: skip
    data = compute(program(records, [audit]), k=3, program_costs={"EUR": Decimal(1000)})
    assert data["funnel"]["rates"] == {
        "completion": 0.8333,
        "offer": 0.6,
        "acceptance": 0.6667,
        "conversion": 0.3333,
    }
    assert data["time_to_offer_days"] == {"n": 3, "median": 7, "p25": 5, "p75": 8.5}
    assert data["time_to_productivity_days"] == {"n": 2, "median": 17, "p25": 15.5, "p75": 18.5}
    assert data["cost"] == {
        "stipends": {"EUR": 2625},
        "program_costs": {"EUR": 1000},
        "per_completed": {"EUR": 725},
        "per_hire": {"EUR": 1812.5},
    }
    groups = data["fairness"]["attributes"]["gender"]["groups"]
    assert groups["f"]["offer_rate"] == 1.0 and groups["f"]["acceptance_rate"] == 0.5
    assert sorted(groups) == ["f", "suppressed-1", "suppressed-2"]
    default = compute(program(records, [audit]))["fairness"]["attributes"]["gender"]["groups"]
    assert all(g == {"suppressed": True} for g in default.values())
