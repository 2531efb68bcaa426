"""The bundled example, issued exactly as `microcred demo` does, verifies in Digital Bazaar's
reference stack: every credential (both proofs), and the signed status list."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from interop_support import Reference, load_shipped_contexts

from microcred.keyring import KeyRing
from microcred.model import Identity
from microcred.publish import change_status, prepare_publication

REPO = Path(__file__).resolve().parents[2]
NOW = dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.UTC)


@pytest.mark.interop
def test_example_credentials_verify_in_the_reference(tmp_path: Path, reference: Reference) -> None:
    root = tmp_path / "northwind"
    shutil.copytree(REPO / "examples" / "northwind-microinternships", root)
    KeyRing(root).new_key(Identity("did-key"), now=NOW)
    first = prepare_publication(root, now=NOW)
    revoked = sorted(first.credentials)[0]
    change_status(root, revoked, action="revoke", who="test", now=NOW + dt.timedelta(hours=1))
    pub = prepare_publication(root, now=NOW + dt.timedelta(hours=2))
    assert len(pub.credentials) >= 8

    defaults = {"contexts": load_shipped_contexts(), "didDocuments": {}, "now": "2026-11-05T00:00:00Z"}
    slugs = sorted(pub.credentials)
    lists = list(pub.status_lists.values())
    answers = reference.batch(
        [{"op": "verify", "document": doc} for doc in lists]
        + [{"op": "verify", "document": pub.credentials[s], "statusLists": pub.status_lists}
           for s in slugs],
        defaults,
    )
    for answer in answers[: len(lists)]:
        assert answer["verified"] is True, answer
    for slug, answer in zip(slugs, answers[len(lists):], strict=True):
        assert [p["verified"] for p in answer["proofs"]] == [True, True], (slug, answer)
        assert answer["statusChecked"] is True, (slug, answer)
        assert answer["verified"] is (slug != revoked), (slug, answer)
