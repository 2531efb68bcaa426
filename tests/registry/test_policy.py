"""Credit policy: every problem with file:line and the fix; conversion, rounding, caps, review."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import regsupport as rs

from microcred.cli import run
from microcred.errors import ProblemsError
from microcred.registry.policy import load_policy

POLICY = """\
name = "Example College 2026"
unit = "ECTS"
rounding = "half_up"
step = 0.5
hours_per_unit = 30

[conversion]
"US credit hours" = 2
CATS = 0.5

[caps]
per_term = 5
per_issuer = 4

[[rule]]
name = "blocked"
achievement_types = ["Badge"]
reject = true

[[rule]]
name = "partner"
issuers = ["{issuer}"]
"""


def _policy(tmp_path: Path, text: str, name: str = "policy.toml") -> Path:
    path = tmp_path / name
    path.write_text(text.replace("{issuer}", rs.ISSUER), encoding="utf-8")
    return path


def test_bad_policy_lists_every_problem_with_its_line(tmp_path: Path) -> None:
    path = _policy(
        tmp_path,
        'name = "x"\nunit = "ECTS"\nrounding = "sideways"\nstep = -1\n\n[caps]\nper_term = "ten"\n'
        'per_year = 3\n\n[[rule]]\nissuers = "did:key:z6Mk"\ncredits = true\nreveiw = true\n',
    )
    with pytest.raises(ProblemsError) as info:
        load_policy(path)
    lines = info.value.diagnostics().splitlines()
    assert f"{path}:3: $.rounding: 'sideways' is not one of half_up, half_even, down, up" in lines
    assert f"{path}:4: $.step: must be a positive number" in lines
    assert f"{path}:7: $.caps.per_term: must be a number, not 'ten'" in lines
    assert any(line.startswith(f"{path}:8: $.caps.per_year: unknown key") for line in lines)
    assert any(line.startswith(f"{path}:10: $.rule[0]: every rule needs a name") for line in lines)
    assert f"{path}:12: $.rule[0].credits: must be a number, not True" in lines
    assert any(
        line.startswith(f"{path}:13: $.rule[0].reveiw: unknown key 'reveiw'") for line in lines
    )


def test_toml_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = _policy(tmp_path, 'name = "x"\nunit = "ECTS"\n[[rule]\n')
    with pytest.raises(ProblemsError) as info:
        load_policy(path)
    assert info.value.diagnostics().startswith(f"{path}:3: TOML:")


def test_bad_policy_imports_nothing(tmp_path: Path) -> None:
    cred = rs.write(tmp_path / "in" / "a.json", rs.credential())
    path = _policy(tmp_path, 'name = "x"\nunit = "ECTS"\n')
    db = tmp_path / "registry.db"
    code = run(["import", "--registry", f"sqlite:///{db}", "--policy", str(path), str(cred)])
    assert code == 1
    assert not db.exists()


def _import(
    tmp_path: Path, policy: Path, *creds: dict[str, Any], term: str = "t1"
) -> list[dict[str, Any]]:
    folder = tmp_path / f"batch-{term}-{len(list(tmp_path.iterdir()))}"
    for number, cred in enumerate(creds):
        rs.write(folder / f"{number:03d}.json", cred)
    import contextlib

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = run([
            "import", "--registry", f"sqlite:///{tmp_path / 'registry.db'}", "--policy",
            str(policy), "--learner", rs.LEARNER, "--term", term, "--at", rs.AT, "--json",
            str(folder),
        ])  # fmt: skip
    assert code == 0, out.getvalue()
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_unit_conversion_and_rounding(tmp_path: Path) -> None:
    policy = _policy(tmp_path, POLICY.replace("per_term = 5", "per_term = 100").replace(
        "per_issuer = 4", "per_issuer = 100"))  # fmt: skip
    got = _import(
        tmp_path,
        policy,
        rs.credential(credits=1.2, unit="US credit hours"),  # 2.4 -> 2.5 (step 0.5, half up)
        rs.credential(credits=3, unit="CATS"),  # 1.5
        rs.credential(credits=40, unit="hours"),  # 1.333 -> 1.5
        rs.credential(credits=2, unit="ects"),  # unit names compare without case
        rs.credential(credits=2, unit="furlongs"),  # no conversion: review
        rs.credential(credits=1, unit=None),  # no unit stated: review
        rs.credential(credits=1, achievement_type="Badge"),  # rule rejects
        rs.credential(issuer_seed=rs.gen.TEST_ONLY_OTHER_SEED),  # no rule: policy rejects
    )
    assert [(o["verdict"], o["credits"]) for o in got] == [
        ("accepted", 2.5), ("accepted", 1.5), ("accepted", 1.5), ("accepted", 2.0),
        ("needs_review", None), ("needs_review", None), ("rejected", None), ("rejected", None),
    ]  # fmt: skip
    assert got[0]["reasons"] == ["rule 'partner': 1.2 US credit hours = 2.5 ECTS"]
    assert got[0]["issuer_credits"] == 1.2 and got[0]["issuer_credit_unit"] == "US credit hours"
    assert "no conversion from 'furlongs' to ECTS" in got[4]["reasons"][0]
    assert "without a unit" in got[5]["reasons"][0]
    assert got[6]["reasons"] == ["policy: rule 'blocked' gives no credit"]
    assert got[7]["reasons"] == [
        "policy: no rule of 'Example College 2026' gives credit for this credential"
    ]


@pytest.mark.parametrize(
    ("rounding", "step", "value", "expected"),
    [("half_up", "0.5", "2.25", "2.5"), ("half_even", "0.5", "2.25", "2"),
     ("down", "1", "2.99", "2"), ("up", "0.25", "2.01", "2.25"), ("half_up", "0.01", "1.005", "1.01")],
)  # fmt: skip
def test_rounding_modes(
    tmp_path: Path, rounding: str, step: str, value: str, expected: str
) -> None:
    path = _policy(tmp_path, f'name = "p"\nunit = "ECTS"\nrounding = "{rounding}"\nstep = {step}\n'
                   '[[rule]]\nname = "all"\n')  # fmt: skip
    assert load_policy(path).round(Decimal(value)) == Decimal(expected)


def test_caps_per_term_and_per_issuer(tmp_path: Path) -> None:
    policy = _policy(tmp_path, POLICY.replace('issuers = ["{issuer}"]\n', ""))
    got = _import(
        tmp_path,
        policy,
        rs.credential(credits=2),
        rs.credential(credits=2),
        rs.credential(credits=1),  # 5 from one issuer: over the per-issuer cap of 4
        rs.credential(credits=1, issuer_seed=rs.gen.TEST_ONLY_OTHER_SEED),  # 5 in the term: ok
        rs.credential(credits=1, issuer_seed=rs.gen.TEST_ONLY_OTHER_SEED),  # 6: over per term
    )
    assert [o["verdict"] for o in got] == ["accepted", "accepted", "needs_review", "accepted",
                                           "needs_review"]  # fmt: skip
    assert got[2]["reasons"][0].startswith("over a cap: 4 + 1 ECTS from did:key:")
    assert "per issuer cap" in got[2]["reasons"][0]
    assert got[4]["reasons"][0] == (
        f"over a cap: 5 + 1 ECTS would pass the 5 per term cap for learner {rs.LEARNER} in term t1"
    )
    # the caps count what earlier imports accepted, and each term has its own
    later = _import(tmp_path, policy, rs.credential(credits=1), term="t1")
    assert later[0]["verdict"] == "needs_review"
    other_term = _import(tmp_path, policy, rs.credential(credits=1), term="t2")
    assert other_term[0]["verdict"] == "accepted"


def test_review_rules(tmp_path: Path) -> None:
    policy = _policy(
        tmp_path,
        'name = "p"\nunit = "ECTS"\nreview_above = 3\n[[rule]]\nname = "aligned"\n'
        'alignments = ["https://skills.example/sql"]\nreview = true\n[[rule]]\nname = "rest"\n',
    )
    got = _import(
        tmp_path,
        policy,
        rs.credential(credits=1, alignment="https://skills.example/sql"),
        rs.credential(credits=4),
        rs.credential(credits=3),
    )
    assert [o["verdict"] for o in got] == ["needs_review", "needs_review", "accepted"]
    assert got[0]["reasons"][0] == "policy: rule 'aligned' always needs manual review"
    assert got[1]["reasons"][0] == "policy: 4 ECTS is more than review_above (3)"


def test_the_documented_example_policy_loads(tmp_path: Path) -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "import.md").read_text("utf-8")
    block = doc.split("```toml\n", 1)[1].split("```", 1)[0]
    policy = load_policy(_policy(tmp_path, block))
    assert policy.unit == "ECTS" and [r.name for r in policy.rules] == [
        "not for credit", "partner internships", "aligned with our data-science outcomes",
    ]  # fmt: skip
    assert policy.factor("hours") == Decimal(1) / Decimal(25)
    assert policy.cap_per_term == 10 and policy.cap_per_issuer == 6


def test_credentials_stating_no_credits(tmp_path: Path) -> None:
    converting = _policy(tmp_path, 'name = "p"\nunit = "ECTS"\n[[rule]]\nname = "stated"\n')
    got = _import(tmp_path, converting, rs.credential(credits=None))
    assert got[0]["verdict"] == "needs_review"
    assert got[0]["reasons"] == [
        "policy: rule 'stated' converts stated credits, but none are stated"
    ]
    fixed = _policy(tmp_path, 'name = "p"\nunit = "ECTS"\n[[rule]]\nname = "flat"\ncredits = 1\n',
                    "fixed.toml")  # fmt: skip
    got = _import(tmp_path, fixed, rs.credential(credits=None), term="t2")
    assert (got[0]["verdict"], got[0]["credits"]) == ("accepted", 1.0)


def test_without_a_policy_a_credential_without_credits_is_accepted(tmp_path: Path) -> None:
    import contextlib

    cred = rs.write(tmp_path / "a.json", rs.credential(credits=None))
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = run(["import", "--registry", f"sqlite:///{tmp_path / 'r.db'}", "--learner",
                    rs.LEARNER, "--at", rs.AT, "--json", str(cred)])  # fmt: skip
    assert code == 0
    got = json.loads(out.getvalue())
    assert (got["verdict"], got["credits"]) == ("accepted", None)
    assert got["reasons"] == ["no policy; the credential states no credits"]
