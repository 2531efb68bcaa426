"""The funnel (started -> completed -> offered -> accepted), its rates and day statistics.

Rates are exact fractions rounded once, half to even, to four places (``round`` on a
:class:`~fractions.Fraction`), so the same counts always give the same decimals; a rate
whose denominator is 0 is ``None`` (JSON ``null``), never 0.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from fractions import Fraction
from typing import Any

from microcred.model import Record

PLACES = 4


def rate(numerator: int, denominator: int) -> float | None:
    """``numerator / denominator`` rounded to 4 places, or None when the denominator is 0."""
    if denominator == 0:
        return None
    return float(round(Fraction(numerator, denominator), PLACES))


def completed(records: Iterable[Record]) -> list[Record]:
    return [r for r in records if r.status == "completed"]


def offered(records: Iterable[Record]) -> list[Record]:
    """Completed records whose outcome says an offer was made."""
    return [r for r in completed(records) if r.outcome.offer_made]


def accepted(records: Iterable[Record]) -> list[Record]:
    """Offered records whose offer was accepted (``offer_accepted: true``)."""
    return [r for r in offered(records) if r.outcome.offer_accepted is True]


def funnel(records: Sequence[Record]) -> dict[str, Any]:
    """``started``, ``completed``, ``offered``, ``accepted`` and the four rates."""
    started = len(records)
    n_completed = len(completed(records))
    n_offered = len(offered(records))
    n_accepted = len(accepted(records))
    return {
        "started": started,
        "completed": n_completed,
        "offered": n_offered,
        "accepted": n_accepted,
        "rates": {
            "completion": rate(n_completed, started),
            "offer": rate(n_offered, n_completed),
            "acceptance": rate(n_accepted, n_offered),
            "conversion": rate(n_accepted, started),
        },
    }


def _number(value: float) -> int | float:
    rounded = round(float(value), PLACES)
    return int(rounded) if rounded == int(rounded) else rounded


def spread(days: Iterable[int]) -> dict[str, Any]:
    """``n``, ``median``, ``p25``, ``p75`` of whole days.

    Quartiles interpolate linearly between order statistics, exactly as
    ``statistics.quantiles(data, n=4, method="inclusive")``. One value is its own median
    and quartiles (what Python 3.13 returns; 3.11 refuses fewer than two); none gives
    ``null`` everywhere.
    """
    data = sorted(days)
    n = len(data)
    if n == 0:
        return {"n": 0, "median": None, "p25": None, "p75": None}
    if n == 1:
        only = _number(data[0])
        return {"n": 1, "median": only, "p25": only, "p75": only}
    p25, _, p75 = statistics.quantiles(data, n=4, method="inclusive")
    return {
        "n": n,
        "median": _number(statistics.median(data)),
        "p25": _number(p25),
        "p75": _number(p75),
    }


def time_to_productivity(records: Sequence[Record]) -> list[int]:
    """Days from ``accepted_date`` to ``first_delivery_date`` over accepted records with both."""
    out = []
    for r in accepted(records):
        o = r.outcome
        if o.accepted_date is not None and o.first_delivery_date is not None:
            out.append((o.first_delivery_date - o.accepted_date).days)
    return out


def time_to_offer(records: Sequence[Record]) -> list[int]:
    """Days from the record's ``end_date`` to ``offer_date`` over offered records with one."""
    return [
        (r.outcome.offer_date - r.end_date).days
        for r in offered(records)
        if r.outcome.offer_date is not None
    ]
