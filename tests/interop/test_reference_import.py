"""`microcred import` of credentials signed by the reference stack (Digital Bazaar), not by us.

A fresh folder: valid credentials signed by the reference (eddsa-rdfc-2022, eddsa-jcs-2022,
both), one changed after signing, one whose proof was stripped, one truncated file, one issued
to another learner. Exactly the valid ones of the right learner are accepted; every other one
is kept with a reason; a second import adds no row; both exports carry the required columns.
"""

from __future__ import annotations

import contextlib
import copy
import csv
import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from interop_support import Microcred, Reference

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "registry"))
import regsupport as rs

from microcred.cli import run

pytestmark = pytest.mark.interop
CREATED = "2026-01-15T00:00:00Z"
COLUMNS = ["credential_id", "sha256", "issuer", "issuer_name", "achievement", "learner", "term",
           "credits", "credit_unit", "issuer_credits", "issuer_credit_unit", "verdict", "reasons",
           "imported_at", "decided_by"]  # fmt: skip


@pytest.fixture(scope="module")
def folder(
    reference: Reference,
    mc: Microcred,
    shipped_contexts: dict[str, Any],
    tmp_path_factory: pytest.TempPathFactory,
) -> Path:
    key = mc.generate_keypair()
    did = str(key.controller)
    plans = {
        "valid-rdfc": (rs.credential(issuer=did), ["eddsa-rdfc-2022"]),
        "valid-jcs": (rs.credential(issuer=did, credits=3), ["eddsa-jcs-2022"]),
        "valid-set": (rs.credential(issuer=did), ["eddsa-rdfc-2022", "eddsa-jcs-2022"]),
        "valid-no-credits": (rs.credential(issuer=did, credits=None), ["eddsa-rdfc-2022"]),
        "tampered": (rs.credential(issuer=did), ["eddsa-rdfc-2022"]),
        "no-proof": (rs.credential(issuer=did), ["eddsa-rdfc-2022"]),
        "truncated": (rs.credential(issuer=did), ["eddsa-rdfc-2022"]),
        "other-learner": (rs.credential(issuer=did, recipient=rs.OTHER_LEARNER), ["eddsa-rdfc-2022"]),
    }  # fmt: skip
    requests = [
        {"op": "sign", "suite": suites, "document": doc, "key": key.to_secret_json(),
         "created": CREATED}
        for doc, suites in plans.values()
    ]  # fmt: skip
    answers = reference.batch(requests, defaults={"contexts": shipped_contexts})
    root = tmp_path_factory.mktemp("reference-import")
    for name, answer in zip(plans, answers, strict=True):
        assert "signed" in answer, answer
        signed = answer["signed"]
        if name == "tampered":
            signed = rs.tampered(signed)
        if name == "no-proof":
            signed = copy.deepcopy(signed)
            del signed["proof"]
        text = json.dumps(signed, indent=2)
        if name == "truncated":
            text = text[: len(text) // 2]
        (root / "inbox").mkdir(exist_ok=True)
        (root / "inbox" / f"{name}.json").write_text(text, "utf-8")
    rs.trust_file(root / "trust.json", (did, "Reference-signed School"))
    return root


def _cli(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = run(list(args))
    return code, out.getvalue()


def test_reference_signed_folder_imports_exactly(folder: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'registry.db'}"
    args = ["import", "--registry", url, "--trust", str(folder / "trust.json"), "--learner",
            rs.LEARNER, "--term", "2026", "--at", rs.AT, "--json", str(folder / "inbox")]  # fmt: skip
    code, out = _cli(*args)
    assert code == 0, out
    got = {Path(o["path"]).stem: o for o in map(json.loads, out.splitlines())}
    verdicts = {name: o["verdict"] for name, o in got.items()}
    assert verdicts == {
        "valid-rdfc": "accepted", "valid-jcs": "accepted", "valid-set": "accepted",
        "valid-no-credits": "accepted",
        "tampered": "rejected", "no-proof": "rejected", "truncated": "rejected",
        "other-learner": "rejected",
    }  # fmt: skip
    assert all(o["status"] == "added" for o in got.values())
    assert got["tampered"]["reasons"][0].startswith("invalid: proof:")
    assert got["no-proof"]["reasons"][0].startswith("invalid: proof:")
    assert got["truncated"]["reasons"][0].startswith("invalid: parse:")
    assert got["other-learner"]["reasons"][0].startswith("recipient does not match")
    assert got["valid-jcs"]["credits"] == 3
    assert got["valid-no-credits"]["credits"] is None

    code, again = _cli(*args)
    assert code == 0
    assert {json.loads(line)["status"] for line in again.splitlines()} == {"already_imported"}

    code, text = _cli("registry", "export", "--registry", url, "--format", "json")
    rows = json.loads(text)
    assert len(rows) == 8 and all(list(r) == COLUMNS for r in rows)
    assert all(r["reasons"] for r in rows if r["verdict"] != "accepted")
    code, text = _cli("registry", "export", "--registry", url, "--format", "csv")
    reader = csv.DictReader(io.StringIO(text))
    assert reader.fieldnames == COLUMNS and len(list(reader)) == 8
