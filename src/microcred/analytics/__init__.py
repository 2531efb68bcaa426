"""Programme analytics computed privately from the records: only aggregates leave.

:func:`compute` turns a validated :class:`~microcred.model.Program` into one JSON-ready
object (the contract of ``microcred analytics --json``, defined in docs/analytics.md):
the funnel, breakdowns by brief and cohort, time to productivity and to offer, cost per
currency, fairness with small-cell suppression and stipend transparency. Nothing here
prints, writes or reaches the network; names, e-mails and record slugs never enter the
result.
"""

from __future__ import annotations

from microcred.analytics.compute import GROUPINGS, TOP_LEVEL_KEYS, breakdown, compute, term_of
from microcred.analytics.cost import record_stipend
from microcred.analytics.fairness import NOT_STATED, fairness
from microcred.analytics.funnel import funnel, rate, spread
from microcred.analytics.settings import (
    DEFAULT_K,
    MIN_K,
    AnalyticsSettings,
    load_analytics_settings,
)

__all__ = [
    "DEFAULT_K",
    "GROUPINGS",
    "MIN_K",
    "NOT_STATED",
    "TOP_LEVEL_KEYS",
    "AnalyticsSettings",
    "breakdown",
    "compute",
    "fairness",
    "funnel",
    "load_analytics_settings",
    "rate",
    "record_stipend",
    "spread",
    "term_of",
]
