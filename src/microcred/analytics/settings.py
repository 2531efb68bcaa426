"""The ``[analytics]`` table of ``microcred.toml``: the suppression threshold and other costs.

The program schema already checked its shape (with file and line) when the program was
loaded; this reads the values. ``program_costs`` may be one table or a list of them::

    [analytics]
    publish = true    # false: no Analytics page on the site
    k = 5
    program_costs = [
      { amount = 12000, currency = "EUR", description = "Coordinator, half time" },
      { amount = 900, currency = "GBP" },
    ]
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from microcred.errors import Problem, ProblemsError
from microcred.records.engine import CONFIG, config_passed
from microcred.records.frontmatter import SourceProblem, read_text
from microcred.records.paths import format_path
from microcred.records.schema import validate
from microcred.records.tomlconf import TomlProblem, load_toml

DEFAULT_K = 5
MIN_K = 3


@dataclass(frozen=True)
class AnalyticsSettings:
    k: int = DEFAULT_K
    program_costs: Mapping[str, Decimal] = field(default_factory=dict)  # currency -> sum
    publish: bool = True  # the site's Analytics page


def settings_from(data: Mapping[str, Any]) -> AnalyticsSettings:
    """Settings from the parsed ``[analytics]`` table (already schema-valid)."""
    k = data.get("k", DEFAULT_K)
    raw = data.get("program_costs", [])
    items = [raw] if isinstance(raw, Mapping) else list(raw)
    costs: dict[str, Decimal] = {}
    for item in items:
        amount = Decimal(str(item["amount"]))
        costs[item["currency"]] = costs.get(item["currency"], Decimal(0)) + amount
    return AnalyticsSettings(int(k), dict(sorted(costs.items())), data.get("publish") is not False)


def load_analytics_settings(root: Path | str) -> AnalyticsSettings:
    """``[analytics]`` of the program at ``root`` (defaults when absent)."""
    path = Path(root) / CONFIG
    try:
        text = read_text(path, CONFIG)
        located = load_toml(text)
    except SourceProblem as exc:
        raise ProblemsError([exc.problem]) from None
    except TomlProblem as exc:
        raise ProblemsError([Problem(CONFIG, exc.line, "", exc.message)]) from None
    problems = (
        []
        if config_passed(text)  # the program was loaded from this very text: checked
        else [
            Problem(CONFIG, located.line_of(p), format_path(p), m)
            for p, m in validate("program", located.data)
            if p[:1] == ("analytics",)
        ]
    )
    if problems:
        raise ProblemsError(problems)
    section = located.data.get("analytics", {})
    return settings_from(section if isinstance(section, Mapping) else {})
