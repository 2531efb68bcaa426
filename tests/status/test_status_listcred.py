"""microcred.status.listcred: the unsigned BitstringStatusListCredential."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from pyld import jsonld

from microcred.errors import StatusError
from microcred.status import (
    check_entry_against_list,
    decode_list,
    make_entry,
    new_bitstring,
    set_bit,
    status_list_credential,
)

LIST = "https://example.org/program/status/revocation-1.json"
ISSUER = "did:web:example.org:program"
FROM = dt.datetime(2026, 1, 1, 9, 30, 15, 987654, tzinfo=dt.UTC)
UNTIL = dt.datetime(2026, 2, 1, tzinfo=dt.timezone(dt.timedelta(hours=2)))


def test_shape() -> None:
    bits = new_bitstring()
    set_bit(bits, 1234, True)
    cred = status_list_credential(
        LIST, ISSUER, bits, "revocation", valid_from=FROM, valid_until=UNTIL, ttl=86_400_000
    )
    encoded = cred["credentialSubject"].pop("encodedList")
    assert cred == {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": LIST,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": ISSUER,
        "validFrom": "2026-01-01T09:30:15Z",
        "validUntil": "2026-01-31T22:00:00Z",
        "credentialSubject": {
            "id": f"{LIST}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "ttl": 86_400_000,
        },
    }
    assert decode_list(encoded) == bytes(bits)
    assert "proof" not in cred


def test_deterministic() -> None:
    bits = new_bitstring()
    one = status_list_credential(LIST, ISSUER, bits, "suspension", valid_from=FROM, ttl=1000)
    two = status_list_credential(LIST, ISSUER, bytes(bits), "suspension", valid_from=FROM, ttl=1000)
    assert json.dumps(one) == json.dumps(two)
    assert "validUntil" not in one


def test_round_trip_through_the_checker() -> None:
    bits = new_bitstring()
    set_bit(bits, 42, True)
    cred = status_list_credential(
        LIST, ISSUER, bits, "revocation", valid_from=FROM, valid_until=UNTIL
    )
    now = FROM + dt.timedelta(days=1)
    for index, state in ((42, "revoked"), (43, "ok")):
        outcome = check_entry_against_list(
            make_entry(LIST, index, "revocation"), cred, list_issuer_ok=True, now=now
        )
        assert outcome.state == state


def test_several_purposes_listed() -> None:
    cred = status_list_credential(
        LIST, ISSUER, new_bitstring(), ["revocation", "suspension"], valid_from=FROM, ttl=5
    )
    assert cred["credentialSubject"]["statusPurpose"] == ["revocation", "suspension"]


BAD: dict[str, dict[str, Any]] = {
    "too_short": {"bits": bytes(8192)},
    "no_valid_until_or_ttl": {"valid_until": None, "ttl": None},
    "until_before_from": {"valid_until": FROM - dt.timedelta(days=1)},
    "naive_from": {"valid_from": dt.datetime(2026, 1, 1)},
    "zero_ttl": {"valid_until": None, "ttl": 0},
    "list_url_with_fragment": {"list_url": LIST + "#list"},
    "list_url_not_http": {"list_url": "urn:uuid:1"},
    "issuer_not_did": {"issuer_did": "https://example.org"},
    "unknown_purpose": {"purpose": "cancellation"},
    "no_purpose": {"purpose": []},
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_refusals(case: str) -> None:
    args: dict[str, Any] = {
        "list_url": LIST,
        "issuer_did": ISSUER,
        "bits": new_bitstring(),
        "purpose": "revocation",
        "valid_from": FROM,
        "valid_until": UNTIL,
        "ttl": None,
    }
    args.update(BAD[case])
    with pytest.raises(StatusError):
        status_list_credential(
            args.pop("list_url"),
            args.pop("issuer_did"),
            args.pop("bits"),
            args.pop("purpose"),
            **args,
        )


# --------------------------------------------------------------------------- JSON-LD


def _loader(standards: Path) -> Any:
    index = json.loads((standards / "contexts" / "contexts.json").read_text())

    def load(url: str, options: Any = None) -> dict[str, Any]:
        if url not in index:
            raise AssertionError(f"unexpected context {url}")
        document = json.loads((standards / "contexts" / index[url]).read_text())
        return {"contextUrl": None, "documentUrl": url, "document": document}

    return load


def _count_properties(node: Any) -> int:
    if isinstance(node, list):
        return sum(_count_properties(n) for n in node)
    if not isinstance(node, dict):
        return 0
    own = [k for k in node if not k.startswith("@")]
    return len(own) + sum(_count_properties(node[k]) for k in own)


@pytest.mark.conformance
def test_every_term_is_defined_by_the_vc2_context(standards: Path) -> None:
    """Nothing is silently dropped by JSON-LD (so every field is covered by a signature)."""
    cred = status_list_credential(
        LIST, ISSUER, new_bitstring(), "revocation", valid_from=FROM, valid_until=UNTIL, ttl=10
    )
    expanded = jsonld.expand(cred, {"documentLoader": _loader(standards)})
    node = expanded[0]
    assert node["@type"] == [
        "https://www.w3.org/2018/credentials#VerifiableCredential",
        "https://www.w3.org/ns/credentials/status#BitstringStatusListCredential",
    ]
    subject = node["https://www.w3.org/2018/credentials#credentialSubject"][0]
    assert "https://www.w3.org/ns/credentials/status#encodedList" in subject
    assert "https://www.w3.org/ns/credentials/status#ttl" in subject
    # compact properties (minus @context, id, type) == expanded properties
    compact = _count_properties({k: v for k, v in cred.items() if k != "@context"})
    compact -= sum(1 for k in ("id", "type") if k in cred)
    compact -= sum(1 for k in ("id", "type") if k in cred["credentialSubject"])
    assert _count_properties(expanded) == compact


@pytest.mark.conformance
def test_entry_terms_are_defined_by_the_vc2_context(standards: Path) -> None:
    credential = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential"],
        "issuer": ISSUER,
        "credentialSubject": {"id": "did:example:holder"},
        "credentialStatus": make_entry(LIST, 7, "revocation"),
    }
    expanded = jsonld.expand(credential, {"documentLoader": _loader(standards)})[0]
    status = expanded["https://www.w3.org/2018/credentials#credentialStatus"][0]
    assert status["@type"] == ["https://www.w3.org/ns/credentials/status#BitstringStatusListEntry"]
    assert status["@id"] == f"{LIST}#7"
    keys = {k.rsplit("#", 1)[-1] for k in status if not k.startswith("@")}
    assert keys == {"statusPurpose", "statusListIndex", "statusListCredential"}
