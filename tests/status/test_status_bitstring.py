"""microcred.status.bitstring: wire format (MC-49), bit order (MC-50), bombs (MC-60)."""

from __future__ import annotations

import base64
import gzip
import json
import os
import struct
import time
import tracemalloc
import zlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from microcred.errors import StatusError
from microcred.status import (
    DEFAULT_MAX_BYTES,
    MIN_ENTRIES,
    decode_list,
    encode_list,
    get_bit,
    get_status_value,
    new_bitstring,
    set_bit,
    set_status_value,
)

VECTORS = "vectors/bitstring-status-list"


def bit_string(data: bytes) -> str:
    """Independent reading of a bitstring: '0101...' with index 0 leftmost."""
    return "".join(format(b, "08b") for b in data)


def b64u(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def gzip_member(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


# --------------------------------------------------------------------------- vectors


@pytest.mark.conformance
@pytest.mark.parametrize(
    "name",
    ["w3c-spec-example-statuslist.json", "1edtech-testlist.json", "dcc-e5WK8CbZ1GjycuPombrj.json"],
)
def test_standard_vectors_decode_to_expected_bits(standards: Path, name: str) -> None:
    expected = json.loads((standards / VECTORS / "expected.json").read_text())[name]
    credential = json.loads((standards / VECTORS / name).read_text())
    bits = decode_list(credential["credentialSubject"]["encodedList"])
    assert len(bits) == expected["uncompressedBytes"]
    assert len(bits) * 8 == expected["entries"]
    assert (len(bits) * 8 >= MIN_ENTRIES) is expected["meetsMinimum131072"]
    independent = [i for i, c in enumerate(bit_string(bits)) if c == "1"]
    assert independent == expected["setIndices"]
    assert [i for i in range(len(bits) * 8) if get_bit(bits, i)] == expected["setIndices"]


# --------------------------------------------------------------------------- encoding


def test_encode_is_deterministic_and_standard_gzip() -> None:
    bits = new_bitstring()
    set_bit(bits, 94567, True)
    first, second = encode_list(bits), encode_list(bytearray(bits))
    assert first == second
    assert first.startswith("u") and "=" not in first
    raw = base64.urlsafe_b64decode(first[1:] + "=" * (-len(first[1:]) % 4))
    magic, method, flags, mtime = struct.unpack("<HBBI", raw[:8])
    assert (magic, method, flags, mtime) == (0x8B1F, 8, 0, 0)  # no FNAME, no time stamp
    assert gzip.decompress(raw) == bytes(bits)  # an independent decoder agrees


def test_encode_decode_round_trip_random_lists() -> None:
    for size in (16384, 16384 * 2, 1):
        data = os.urandom(size)
        assert decode_list(encode_list(data)) == data


def test_decode_accepts_other_encoders_gzip() -> None:
    data = bytes(16384)
    with_name = gzip.compress(data, mtime=123456)
    assert decode_list("u" + b64u(with_name)) == data


# --------------------------------------------------------------------------- MC-49


def _valid_raw() -> bytes:
    return gzip_member(bytes(16384))


def _b64_with_padding() -> str:
    text = base64.urlsafe_b64encode(_valid_raw()).decode()
    if not text.endswith("="):  # make sure the case really has padding
        text = base64.urlsafe_b64encode(_valid_raw() + b"\x00").decode()
    return "u" + text


def _standard_b64() -> str:
    raw = _valid_raw()
    # find a suffix whose standard base64 has '+' or '/' (base64url would use '-' or '_')
    for extra in range(256):
        text = base64.b64encode(raw + bytes([extra]) * 3).decode().rstrip("=")
        if "+" in text or "/" in text:
            return "u" + text
    raise AssertionError("no +/ found")


def _truncated() -> str:
    raw = _valid_raw()
    return "u" + b64u(raw[: len(raw) - 6])


def _bad_crc() -> str:
    raw = bytearray(_valid_raw())
    raw[-8] ^= 0xFF
    return "u" + b64u(bytes(raw))


def _non_canonical_last_char() -> str:
    body = next(
        text[1:]
        for text in (encode_list(os.urandom(n)) for n in range(1, 64))
        if len(text[1:]) % 4 in (2, 3)
    )
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    last = alphabet.index(body[-1])
    return "u" + body[:-1] + alphabet[last | 1]


MC49_CASES = {
    "no_multibase_prefix": lambda: b64u(_valid_raw()),
    "base58_prefix_z": lambda: "z" + b64u(_valid_raw()),
    "padding": _b64_with_padding,
    "standard_base64_plus_slash": _standard_b64,
    "zlib_instead_of_gzip": lambda: "u" + b64u(zlib.compress(bytes(16384))),
    "raw_deflate": lambda: (
        "u" + b64u(zlib.compressobj(9, zlib.DEFLATED, -15).compress(bytes(16384)) + b"\x03\x00")
    ),
    "truncated_gzip": _truncated,
    "trailing_bytes": lambda: "u" + b64u(_valid_raw() + b"junk"),
    "two_gzip_members": lambda: "u" + b64u(_valid_raw() + _valid_raw()),
    "bad_crc": _bad_crc,
    "non_canonical_base64": _non_canonical_last_char,
    "whitespace_inside": lambda: (
        encode_list(bytes(16384))[:10] + "\n" + encode_list(bytes(16384))[10:]
    ),
    "empty_after_prefix": lambda: "u",
    "impossible_length": lambda: "u" + b64u(_valid_raw()) + "A" * (5 - len(b64u(_valid_raw())) % 4),
    "reserved_gzip_flag": lambda: "u" + b64u(_valid_raw()[:3] + b"\xe0" + _valid_raw()[4:]),
}


@pytest.mark.parametrize("case", sorted(MC49_CASES))
def test_mc49_wire_format_errors_are_malformed(case: str) -> None:
    encoded = MC49_CASES[case]()
    with pytest.raises(StatusError) as info:
        decode_list(encoded)
    assert info.value.code == "MALFORMED_VALUE_ERROR", info.value.diagnostics()
    assert "encodedList" in info.value.diagnostics()


@pytest.mark.parametrize("value", [None, 5, b"uH4sI", ["u"]])
def test_decode_refuses_non_strings(value: object) -> None:
    with pytest.raises(StatusError) as info:
        decode_list(value)  # type: ignore[arg-type]
    assert info.value.code == "MALFORMED_VALUE_ERROR"


# --------------------------------------------------------------------------- MC-60


def _bomb(total_mib: int) -> str:
    """A GZIP stream of ``total_mib`` MiB of zeros, built from one repeated deflate block."""
    one_mib = bytes(1 << 20)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(one_mib) + compressor.flush(zlib.Z_FULL_FLUSH)
    repeat = compressor.compress(one_mib) + compressor.flush(zlib.Z_FULL_FLUSH)
    assert repeat == block  # a full flush resets the state: the block can be repeated
    final = compressor.flush(zlib.Z_FINISH)
    body = block * total_mib + final
    trailer = struct.pack("<II", 0, (total_mib << 20) & 0xFFFFFFFF)  # never reached
    return "u" + b64u(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff" + body + trailer)


def test_mc60_small_bomb_is_refused() -> None:
    encoded = encode_list(bytes(10 * 1024 * 1024))  # ~10 KB of text, 10 MiB inflated
    assert len(encoded) < 16_000
    with pytest.raises(StatusError) as info:
        decode_list(encoded)
    assert info.value.code == "RESOURCE_LIMIT_ERROR"


def test_mc60_gigabyte_bomb_fails_fast_with_bounded_memory() -> None:
    encoded = _bomb(2048)  # 2 GiB of zeros in ~2.8 MB of text
    assert len(encoded) < 4_000_000
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(StatusError) as info:
            decode_list(encoded)
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert info.value.code == "RESOURCE_LIMIT_ERROR"
    assert "gzip bomb" in info.value.message
    assert elapsed < 2.0
    assert peak < 5 * DEFAULT_MAX_BYTES  # input copies + the capped output, not gigabytes


def test_output_cap_is_exact() -> None:
    data = bytes(4096)
    assert decode_list(encode_list(data), max_bytes=4096) == data
    with pytest.raises(StatusError):
        decode_list(encode_list(data), max_bytes=4095)


def test_oversized_text_refused_before_decoding() -> None:
    with pytest.raises(StatusError) as info:
        decode_list("u" + "A" * 200_000, max_bytes=1024)
    assert info.value.code == "RESOURCE_LIMIT_ERROR"


# --------------------------------------------------------------------------- MC-50 bit order


def test_mc50_lsb_of_byte_zero_is_index_seven() -> None:
    bits = bytearray(16384)
    bits[0] = 0x01
    assert bit_string(bits)[:8] == "00000001"
    assert get_bit(bits, 7) is True
    assert get_bit(bits, 0) is False
    decoded = decode_list(encode_list(bits))
    assert get_bit(decoded, 7) and not get_bit(decoded, 0)


@pytest.mark.parametrize("index", [0, 1, 7, 8, 23, 94567, 131071])
def test_set_bit_matches_independent_reading(index: int) -> None:
    bits = new_bitstring()
    set_bit(bits, index, True)
    reading = bit_string(bits)
    assert reading.count("1") == 1
    assert reading.index("1") == index
    set_bit(bits, index, False)
    assert not any(bits)


def test_multi_bit_status_matches_independent_reading() -> None:
    bits = new_bitstring(MIN_ENTRIES, status_size=2)
    set_status_value(bits, 5, 2, 0b10)
    set_status_value(bits, 6, 2, 0b01)
    reading = bit_string(bits)
    assert reading[10:12] == "10" and reading[12:14] == "01"
    assert get_status_value(bits, 5, 2) == 2
    assert get_status_value(bits, 6, 2) == 1
    assert get_status_value(bits, 4, 2) == 0
    with pytest.raises(StatusError):
        set_status_value(bits, 5, 2, 4)


@pytest.mark.parametrize("index", [-1, 131072, 10**30])
def test_out_of_range_index_is_range_error(index: int) -> None:
    bits = new_bitstring()
    with pytest.raises(StatusError) as info:
        get_bit(bits, index)
    assert info.value.code == "RANGE_ERROR"


def test_status_size_range_counts_whole_entries() -> None:
    bits = bytearray(1)  # 8 bits = 2 entries of 3 bits (2 bits left over)
    assert get_status_value(bits, 1, 3) == 0
    with pytest.raises(StatusError) as info:
        get_status_value(bits, 2, 3)
    assert info.value.code == "RANGE_ERROR"


# --------------------------------------------------------------------------- properties


@settings(max_examples=150, deadline=None)
@given(st.binary(min_size=1, max_size=2048), st.data())
def test_property_round_trip_and_independent_reading(data: bytes, draw: st.DataObject) -> None:
    assert decode_list(encode_list(data)) == data
    index = draw.draw(st.integers(0, len(data) * 8 - 1))
    assert get_bit(data, index) is (bit_string(data)[index] == "1")
    size = draw.draw(st.integers(1, 8))
    if len(data) * 8 // size:
        entry = draw.draw(st.integers(0, len(data) * 8 // size - 1))
        expected = int(bit_string(data)[entry * size : (entry + 1) * size], 2)
        assert get_status_value(data, entry, size) == expected
