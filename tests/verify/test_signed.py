"""The signed view: one shape for one RDF, whatever JSON spelling the issuer chose."""

from __future__ import annotations

from typing import Any

import pytest

from microcred.jsonld.loader import default_loader
from microcred.verify.signed import build_signed_view

SUBJECT = "did:example:learner"


def _credential(subject: Any) -> dict[str, Any]:
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential"],
        "issuer": "did:example:issuer",
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": subject,
    }


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ({"id": SUBJECT}, {"id": SUBJECT}),
        (SUBJECT, {"id": SUBJECT}),
        (
            [{"id": SUBJECT}, {"id": "did:example:other"}],
            [{"id": SUBJECT}, {"id": "did:example:other"}],
        ),
    ],
    ids=["object-with-only-id", "bare-iri", "two-id-only-subjects"],
)
def test_a_subject_with_only_an_id_reads_as_an_object(written: Any, expected: Any) -> None:
    """JSON-LD compaction turns ``{"id": x}`` under the @id-coerced ``credentialSubject`` into
    the bare string ``x``; the checks must still see the subject object the issuer wrote."""
    signed = build_signed_view(_credential(written), default_loader())
    assert signed.view is not None, signed.error
    assert signed.view["credentialSubject"] == expected


def test_a_subject_with_claims_is_unchanged() -> None:
    subject = {"id": SUBJECT, "name": "Ada"}
    signed = build_signed_view(_credential(subject), default_loader())
    assert signed.view is not None, signed.error
    assert signed.view["credentialSubject"] == subject
