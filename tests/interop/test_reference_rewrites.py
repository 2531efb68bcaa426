"""Credentials the reference stack signs: no RDF-preserving rewrite improves microcred's verdict.

Digital Bazaar's stack signs (eddsa-rdfc-2022) an expired credential, a revoked one and its
status list (with a ttl); tests/verify/rewrites.py rewrites every property a check reads while
keeping the canonical N-Quads. The reference itself is fooled on validity dates this way
(issue 8); microcred reads what the proof covers, so its verdict never gets better.
"""

from __future__ import annotations

import hashlib
import importlib.util
import sys
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from interop_credgen import OB303, VC2
from interop_support import Microcred, Reference, require_module

pytestmark = pytest.mark.interop

LIST_URL = "https://badges.example.org/status/revocation-9.json"
CREATED = "2026-01-02T03:04:05Z"
AT = datetime(2026, 6, 1, tzinfo=UTC)
REVOKED_INDEX = 42
SCHEMA_ENTRY = {
    "id": "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json",
    "type": "JsonSchema",
}


def _rewrites() -> ModuleType:
    name = "microcred_test_rewrites"
    if name not in sys.modules:
        path = Path(__file__).resolve().parent.parent / "verify" / "rewrites.py"
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def _credential(issuer: str, cid: int, **changes: Any) -> dict[str, Any]:
    entry = require_module("microcred.status.entry").make_entry(LIST_URL, cid, "revocation")
    document: dict[str, Any] = {
        "@context": [VC2, OB303],
        "id": f"urn:uuid:00000000-0000-4000-8000-{cid:012d}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": issuer, "type": ["Profile"], "name": "Reference Academy"},
        "validFrom": "2025-06-01T00:00:00Z",
        "validUntil": "2030-01-01T00:00:00Z",
        "name": "Rewrites",
        "credentialSubject": {
            "id": "did:example:learner",
            "type": ["AchievementSubject"],
            "achievement": {
                "id": "https://example.org/achievements/rewrites",
                "type": ["Achievement"],
                "name": "Rewrites",
                "description": "Rewrites",
                "criteria": {"narrative": "Be rewritten."},
            },
        },
        "credentialStatus": entry,
    }
    document.update(changes)
    return document


@pytest.fixture(scope="module")
def signed(
    reference: Reference, mc: Microcred, shipped_contexts: dict[str, Any]
) -> dict[str, dict[str, Any]]:
    bitstring = require_module("microcred.status.bitstring")
    listcred = require_module("microcred.status.listcred")
    key = mc.key_from_seed(hashlib.sha256(b"rewrites-interop").digest(), None, None)
    bits = bitstring.new_bitstring()
    bitstring.set_bit(bits, REVOKED_INDEX, True)
    status_list = listcred.status_list_credential(
        LIST_URL,
        key.controller,
        bits,
        "revocation",
        valid_from=datetime(2026, 5, 1, tzinfo=UTC),
        valid_until=datetime(2099, 1, 1, tzinfo=UTC),
        ttl=60_000,
    )
    schema_bad = _credential(key.controller, 9, credentialSchema=[SCHEMA_ENTRY])
    schema_bad["credentialSubject"]["achievement"]["achievementType"] = "NotAKindOfAchievement"
    schema_good = _credential(key.controller, 10, credentialSchema=[SCHEMA_ENTRY])
    schema_good["credentialSubject"]["achievement"]["achievementType"] = "Certificate"
    documents = {
        "schema_bad": schema_bad,
        "schema_good": schema_good,
        "revoked": _credential(key.controller, REVOKED_INDEX),
        "expired": _credential(key.controller, 7, validUntil="2026-02-01T00:00:00Z"),
        "valid": _credential(key.controller, 8),
        "list": status_list,
    }
    requests = [
        {"op": "sign", "suite": "eddsa-rdfc-2022", "document": document,
         "key": key.to_secret_json(), "created": CREATED}
        for document in documents.values()
    ]  # fmt: skip
    answers = reference.batch(requests, defaults={"contexts": shipped_contexts})
    out = {}
    for name, answer in zip(documents, answers, strict=True):
        assert "signed" in answer, answer
        out[name] = answer["signed"]
    return out


def _options(status_list: Any) -> Any:
    verify = require_module("microcred.verify")
    pinned = require_module("microcred.verify.pinned")
    return verify.VerifyOptions(status_lists={LIST_URL: pinned.StatusSnapshot(status_list, "l")})


@pytest.mark.parametrize("name", ["revoked", "expired", "valid"])
def test_reference_signed_credentials_resist_rewrites(
    signed: dict[str, dict[str, Any]], name: str
) -> None:
    verify = require_module("microcred.verify")
    rewrites = _rewrites()
    document, options = signed[name], _options(signed["list"])
    original = verify.check_credential(document, now=AT, options=options)
    expected = {"revoked": "invalid", "expired": "invalid", "valid": "valid"}[name]
    assert original.result == expected, [c.to_json() for c in original.checks]
    found = list(rewrites.rdf_rewrites(document))
    labels = " ".join(label for label, _ in found)
    assert "full-iri validUntil" in labels and "nest credentialStatus" in labels
    worse = []
    for label, rewritten in found:
        report = verify.check_credential(rewritten, now=AT, options=options)
        why = rewrites.not_better(original, report)
        if why:
            worse.append(f"{label}: {why}")
    assert not worse, worse


def test_a_reference_signed_list_resists_rewrites(signed: dict[str, dict[str, Any]]) -> None:
    """The list's ttl (60 s after its validFrom) has long run out: the stale warning stays, and
    the revoked credential stays revoked, however the list is spelled."""
    verify = require_module("microcred.verify")
    rewrites = _rewrites()
    for name in ("revoked", "valid"):
        original = verify.check_credential(signed[name], now=AT, options=_options(signed["list"]))
        if name == "valid":
            status = original.check("status")
            assert "STATUS_LIST_STALE" in [w.code for w in status.warnings]
        found = list(rewrites.rdf_rewrites(signed["list"]))
        assert any("ttl" in label for label, _ in found)
        worse = []
        for label, rewritten in found:
            report = verify.check_credential(signed[name], now=AT, options=_options(rewritten))
            why = rewrites.not_better(original, report)
            if why:
                worse.append(f"{label}: {why}")
        assert not worse, worse


@pytest.mark.parametrize("name", ["schema_bad", "schema_good"])
def test_the_ob_schema_check_resists_rewrites(
    signed: dict[str, dict[str, Any]],
    name: str,
    standards: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A value only the 1EdTech schema refuses (achievementType) stays refused when the
    reference-signed credential writes it as its full IRI or under @nest; the genuine one stays
    valid (no over-rejection from reading the signed shape)."""
    monkeypatch.setenv("MICROCRED_SCHEMA_DIR", str(standards / "schemas" / "ob-v3p0"))
    verify = require_module("microcred.verify")
    rewrites = _rewrites()
    document, options = signed[name], _options(signed["list"])
    original = verify.check_credential(document, now=AT, options=options)
    expected = {"schema_bad": "invalid", "schema_good": "valid"}[name]
    assert original.result == expected, [c.to_json() for c in original.checks]
    found = list(rewrites.rdf_rewrites(document))
    labels = " ".join(label for label, _ in found)
    assert "full-iri credentialSubject.achievement.achievementType" in labels
    assert "nest credentialSubject.achievement.achievementType" in labels
    worse = []
    for label, rewritten in found:
        report = verify.check_credential(rewritten, now=AT, options=options)
        why = rewrites.not_better(original, report)
        if why:
            worse.append(f"{label}: {why}")
    assert not worse, worse
