"""Credentials shaped like those real issuers publish (1EdTech-certified platforms with VC 1.1,
OB 3.0.1 and string-valued types; DCC-style VC 2.0 badges with image objects and the legacy
Ed25519Signature2020 suite; issuers named by an https URL or a plain URI string), each written
here from scratch (``fixtures/real_world``, named for its shape) and signed with a TEST-ONLY key
of a did:web on GitHub Pages whose document uses relative ids. Each must get the verdict the
specifications give it, and every changed copy must be invalid.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from microcred.jsonld.loader import default_loader
from microcred.jsonld.rdfc import canonicalize
from microcred.proof.keys import KeyPair, public_key_from_seed
from microcred.proof.multibase import b58encode
from microcred.proof.suites import compute_hash_stages
from microcred.proof.timestamps import parse_datetimestamp
from microcred.verify import VerificationReport, VerifyOptions, check_credential
from microcred.verify.pinned import did_document_from

HERE = Path(__file__).resolve().parent
SHAPES = HERE / "fixtures" / "real_world"
DOCS = HERE.parent / "proof" / "fixtures" / "controller_docs"
SEED = bytes([7]) * 32  # TEST-ONLY: the key the controller_docs fixtures list
NOW = parse_datetimestamp("2026-06-01T00:00:00Z")
LEGACY_2020 = {"type": "Ed25519Signature2020"}
RDFC_2022 = {"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022"}


def _issuer_id(credential: dict[str, Any]) -> str:
    issuer = credential["issuer"]
    return str(issuer if isinstance(issuer, str) else issuer["id"])


def _sign(credential: dict[str, Any], suite: dict[str, str]) -> dict[str, Any]:
    controller = _issuer_id(credential)
    key = KeyPair(public_key_from_seed(SEED), SEED, controller, f"{controller}#key-1")
    proof = {
        **suite,
        "created": "2025-03-02T09:05:00Z",
        "verificationMethod": key.id,
        "proofPurpose": "assertionMethod",
    }
    rdfc = lambda doc: canonicalize(doc, default_loader())  # noqa: E731
    stages = compute_hash_stages(credential, proof, rdfc=rdfc)
    proof["proofValue"] = "z" + b58encode(key.sign(stages.hash_data))
    return {**credential, "proof": proof}


def _verify(credential: dict[str, Any], document: str) -> VerificationReport:
    did, pinned = did_document_from(
        json.loads((DOCS / f"{document}.json").read_text(encoding="utf-8")), document
    )
    options = VerifyOptions(did_documents={did: pinned})
    return check_credential(json.dumps(credential), now=NOW, options=options)


def _problems(report: VerificationReport) -> list[Any]:
    return [c.to_json() for c in report.checks if c.outcome not in ("passed", "not_requested")]


CASES = [
    ("vc11_ob301_string_types_address_source", LEGACY_2020, "relative_ids_ed25519_2020"),
    ("vc2_ob303_ed25519_2020_images", LEGACY_2020, "mixed_absolute_method_relative_reference"),
    ("vc2_ob303_https_issuer", RDFC_2022, "https_controller_document_no_context"),
    ("vc2_ob303_issuer_uri_string", RDFC_2022, "relative_ids_ed25519_2020"),
    ("vc2_ob303_alignment_results_evidence_schema", RDFC_2022, "relative_ids_ed25519_2020"),
]


@pytest.mark.parametrize(("shape", "suite", "document"), CASES, ids=[c[0] for c in CASES])
def test_real_world_shapes_get_their_verdict(shape: str, suite: Any, document: str) -> None:
    credential = json.loads((SHAPES / f"{shape}.json").read_text(encoding="utf-8"))
    signed = _sign(credential, suite)
    report = _verify(signed, document)
    assert report.result == "valid", _problems(report)
    assert report.check("issuer_binding").outcome == "passed"  # type: ignore[union-attr]
    assert report.summary is not None
    assert report.summary.achievement.name == "Soldering Basics"
    changed = copy.deepcopy(signed)
    changed["credentialSubject"]["achievement"]["name"] = "Advanced Soldering"
    assert _verify(changed, document).result == "invalid"
    moved = copy.deepcopy(signed)
    moved["proof"]["created"] = "2025-03-03T09:05:00Z"
    assert _verify(moved, document).result == "invalid"


def test_a_status_type_microcred_does_not_process_leaves_the_credential_undecided() -> None:
    # 1EdTech's own revocation list type (defined by the OB extensions context): status is
    # unknown, never "not revoked", and never a reason to call the credential invalid
    shape = "vc11_ob301_1edtech_revocation_list_status"
    credential = json.loads((SHAPES / f"{shape}.json").read_text(encoding="utf-8"))
    signed = _sign(credential, LEGACY_2020)
    report = _verify(signed, "relative_ids_ed25519_2020")
    assert report.result == "indeterminate", _problems(report)
    assert [c["id"] for c in _problems(report)] == ["status"]
    changed = copy.deepcopy(signed)
    changed["credentialStatus"]["id"] += "-other"
    assert _verify(changed, "relative_ids_ed25519_2020").result == "invalid"
