"""Stipend per record (every period, withdrawn rules), sums per currency, per completed/hire."""

from __future__ import annotations

from decimal import Decimal

from microcred.analytics import record_stipend
from microcred.analytics.compute import compute
from microcred.analytics.cost import stipend_transparency
from microcred.model import Stipend

from .factory import D, brief, program, record

EUR_TOTAL = brief("fixed", Stipend(Decimal(600), "EUR", "total"), expected_hours=40)
NO_HOURS = brief("fixed-free", Stipend(Decimal(500), "EUR", "total"))
HOURLY = brief("hourly", Stipend(Decimal("17.50"), "EUR", "hour"))
DAILY = brief("daily", Stipend(Decimal(120), "CHF", "day"))
WEEKLY = brief("weekly", Stipend(Decimal(300), "GBP", "week"))
MONTHLY = brief("monthly", Stipend(Decimal(1000), "USD", "month"))
UNPAID = brief("unpaid")
ZERO = brief("zero", Stipend(Decimal(0), "EUR", "total"))


def paid(b, **kw):  # type: ignore[no-untyped-def]
    return record_stipend(record(achievement=b.slug, **kw), b)


def test_each_period_by_hand() -> None:
    # 2026-03-02 .. 2026-03-13: 12 calendar days, both included.
    assert paid(EUR_TOTAL) == ("EUR", Decimal("600.00"))
    assert paid(HOURLY, hours="33.5") == ("EUR", Decimal("586.25"))
    assert paid(DAILY) == ("CHF", Decimal("1440.00"))
    assert paid(WEEKLY) == ("GBP", Decimal("514.29"))  # 300 * 12 / 7 = 514.2857
    assert paid(MONTHLY) == ("USD", Decimal("394.52"))  # 1000 * 12 * 12 / 365 = 394.5205
    assert paid(UNPAID) is None


def test_withdrawn_on_a_fixed_total_is_paid_pro_rata_to_hours() -> None:
    assert paid(EUR_TOTAL, status="withdrawn", hours="10") == ("EUR", Decimal("150.00"))
    # never more than the total, even when more hours than expected were logged
    assert paid(EUR_TOTAL, status="withdrawn", hours="55") == ("EUR", Decimal("600.00"))
    # no expected hours: the whole amount (work was done; nothing to prorate against)
    assert paid(NO_HOURS, status="withdrawn", hours="3") == ("EUR", Decimal("500.00"))
    # hourly and daily stipends pay what the record shows, withdrawn or not
    assert paid(HOURLY, status="withdrawn", hours="6") == ("EUR", Decimal("105.00"))
    short = paid(DAILY, status="withdrawn", start=D(2026, 3, 2), end=D(2026, 3, 4))
    assert short == ("CHF", Decimal("360.00"))


def test_several_currencies_are_never_mixed() -> None:
    records = [
        record(achievement="fixed", offer=True, accepted=True),
        record(achievement="fixed", status="withdrawn", hours="20"),
        record(achievement="daily", offer=True, accepted=True),
        record(achievement="daily"),
        record(achievement="unpaid"),
    ]
    data = compute(
        program(records, [EUR_TOTAL, DAILY, UNPAID]),
        program_costs={"EUR": Decimal(1000), "USD": Decimal("99.99")},
    )
    cost = data["cost"]
    assert cost["stipends"] == {"CHF": 2880, "EUR": 900}
    assert cost["program_costs"] == {"EUR": 1000, "USD": 99.99}
    # completed = 4 (the withdrawn one is not), hires = 2
    assert cost["per_completed"] == {"CHF": 720, "EUR": 475, "USD": 25}  # 99.99/4 = 24.9975
    assert cost["per_hire"] == {"CHF": 1440, "EUR": 950, "USD": 50}  # 49.995 -> 50.00


def test_per_hire_is_null_without_hires() -> None:
    data = compute(program([record(achievement="fixed")], [EUR_TOTAL]))
    assert data["cost"]["per_hire"] == {"EUR": None}
    assert data["cost"]["per_completed"] == {"EUR": 600}


def test_stipend_transparency() -> None:
    st = stipend_transparency([HOURLY, UNPAID, ZERO, DAILY])
    assert st == {
        "briefs": ["daily", "hourly", "unpaid", "zero"],
        "paid": ["daily", "hourly"],
        "unpaid": ["unpaid", "zero"],
    }
