"""Funnel counts, rates (null on a zero denominator, 4 places) and day statistics."""

from __future__ import annotations

import statistics

import pytest

from microcred.analytics import funnel, rate, spread
from microcred.analytics.funnel import time_to_offer, time_to_productivity

from .factory import D, record, repeat


def test_funnel_counts_and_rates_by_hand() -> None:
    records = [
        *repeat(2, status="withdrawn"),
        *repeat(3),  # completed, no offer
        *repeat(2, offer=True, accepted=False),
        *repeat(2, offer=True, accepted=None),  # pending
        *repeat(3, offer=True, accepted=True),
        record(status="withdrawn", offer=True),  # not completed: never counted as offered
    ]
    f = funnel(records)
    assert (f["started"], f["completed"], f["offered"], f["accepted"]) == (13, 10, 7, 3)
    assert f["rates"] == {
        "completion": 0.7692,  # 10/13 = 0.769230...
        "offer": 0.7,
        "acceptance": 0.4286,  # 3/7 = 0.428571...
        "conversion": 0.2308,  # 3/13 = 0.230769...
    }


def test_zero_denominators_are_null_never_zero() -> None:
    assert funnel([])["rates"] == dict.fromkeys(("completion", "offer", "acceptance", "conversion"))
    only_withdrawn = funnel(repeat(2, status="withdrawn"))
    assert only_withdrawn["rates"]["completion"] == 0.0
    assert only_withdrawn["rates"]["offer"] is None
    assert only_withdrawn["rates"]["acceptance"] is None
    no_offers = funnel(repeat(2))
    assert no_offers["rates"]["offer"] == 0.0 and no_offers["rates"]["acceptance"] is None


@pytest.mark.parametrize(
    ("num", "den", "expected"),
    [
        (1, 3, 0.3333),
        (2, 3, 0.6667),
        (1, 32, 0.0312),  # 0.03125 exactly: half to even
        (3, 32, 0.0938),  # 0.09375 exactly: half to even (up)
        (1, 7, 0.1429),
        (5, 5, 1.0),
        (0, 4, 0.0),
    ],
)
def test_rounding_to_four_places(num: int, den: int, expected: float) -> None:
    assert rate(num, den) == expected


def test_spread_matches_statistics_inclusive_quantiles() -> None:
    data = [3, 1, 10, 7, 7, 2]
    p25, _, p75 = statistics.quantiles(sorted(data), n=4, method="inclusive")
    s = spread(data)
    assert s == {"n": 6, "median": 5, "p25": p25, "p75": p75}
    assert (s["p25"], s["p75"]) == (2.25, 7)  # by hand: sorted 1 2 3 7 7 10


def test_spread_small_n() -> None:
    assert spread([]) == {"n": 0, "median": None, "p25": None, "p75": None}
    assert spread([9]) == {"n": 1, "median": 9, "p25": 9, "p75": 9}
    assert spread([4, 5]) == {"n": 2, "median": 4.5, "p25": 4.25, "p75": 4.75}


def test_time_to_productivity_and_offer_use_only_qualifying_records() -> None:
    records = [
        record(
            offer=True,
            accepted=True,
            end=D(2026, 3, 13),
            offer_date=D(2026, 3, 20),
            accepted_date=D(2026, 3, 24),
            first_delivery=D(2026, 4, 21),
        ),
        record(offer=True, accepted=True, offer_date=D(2026, 3, 16), accepted_date=D(2026, 3, 17)),
        record(offer=True, accepted=False, offer_date=D(2026, 4, 12)),
        record(offer=True, accepted=None),  # no offer date: not in time to offer
    ]
    assert time_to_productivity(records) == [28]
    assert sorted(time_to_offer(records)) == [3, 7, 30]
