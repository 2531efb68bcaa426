"""Key rotation keeps every earlier badge verifying; a compromised key fails only after its cutoff."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
from lchelpers import DID_WEB, NOW, add_record, credential_files, credentials, edit_record

from microcred.cli import run
from microcred.errors import KeyError_
from microcred.keyring import KeyRing
from microcred.model import Identity
from microcred.publish import PUBLISHED_DIR, Publication, prepare_publication
from microcred.site import build_site
from microcred.verify import (
    PinnedDocument,
    StatusSnapshot,
    VerifyOptions,
    check_credential,
    verify_paths,
)

T1, T2, T3, T4 = (NOW + dt.timedelta(days=d) for d in (1, 2, 3, 4))


def _verdicts(
    creds: Mapping[str, Mapping[str, Any]],
    did_doc: Mapping[str, Any],
    lists: Mapping[str, Mapping[str, Any]],
    now: dt.datetime,
) -> dict[str, tuple[str, set[str]]]:
    options = VerifyOptions(
        did_documents={DID_WEB: PinnedDocument(did_doc, "test")},
        status_lists={u: StatusSnapshot(d, "test") for u, d in lists.items()},
    )
    out = {}
    for slug, cred in creds.items():
        report = check_credential(cred, now=now, options=options)
        codes = {p.code for c in report.checks if c.outcome == "failed" for p in c.problems}
        out[slug] = (str(report.result), codes)
    return out


def _vm(cred: Mapping[str, Any]) -> str:
    (vm,) = {p["verificationMethod"] for p in cred["proof"]}
    return str(vm)


def _all_valid(pub: Publication, now: dt.datetime) -> None:
    verdicts = _verdicts(pub.credentials, pub.did_documents[DID_WEB], pub.status_lists, now)
    assert {s: v for s, v in verdicts.items() if v[0] != "valid"} == {}


def test_rotation_keeps_old_badges_verifying(
    program: Callable[..., Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = program(did_web=True)
    first = prepare_publication(root, now=NOW)
    old_key = KeyRing(root).active().id
    before = credential_files(root)
    assert run(["-p", str(root), "keys", "rotate", "--now", "2026-11-02T12:00:00Z"]) == 0
    new_key = KeyRing(root).active().id
    assert new_key != old_key
    # a rotation alone re-signs nothing
    pub = prepare_publication(root, now=T1)
    assert pub.issue_report.issued == [] and credential_files(root) == before
    edit_record(root, "data-2026-03-02")
    add_record(root, "late-2026-11-03")
    pub = prepare_publication(root, now=T2)
    assert sorted(pub.issue_report.issued) == ["data-2026-03-02", "late-2026-11-03"]
    after = credential_files(root)
    assert {s for s in before if before[s] != after[s]} == {"data-2026-03-02"}
    signers = {slug: _vm(c) for slug, c in credentials(root).items()}
    assert signers == {
        "data-2026-03-01": old_key,
        "data-2026-03-02": new_key,
        "data-2026-03-03": old_key,
        "late-2026-11-03": new_key,
    }
    doc = pub.did_documents[DID_WEB]
    assert doc["assertionMethod"] == [new_key, old_key]
    assert all("revoked" not in m for m in doc["verificationMethod"])
    assert {_vm(d) for d in pub.status_lists.values()} == {new_key}  # lists follow the key
    assert first.status_lists != pub.status_lists
    _all_valid(pub, T2)
    # ...and from the rebuilt site folder, as any verifier would see it
    site = tmp_path / "site"
    build_site(root, site, now=T2)
    reports = list(verify_paths([site], now=T2))
    issued = [r for r in reports if "/endorsements/" not in str(r.path)]  # not the endorsers'
    assert len(issued) == 4 and {str(r.result) for r in reports} == {"valid"}
    capsys.readouterr()
    assert run(["-p", str(root), "keys", "list"]) == 0
    listing = capsys.readouterr().out.splitlines()
    assert listing[0].startswith(f"retired  {old_key}") and "signed 2 credential(s)" in listing[0]
    assert listing[1].startswith(f"active   {new_key}") and "signed 2 credential(s)" in listing[1]


def test_a_compromised_key_fails_only_after_its_cutoff(program: Callable[..., Path]) -> None:
    root = program(did_web=True)
    prepare_publication(root, now=NOW)  # three badges signed by key A at NOW
    early = credential_files(root)
    add_record(root, "late-1")
    add_record(root, "late-2")
    prepare_publication(root, now=T2)  # two more signed by A at T2
    lists = {
        f"https://northwind-talent.example.org/microinternships/status/{p.name}": _load(p)
        for p in (root / PUBLISHED_DIR).glob("*.json")
    }
    old_key = KeyRing(root).active().id
    # A leaks; it may have been misused since T1: rotate and revoke it from T1 on
    KeyRing(root).rotate(Identity("did-web", DID_WEB), now=T3, compromised_since=T1)
    doc = KeyRing(root).did_document()
    assert doc is not None
    (old,) = [m for m in doc["verificationMethod"] if m["id"] == old_key]
    assert old["revoked"] == "2026-11-02T12:00:00Z"
    assert old_key in doc["assertionMethod"]  # still published: earlier badges need it
    verdicts = _verdicts(credentials(root), doc, lists, T3)
    for slug in early:
        assert verdicts[slug][0] == "valid", (slug, verdicts[slug])
    for slug in ("late-1", "late-2"):
        assert verdicts[slug][0] == "invalid"
        assert "INVALID_VERIFICATION_METHOD" in verdicts[slug][1], verdicts[slug]
    # the next build re-signs exactly the affected badges with the new key (same ids)
    before = credentials(root)
    pub = prepare_publication(root, now=T4)
    assert sorted(pub.issue_report.rekeyed) == ["late-1", "late-2"]
    assert sorted(pub.issue_report.issued) == ["late-1", "late-2"]
    assert {s: credential_files(root)[s] for s in early} == early
    new_key = KeyRing(root).active().id
    for slug in ("late-1", "late-2"):
        assert pub.credentials[slug]["id"] == before[slug]["id"]
        assert _vm(pub.credentials[slug]) == new_key
    _all_valid(pub, T4)


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def test_did_key_programs_are_told_what_rotation_means(
    program: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root = program()
    with pytest.raises(KeyError_) as info:
        KeyRing(root).rotate(Identity("did-key"), now=T1)
    text = info.value.diagnostics()
    assert "new DID" in text and "did:web" in text
    assert run(["-p", str(root), "keys", "rotate"]) == 1
    assert "new DID" in capsys.readouterr().err
    assert [e.status for e in KeyRing(root).entries()] == ["active"]


def test_the_active_key_cannot_be_revoked_without_rotating(program: Callable[..., Path]) -> None:
    root = program(did_web=True)
    ring = KeyRing(root)
    with pytest.raises(KeyError_) as info:
        ring.revoke(ring.active().id, since=T1)
    assert "rotate" in info.value.diagnostics()
    with pytest.raises(KeyError_):
        ring.rotate(Identity("did-web", DID_WEB), now=T1, compromised_since=T2)  # future
