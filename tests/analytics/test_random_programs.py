"""Random programs written as real folders: every number `microcred analytics --json` prints
equals an independent computation from the definitions in docs/analytics.md."""

from __future__ import annotations

import datetime as dt
import json
import random
import statistics
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from microcred.cli import main

TOML = """[issuer]
name = "Random Issuer"
url = "https://random.example.org/"

[site]
base_url = "https://random.example.org/p/"
"""
BRIEF = """---
name: Brief {slug}
achievementType: Assignment
description: A brief.
criteria: Do it.
rubric:
  criteria:
    - id: only
      name: Only
      description: The only criterion.
      levels:
        - {{id: low, name: Low, points: 0}}
        - {{id: high, name: High, points: 1}}
{extra}open: true
---

Body.
"""


def _brief(rng: random.Random, slug: str) -> dict[str, Any]:
    stipend = None
    if rng.random() < 0.8:
        stipend = {
            "amount": Decimal(rng.choice(["400", "17.50", "95", "1200", "0"])),
            "currency": rng.choice(["EUR", "GBP", "CHF"]),
            "period": rng.choice(["total", "hour", "day", "week", "month"]),
        }
    return {"slug": slug, "stipend": stipend, "expected_hours": rng.choice([None, 20, 40])}


def _record(rng: random.Random, n: int, briefs: list[dict[str, Any]]) -> dict[str, Any]:
    start = dt.date(2026, 1, 5) + dt.timedelta(days=rng.randint(0, 300))
    end = start + dt.timedelta(days=rng.randint(0, 20))
    completed = rng.random() < 0.85
    r: dict[str, Any] = {
        "slug": f"r{n:03d}",
        "brief": rng.choice(briefs)["slug"],
        "start": start,
        "end": end,
        "hours": Decimal(rng.randint(2, 120)) / 2,
        "completed": completed,
        "cohort": rng.choice(["c1", "c2", None]),
        "offer": rng.random() < 0.55,
        "demo": {},
    }
    if r["offer"]:
        r["offer_date"] = rng.choice([None, end + dt.timedelta(days=rng.randint(-3, 30))])
        r["accepted"] = rng.choice([True, True, False, None])
        if r["accepted"]:
            base = r["offer_date"] or end
            r["accepted_date"] = rng.choice([None, base + dt.timedelta(days=rng.randint(0, 9))])
            if r["accepted_date"]:
                r["first"] = rng.choice(
                    [None, r["accepted_date"] + dt.timedelta(days=rng.randint(0, 60))]
                )
    for attribute, values in (
        ("sex", ["a", "b", "c"]),
        ("band", ["x", "y"]),
        ("flag", [True, False]),
    ):
        if rng.random() < 0.8:
            r["demo"][attribute] = rng.choice(values)
    return r


def _write(
    root: Path,
    briefs: list[dict[str, Any]],
    records: list[dict[str, Any]],
    costs: list[tuple[str, str]],
) -> None:
    (root / "achievements").mkdir(parents=True)
    (root / "records").mkdir()
    toml = TOML
    if costs:
        items = ", ".join(f'{{ amount = {a}, currency = "{c}" }}' for a, c in costs)
        toml += f"\n[analytics]\nprogram_costs = [{items}]\n"
    (root / "microcred.toml").write_text(toml, encoding="utf-8")
    for b in briefs:
        extra = ""
        if b["stipend"]:
            s = b["stipend"]
            extra += f"stipend: {{amount: {s['amount']}, currency: {s['currency']}, period: {s['period']}}}\n"
        else:
            extra += "unpaid: true\n"  # check requires a stipend or an explicit unpaid: true
        if b["expected_hours"]:
            extra += f"expected_hours: {b['expected_hours']}\n"
        (root / "achievements" / f"{b['slug']}.md").write_text(
            BRIEF.format(slug=b["slug"], extra=extra), encoding="utf-8"
        )
    for r in records:
        lines = [
            "---",
            f"candidate: {{name: Person {r['slug']}, email: {r['slug']}@example.org}}",
            f"achievement: {r['brief']}",
            f"start_date: {r['start']}",
            f"end_date: {r['end']}",
            f"hours: {r['hours']}",
            "mentor: {name: M}",
        ]
        if r["completed"]:
            lines.append("results: [{criterion: only, level: high}]")
        else:
            lines.append("status: withdrawn")
        if r["cohort"]:
            lines.append(f"cohort: {r['cohort']}")
        outcome = {"offer_made": "true" if r["offer"] else "false"}
        for key, name in (
            ("offer_date", "offer_date"),
            ("accepted_date", "accepted_date"),
            ("first", "first_delivery_date"),
        ):
            if r.get(key):
                outcome[name] = str(r[key])
        if "accepted" in r:
            outcome["offer_accepted"] = {True: "true", False: "false", None: "null"}[r["accepted"]]
        lines.append("outcome: {" + ", ".join(f"{k}: {v}" for k, v in outcome.items()) + "}")
        if r["demo"]:
            demo = ", ".join(f"{k}: {str(v).lower()}" for k, v in r["demo"].items())
            lines.append("demographics: {" + demo + "}")
        lines += ["---", "", "Narrative.", ""]
        (root / "records" / f"{r['slug']}.md").write_text("\n".join(lines), encoding="utf-8")


# ----------------------------------------------------------------------------- the oracle


def _rate(a: int, b: int) -> float | None:
    return None if b == 0 else round(a / b, 4)


def _funnel(rs: list[dict[str, Any]]) -> dict[str, Any]:
    done = [r for r in rs if r["completed"]]
    off = [r for r in done if r["offer"]]
    acc = [r for r in off if r.get("accepted") is True]
    return {
        "started": len(rs), "completed": len(done), "offered": len(off), "accepted": len(acc),
        "rates": {"completion": _rate(len(done), len(rs)), "offer": _rate(len(off), len(done)),
                  "acceptance": _rate(len(acc), len(off)), "conversion": _rate(len(acc), len(rs))},
    }  # fmt: skip


def _spread(days: list[int]) -> dict[str, Any]:
    if not days:
        return {"n": 0, "median": None, "p25": None, "p75": None}
    if len(days) == 1:
        return {"n": 1, "median": days[0], "p25": days[0], "p75": days[0]}
    q = statistics.quantiles(sorted(days), n=4, method="inclusive")
    return {"n": len(days), "median": statistics.median(days), "p25": q[0], "p75": q[2]}


def _cents(x: Decimal) -> Decimal:
    return x.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _paid(r: dict[str, Any], b: dict[str, Any]) -> Decimal:
    s = b["stipend"]
    days = Decimal((r["end"] - r["start"]).days + 1)
    period, amount = s["period"], s["amount"]
    if period == "total":
        if r["completed"] or not b["expected_hours"]:
            return _cents(amount)
        return _cents(amount * min(Decimal(1), r["hours"] / b["expected_hours"]))
    factor = {"hour": r["hours"], "day": days, "week": days / 7, "month": days * 12 / 365}[period]
    return _cents(amount * factor)


def _oracle(
    briefs: list[dict[str, Any]], rs: list[dict[str, Any]], costs: list[tuple[str, str]], k: int
) -> dict[str, Any]:
    by_slug = {b["slug"]: b for b in briefs}
    stipends: dict[str, Decimal] = {}
    for r in rs:
        b = by_slug[r["brief"]]
        if b["stipend"]:
            c = b["stipend"]["currency"]
            stipends[c] = stipends.get(c, Decimal(0)) + _paid(r, b)
    other: dict[str, Decimal] = {}
    for amount, currency in costs:
        other[currency] = other.get(currency, Decimal(0)) + Decimal(amount)
    f = _funnel(rs)
    totals = {
        c: stipends.get(c, Decimal(0)) + other.get(c, Decimal(0)) for c in {*stipends, *other}
    }
    per = lambda n: {c: (None if n == 0 else float(_cents(t / n))) for c, t in totals.items()}  # noqa: E731
    fairness: dict[str, Any] = {}
    for attribute in sorted({a for r in rs for a in r["demo"]}):
        groups: dict[str, list[dict[str, Any]]] = {}
        for r in rs:
            v = r["demo"].get(attribute)
            groups.setdefault("not stated" if v is None else str(v).lower(), []).append(r)
        hidden = {g for g, m in groups.items() if len(m) < k}
        if len(hidden) == 1:
            rest = sorted((len(m), g) for g, m in groups.items() if g not in hidden)
            hidden |= {rest[0][1]} if rest else set()
        shown = {g: _funnel(m) for g, m in groups.items() if g not in hidden}
        rates = [s["offered"] / s["completed"] for s in shown.values() if s["completed"]]
        best = max(rates, default=0)
        fairness[attribute] = (hidden, {
            g: {"n": s["started"], "offered": s["offered"], "offer_rate": s["rates"]["offer"],
                "accepted": s["accepted"], "acceptance_rate": s["rates"]["acceptance"],
                "impact": None if not s["completed"] or not best else (s["offered"] / s["completed"]) / best}
            for g, s in shown.items()
        })  # fmt: skip
    ttp = [
        (r["first"] - r["accepted_date"]).days
        for r in rs
        if r["completed"]
        and r["offer"]
        and r.get("accepted") is True
        and r.get("accepted_date")
        and r.get("first")
    ]
    tto = [(r["offer_date"] - r["end"]).days for r in rs if r["completed"] and r["offer"] and r.get("offer_date")]  # fmt: skip
    return {
        "funnel": f, "ttp": _spread(ttp), "tto": _spread(tto),
        "stipends": {c: float(v) for c, v in stipends.items()},
        "program_costs": {c: float(v) for c, v in other.items()},
        "per_completed": per(f["completed"]), "per_hire": per(f["accepted"]),
        "fairness": fairness,
        "cohorts": {(r["cohort"] or "no cohort") for r in rs},
    }  # fmt: skip


def _close(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is b
    return abs(float(a) - float(b)) <= 1e-4 + 1e-9


@pytest.mark.parametrize("seed", range(40))
def test_analytics_json_matches_an_independent_computation(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    briefs = [_brief(rng, f"b{i}") for i in range(rng.randint(1, 3))]
    records = [_record(rng, n, briefs) for n in range(rng.randint(0, 45))]
    costs = [
        (rng.choice(["100", "2500.5", "80"]), rng.choice(["EUR", "USD"]))
        for _ in range(rng.randint(0, 2))
    ]
    k = rng.randint(3, 6)
    root = tmp_path / "p"
    _write(root, briefs, records, costs)
    result = CliRunner().invoke(main, ["-p", str(root), "analytics", "--json", "--k", str(k)])
    assert result.exit_code == 0, result.output + result.stderr
    got = json.loads(result.stdout)
    want = _oracle(briefs, records, costs, k)
    assert got["funnel"]["started"] == want["funnel"]["started"]
    for key in ("completed", "offered", "accepted"):
        assert got["funnel"][key] == want["funnel"][key]
    for name, value in want["funnel"]["rates"].items():
        assert _close(got["funnel"]["rates"][name], value), name
    for key, mine in (("time_to_productivity_days", "ttp"), ("time_to_offer_days", "tto")):
        for part in ("n", "median", "p25", "p75"):
            assert _close(got[key][part], want[mine][part]), (key, part)
    for part in ("stipends", "program_costs", "per_completed", "per_hire"):
        assert set(got["cost"][part]) == set(want[part]), part
        for currency, value in want[part].items():
            assert _close(got["cost"][part][currency], value), (part, currency)
    assert set(got["by_cohort"]) == want["cohorts"] if records else got["by_cohort"] == {}
    assert got["fairness"]["k"] == k
    assert set(got["fairness"]["attributes"]) == set(want["fairness"])
    for attribute, (hidden, shown) in want["fairness"].items():
        groups = got["fairness"]["attributes"][attribute]["groups"]
        assert sum(1 for g in groups.values() if g["suppressed"]) == len(hidden)
        assert {g for g, v in groups.items() if not v["suppressed"]} == set(shown)
        for value, expected in shown.items():
            g = groups[value]
            for key in ("n", "offered", "accepted"):
                assert g[key] == expected[key], (attribute, value, key)
            assert _close(g["offer_rate"], expected["offer_rate"])
            assert _close(g["acceptance_rate"], expected["acceptance_rate"])
            assert _close(g["impact_ratio"], expected["impact"])
            if expected["impact"] is not None and abs(expected["impact"] - 0.8) > 1e-9:
                assert g["flagged"] is (expected["impact"] < 0.8)
    transparency = got["stipend_transparency"]
    assert transparency["briefs"] == sorted(b["slug"] for b in briefs)
    assert transparency["paid"] == sorted(
        b["slug"] for b in briefs if b["stipend"] and b["stipend"]["amount"] > 0
    )
