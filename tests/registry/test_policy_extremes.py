"""QA regression for registry/policy.py: rounding a credit amount as large as any float a
credential can state (1e308) once raised decimal.InvalidOperation, which ended the whole
import with "internal error"; now it is rounded like any other amount (and a cap catches it)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from microcred.registry.policy import load_policy


@pytest.mark.parametrize(
    "amount", ["1e308", "1.7976931348623157e308", "123456789012345678901234567890.25"]
)
def test_rounding_an_enormous_stated_amount_does_not_raise(tmp_path: Path, amount: str) -> None:
    path = tmp_path / "policy.toml"
    path.write_text(
        'name = "p"\nunit = "ECTS"\nrounding = "half_up"\nstep = 0.5\n[[rule]]\nname = "all"\n',
        encoding="utf-8",
    )
    policy = load_policy(path)
    rounded = policy.round(Decimal(amount))
    assert abs(rounded - Decimal(amount)) <= Decimal("0.25")
