"""The published status lists, read independently of microcred's own decoder (bit order!)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lchelpers import DID_WEB, NOW, bit, credentials, decode_bits, entries, index_of, set_indexes

from microcred.jsonld import canonicalize, default_loader, jcs
from microcred.proof.keys import public_key_from_multikey
from microcred.proof.suites import verify_proof
from microcred.publish import PUBLISHED_DIR, change_status, prepare_publication

BASE = "https://northwind-talent.example.org/microinternships/"
REVOKED_AT = NOW + dt.timedelta(days=2)


def _verify_list_proofs(doc: dict[str, Any], did_doc: dict[str, Any]) -> None:
    keys = {
        m["id"]: public_key_from_multikey(m["publicKeyMultibase"])
        for m in did_doc["verificationMethod"]
    }
    body = {k: v for k, v in doc.items() if k != "proof"}
    assert [p["cryptosuite"] for p in doc["proof"]] == ["eddsa-rdfc-2022", "eddsa-jcs-2022"]
    for proof in doc["proof"]:
        assert proof["verificationMethod"] in did_doc["assertionMethod"]
        verify_proof(
            body,
            proof,
            keys[proof["verificationMethod"]],
            rdfc=lambda d: canonicalize(d, default_loader()),
            jcs=jcs,
        )


def test_every_credential_points_at_a_published_signed_list(program: Callable[..., Path]) -> None:
    root = program(did_web=True, suspension=True, keep=None)
    pub = prepare_publication(root, now=NOW)
    did_doc = pub.did_documents[DID_WEB]
    assert set(pub.status_lists) == {
        f"{BASE}status/revocation-1.json",
        f"{BASE}status/suspension-1.json",
    }
    for url, doc in pub.status_lists.items():
        assert doc["id"] == url and doc["issuer"] == DID_WEB
        assert "BitstringStatusListCredential" in doc["type"]
        subject = doc["credentialSubject"]
        assert subject["type"] == "BitstringStatusList" and subject["ttl"] > 0
        bits = decode_bits(subject["encodedList"])
        assert len(bits) * 8 >= 131_072 and set_indexes(bits) == []
        _verify_list_proofs(doc, did_doc)
        on_disk = json.loads((root / PUBLISHED_DIR / url.rsplit("/", 1)[1]).read_text("utf-8"))
        assert on_disk == doc
    # no change yet: the lists speak from the earliest credential on (stable across builds)
    earliest = min(c["validFrom"] for c in pub.credentials.values())
    assert {d["validFrom"] for d in pub.status_lists.values()} == {earliest}
    seen: dict[str, set[int]] = {"revocation": set(), "suspension": set()}
    for cred in pub.credentials.values():
        found = entries(cred)
        assert [e["statusPurpose"] for e in found] == ["revocation", "suspension"]
        for entry in found:
            assert entry["type"] == "BitstringStatusListEntry"
            assert entry["statusListCredential"] in pub.status_lists
            assert entry["id"] == f"{entry['statusListCredential']}#{entry['statusListIndex']}"
            seen[entry["statusPurpose"]].add(int(entry["statusListIndex"]))
    count = len(pub.credentials)
    assert count >= 10 and all(len(v) == count for v in seen.values())  # never shared
    # random, not handed out in order: 12 indexes below 1,000 out of 131,072 is ~1e-30
    assert max(seen["revocation"]) >= 1000


def test_revoking_sets_exactly_that_bit_msb_first(program: Callable[..., Path]) -> None:
    root = program(keep=None)
    prepare_publication(root, now=NOW)
    creds = credentials(root)
    victim = sorted(creds)[4]
    index = index_of(creds[victim])
    change_status(root, victim, action="revoke", who="Registrar", now=REVOKED_AT, reason="error")
    pub = prepare_publication(root, now=REVOKED_AT + dt.timedelta(hours=1))
    (doc,) = pub.status_lists.values()
    bits = decode_bits(doc["credentialSubject"]["encodedList"])
    assert set_indexes(bits) == [index]
    # the spec's order: index 0 is the high bit of byte 0, so the byte holds 0x80 >> (i % 8)
    assert bits[index // 8] == 0x80 >> (index % 8)
    for slug, cred in creds.items():
        assert bit(bits, index_of(cred)) == (slug == victim)
    assert doc["validFrom"] == "2026-11-03T12:00:00Z"  # "as of" = the change
    assert pub.statuses[victim] == "revoked"
    assert pub.status_changes == {
        victim: {
            "state": "revoked",
            "action": "revoked",
            "date": "2026-11-03T12:00:00Z",
            "reason": "error",
        }
    }


def test_a_list_is_resigned_only_when_it_changes(program: Callable[..., Path]) -> None:
    root = program()
    prepare_publication(root, now=NOW)
    path = root / PUBLISHED_DIR / "revocation-1.json"
    first = path.read_bytes()
    prepare_publication(root, now=NOW + dt.timedelta(days=30))
    assert path.read_bytes() == first
    change_status(root, "data-2026-03-01", action="revoke", who="t", now=REVOKED_AT)
    second = path.read_bytes()  # revoke re-signs at once
    assert second != first
    assert json.loads(second)["proof"][0]["created"] == "2026-11-03T12:00:00Z"
    prepare_publication(root, now=NOW + dt.timedelta(days=40))
    assert path.read_bytes() == second


def test_the_state_file_is_readable_and_logs_who_when_why(program: Callable[..., Path]) -> None:
    root = program()
    prepare_publication(root, now=NOW)
    cred_id = credentials(root)["data-2026-03-02"]["id"]
    change_status(
        root, cred_id, action="revoke", who="Ingrid H.", now=REVOKED_AT, reason="evidence withdrawn"
    )
    text = (root / "status" / "revocation.json").read_text(encoding="utf-8")
    state = json.loads(text)
    assert state["revoked"] == [cred_id]
    assert state["log"] == [
        {
            "when": "2026-11-03T12:00:00Z",
            "who": "Ingrid H.",
            "action": "revoked",
            "credential": cred_id,
            "index": state["allocated"][cred_id],
            "reason": "evidence withdrawn",
        }
    ]
    assert text.count("\n") > 10  # indented, one fact per line: reviewable in git diff
