"""`microcred analytics [--json] [--k N] [--by brief|cohort|term]`: aggregates, never people.

Reads the program's records (outcome, cohort, demographics) and prints the funnel, time to
productivity and to offer, cost per currency, fairness with small-cell suppression and
stipend transparency. ``--json`` prints exactly one object (docs/analytics.md).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import click
from rich import box
from rich.console import Console
from rich.table import Table

# compute comes through the facade: the package attribute shares its name with the module
# microcred.analytics.compute, which import-linter would read as a deep import.
from microcred import compute_analytics
from microcred.analytics import GROUPINGS, breakdown, load_analytics_settings
from microcred.cli import Context
from microcred.records import load_program


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _table(title: str) -> Table:
    return Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)


def _num(value: Any) -> str:
    return "—" if value is None else str(value)


def _funnel_table(title: str, rows: Mapping[str, Mapping[str, Any]], label: str) -> Table:
    table = _table(title)
    table.add_column(label, no_wrap=True)
    for name in ("started", "done", "offers", "hires", "done%", "offer%", "accept%", "conv%"):
        table.add_column(name, justify="right", no_wrap=True)
    for group, f in rows.items():
        rates = f["rates"]
        table.add_row(
            group,
            *(str(f[n]) for n in ("started", "completed", "offered", "accepted")),
            *(_pct(rates[n]) for n in ("completion", "offer", "acceptance", "conversion")),
        )
    return table


def _show(console: Console, data: Mapping[str, Any], by: str, by_rows: Mapping[str, Any]) -> None:
    console.print(_funnel_table("Funnel", {"all records": data["funnel"]}, ""))
    console.print(_funnel_table(f"By {by}", by_rows, by))
    days = _table("Days (n, median and quartiles)")
    for col in ("measure", "n", "median", "p25", "p75"):
        days.add_column(col, justify="left" if col == "measure" else "right")
    for key, label in (
        ("time_to_offer_days", "end of internship → offer"),
        ("time_to_productivity_days", "accepted → first delivery"),
    ):
        s = data[key]
        days.add_row(label, *(_num(s[c]) for c in ("n", "median", "p25", "p75")))
    console.print(days)
    cost = data["cost"]
    money = _table("Cost per currency (never converted)")
    for col in ("currency", "stipends", "other costs", "per completed", "per hire"):
        money.add_column(col, justify="left" if col == "currency" else "right")
    for c in cost["per_completed"]:
        money.add_row(
            c,
            _num(cost["stipends"].get(c, 0)),
            _num(cost["program_costs"].get(c, 0)),
            _num(cost["per_completed"][c]),
            _num(cost["per_hire"][c]),
        )
    console.print(money)
    fair = data["fairness"]
    for attribute, body in fair["attributes"].items():
        table = _table(f"Fairness: {attribute}")
        for col in ("group", "n", "offers", "offer%", "hires", "accept%", "impact"):
            table.add_column(col, justify="left" if col == "group" else "right", no_wrap=True)
        table.add_column("", no_wrap=True)
        hidden = 0
        for group, g in body["groups"].items():
            if g["suppressed"]:
                hidden += 1
                continue
            table.add_row(
                group,
                str(g["n"]),
                str(g["offered"]),
                _pct(g["offer_rate"]),
                str(g["accepted"]),
                _pct(g["acceptance_rate"]),
                _num(g["impact_ratio"]),
                "< 4/5" if g["flagged"] else "",
            )
        console.print(table)
        if hidden:
            console.print(
                f"  {hidden} group(s) suppressed: fewer than k = {fair['k']} people, or hidden "
                "so that a smaller one cannot be worked out by subtraction"
            )
    st = data["stipend_transparency"]
    console.print(
        f"Stipends: {len(st['paid'])} of {len(st['briefs'])} briefs publish a stipend; "
        f"unpaid: {', '.join(st['unpaid']) or 'none'}"
    )


def register(main: click.Group) -> None:
    @main.command("analytics")
    @click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
    @click.option(
        "--k",
        "k",
        type=click.IntRange(min=3),
        default=None,
        help="Small-cell threshold (default: [analytics] k, else 5; never below 3).",
    )
    @click.option(
        "--by",
        type=click.Choice(GROUPINGS),
        default="brief",
        show_default=True,
        help="Breakdown shown in the tables (the JSON always has by_brief and by_cohort).",
    )
    @click.pass_obj
    def analytics(obj: Context, as_json: bool, k: int | None, by: str) -> None:
        """Programme funnel, time to productivity, cost and fairness (aggregates only)."""
        program = load_program(obj.project)
        settings = load_analytics_settings(obj.project)
        data = compute_analytics(
            program,
            k=settings.k if k is None else k,
            program_costs=settings.program_costs,
        )
        if as_json:
            click.echo(json.dumps(data, ensure_ascii=False, indent=2))
            return
        console = Console(highlight=False)
        if not console.is_terminal:
            console = Console(highlight=False, width=120)  # piped: no terminal to fit
        _show(console, data, by, breakdown(program.records, by))
