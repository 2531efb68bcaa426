from __future__ import annotations

from datetime import UTC, datetime

import pytest

from microcred.errors import KeyError_, ProofError
from microcred.proof.didweb import RetiredKey, did_web_document, did_web_to_url
from microcred.proof.keys import KeyPair, generate_keypair
from microcred.proof.resolve import resolve_verification_method


@pytest.mark.parametrize(
    ("did", "url"),
    [
        ("did:web:w3c-ccg.github.io", "https://w3c-ccg.github.io/.well-known/did.json"),
        ("did:web:w3c-ccg.github.io:user:alice", "https://w3c-ccg.github.io/user/alice/did.json"),
        ("did:web:example.com%3A3000:user:alice", "https://example.com:3000/user/alice/did.json"),
        (
            "did:web:digitalcredentials.github.io:vc-test-fixtures:dids:oidf",
            "https://digitalcredentials.github.io/vc-test-fixtures/dids/oidf/did.json",
        ),
        ("did:web:localhost%3a8000", "https://localhost:8000/.well-known/did.json"),
    ],
)
def test_summary_examples(did: str, url: str) -> None:
    assert did_web_to_url(did) == url


@pytest.mark.parametrize(
    ("did", "why"),
    [
        ("did:web:127.0.0.1", "IP address"),
        ("did:web:[::1]", "IP address"),
        ("did:web:example.com:3000", "percent-encoded"),
        ("did:web:example.com%3A99999", "percent-encoded port"),
        ("did:web:example.com%2Fevil", "percent-encoded port"),
        ("did:web:example.com:..:secret", "'..'"),
        ("did:web:example.com:.", "'.'"),
        ("did:web:example.com::alice", "empty path segment"),
        ("did:web:example.com:alice:", "empty path segment"),
        ("did:web:", "empty"),
        ("did:web:Example.COM:alice", "lower case: use did:web:example.com:alice"),
        ("did:web:example.com#key-1", "fragment"),
        ("did:web:example.com?v=1", "query"),
        ("did:web:exa_mple.com", "DNS name"),
        ("did:web:-example.com", "DNS name"),
        ("did:web:example..com", "DNS name"),
        ("did:web:bücher.example", "punycode"),
        ("did:web:example.com:a%2Fb", "path segment"),
        ("did:key:z6Mk", "did:web:"),
    ],
    ids=[
        "ipv4",
        "ipv6",
        "raw-port-colon",
        "port-out-of-range",
        "encoded-slash-in-host",
        "dotdot-segment",
        "dot-segment",
        "empty-inner-segment",
        "trailing-colon",
        "empty-domain",
        "upper-case-host",
        "fragment",
        "query",
        "underscore-host",
        "leading-hyphen",
        "empty-label",
        "non-ascii",
        "encoded-slash-in-path",
        "other-method",
    ],
)
def test_invalid_did_web_is_refused_and_says_why(did: str, why: str) -> None:
    with pytest.raises(ProofError) as info:
        did_web_to_url(did)
    assert why in info.value.message
    assert "invalidDid" in info.value.message
    assert info.value.code == "INVALID_VERIFICATION_METHOD"


def test_document_lists_active_and_retired_keys() -> None:
    did = "did:web:school.example:badges"
    active = generate_keypair(did, "key-3")
    retired_plain = generate_keypair(did, "key-1")
    revoked = generate_keypair(did, "key-2")
    moment = datetime(2025, 3, 1, 12, 0, 0, 999, tzinfo=UTC)
    document = did_web_document(did, [active], [retired_plain, RetiredKey(revoked, moment)])
    assert document["@context"] == [
        "https://www.w3.org/ns/did/v1",
        "https://w3id.org/security/multikey/v1",
    ]
    assert document["id"] == did
    ids = [m["id"] for m in document["verificationMethod"]]
    assert ids == [active.id, retired_plain.id, revoked.id]
    assert document["assertionMethod"] == ids
    by_id = {m["id"]: m for m in document["verificationMethod"]}
    assert by_id[revoked.id]["revoked"] == "2025-03-01T12:00:00Z"
    assert "revoked" not in by_id[active.id] and "revoked" not in by_id[retired_plain.id]
    assert all(m["id"].startswith(did + "#") for m in document["verificationMethod"])
    assert "secretKeyMultibase" not in repr(document)
    # the document is usable by our own resolver, for every key
    for key in (active, retired_plain, revoked):
        method = resolve_verification_method(key.id, {did: document})
        assert method["publicKeyMultibase"] == key.public_key_multibase


def test_tuple_form_of_retired_keys_with_string_timestamp() -> None:
    did = "did:web:school.example"
    active, old = generate_keypair(did), generate_keypair(did)
    document = did_web_document(
        did,
        [active],
        [
            (old, "2024-01-01T00:00:00Z"),
        ],
    )
    assert document["verificationMethod"][1]["revoked"] == "2024-01-01T00:00:00Z"
    with pytest.raises(ProofError, match="dateTimeStamp"):
        did_web_document(did, [active], [(old, "yesterday")])


def test_document_refuses_foreign_duplicate_or_missing_keys() -> None:
    did = "did:web:school.example"
    mine = generate_keypair(did, "key-1")
    with pytest.raises(KeyError_, match="not by"):
        did_web_document(did, [generate_keypair("did:web:other.example")])
    with pytest.raises(KeyError_, match="share"):
        did_web_document(did, [mine], [generate_keypair(did, "key-1")])
    with pytest.raises(KeyError_, match="listed twice"):
        did_web_document(did, [mine], [KeyPair(mine.public_key, None, did, f"{did}#again")])
    with pytest.raises(KeyError_, match="at least one"):
        did_web_document(did, [])
    with pytest.raises(ProofError, match="invalidDid"):
        did_web_document("did:web:127.0.0.1", [mine])
