"""Fairness per self-reported demographic attribute, with small-cell suppression.

For every attribute any record states, records without it form the group "not stated".
A group with fewer than ``k`` records is suppressed (shown as ``{"suppressed": true}``
and nothing else); when exactly one group of an attribute is suppressed, the next
smallest group (fewest records, then the value's sort order) is suppressed too, so the
hidden group cannot be recovered by subtracting the shown ones from the funnel totals.
A suppressed group is listed under an opaque name (``suppressed-1``, ...), never its
value: that a group of "region: Zeeland" exists at all can identify the one person in it.

``impact_ratio`` compares a group's offer rate with the highest offer rate among the
groups shown; below four fifths the group is ``flagged`` (the four-fifths rule). Ratios
are compared exactly (as fractions) and rounded to 4 places only for display.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from microcred.analytics.funnel import PLACES, accepted, completed, offered, rate
from microcred.model import Record

NOT_STATED = "not stated"
SUPPRESSED = "suppressed"
FOUR_FIFTHS = Fraction(4, 5)


def _groups(records: Sequence[Record], attribute: str) -> dict[str, list[Record]]:
    groups: dict[str, list[Record]] = {}
    for record in records:
        value = dict(record.demographics).get(attribute, NOT_STATED)
        groups.setdefault(value, []).append(record)
    return groups


def suppressed_groups(sizes: dict[str, int], k: int) -> set[str]:
    """Primary (n < k) and secondary (the next smallest when only one is hidden) suppression."""
    hidden = {g for g, n in sizes.items() if n < k}
    if len(hidden) == 1:
        rest = sorted((n, g) for g, n in sizes.items() if g not in hidden)
        if rest:
            hidden.add(rest[0][1])
    return hidden


def _attribute(records: Sequence[Record], attribute: str, k: int) -> dict[str, Any]:
    groups = _groups(records, attribute)
    hidden = suppressed_groups({g: len(rs) for g, rs in groups.items()}, k)
    offer_rates: dict[str, Fraction | None] = {}
    for value, members in groups.items():
        if value in hidden:
            continue
        n_completed = len(completed(members))
        n_offered = len(offered(members))
        offer_rates[value] = Fraction(n_offered, n_completed) if n_completed else None
    known = [r for r in offer_rates.values() if r is not None]
    best = max(known) if known else None
    out: dict[str, Any] = {}
    for value in sorted(groups, key=lambda v: (v == NOT_STATED, v)):
        members = groups[value]
        if value in hidden:
            continue
        n_offered = len(offered(members))
        n_accepted = len(accepted(members))
        own = offer_rates[value]
        ratio = own / best if own is not None and best else None
        out[value] = {
            "n": len(members),
            "offered": n_offered,
            "offer_rate": rate(n_offered, len(completed(members))),
            "accepted": n_accepted,
            "acceptance_rate": rate(n_accepted, n_offered),
            "impact_ratio": None if ratio is None else float(round(ratio, PLACES)),
            "flagged": ratio is not None and ratio < FOUR_FIFTHS,
            "suppressed": False,
        }
    # Opaque names, numbered in an order unrelated to the values (a hash of each).
    for _value in sorted(hidden, key=lambda v: hashlib.sha256(v.encode("utf-8")).hexdigest()):
        n = 1
        while f"{SUPPRESSED}-{n}" in out or f"{SUPPRESSED}-{n}" in groups:
            n += 1
        out[f"{SUPPRESSED}-{n}"] = {"suppressed": True}
    return {"groups": out}


def fairness(records: Sequence[Record], k: int) -> dict[str, Any]:
    """``{"k": k, "attributes": {attribute: {"groups": {value: {...}}}}}``."""
    names = sorted({name for r in records for name, _ in r.demographics})
    return {"k": k, "attributes": {name: _attribute(records, name, k) for name in names}}
