"""`microcred analytics`: one JSON object with the exact keys, tables, --k and --by, errors."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from microcred.analytics import TOP_LEVEL_KEYS
from microcred.cli import main
from microcred.records import load_program

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "northwind-microinternships"


@pytest.fixture(scope="module")
def program(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("analytics") / "program"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("site", ".microcred"))
    return root


def _run(root: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["-p", str(root), "analytics", *args])
    return result.exit_code, result.stdout, result.stderr


def test_json_is_one_object_with_exactly_the_documented_keys(program: Path) -> None:
    code, out, _ = _run(program, "--json")
    assert code == 0
    data = json.loads(out)
    assert list(data) == list(TOP_LEVEL_KEYS)
    assert data["funnel"]["started"] == len(load_program(program).records)


def test_json_carries_no_personal_data(program: Path) -> None:
    _, out, _ = _run(program, "--json")
    loaded = load_program(program)
    for record in loaded.records:
        for secret in (record.candidate.name, record.candidate.email, record.slug):
            assert secret not in out
        if record.candidate.slug:
            assert record.candidate.slug not in out


def test_k_option_and_its_floor(program: Path) -> None:
    _, out, _ = _run(program, "--json", "--k", "3")
    assert json.loads(out)["fairness"]["k"] == 3
    code, _, err = _run(program, "--k", "2")  # a usage error: exit 2, one clear message
    assert code == 2 and "2 is not in the range x>=3" in err and "Traceback" not in err


@pytest.mark.parametrize("by", ["brief", "cohort", "term"])
def test_tables_for_each_grouping(program: Path, by: str) -> None:
    code, out, _ = _run(program, "--by", by)
    assert code == 0
    assert "Funnel" in out and f"By {by}" in out and "Cost per currency" in out
    if by == "term":
        assert re.search(r"\b20\d\d-Q[1-4]\b", out)


def test_bad_program_costs_is_a_located_error(tmp_path: Path) -> None:
    root = tmp_path / "p"
    shutil.copytree(REPO / "tests" / "records" / "fixtures" / "base", root)
    with (root / "microcred.toml").open("a", encoding="utf-8") as handle:
        handle.write('\n[analytics]\nprogram_costs = { amount = "lots", currency = "EUR" }\n')
    code, out, err = _run(root, "--json")
    assert code == 1 and out == ""
    assert re.search(r"microcred\.toml:\d+: \$\.analytics\.program_costs", err)
