"""The published lifecycle artefacts in a reference implementation nobody here wrote.

Digital Bazaar's stack (through tests/interop/js/harness.mjs, driven the way tests/interop
drives it) must accept the signed status lists, see exactly the revoked and the suspended
credential as such, and verify badges signed before and after a key rotation against the
published DID document.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from interop_support import Reference, load_shipped_contexts
from lchelpers import DID_WEB, NOW, edit_record

from microcred.keyring import KeyRing
from microcred.model import Identity
from microcred.publish import change_status, prepare_publication

T1, T2, T3 = (NOW + dt.timedelta(days=d) for d in (1, 2, 3))
CHECK_AT = "2026-11-05T00:00:00Z"


@pytest.mark.interop
def test_reference_stack_accepts_lists_revocation_and_rotation(
    program: Callable[..., Path], reference: Reference
) -> None:
    root = program(did_web=True, keep=None, suspension=True)
    first = prepare_publication(root, now=NOW)
    victim = sorted(first.credentials)[2]
    change_status(root, victim, action="revoke", who="Registrar", now=T1, reason="test")
    held = sorted(first.credentials)[3]
    change_status(root, held, action="suspend", who="Registrar", now=T1)
    KeyRing(root).rotate(Identity("did-web", DID_WEB), now=T2)
    edited = sorted(first.credentials)[5]
    edit_record(root, edited)
    pub = prepare_publication(root, now=T3)
    assert pub.issue_report.issued == [edited]
    signers = {
        slug: {p["verificationMethod"] for p in c["proof"]} for slug, c in pub.credentials.items()
    }
    assert len({vm for s in signers.values() for vm in s}) == 2  # old and new key both in use

    defaults = {
        "contexts": load_shipped_contexts(),
        "didDocuments": pub.did_documents,
        "now": CHECK_AT,
    }
    lists = list(pub.status_lists.items())
    slugs = sorted(pub.credentials)
    requests = [{"op": "verify", "document": doc} for _, doc in lists] + [
        {"op": "verify", "document": pub.credentials[s], "statusLists": pub.status_lists}
        for s in slugs
    ]
    answers = reference.batch(requests, defaults)

    for (url, _), answer in zip(lists, answers[: len(lists)], strict=True):
        assert answer.get("verified") is True, (url, answer)
        assert [p["verified"] for p in answer["proofs"]] == [True, True], (url, answer)
    for slug, answer in zip(slugs, answers[len(lists) :], strict=True):
        assert "verified" in answer, (slug, answer)
        assert answer["statusChecked"] is True, (slug, answer)
        assert [p["verified"] for p in answer["proofs"]] == [True, True], (slug, answer)
        if slug in (victim, held):
            assert answer["verified"] is False, answer
            purpose = "revocation" if slug == victim else "suspension"
            assert purpose in answer["error"].lower(), answer
        else:
            assert answer["verified"] is True, (slug, answer)
