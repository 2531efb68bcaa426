"""microcred.status.entry: strict index (MC-47), entry shape (MC-52), other types (MC-53a)."""

from __future__ import annotations

from typing import Any

import pytest

from microcred.errors import StatusError
from microcred.status import (
    StatusEntry,
    UnsupportedStatusTypeError,
    make_entry,
    parse_status_index,
    status_entries,
    validate_entry,
)

LIST = "https://example.org/program/status/revocation-1.json"


def entry(**changes: Any) -> dict[str, Any]:
    base = make_entry(LIST, 94567, "revocation")
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


# --------------------------------------------------------------------------- MC-47

MC47_BAD = {
    "negative": "-1",
    "leading_zeros": "007",
    "plus_sign": "+5",
    "leading_space": " 5",
    "trailing_space": "5 ",
    "underscore": "1_000",
    "arabic_indic_digit": "\u0663",
    "fullwidth_digit": "\uff15",
    "hex": "0x10",
    "exponent": "1e3",
    "trailing_letters": "5abc",
    "decimal_point": "1.0",
    "empty": "",
    "five_thousand_digits": "5" * 5000,
    "twenty_one_digits": "1" * 21,
    "json_negative_number": -1,
    "json_float": 5.0,
    "json_bool": True,
    "json_null": None,
    "json_array": ["5"],
}


@pytest.mark.parametrize("case", sorted(MC47_BAD))
def test_mc47_malformed_index_rejected(case: str) -> None:
    with pytest.raises(StatusError) as info:
        parse_status_index(MC47_BAD[case])
    assert info.value.code == "MALFORMED_VALUE_ERROR"
    assert "statusListIndex" in info.value.diagnostics()


def test_python_int_would_have_accepted_some_of_them() -> None:
    # Why the regex exists: these slip through int().
    for text in (" 5", "1_000", "\u0663"):
        int(text)
        with pytest.raises(StatusError):
            parse_status_index(text)


@pytest.mark.parametrize(
    ("text", "value"), [("0", 0), ("7", 7), ("94567", 94567), ("131071", 131071)]
)
def test_valid_index_strings(text: str, value: int) -> None:
    parsed = parse_status_index(text)
    assert parsed.value == value
    assert parsed.from_json_number is False


def test_json_integer_tolerated_with_warning() -> None:
    parsed = parse_status_index(23)
    assert (parsed.value, parsed.from_json_number) == (23, True)
    checked = validate_entry(entry(statusListIndex=23))
    assert checked.index == 23
    assert any("JSON number" in w for w in checked.warnings)
    assert validate_entry(entry()).warnings == ()


# --------------------------------------------------------------------------- make_entry


def test_make_entry_shape() -> None:
    assert make_entry(LIST, 94567, "suspension") == {
        "id": f"{LIST}#94567",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "suspension",
        "statusListIndex": "94567",
        "statusListCredential": LIST,
    }


def test_make_entry_validates_back() -> None:
    checked = validate_entry(make_entry(LIST, 0, "revocation"))
    assert checked == StatusEntry(list_url=LIST, index=0, purpose="revocation", id=f"{LIST}#0")


@pytest.mark.parametrize(
    ("url", "index", "purpose"),
    [
        ("ftp://example.org/list", 1, "revocation"),
        (f"{LIST}#frag", 1, "revocation"),
        (LIST, -1, "revocation"),
        (LIST, True, "revocation"),
        (LIST, "5", "revocation"),
        (LIST, 1, "cancellation"),
    ],
)
def test_make_entry_refuses_bad_input(url: str, index: Any, purpose: str) -> None:
    with pytest.raises(StatusError):
        make_entry(url, index, purpose)


# --------------------------------------------------------------------------- MC-52 and shape


def _messages(n: int) -> list[dict[str, str]]:
    return [{"status": hex(i), "message": f"state {i}"} for i in range(n)]


MC52_BAD = {
    "id_equals_list_url": entry(id=LIST),
    "status_size_zero": entry(statusSize=0),
    "status_size_negative": entry(statusSize=-1),
    "status_size_string": entry(statusSize="2"),
    "status_size_bool": entry(statusSize=True),
    "status_size_huge": entry(statusSize=64, statusMessage=[]),
    "size_two_without_message": entry(statusSize=2, statusPurpose="message"),
    "message_count_three_for_size_two": entry(
        statusSize=2, statusPurpose="message", statusMessage=_messages(3)
    ),
    "message_count_five_for_size_two": entry(
        statusSize=2, statusPurpose="message", statusMessage=_messages(5)
    ),
    "message_repeated_status": entry(
        statusSize=1,
        statusMessage=[{"status": "0x0", "message": "a"}, {"status": "0x0", "message": "b"}],
    ),
    "message_status_not_hex": entry(
        statusSize=1,
        statusMessage=[{"status": "0", "message": "a"}, {"status": "0x1", "message": "b"}],
    ),
    "message_not_array": entry(statusSize=1, statusMessage={"status": "0x0"}),
    "missing_type": {k: v for k, v in entry().items() if k != "type"},
    "type_not_string": entry(type=5),
    "unknown_purpose": entry(statusPurpose="cancellation"),
    "purpose_list": entry(statusPurpose=["revocation"]),
    "missing_index": {k: v for k, v in entry().items() if k != "statusListIndex"},
    "list_url_missing": {k: v for k, v in entry().items() if k != "statusListCredential"},
    "list_url_not_url": entry(statusListCredential="not a url"),
    "id_not_url": entry(id=5),
    "not_an_object": ["BitstringStatusListEntry"],
}


@pytest.mark.parametrize("case", sorted(MC52_BAD))
def test_mc52_malformed_entries(case: str) -> None:
    with pytest.raises(StatusError) as info:
        validate_entry(MC52_BAD[case])
    assert not isinstance(info.value, UnsupportedStatusTypeError)
    assert info.value.code == "MALFORMED_VALUE_ERROR"


def test_status_size_two_with_four_messages_is_valid() -> None:
    checked = validate_entry(
        entry(statusSize=2, statusPurpose="message", statusMessage=_messages(4))
    )
    assert checked.size == 2
    assert checked.message_for(3) == "state 3"
    assert checked.message_for(4) is None


def test_type_array_with_entry_type_accepted() -> None:
    assert validate_entry(entry(type=["BitstringStatusListEntry"])).index == 94567


# --------------------------------------------------------------------------- MC-53a


@pytest.mark.parametrize("status_type", ["1EdTechRevocationList", "RevocationList2020Status", "Foo"])
def test_mc53_unknown_types_are_unsupported_not_ok(status_type: str) -> None:
    with pytest.raises(UnsupportedStatusTypeError) as info:
        validate_entry({"id": "https://x.example/s#1", "type": status_type})
    assert info.value.code == "STATUS_RETRIEVAL_ERROR"
    assert info.value.status_type == status_type
    assert isinstance(info.value, StatusError)
    assert status_type in info.value.diagnostics()


# --------------------------------------------------------------------------- MC-51 helper


def test_status_entries_normalises_object_and_array() -> None:
    one = entry()
    assert status_entries(None) == []
    assert status_entries(one) == [one]
    assert status_entries([one, entry(statusPurpose="suspension")]) == [
        one,
        entry(statusPurpose="suspension"),
    ]


@pytest.mark.parametrize("value", [[], [{}] * 17])
def test_status_entries_refuses_empty_or_too_many(value: list[Any]) -> None:
    with pytest.raises(StatusError) as info:
        status_entries(value)
    assert info.value.code == "MALFORMED_VALUE_ERROR"
