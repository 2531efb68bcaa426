"""QA regressions for registry/facts.py: a credential's claims are read tolerantly. A number,
boolean or null where ``tag`` or ``alignment`` should be an array, or a credit tag whose number
overflows a float, once crashed the whole import ("internal error") or wrote ``Infinity``
(not JSON) into the registry; now they state nothing and the batch goes on."""

from __future__ import annotations

import contextlib
import copy
import csv
import io
import json
import math
from pathlib import Path
from typing import Any

import pytest
import regsupport as rs

from microcred.cli import run
from microcred.registry.facts import facts_from_document

gen = rs.gen
HUGE_TAG = "credits: " + "9" * 400 + " ECTS"


@pytest.mark.parametrize("member", ["tag", "alignment"])
@pytest.mark.parametrize("value", [5, True, None, 1.5, "credits: 2 ECTS"], ids=repr)
def test_a_scalar_where_an_array_belongs_states_nothing(member: str, value: Any) -> None:
    doc = copy.deepcopy(gen.credential())
    doc["credentialSubject"]["achievement"][member] = value
    facts = facts_from_document(doc)
    assert facts.achievement == "Data Analysis Sprint"
    if member == "tag" and isinstance(value, str):
        assert (facts.credits, facts.credit_unit) == (2, "ECTS")  # one tag stands for itself


def test_a_credit_tag_that_overflows_a_float_states_no_amount() -> None:
    doc = copy.deepcopy(gen.credential())
    doc["credentialSubject"]["achievement"]["tag"] = [HUGE_TAG]
    facts = facts_from_document(doc)
    assert facts.credits is None or math.isfinite(facts.credits)


def test_import_of_hostile_claims_goes_on_and_writes_json(tmp_path: Path) -> None:
    scalar_tag = rs.credential(credits=None, issuer=rs.ISSUER)  # unsigned: made by anyone
    scalar_tag["credentialSubject"]["achievement"]["tag"] = 5
    huge = rs.credential(credits=None, issuer=rs.ISSUER)
    huge["credentialSubject"]["achievement"]["tag"] = [HUGE_TAG]
    huge = gen.secure(huge)
    paths = [rs.write(tmp_path / "tag_is_a_number.json", scalar_tag)]
    paths.append(rs.write(tmp_path / "credit_tag_overflows_float.json", huge))
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        code = run(["import", "--registry", f"sqlite:///{tmp_path / 'r.db'}", "--at", rs.AT,
                    "--json", *map(str, paths)])  # fmt: skip
    text = out.getvalue()
    assert code in (0, 1, 3) and "internal error" not in text and "Infinity" not in text, text
    rows = [json.loads(line, parse_constant=pytest.fail) for line in text.splitlines()]
    verdicts = {Path(r["path"]).name: r["verdict"] for r in rows}
    assert verdicts["tag_is_a_number.json"] == "rejected"
    assert verdicts["credit_tag_overflows_float.json"] in ("needs_review", "accepted")


def _hostile(field: str) -> dict[str, Any]:
    doc = rs.credential(issuer=rs.ISSUER)  # unsigned: anyone can write these
    if field == "id_3000_chars":
        doc["id"] = "urn:x:" + "a" * 3000
    elif field == "nul_in_achievement_name":
        doc["credentialSubject"]["achievement"]["name"] = "nul\u0000name"
    elif field == "credit_unit_300_chars":
        doc["credentialSubject"]["achievement"]["tag"] = ["credits: 2 " + "U" * 300]
    else:
        doc["credentialSubject"]["achievement"]["achievementType"] = "T" * 300
    return doc


def test_hostile_claims_never_fail_the_batch_on_any_database(
    tmp_path: Path, registry_url: str
) -> None:
    # QA: on PostgreSQL an over-long id/unit/type or a NUL (SQLite keeps them) failed the whole
    # batch with "cannot use the registry"; now each is stored clipped and the rest imports.
    fields = ["id_3000_chars", "nul_in_achievement_name", "credit_unit_300_chars", "type_300"]
    paths = [rs.write(tmp_path / f"{f}.json", _hostile(f)) for f in fields]
    paths.append(rs.write(tmp_path / "genuine.json", rs.credential()))
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        code = run(["import", "--registry", registry_url, "--learner", rs.LEARNER, "--at", rs.AT,
                    "--json", *map(str, paths)])  # fmt: skip
    text = out.getvalue()
    assert code == 0, text
    verdicts = {Path(r["path"]).name: r["verdict"] for r in map(json.loads, text.splitlines())}
    assert verdicts["genuine.json"] == "accepted"
    assert all(verdicts[f"{f}.json"] == "rejected" for f in fields), verdicts


def test_csv_export_defuses_spreadsheet_formulas_in_claims(tmp_path: Path) -> None:
    # QA: a forged badge named "=HYPERLINK(...)" reached the registrar's CSV as a live formula.
    doc = rs.credential(issuer=rs.ISSUER)  # unsigned: anyone can write it
    doc["credentialSubject"]["achievement"]["name"] = '=HYPERLINK("https://evil.example","x")'
    doc["issuer"]["name"] = "@SUM(1+1)"
    url = f"sqlite:///{tmp_path / 'r.db'}"
    path = rs.write(tmp_path / "formula_in_name.json", doc)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert run(["import", "--registry", url, "--at", rs.AT, str(path)]) == 0
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert run(["registry", "export", "--registry", url, "--format", "csv"]) == 0
    (row,) = csv.DictReader(io.StringIO(out.getvalue()))
    assert row["achievement"] == '\'=HYPERLINK("https://evil.example","x")'
    assert row["issuer_name"] == "'@SUM(1+1)" and row["verdict"] == "rejected"
