"""Endorsements microcred issues verify in Digital Bazaar's reference stack (both proofs, the
issuer being the endorser), standalone and embedded in a credential; a forged one does not."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from interop_support import Reference, load_shipped_contexts

from microcred.issue import sign_document
from microcred.keyring import KeyRing
from microcred.model import Identity
from microcred.proof.keys import generate_keypair
from microcred.publish import prepare_publication

REPO = Path(__file__).resolve().parents[2]
NOW = dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.UTC)


@pytest.mark.interop
def test_example_endorsements_verify_in_the_reference(tmp_path: Path, reference: Reference) -> None:
    root = tmp_path / "northwind"
    shutil.copytree(REPO / "examples" / "northwind-microinternships", root)
    KeyRing(root).new_key(Identity("did-key"), now=NOW)
    pub = prepare_publication(root, now=NOW)
    assert len(pub.endorsements) >= 3
    embedding = sorted(s for s, c in pub.credentials.items() if c.get("endorsement"))
    assert embedding, "some credential embeds an endorsement made before its award"
    honest = pub.endorsements["mentor-data-2026-03-01"]
    forged = sign_document(
        {k: v for k, v in honest.items() if k != "proof"}, generate_keypair(), created=NOW
    )
    defaults = {
        "contexts": load_shipped_contexts(),
        "didDocuments": {},
        "now": "2026-11-05T00:00:00Z",
    }
    slugs = sorted(pub.endorsements)
    answers = reference.batch(
        [{"op": "verify", "document": pub.endorsements[s]} for s in slugs]
        + [
            {
                "op": "verify",
                "document": pub.credentials[embedding[0]],
                "statusLists": pub.status_lists,
            },
            {"op": "verify", "document": forged},
        ],
        defaults,
    )
    for slug, answer in zip(slugs, answers[: len(slugs)], strict=True):
        assert answer["verified"] is True, (slug, answer)
        assert [p["verified"] for p in answer["proofs"]] == [True, True], (slug, answer)
    assert answers[-2]["verified"] is True, answers[-2]
    assert answers[-1]["verified"] is False, answers[-1]  # signed by a key not the endorser's
    assert "issuer must match the verification method controller" in answers[-1]["error"]
