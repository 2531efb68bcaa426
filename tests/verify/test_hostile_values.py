"""QA regressions: JSON values of the wrong kind where a check expects a string (arrays and
objects are unhashable, numbers and booleans not iterable) give a failed check with its
problem code, never an internal error, and never a better verdict."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from microcred.errors import ConfigError
from microcred.verify import check_credential, load_trust_file

from .conftest import AT, default_options, gen

WRONG_KINDS: list[Any] = [True, 7, 1.5, None, [], {}, ["DataIntegrityProof"], {"@id": "x"}]


def _verify(doc: dict[str, Any]) -> Any:
    report = check_credential(json.dumps(doc), now=AT, options=default_options())
    text = json.dumps(report.to_json())
    assert "VERIFIER_ERROR" not in text and "internal error" not in text, text
    return report


@pytest.mark.parametrize("value", WRONG_KINDS, ids=repr)
def test_credential_type_of_the_wrong_kind_is_malformed(
    baseline: dict[str, Any], value: Any
) -> None:
    doc = {**baseline, "type": value}
    assert _verify(doc).result == "invalid"


@pytest.mark.parametrize("member", ["type", "cryptosuite"])
@pytest.mark.parametrize("value", WRONG_KINDS, ids=repr)
def test_proof_type_or_cryptosuite_of_the_wrong_kind_is_refused(
    baseline: dict[str, Any], member: str, value: Any
) -> None:
    doc = copy.deepcopy(baseline)
    proofs = doc["proof"] if isinstance(doc["proof"], list) else [doc["proof"]]
    for proof in proofs:
        proof[member] = value
    assert _verify(doc).result == "invalid"


def test_proof_object_without_value_and_a_type_array_is_refused(baseline: dict[str, Any]) -> None:
    doc = {**baseline, "proof": {"type": ["BitstringStatusListEntry"], "statusListIndex": "1"}}
    assert _verify(doc).result == "invalid"


def test_credit_tag_overflowing_a_float_states_no_credits() -> None:
    # QA: 400 nines parsed as float('inf') and --json printed Infinity, which is not JSON.
    doc = gen.credential()
    doc["credentialSubject"]["achievement"]["tag"] = ["credits: " + "9" * 400 + " ECTS"]
    report = _verify(gen.secure(doc))
    assert report.summary is not None and report.summary.credits is None
    json.loads(json.dumps(report.to_json()), parse_constant=pytest.fail)


def test_trust_file_naming_a_document_path_with_nul_is_a_config_error(tmp_path: Path) -> None:
    # QA: Path.read_bytes raised ValueError ("embedded null byte"): an internal error.
    trust = tmp_path / "trust_did_document_path_with_nul.json"
    entry = {"did": "did:web:school.example", "name": "S", "did_document": "a\u0000b.json"}
    trust.write_text(json.dumps({"issuers": [entry]}), encoding="utf-8")
    with pytest.raises(ConfigError, match="NUL character"):
        load_trust_file(trust)
