"""site/outcome.py: the result and check types behave as the dataclasses they replace (equal
by their fields within one class, checks immutable and hashable, results not hashable,
readable reprs, pickled and read back whole)."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from microcred.site.outcome import BuildCheck, BuildResult
from microcred.site.verdict import ReportedCheck


def test_a_check_is_equal_by_its_fields_and_immutable() -> None:
    check = BuildCheck("valid", "signature verified", ("a",))
    assert check == BuildCheck("valid", "signature verified", ("a",))
    assert check != BuildCheck("valid", "signature verified")
    assert BuildCheck("valid", "x").problems == ()
    assert hash(check) == hash(BuildCheck("valid", "signature verified", ("a",)))
    assert len({check, BuildCheck("valid", "signature verified", ("a",))}) == 1
    assert check != ("valid", "signature verified", ("a",))  # not a tuple
    for name in ("result", "summary", "problems", "other"):
        with pytest.raises(AttributeError):
            setattr(check, name, "changed")
    with pytest.raises(AttributeError):
        del check.result
    assert check.result == "valid"
    assert repr(check) == (
        "BuildCheck(result='valid', summary='signature verified', problems=('a',))"
    )


def test_a_reported_check_keeps_its_report_out_of_equality() -> None:
    one = ReportedCheck("invalid", "bad", ("p",), {"report": 1})
    two = ReportedCheck("invalid", "bad", ("p",), {"report": 2})
    assert one == two and hash(one) == hash(two)
    assert one.report == {"report": 1}
    assert one != BuildCheck("invalid", "bad", ("p",))  # another class, as dataclasses do
    assert ReportedCheck("valid", "ok").report is None
    with pytest.raises(AttributeError):
        one.report = None  # type: ignore[misc]
    assert repr(one).endswith(", report={'report': 1})")
    back = pickle.loads(pickle.dumps(one, protocol=5))
    assert type(back) is ReportedCheck and back == one and back.report == one.report


def test_a_result_compares_every_field_and_gets_its_own_lists(tmp_path: Path) -> None:
    first = BuildResult(tmp_path, "issuer", 3, 2)
    second = BuildResult(tmp_path, "issuer", 3, 2)
    assert first == second
    first.warnings.append("w")
    assert second.warnings == [] and first != second  # no list shared between results
    assert first.checks is not second.checks and first.issued is not second.issued
    full = BuildResult(
        tmp_path,
        "portfolio",
        5,
        1,
        checks={"a": BuildCheck("valid", "ok")},
        warnings=["w"],
        total_bytes=10,
        largest_page=("index.html", 9),
        oversized_pages=[("big.html", 99)],
        seconds=1.5,
        issued=["a"],
    )
    assert full == pickle.loads(pickle.dumps(full))
    for name, value in (("kind", "issuer"), ("seconds", 2.0), ("issued", [])):
        other = pickle.loads(pickle.dumps(full))
        setattr(other, name, value)
        assert other != full, name
    with pytest.raises(TypeError):
        hash(full)
    shown = repr(full)
    assert shown.startswith("BuildResult(out=") and "largest_page=('index.html', 9)" in shown
