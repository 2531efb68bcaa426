from __future__ import annotations

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st

from microcred.errors import ProofError
from microcred.proof.multibase import (
    B58_ALPHABET,
    b58decode,
    b58encode,
    b64url_decode,
    b64url_encode,
    multibase_decode,
    multibase_encode_b58,
)


def _reference_b58(data: bytes) -> str:
    """Textbook repeated-division base58 used as an independent oracle."""
    digits = list(data)
    out = ""
    while any(digits):
        rem = 0
        nxt = []
        for d in digits:
            acc = rem * 256 + d
            nxt.append(acc // 58)
            rem = acc % 58
        out = B58_ALPHABET[rem] + out
        digits = nxt
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + out


@given(st.binary(max_size=80))
def test_b58_round_trips_and_matches_reference(data: bytes) -> None:
    text = b58encode(data)
    assert text == _reference_b58(data)
    assert b58decode(text) == data


@given(st.integers(min_value=0, max_value=5), st.binary(max_size=20))
def test_leading_zero_bytes_become_leading_ones_both_ways(zeros: int, body: bytes) -> None:
    data = b"\0" * zeros + body.lstrip(b"\0")
    text = b58encode(data)
    assert text.startswith("1" * zeros)
    assert b58decode(text) == data


def test_b58_known_values() -> None:
    assert b58encode(b"") == ""
    assert b58decode("") == b""
    assert b58decode("1") == b"\0"
    assert b58decode("11") == b"\0\0"
    assert b58encode(b"\0\0\x01") == "112"
    assert b58decode("2g") == b"a"


@pytest.mark.parametrize("bad", ["0", "O", "I", "l", "+", "/", " ", "é", "z6Mk\n", "٣"])
def test_b58_rejects_characters_outside_the_alphabet(bad: str) -> None:
    with pytest.raises(ProofError) as info:
        b58decode("2g" + bad)
    assert info.value.code == "MALFORMED_VALUE_ERROR"
    assert "alphabet" in info.value.message


def test_b58_refuses_absurd_length_before_work() -> None:
    with pytest.raises(ProofError, match="limit"):
        b58decode("2" * 5000)


@given(st.binary(max_size=64))
def test_b64url_round_trip_matches_stdlib(data: bytes) -> None:
    text = b64url_encode(data)
    assert text == base64.urlsafe_b64encode(data).decode().rstrip("=")
    assert b64url_decode(text) == data


@pytest.mark.parametrize(
    ("bad", "why"),
    [
        ("AA==", "padding"),
        ("a+b/", "'\\+'"),
        ("AAAAA", "length"),
        ("AB", "canonical"),  # stray low bits in the last character
        ("A A", "' '"),
    ],
)
def test_b64url_is_strict(bad: str, why: str) -> None:
    with pytest.raises(ProofError, match=why):
        b64url_decode(bad)


def test_multibase_decode_accepts_only_z_and_u() -> None:
    payload = b"\x00\xffmicrocred"
    assert multibase_decode(multibase_encode_b58(payload)) == payload
    assert multibase_decode("u" + b64url_encode(payload)) == payload
    for header in ("f", "m", "M", "b", "Z", "U"):
        with pytest.raises(ProofError, match="header"):
            multibase_decode(header + "00ff")
    with pytest.raises(ProofError, match="empty"):
        multibase_decode("")
    with pytest.raises(ProofError, match="string"):
        multibase_decode(b"zabc")  # type: ignore[arg-type]
