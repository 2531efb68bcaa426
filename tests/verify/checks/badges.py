"""Open Badges signed for real (microcred's signer, eddsa-rdfc-2022 + eddsa-jcs-2022), for the
check tests: a fresh id per badge, the issuer's own key, anything else through ``extra``."""

from __future__ import annotations

import uuid
from typing import Any

from microcred.issue import sign_document
from microcred.proof.keys import KeyPair
from microcred.proof.timestamps import parse_datetimestamp

SIGNED_AT = parse_datetimestamp("2026-03-01T00:00:00Z")
CONTEXT = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]


def badge(key: KeyPair, name: Any, *, description: Any = None, **extra: Any) -> Any:
    doc = {
        "@context": CONTEXT,
        "id": f"urn:uuid:{uuid.uuid4()}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": name,
        "issuer": {"id": key.controller, "type": ["Profile"], "name": f"Issuer of {name}"},
        "validFrom": "2026-02-01T00:00:00Z",
        "credentialSubject": {
            "id": "did:example:learner-9",
            "type": ["AchievementSubject"],
            "achievement": {
                "id": f"https://issuer.example/achievements/{uuid.uuid4()}",
                "type": ["Achievement"],
                "name": name,
                "description": f"{name} micro-internship." if description is None else description,
                "criteria": {"narrative": "Deliver the brief."},
            },
        },
        **extra,
    }
    return sign_document(doc, key, created=SIGNED_AT)
