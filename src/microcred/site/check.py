"""``microcred check`` as one library call, for issuer programs and portfolios alike."""

from __future__ import annotations

from pathlib import Path

from microcred.layout import CONFIG_FILE
from microcred.records import check_program
from microcred.records.placeholder import placeholder_problems
from microcred.site.outcome import project_kind
from microcred.site.portfolio_read import collect, load_settings


def check_portfolio(root: Path) -> list[str]:
    """A portfolio holds other issuers' credentials: check they can be read, not their content
    (``microcred build`` verifies each one and shows its verdict)."""
    load_settings(root)
    return [f"{item.source}: {item.error}" for item in collect(root) if item.error]


def check_project(root: Path) -> list[str]:
    """Every problem in the project folder, one ``path:line: $.path: message`` line each."""
    if (root / CONFIG_FILE).is_file() and project_kind(root) == "portfolio":
        return check_portfolio(root)
    problems = check_program(root) + placeholder_problems(root)
    return [str(p) for p in sorted(problems, key=lambda p: (p.path, p.line or 0))]
