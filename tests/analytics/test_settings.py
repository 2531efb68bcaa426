"""[analytics] in microcred.toml: k and program costs (one table or a list), located errors."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from microcred.analytics import load_analytics_settings
from microcred.errors import ProblemsError
from microcred.records import check_program

BASE = Path(__file__).resolve().parents[1] / "records" / "fixtures" / "base"


def program_with(tmp_path: Path, extra: str) -> Path:
    root = tmp_path / "p"
    shutil.copytree(BASE, root)
    with (root / "microcred.toml").open("a", encoding="utf-8") as handle:
        handle.write("\n" + extra)
    return root


def test_defaults_without_a_table(tmp_path: Path) -> None:
    settings = load_analytics_settings(program_with(tmp_path, ""))
    assert settings.k == 5 and dict(settings.program_costs) == {}


def test_one_table_or_a_list_summed_per_currency(tmp_path: Path) -> None:
    root = program_with(
        tmp_path,
        "[analytics]\nk = 7\nprogram_costs = [\n"
        '  { amount = 1000, currency = "EUR", description = "coordinator" },\n'
        '  { amount = 250.5, currency = "EUR" },\n'
        '  { amount = 80, currency = "GBP" },\n]\n',
    )
    settings = load_analytics_settings(root)
    assert settings.k == 7
    assert dict(settings.program_costs) == {"EUR": Decimal("1250.5"), "GBP": Decimal(80)}
    assert check_program(root) == []
    single = program_with(
        tmp_path / "two", '[analytics.program_costs]\namount = 5\ncurrency = "USD"\n'
    )
    assert dict(load_analytics_settings(single).program_costs) == {"USD": Decimal(5)}


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        ('[analytics]\nprogram_costs = { amount = 5, currency = "euro" }\n', "ISO 4217"),
        ('[analytics]\nprogram_costs = { amount = -5, currency = "EUR" }\n', "below the minimum"),
        ("[analytics]\nk = 2\n", "below the minimum 3"),
        ('[analytics]\nprogram_cost = { amount = 5, currency = "EUR" }\n', "did you mean"),
    ],
)
def test_bad_values_are_located_errors(tmp_path: Path, extra: str, needle: str) -> None:
    root = program_with(tmp_path, extra)
    with pytest.raises(ProblemsError) as caught:
        load_analytics_settings(root)
    text = caught.value.diagnostics()
    assert text.startswith("microcred.toml:") and needle in text
    problems = [str(p) for p in check_program(root)]  # `microcred check` reports it too
    assert any(needle in p and p.startswith("microcred.toml:") for p in problems)


def test_publish_false_keeps_the_page_off_the_site(tmp_path: Path) -> None:
    assert load_analytics_settings(program_with(tmp_path / "a", "")).publish is True
    root = program_with(tmp_path / "b", "[analytics]\npublish = false\n")
    assert load_analytics_settings(root).publish is False
    assert check_program(root) == []
