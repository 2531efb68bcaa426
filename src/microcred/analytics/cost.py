"""What the programme cost, per currency: stipends paid plus configured programme costs.

Stipend rules (docs/analytics.md says why):

* ``total``: a completed record is paid the amount; a withdrawn one is paid pro rata to
  the hours it records against the brief's ``expected_hours`` (never more than the
  amount), or the whole amount when the brief states no expected hours;
* ``hour``: amount x the record's ``hours`` (completed or withdrawn: hours worked are paid);
* ``day``: amount x calendar days from ``start_date`` to ``end_date``, both included;
* ``week``: amount x those days / 7; ``month``: amount x those days x 12 / 365.

Each record's payment is rounded to the cent (half up) before summing, as a payslip is.
Currencies are never converted: every sum and average is per currency.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from microcred.model import Achievement, Record

CENT = Decimal("0.01")


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def calendar_days(record: Record) -> int:
    return (record.end_date - record.start_date).days + 1


def record_stipend(record: Record, brief: Achievement) -> tuple[str, Decimal] | None:
    """(currency, amount paid) for one record, or None when its brief pays no stipend."""
    stipend = brief.stipend
    if stipend is None:
        return None
    amount = stipend.amount
    days = Decimal(calendar_days(record))
    if stipend.period == "total":
        if record.status == "completed" or not brief.expected_hours:
            paid = amount
        else:
            share = min(Decimal(1), record.hours / Decimal(brief.expected_hours))
            paid = amount * share
    elif stipend.period == "hour":
        paid = amount * record.hours
    elif stipend.period == "day":
        paid = amount * days
    elif stipend.period == "week":
        paid = amount * days / Decimal(7)
    else:  # month
        paid = amount * days * Decimal(12) / Decimal(365)
    return stipend.currency, money(paid)


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def cost(
    records: Sequence[Record],
    briefs: Mapping[str, Achievement],
    program_costs: Mapping[str, Decimal],
    *,
    completed: int,
    accepted: int,
) -> dict[str, Any]:
    """``stipends``, ``program_costs``, ``per_completed`` and ``per_hire``: currency -> amount."""
    stipends: dict[str, Decimal] = {}
    for record in records:
        brief = briefs.get(record.achievement)
        paid = record_stipend(record, brief) if brief is not None else None
        if paid is not None:
            stipends[paid[0]] = stipends.get(paid[0], Decimal(0)) + paid[1]
    totals: dict[str, Decimal] = {}
    for currency in sorted({*stipends, *program_costs}):
        totals[currency] = stipends.get(currency, Decimal(0)) + program_costs.get(
            currency, Decimal(0)
        )

    def per(count: int) -> dict[str, int | float | None]:
        return {
            c: (None if count == 0 else _number(money(total / Decimal(count))))
            for c, total in totals.items()
        }

    return {
        "stipends": {c: _number(v) for c, v in sorted(stipends.items())},
        "program_costs": {c: _number(money(v)) for c, v in sorted(program_costs.items())},
        "per_completed": per(completed),
        "per_hire": per(accepted),
    }


def stipend_transparency(briefs: Sequence[Achievement]) -> dict[str, list[str]]:
    """Every brief's slug, those that publish a stipend above 0, and the unpaid rest."""
    slugs = sorted(b.slug for b in briefs)
    paid = sorted(b.slug for b in briefs if b.stipend is not None and b.stipend.amount > 0)
    return {"briefs": slugs, "paid": paid, "unpaid": [s for s in slugs if s not in paid]}
