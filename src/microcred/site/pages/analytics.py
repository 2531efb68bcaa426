"""The issuer site's analytics page: aggregates from :mod:`microcred.analytics`, as charts.

Every chart is inline SVG (see :mod:`microcred.site.charts`) with a ``<title>`` and a
``<desc>`` that states its numbers in a sentence, and a table with the same numbers next
to it. Only what ``microcred analytics --json`` holds reaches the page: counts, rates,
brief and cohort names, and the values of fairness groups that are not suppressed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import Any

from markupsafe import Markup

from microcred.analytics import compute, load_analytics_settings
from microcred.model import Program
from microcred.site import charts
from microcred.site.charts import BLUE, ORANGE


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
    return Markup(text)  # noqa: S704 - built by charts.csp_safe_svg from escaped ElementTree


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
        charts.chart(
            lambda fig: charts.bars(
                fig,
                names,
                [("offer rate", offer, BLUE), ("conversion", conversion, ORANGE)],
                xlabel="% (offer: of completed; conversion: of started)",
                percent=True,
            ),
            len(names) * 2,
            prefix=prefix,
            title=f"Offer rate and conversion by {what}",
            description=desc + ".",
            per_row=0.3,
        )
    )


def _time_chart(measures: Sequence[tuple[str, Mapping[str, Any]]]) -> Markup | None:
    known = [(name, s) for name, s in measures if s["n"]]
    if not known:
        return None

    def draw(fig: Any) -> None:
        ax = fig.add_subplot()
        for y, (_name, s) in enumerate(known):
            ax.barh(y, s["p75"] - s["p25"], left=s["p25"], height=0.5, color=BLUE)
            ax.plot([s["median"]] * 2, [y - 0.32, y + 0.32], color="#000000", linewidth=2.5)
            ax.annotate(
                f"median {num(s['median'])}, n {s['n']}",
                (max(s["p75"], s["median"]), y),
                xytext=(6, 0),
                textcoords="offset points",
                va="center",
                fontsize=9,
            )
        ax.set_yticks(range(len(known)), [charts.label(n) for n, _ in known])
        ax.invert_yaxis()
        ax.set_xlabel("days (bar: middle half; line: median)")
        right = max(max(s["p75"], s["median"]) for _, s in known)
        left = min(0, *(s["p25"] for _, s in known))
        ax.set_xlim(left, right * 2.1 + 1)

    desc = "; ".join(
        f"{n}: median {num(s['median'])} days, 25th percentile {num(s['p25'])}, "
        f"75th percentile {num(s['p75'])}, over {s['n']} people"
        for n, s in known
    )
    return _svg(
        charts.chart(
            draw,
            len(known),
            prefix="mc-time",
            title="Days to an offer and to productivity",
            description=desc + ".",
            per_row=0.6,
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
        charts.chart(
            lambda fig: charts.bars(
                fig,
                names,
                [("per completed", per_completed, BLUE), ("per hire", per_hire, ORANGE)],
                xlabel="amount, per currency",
            ),
            len(names) * 2,
            prefix="mc-cost",
            title="Cost per completed internship and per hire",
            description=desc + ". Amounts in different currencies are not comparable.",
            per_row=0.35,
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
                charts.chart(
                    partial(
                        charts.bars,
                        names=list(shown),
                        series=[("offer rate", rates, BLUE)],
                        xlabel="offer rate, % (hatched: below four fifths)",
                        percent=True,
                        hatched=[v["flagged"] for v in shown.values()],
                        threshold=None if not best else best * 0.8,
                    ),
                    len(shown),
                    prefix=f"mc-fair-{index}",
                    title=f"Offer rate by {attribute}",
                    description=desc + ".",
                )
            )
        out.append({"attribute": attribute, "rows": rows, "hidden": hidden, "chart": chart})
    return out


def page_context(data: Mapping[str, Any], program: Program) -> dict[str, Any]:
    """Template context for ``pages/analytics.md.j2`` from an analytics object (its charts
    drawn from ``data`` alone: reused when the same data was drawn before)."""
    with charts.drawn_from(data):
        return _page_context(data, program)


def _page_context(data: Mapping[str, Any], program: Program) -> dict[str, Any]:
    names = {a.slug: a.name for a in program.achievements}
    f = data["funnel"]
    counts = [f["started"], f["completed"], f["offered"], f["accepted"]]
    stages = ["started", "completed", "offered", "accepted"]
    funnel_chart = _svg(
        charts.chart(
            lambda fig: charts.bars(fig, stages, [("records", counts, BLUE)], xlabel="people"),
            4,
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
