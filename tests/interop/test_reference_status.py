"""Status lists microcred encodes and signs are read the same way by the reference.

Digital Bazaar's @digitalbazaar/vc-bitstring-status-list (through the harness) verifies the
microcred-signed list credential, checks the issuer match and reads the bit at each index:
this pins gzip framing, base64url and the bit order (index 0 = most significant bit of byte 0).
"""

from __future__ import annotations

import copy
import hashlib
from datetime import UTC, datetime
from typing import Any

import pytest
from interop_credgen import OB303, VC2
from interop_support import Microcred, Reference, require_module

pytestmark = pytest.mark.interop

LIST_URL = "https://badges.example.org/status/revocation-1.json"
CREATED = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
REVOKED = (0, 7, 8, 17, 131071)
VALID = (1, 6, 9, 16, 18, 65536, 131070)


def _credential(issuer: str, index: int) -> dict[str, Any]:
    entry = require_module("microcred.status.entry").make_entry(LIST_URL, index, "revocation")
    return {
        "@context": [VC2, OB303],
        "id": f"urn:uuid:00000000-0000-4000-8000-{index:012d}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": issuer, "type": ["Profile"], "name": "Status Academy"},
        "validFrom": "2025-06-01T00:00:00Z",
        "name": "Status",
        "credentialSubject": {
            "id": "did:example:learner",
            "type": ["AchievementSubject"],
            "achievement": {
                "id": "https://example.org/achievements/status",
                "type": ["Achievement"],
                "name": "Status",
                "description": "Status",
                "criteria": {"narrative": "Be checked."},
            },
        },
        "credentialStatus": entry,
    }


@pytest.fixture(scope="module")
def answers(
    reference: Reference, mc: Microcred, shipped_contexts: dict[str, Any]
) -> dict[int | str, dict[str, Any]]:
    bitstring = require_module("microcred.status.bitstring")
    listcred = require_module("microcred.status.listcred")
    key = mc.key_from_seed(hashlib.sha256(b"status-interop").digest(), None, None)
    bits = bitstring.new_bitstring()
    for index in REVOKED:
        bitstring.set_bit(bits, index, True)
    unsigned = listcred.status_list_credential(
        LIST_URL,
        key.controller,
        bits,
        "revocation",
        valid_from=datetime(2025, 1, 1, tzinfo=UTC),
        valid_until=datetime(2099, 1, 1, tzinfo=UTC),
    )
    status_list = unsigned
    for suite in ("eddsa-rdfc-2022", "eddsa-jcs-2022"):
        status_list = mc.add_proof(status_list, key, suite, CREATED)
    requests: list[dict[str, Any]] = []
    names: list[int | str] = []
    for index in REVOKED + VALID:
        signed = mc.add_proof(_credential(key.controller, index), key, "eddsa-rdfc-2022", CREATED)
        requests.append(
            {"op": "verify", "document": signed, "statusLists": {LIST_URL: status_list}}
        )
        names.append(index)
    # the list itself, and a list whose bits were changed after signing
    requests.append({"op": "verify", "document": status_list})
    names.append("list")
    tampered = copy.deepcopy(status_list)
    tampered["credentialSubject"]["encodedList"] = bitstring.encode_list(bitstring.new_bitstring())
    signed = mc.add_proof(_credential(key.controller, REVOKED[0]), key, "eddsa-rdfc-2022", CREATED)
    requests.append({"op": "verify", "document": signed, "statusLists": {LIST_URL: tampered}})
    names.append("tampered")
    # no list given: the harness must say it did not check status, not pass it silently
    requests.append({"op": "verify", "document": signed})
    names.append("no-list")
    answers = reference.batch(requests, defaults={"contexts": shipped_contexts})
    return dict(zip(names, answers, strict=True))


@pytest.mark.parametrize("index", REVOKED)
def test_reference_sees_revoked_bit(answers: dict[int | str, dict[str, Any]], index: int) -> None:
    answer = answers[index]
    assert answer["verified"] is False, answer
    assert answer["statusChecked"] is True, answer
    assert all(p["verified"] for p in answer["proofs"]), "the proof itself must still verify"


@pytest.mark.parametrize("index", VALID)
def test_reference_sees_clear_bit(answers: dict[int | str, dict[str, Any]], index: int) -> None:
    answer = answers[index]
    assert answer["verified"] is True, answer
    assert answer["statusChecked"] is True, answer


def test_reference_verifies_microcred_status_list(answers: dict[int | str, dict[str, Any]]) -> None:
    answer = answers["list"]
    assert answer["verified"] is True, answer
    assert sorted(p["cryptosuite"] for p in answer["proofs"]) == [
        "eddsa-jcs-2022",
        "eddsa-rdfc-2022",
    ]
    assert all(p["verified"] for p in answer["proofs"]), answer


def test_reference_rejects_tampered_status_list(answers: dict[int | str, dict[str, Any]]) -> None:
    answer = answers["tampered"]
    assert answer["verified"] is False, answer
    assert "not verified" in answer["error"], answer


def test_missing_status_list_is_reported_unchecked(
    answers: dict[int | str, dict[str, Any]],
) -> None:
    answer = answers["no-list"]
    assert answer["verified"] is True, answer
    assert answer["statusChecked"] is False, answer
