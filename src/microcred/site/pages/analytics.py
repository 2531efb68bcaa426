"""The issuer site's analytics page: aggregates from :mod:`microcred.analytics`, as charts.

Every chart is inline SVG (see :mod:`microcred.site.charts`) with a ``<title>`` and a
``<desc>`` that states its numbers in a sentence, and a table with the same numbers next
to it. Only what ``microcred analytics --json`` holds reaches the page: counts, rates,
brief and cohort names, and the values of fairness groups that are not suppressed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from markupsafe import Markup

from microcred.analytics import compute, load_analytics_settings
from microcred.model import Program
from microcred.site import charts
from microcred.site.charts import BLUE, ORANGE, Series, Span


def site_analytics(program: Program, root: Path) -> dict[str, Any] | None:
    """The analytics object for the site, or None: no records to count, or ``publish = false``."""
    if not program.records:
        return None
    settings = load_analytics_settings(root)
    if not settings.publish:
        return None
    return compute(program, k=settings.k, program_costs=settings.program_costs)


def pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.1f}%"


def num(value: Any) -> str:
    return "n/a" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


def _svg(text: str) -> Markup:
    return Markup(text)  # noqa: S704 - written by microcred.site.charts with ElementTree, which escapes


def _funnel_rows(groups: Mapping[str, Mapping[str, Any]], names: Mapping[str, str]) -> list[Any]:
    rows = []
    for key, f in groups.items():
        r = f["rates"]
        rows.append(
            {
                "group": names.get(key, key),
                "counts": [f["started"], f["completed"], f["offered"], f["accepted"]],
                "rates": [pct(r[n]) for n in ("completion", "offer", "acceptance", "conversion")],
            }
        )
    return rows


def _breakdown_chart(
    groups: Mapping[str, Mapping[str, Any]], prefix: str, what: str
) -> Markup | None:
    if not groups:
        return None
    names = list(groups)
    offer = [groups[n]["rates"]["offer"] for n in names]
    conversion = [groups[n]["rates"]["conversion"] for n in names]
    desc = "; ".join(
        f"{n}: offer rate {pct(o)}, conversion {pct(c)}"
        for n, o, c in zip(names, offer, conversion, strict=True)
    )
    return _svg(
        charts.bars(
            names,
            [Series("offer rate", offer, BLUE), Series("conversion", conversion, ORANGE)],
            xlabel="% (offer: of completed; conversion: of started)",
            percent=True,
            prefix=prefix,
            title=f"Offer rate and conversion by {what}",
            description=desc + ".",
        )
    )


def _time_chart(measures: Sequence[tuple[str, Mapping[str, Any]]]) -> Markup | None:
    known = [(name, s) for name, s in measures if s["n"]]
    if not known:
        return None
    spans = [
        Span(name, s["p25"], s["p75"], s["median"], f"median {num(s['median'])}, n {s['n']}")
        for name, s in known
    ]
    desc = "; ".join(
        f"{n}: median {num(s['median'])} days, 25th percentile {num(s['p25'])}, "
        f"75th percentile {num(s['p75'])}, over {s['n']} people"
        for n, s in known
    )
    return _svg(
        charts.ranges(
            spans,
            xlabel="days (bar: middle half; line: median)",
            prefix="mc-time",
            title="Days to an offer and to productivity",
            description=desc + ".",
        )
    )


def _cost_chart(cost: Mapping[str, Any]) -> Markup | None:
    names, per_completed, per_hire = [], [], []
    for currency in cost["per_completed"]:
        names.append(currency)
        per_completed.append(cost["per_completed"][currency])
        per_hire.append(cost["per_hire"][currency])
    if not names:
        return None
    desc = "; ".join(
        f"{c}: {num(a)} per completed internship, {num(b)} per hire"
        for c, a, b in zip(names, per_completed, per_hire, strict=True)
    )
    return _svg(
        charts.bars(
            names,
            [Series("per completed", per_completed, BLUE), Series("per hire", per_hire, ORANGE)],
            xlabel="amount, per currency",
            prefix="mc-cost",
            title="Cost per completed internship and per hire",
            description=desc + ". Amounts in different currencies are not comparable.",
        )
    )


def _fairness(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    out = []
    for index, (attribute, body) in enumerate(data["attributes"].items(), 1):
        shown = {g: v for g, v in body["groups"].items() if not v["suppressed"]}
        hidden = len(body["groups"]) - len(shown)
        rows = [
            {
                "group": g,
                "cells": [
                    v["n"],
                    v["offered"],
                    pct(v["offer_rate"]),
                    v["accepted"],
                    pct(v["acceptance_rate"]),
                    num(v["impact_ratio"]),
                ],
                "flagged": v["flagged"],
            }
            for g, v in shown.items()
        ]
        chart = None
        rates = [v["offer_rate"] for v in shown.values()]
        best = max((r for r in rates if r is not None), default=None)
        if shown:
            desc = "; ".join(
                f"{g}: offer rate {pct(v['offer_rate'])}, impact ratio {num(v['impact_ratio'])}"
                + (" (below four fifths)" if v["flagged"] else "")
                for g, v in shown.items()
            )
            chart = _svg(
                charts.bars(
                    list(shown),
                    [Series("offer rate", rates, BLUE)],
                    xlabel="offer rate, % (hatched: below four fifths)",
                    percent=True,
                    hatched=[v["flagged"] for v in shown.values()],
                    threshold=None if not best else best * 0.8,
                    prefix=f"mc-fair-{index}",
                    title=f"Offer rate by {attribute}",
                    description=desc + ".",
                )
            )
        out.append({"attribute": attribute, "rows": rows, "hidden": hidden, "chart": chart})
    return out


def page_context(data: Mapping[str, Any], program: Program) -> dict[str, Any]:
    """Template context for ``pages/analytics.md.j2`` from an analytics object."""
    names = {a.slug: a.name for a in program.achievements}
    f = data["funnel"]
    counts = [f["started"], f["completed"], f["offered"], f["accepted"]]
    stages = ["started", "completed", "offered", "accepted"]
    funnel_chart = _svg(
        charts.bars(
            stages,
            [Series("records", counts, BLUE)],
            xlabel="people",
            prefix="mc-funnel",
            title="Funnel from micro-internship to hire",
            description=(
                f"Of {counts[0]} micro-internships, {counts[1]} were completed, {counts[2]} "
                f"led to an offer and {counts[3]} to an accepted offer."
            ),
        )
    )
    time_rows = [
        ("to offer", data["time_to_offer_days"]),
        ("to productivity", data["time_to_productivity_days"]),
    ]
    briefs = {a.slug: a for a in program.achievements}
    st = data["stipend_transparency"]
    return {
        "k": data["fairness"]["k"],
        "funnel": {"chart": funnel_chart, "counts": counts, "rates": f["rates"]},
        "rates": {n: pct(v) for n, v in f["rates"].items()},
        "by_brief": {
            "chart": _breakdown_chart(data["by_brief"], "mc-brief", "brief"),
            "rows": _funnel_rows(data["by_brief"], names),
        },
        "by_cohort": {
            "chart": _breakdown_chart(data["by_cohort"], "mc-cohort", "cohort"),
            "rows": _funnel_rows(data["by_cohort"], {}),
        },
        "time": {
            "chart": _time_chart(time_rows),
            "rows": [(n, [num(s[c]) for c in ("n", "median", "p25", "p75")]) for n, s in time_rows],
        },
        "cost": {
            "chart": _cost_chart(data["cost"]),
            "rows": [
                {
                    "currency": c,
                    "cells": [
                        num(data["cost"][part].get(c, 0))
                        for part in ("stipends", "program_costs", "per_completed", "per_hire")
                    ],
                }
                for c in data["cost"]["per_completed"]
            ],
        },
        "fairness": _fairness(data["fairness"]),
        "stipends": {
            "paid": [
                {"name": briefs[s].name, "stipend": briefs[s].stipend}
                for s in st["paid"]
                if s in briefs
            ],
            "unpaid": [briefs[s].name for s in st["unpaid"] if s in briefs],
        },
    }
