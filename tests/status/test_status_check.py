"""microcred.status.check: the verifier-side validate algorithm (MC-43..53, MC-60)."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from microcred.errors import StatusError
from microcred.status import (
    check_entry_against_list,
    encode_list,
    make_entry,
    new_bitstring,
    set_bit,
    set_status_value,
    status_list_credential,
)

LIST = "https://example.org/program/status/revocation-1.json"
ISSUER = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
FROM = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
UNTIL = dt.datetime(2026, 12, 31, tzinfo=dt.UTC)
NOW = dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)


def make_list(
    set_indexes: tuple[int, ...] = (), purpose: str | list[str] = "revocation", **kw: Any
) -> dict[str, Any]:
    bits = new_bitstring()
    for index in set_indexes:
        set_bit(bits, index, True)
    return status_list_credential(
        LIST, ISSUER, bits, purpose, valid_from=FROM, valid_until=kw.pop("valid_until", UNTIL), **kw
    )


def check(entry: Any, list_credential: Any, **kw: Any) -> Any:
    kw.setdefault("list_issuer_ok", True)
    kw.setdefault("now", NOW)
    return check_entry_against_list(entry, list_credential, **kw)


# --------------------------------------------------------------------------- MC-43


def test_clear_bit_is_ok_and_dated() -> None:
    outcome = check(make_entry(LIST, 94567, "revocation"), make_list((94566, 94568)))
    assert outcome.state == "ok"
    assert (outcome.value, outcome.code, outcome.is_failure) == (0, None, False)
    assert outcome.as_of == FROM
    assert outcome.valid_until == UNTIL
    assert outcome.index == 94567 and outcome.list_url == LIST


def test_mc43_revoked_and_suspended_are_distinct() -> None:
    revoked = check(make_entry(LIST, 94567, "revocation"), make_list((94567,)))
    suspended = check(
        make_entry(LIST, 94567, "suspension"), make_list((94567,), purpose="suspension")
    )
    assert revoked.state == "revoked"
    assert suspended.state == "suspended"
    assert revoked.value == suspended.value == 1


def test_list_with_two_purposes() -> None:
    both = make_list((5,), purpose=["revocation", "suspension"])
    assert check(make_entry(LIST, 5, "suspension"), both).state == "suspended"


# --------------------------------------------------------------------------- MC-44 / MC-45


def test_mc44_purpose_mismatch() -> None:
    outcome = check(make_entry(LIST, 94567, "suspension"), make_list((94567,)))
    assert outcome.state == "failed"
    assert outcome.code == "STATUS_VERIFICATION_ERROR"
    assert "suspension" in (outcome.detail or "")


def _without_list_type(lst: dict[str, Any]) -> None:
    lst["type"] = ["VerifiableCredential"]


def _wrong_subject_type(lst: dict[str, Any]) -> None:
    lst["credentialSubject"]["type"] = "StatusList2021"


def _other_list_id(lst: dict[str, Any]) -> None:
    lst["id"] = "https://evil.example/status/1.json"


def _no_subject(lst: dict[str, Any]) -> None:
    del lst["credentialSubject"]


MC45_CASES = {
    "lacks_BitstringStatusListCredential_type": _without_list_type,
    "subject_type_not_BitstringStatusList": _wrong_subject_type,
    "list_id_differs_from_entry_url": _other_list_id,
    "no_credential_subject": _no_subject,
}


@pytest.mark.parametrize("case", sorted(MC45_CASES))
def test_mc45_untrustworthy_list_shape(case: str) -> None:
    lst = make_list()
    MC45_CASES[case](lst)
    outcome = check(make_entry(LIST, 1, "revocation"), lst)
    assert (outcome.state, outcome.code) == ("failed", "STATUS_VERIFICATION_ERROR")


def test_mc45_list_not_verified_by_caller() -> None:
    outcome = check(make_entry(LIST, 1, "revocation"), make_list(), list_issuer_ok=False)
    assert (outcome.state, outcome.code) == ("failed", "STATUS_VERIFICATION_ERROR")


def test_mc45_expired_list() -> None:
    outcome = check(make_entry(LIST, 1, "revocation"), make_list(), now=UNTIL)
    assert (outcome.state, outcome.code) == ("failed", "STATUS_VERIFICATION_ERROR")
    assert "expired" in (outcome.detail or "")
    assert outcome.valid_until == UNTIL


def test_list_not_yet_valid() -> None:
    early = FROM - dt.timedelta(seconds=1)
    outcome = check(make_entry(LIST, 1, "revocation"), make_list(), now=early)
    # A list signed after the time of verification cannot say what the status was then.
    assert (outcome.state, outcome.code) == ("newer", "STATUS_RETRIEVAL_ERROR")
    assert outcome.is_indeterminate and not outcome.is_failure
    assert outcome.detail is not None and "newer than the time of verification" in outcome.detail


@pytest.mark.parametrize(
    "stamp", ["2026-01-01", "2026-01-01T00:00:00", "Sat 25 Feb 2023", "2026-13-01T00:00:00Z"]
)
def test_malformed_list_dates(stamp: str) -> None:
    lst = make_list()
    lst["validFrom"] = stamp
    outcome = check(make_entry(LIST, 1, "revocation"), lst)
    assert (outcome.state, outcome.code) == ("failed", "MALFORMED_VALUE_ERROR")


def test_fractional_seconds_and_offsets_accepted() -> None:
    lst = make_list()
    lst["validFrom"] = "2025-01-09T15:20:02.183456789+01:00"
    outcome = check(make_entry(LIST, 1, "revocation"), lst)
    assert outcome.state == "ok"
    assert outcome.valid_from == dt.datetime(2025, 1, 9, 14, 20, 2, 183456, tzinfo=dt.UTC)


# --------------------------------------------------------------------------- MC-46 / MC-48


def test_mc46_index_out_of_range() -> None:
    outcome = check(make_entry(LIST, 131072, "revocation"), make_list())
    assert (outcome.state, outcome.code) == ("failed", "RANGE_ERROR")
    assert check(make_entry(LIST, 131071, "revocation"), make_list()).state == "ok"


def test_mc46_range_divides_by_status_size() -> None:
    lst = make_list(purpose="message")
    bits = new_bitstring(131072, status_size=2)
    lst["credentialSubject"]["encodedList"] = encode_list(bits)
    messages = [{"status": hex(i), "message": str(i)} for i in range(4)]
    base = {
        "type": "BitstringStatusListEntry",
        "statusPurpose": "message",
        "statusListCredential": LIST,
        "statusSize": 2,
        "statusMessage": messages,
    }
    assert check({**base, "statusListIndex": "131071"}, lst).state == "ok"
    outcome = check({**base, "statusListIndex": "131072"}, lst)
    assert outcome.code == "RANGE_ERROR"


def test_mc48_list_too_short() -> None:
    lst = make_list()
    lst["credentialSubject"]["encodedList"] = encode_list(bytes(8192))  # 65,536 entries
    outcome = check(make_entry(LIST, 1, "revocation"), lst)
    assert (outcome.state, outcome.code) == ("failed", "STATUS_LIST_LENGTH_ERROR")
    assert "65536" in (outcome.detail or "")


def test_minimum_counts_entries_not_bits() -> None:
    lst = make_list(purpose="message")  # 131,072 bits = 65,536 two-bit entries
    messages = [{"status": hex(i), "message": str(i)} for i in range(4)]
    entry = {
        "type": "BitstringStatusListEntry",
        "statusPurpose": "message",
        "statusListIndex": "1",
        "statusListCredential": LIST,
        "statusSize": 2,
        "statusMessage": messages,
    }
    assert check(entry, lst).code == "STATUS_LIST_LENGTH_ERROR"


# --------------------------------------------------------------------------- MC-49 / MC-50 / MC-60


def test_mc49_bad_encoded_list_is_malformed() -> None:
    lst = make_list()
    lst["credentialSubject"]["encodedList"] = lst["credentialSubject"]["encodedList"][1:]
    outcome = check(make_entry(LIST, 1, "revocation"), lst)
    assert (outcome.state, outcome.code) == ("failed", "MALFORMED_VALUE_ERROR")
    del lst["credentialSubject"]["encodedList"]
    assert check(make_entry(LIST, 1, "revocation"), lst).code == "MALFORMED_VALUE_ERROR"


def test_mc50_lsb_of_byte_zero() -> None:
    lst = make_list()
    bits = bytearray(16384)
    bits[0] = 0x01
    lst["credentialSubject"]["encodedList"] = encode_list(bits)
    assert check(make_entry(LIST, 7, "revocation"), lst).state == "revoked"
    assert check(make_entry(LIST, 0, "revocation"), lst).state == "ok"


def test_mc60_bomb_in_list() -> None:
    lst = make_list()
    lst["credentialSubject"]["encodedList"] = encode_list(bytes(16 * 1024 * 1024))
    outcome = check(make_entry(LIST, 1, "revocation"), lst)
    assert (outcome.state, outcome.code) == ("failed", "RESOURCE_LIMIT_ERROR")


# --------------------------------------------------------------------------- MC-51 / 52 / 53


def test_mc51_every_entry_checked() -> None:
    lists = {
        "revocation": make_list(()),
        "suspension": make_list((77,), purpose="suspension"),
    }
    entries = [make_entry(LIST, 77, "revocation"), make_entry(LIST, 77, "suspension")]
    states = [check(e, lists[e["statusPurpose"]]).state for e in entries]
    assert states == ["ok", "suspended"]


def test_mc52_bad_entry_is_malformed_not_ok() -> None:
    bad = {**make_entry(LIST, 1, "revocation"), "id": LIST}
    outcome = check(bad, make_list())
    assert (outcome.state, outcome.code) == ("failed", "MALFORMED_VALUE_ERROR")


def test_mc53_unsupported_type_is_indeterminate() -> None:
    outcome = check({"id": "https://x.example/1", "type": "1EdTechRevocationList"}, make_list())
    assert outcome.state == "unsupported"
    assert outcome.is_indeterminate and not outcome.is_failure
    assert outcome.code == "STATUS_RETRIEVAL_ERROR"


def test_mc53_stale_snapshot_by_ttl() -> None:
    lst = make_list(valid_until=None, ttl=3_600_000)
    entry = make_entry(LIST, 1, "revocation")
    fresh = check(entry, lst, fetched_at=NOW - dt.timedelta(minutes=30))
    stale = check(entry, lst, fetched_at=NOW - dt.timedelta(hours=2))
    assert fresh.state == "ok" and fresh.ttl_ms == 3_600_000
    assert (stale.state, stale.code) == ("stale", "STATUS_RETRIEVAL_ERROR")
    assert stale.is_indeterminate


def test_message_purpose_reports_message() -> None:
    lst = make_list(purpose="message")
    bits = new_bitstring(131072, status_size=2)
    set_status_value(bits, 9, 2, 2)
    lst["credentialSubject"]["encodedList"] = encode_list(bits)
    messages = [{"status": hex(i), "message": f"m{i}"} for i in range(4)]
    entry = {
        "type": "BitstringStatusListEntry",
        "statusPurpose": "message",
        "statusListIndex": "9",
        "statusListCredential": LIST,
        "statusSize": 2,
        "statusMessage": messages,
    }
    outcome = check(entry, lst)
    assert (outcome.state, outcome.value, outcome.message) == ("set", 2, "m2")


# --------------------------------------------------------------------------- robustness


@pytest.mark.parametrize(
    "junk", [[], "list", 5, None, {}, {"type": "BitstringStatusListCredential"}]
)
def test_junk_list_never_raises(junk: Any) -> None:
    outcome = check(make_entry(LIST, 1, "revocation"), junk)
    assert outcome.state == "failed"
    assert outcome.code is not None


def test_ttl_must_be_integer() -> None:
    lst = make_list(ttl=1000)
    lst["credentialSubject"]["ttl"] = "1000"
    assert check(make_entry(LIST, 1, "revocation"), lst).code == "MALFORMED_VALUE_ERROR"


def test_naive_now_is_a_programming_error() -> None:
    with pytest.raises(StatusError):
        check(make_entry(LIST, 1, "revocation"), make_list(), now=dt.datetime(2026, 6, 1))


def test_input_not_mutated() -> None:
    lst = make_list((3,))
    before = copy.deepcopy(lst)
    check(make_entry(LIST, 3, "revocation"), lst)
    assert lst == before


# --------------------------------------------------------------------------- real lists


@pytest.mark.conformance
def test_1edtech_list_bit_23(standards: Path) -> None:
    lst = json.loads(
        (standards / "vectors/bitstring-status-list/1edtech-testlist.json").read_text()
    )
    url = lst["id"]
    revoked = check(make_entry(url, 23, "revocation"), lst)
    assert revoked.state == "revoked"
    assert revoked.as_of == dt.datetime(2021, 4, 5, 14, 27, 40, tzinfo=dt.UTC)
    # The 1EdTech sample style: index as a JSON number -> accepted with a warning.
    numeric = {**make_entry(url, 22, "revocation"), "statusListIndex": 22}
    outcome = check(numeric, lst)
    assert outcome.state == "ok" and outcome.warnings


@pytest.mark.conformance
def test_dcc_list_is_too_short(standards: Path) -> None:
    lst = json.loads(
        (standards / "vectors/bitstring-status-list/dcc-e5WK8CbZ1GjycuPombrj.json").read_text()
    )
    outcome = check(make_entry(lst["id"], 2, "revocation"), lst)
    assert outcome.code == "STATUS_LIST_LENGTH_ERROR"
    relaxed = check(make_entry(lst["id"], 2, "revocation"), lst, min_entries=100_000)
    assert relaxed.state == "revoked"
    assert check(make_entry(lst["id"], 3, "revocation"), lst, min_entries=100_000).state == "ok"


def test_status_list_2021_entry_reads_a_2021_list() -> None:
    entry = {
        "id": f"{LIST}#1",
        "type": "StatusList2021Entry",
        "statusPurpose": "revocation",
        "statusListIndex": "1",
        "statusListCredential": LIST,
    }
    lst = make_list()
    lst["type"] = ["VerifiableCredential", "StatusList2021Credential"]
    lst["credentialSubject"]["type"] = "StatusList2021"
    assert check(entry, lst).state == "ok"
    # ...and refuses a Bitstring list for a 2021 entry (each list type for its own entry).
    assert check(entry, make_list()).code == "STATUS_VERIFICATION_ERROR"


def test_a_vc11_list_is_dated_by_issuance_and_expiration_date() -> None:
    lst = make_list()
    lst["issuanceDate"] = lst.pop("validFrom")
    lst["expirationDate"] = lst.pop("validUntil")
    entry = make_entry(LIST, 1, "revocation")
    assert check(entry, lst).as_of == FROM
    assert check(entry, lst, now=FROM - dt.timedelta(seconds=1)).state == "newer"
    expired = check(entry, lst, now=UNTIL + dt.timedelta(seconds=1))
    assert (expired.state, expired.code) == ("failed", "STATUS_VERIFICATION_ERROR")
