"""Credentials canonicalized in either N-Quads order (code point per RDFC-1.0, UTF-16 per the
deployed JS/Java stacks) verify; anything else still fails."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from microcred.jsonld import canonicalize, default_loader, jcs
from microcred.proof.keys import generate_keypair
from microcred.proof.suites import add_proof
from microcred.verify import VerifyOptions, check_credential

NOW = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)


def _credential(issuer: str) -> dict:
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2",
                     "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "id": "urn:uuid:6c1a4a2e-33a4-4b0a-9d0b-4a4f1f0c0a01",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": issuer, "type": ["Profile"], "name": "Order test"},
        "validFrom": "2026-01-01T00:00:00Z",
        "name": "Order test",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "id": "did:example:holder",
            "achievement": {
                "id": "https://issuer.example.org/a", "type": ["Achievement"], "name": "A",
                "description": "d", "criteria": {"narrative": "n"},
                # astral (UTF-16 0xD801..) vs private-use U+E000: the two orders disagree
                "tag": ["\U00010437 astral", "\ue000 private use"],
            },
        },
    }


def _signed(order: str) -> tuple[bytes, str]:
    key = generate_keypair()
    loader = default_loader()
    doc = _credential(key.controller)
    signed = add_proof(doc, key, suite="eddsa-rdfc-2022", created=NOW,
                       rdfc=lambda d: canonicalize(d, loader, order=order), jcs=jcs)
    return json.dumps(signed, ensure_ascii=False).encode(), canonicalize(doc, loader, order=order)


def test_the_two_orders_really_differ_here() -> None:
    assert _signed("utf16")[1] != _signed("codepoint")[1]


@pytest.mark.parametrize("order", ["utf16", "codepoint"])
def test_either_order_verifies(order: str) -> None:
    raw, _ = _signed(order)
    report = check_credential(raw, now=NOW, options=VerifyOptions())
    proof = next(c for c in report.checks if c.id == "proof")
    assert proof.outcome == "passed", proof


def test_a_tampered_credential_still_fails_under_both_orders() -> None:
    raw, _ = _signed("codepoint")
    doc = json.loads(raw)
    doc["credentialSubject"]["achievement"]["tag"][1] = "\ue001 private use"
    report = check_credential(json.dumps(doc, ensure_ascii=False).encode(), now=NOW,
                              options=VerifyOptions())
    assert report.result == "invalid"
    proof = next(c for c in report.checks if c.id == "proof")
    assert proof.outcome == "failed"
    assert proof.problems[0].code == "CRYPTOGRAPHIC_SECURITY_ERROR"
