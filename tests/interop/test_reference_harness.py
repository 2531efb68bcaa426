"""The reference harness itself is right: W3C vectors, RDFC-1.0 escaping, pinned versions, offline.

If these fail, every byte-for-byte comparison in this folder is meaningless, so they run
against the W3C eddsa-rdfc-2022 / eddsa-jcs-2022 "alumni" vectors in the standards pack
(read in place) and need nothing from microcred.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
from interop_support import JS_DIR, Reference

pytestmark = [pytest.mark.interop]

SUITES = ("eddsa-rdfc-2022", "eddsa-jcs-2022")


def _read(path: Path) -> Any:
    return json.loads(path.read_text("utf-8"))


@pytest.fixture(scope="module")
def vectors(standards: Path) -> dict[str, Any]:
    index = _read(standards / "contexts" / "contexts.json")
    contexts = {url: _read(standards / "contexts" / name) for url, name in index.items()}
    out: dict[str, Any] = {"contexts": contexts}
    for suite in SUITES:
        folder = standards / "vectors" / suite / "alumni"
        out[suite] = {
            "folder": folder,
            "key": _read(folder / "keyPair.json"),
            "unsigned": _read(folder / "unsigned.json"),
            "options": _read(folder / "proofOptions.json"),
            "signed": _read(folder / "signed.json"),
            "proofValue": (folder / "proofValue.txt").read_text("utf-8").strip(),
        }
    return out


@pytest.fixture(scope="module")
def answers(reference: Reference, vectors: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every request of this module in one node process."""
    requests: dict[str, dict[str, Any]] = {}
    for suite in SUITES:
        vector = vectors[suite]
        vm = vector["options"]["verificationMethod"]
        key = {**vector["key"], "controller": vm.split("#")[0], "id": vm}
        requests[f"sign-{suite}"] = {
            "op": "sign",
            "suite": suite,
            "document": vector["unsigned"],
            "key": key,
            "created": vector["options"]["created"],
        }
        # the vectors' issuer is an https URL, not the did:key controller: skip that VC rule
        requests[f"verify-{suite}"] = {
            "op": "verify",
            "document": vector["signed"],
            "issuerCheck": False,
        }
        tampered = copy.deepcopy(vector["signed"])
        tampered["credentialSubject"]["alumniOf"] = "The School of Forgeries"
        requests[f"tampered-{suite}"] = {
            "op": "verify",
            "document": tampered,
            "issuerCheck": False,
        }
    requests["canonize-document"] = {
        "op": "canonize",
        "document": vectors["eddsa-rdfc-2022"]["unsigned"],
    }
    requests["canonize-proof-config"] = {
        "op": "canonize",
        "document": vectors["eddsa-rdfc-2022"]["options"],
    }
    requests["jcs-document"] = {"op": "jcs", "value": vectors["eddsa-jcs-2022"]["unsigned"]}
    requests["jcs-proof-config"] = {"op": "jcs", "value": vectors["eddsa-jcs-2022"]["options"]}
    requests["offline"] = {
        "op": "verify",
        "document": vectors["eddsa-rdfc-2022"]["signed"],
        "contexts": {},
        "issuerCheck": False,
    }
    requests["escaping"] = {
        "op": "canonize",
        "document": {
            "@context": {"v": "https://example.org/v"},
            "@id": "urn:x",
            "v": '\x01\x08\t\n\x0b\x0c\r\x1f\x7f"\\\u00e9\U0001f393',
        },
    }
    requests["versions"] = {"op": "versions"}
    requests["bad-op"] = {"op": "no-such-op"}
    names = list(requests)
    got = reference.batch(list(requests.values()), defaults={"contexts": vectors["contexts"]})
    return dict(zip(names, got, strict=True))


@pytest.mark.conformance
@pytest.mark.parametrize("suite", SUITES)
def test_reference_signs_the_w3c_vector(
    answers: dict[str, dict[str, Any]], vectors: dict[str, Any], suite: str
) -> None:
    signed = answers[f"sign-{suite}"]["signed"]
    assert signed["proof"]["proofValue"] == vectors[suite]["proofValue"]
    assert signed == vectors[suite]["signed"]


@pytest.mark.conformance
def test_reference_canonizes_the_w3c_vector(
    answers: dict[str, dict[str, Any]], vectors: dict[str, Any]
) -> None:
    folder = vectors["eddsa-rdfc-2022"]["folder"]
    document_nq = (folder / "canonicalDocument.nq").read_text("utf-8")
    config_nq = (folder / "canonicalProofConfig.nq").read_text("utf-8")
    assert answers["canonize-document"]["nquads"] == document_nq
    assert answers["canonize-proof-config"]["nquads"] == config_nq


@pytest.mark.conformance
def test_reference_jcs_matches_the_w3c_vector(
    answers: dict[str, dict[str, Any]], vectors: dict[str, Any]
) -> None:
    folder = vectors["eddsa-jcs-2022"]["folder"]
    assert answers["jcs-document"]["jcs"] == (folder / "canonicalDocument.json").read_text(
        "utf-8"
    ).strip("\n")
    assert answers["jcs-proof-config"]["jcs"] == (folder / "canonicalProofConfig.json").read_text(
        "utf-8"
    ).strip("\n")


@pytest.mark.conformance
@pytest.mark.parametrize("suite", SUITES)
def test_reference_verifies_the_w3c_vector_and_rejects_a_tampered_one(
    answers: dict[str, dict[str, Any]], suite: str
) -> None:
    good, bad = answers[f"verify-{suite}"], answers[f"tampered-{suite}"]
    assert good["verified"] is True, good
    assert good["proofs"] == [{"cryptosuite": suite, "verified": True}]
    assert bad["verified"] is False, bad
    assert "Invalid signature" in bad["error"]


@pytest.mark.conformance
def test_harness_loader_never_fetches(answers: dict[str, dict[str, Any]]) -> None:
    """Without the contexts in the request the harness must fail, not go to the network."""
    answer = answers["offline"]
    assert answer["verified"] is False
    assert "offline loader: refusing" in answer["error"], answer["error"]


def test_reference_escapes_like_rdfc_1_0(answers: dict[str, dict[str, Any]]) -> None:
    """rdf-canonize >= 4 writes RDFC-1.0 escapes; the URDNA2015-era versions left controls raw."""
    nquads = answers["escaping"]["nquads"]
    expected = '"\\u0001\\b\\t\\n\\u000B\\f\\r\\u001F\\u007F\\"\\\\\u00e9\U0001f393"'
    assert expected in nquads, nquads


def test_reference_versions_are_the_pinned_ones(answers: dict[str, dict[str, Any]]) -> None:
    versions = answers["versions"]["versions"]
    package = json.loads((JS_DIR / "package.json").read_text("utf-8"))
    for name, pinned in package["dependencies"].items():
        assert re.fullmatch(r"\d+\.\d+\.\d+", pinned), f"{name} must be pinned exactly"
        if name in versions:
            assert versions[name] == pinned, name
    assert int(versions["rdf-canonize"].split(".")[0]) >= 4


def test_harness_reports_bad_requests_as_data(answers: dict[str, dict[str, Any]]) -> None:
    assert answers["bad-op"] == {"error": 'unknown op "no-such-op"'}
