"""The ``encodedList`` wire format of Bitstring Status List v1.0 and MSB-first bit access.

``encodedList`` is ``'u'`` + base64url without padding of a GZIP member holding the bitstring.
Decoding is strict (docs/standards.md section 16, MC-49) and bounded (MC-60): a list is attacker
supplied data when it comes from an imported credential.
"""

from __future__ import annotations

import base64
import re
import struct
import zlib

from microcred.errors import StatusError

MIN_ENTRIES = 131_072
"""Minimum number of entries a list must hold (herd privacy; BSL "Validate Algorithm")."""

DEFAULT_MAX_BYTES = 8 * 1024 * 1024
"""Cap on the uncompressed list: 2**26 bits, the bound proposed in vc-bitstring-status-list #208."""

MALFORMED = "MALFORMED_VALUE_ERROR"
RANGE = "RANGE_ERROR"
RESOURCE = "RESOURCE_LIMIT_ERROR"

_B64URL_RE = re.compile(r"[A-Za-z0-9_-]*")
# Fixed GZIP header: magic, CM=deflate, no flags (so no file name), MTIME=0, XFL=2 (level 9),
# OS=255 ("unknown", so every platform writes the same bytes).
_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
_LEVEL = 9
_CHUNK = 64 * 1024
# Deflate cannot expand incompressible data by more than a few bytes per 16 KiB block.
_MAX_COMPRESSED_OVERHEAD = 64 * 1024


def new_bitstring(entries: int = MIN_ENTRIES, status_size: int = 1) -> bytearray:
    """An all-zero list able to hold ``entries`` entries of ``status_size`` bits."""
    if entries <= 0 or status_size <= 0:
        raise StatusError(
            f"a status list needs a positive size, got {entries} entries of {status_size} bits",
            code=RANGE,
        )
    return bytearray((entries * status_size + 7) // 8)


def encode_list(bits: bytes | bytearray) -> str:
    """Encode a bitstring as ``encodedList``.

    The GZIP container is written by hand (no time stamp, no file name, fixed level and OS byte)
    so re-encoding an unchanged list is byte-identical and a re-signed list makes no git diff.
    """
    data = bytes(bits)
    compressor = zlib.compressobj(
        _LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS, 9, zlib.Z_DEFAULT_STRATEGY
    )
    body = compressor.compress(data) + compressor.flush(zlib.Z_FINISH)
    trailer = struct.pack("<II", zlib.crc32(data) & 0xFFFFFFFF, len(data) & 0xFFFFFFFF)
    raw = _GZIP_HEADER + body + trailer
    return "u" + base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _malformed(detail: str) -> StatusError:
    return StatusError(
        f"encodedList {detail}",
        code=MALFORMED,
        hint="encodedList must be 'u' + base64url (no padding) of one GZIP member",
    )


def _b64url_decode(text: str) -> bytes:
    if not _B64URL_RE.fullmatch(text):
        bad = next(c for c in text if not (c.isascii() and (c.isalnum() or c in "-_")))
        raise _malformed(f"contains {bad!r}, which is not in the base64url alphabet")
    if len(text) % 4 == 1:
        raise _malformed("has an impossible base64url length (truncated?)")
    raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    # Reject non-canonical encodings (stray bits in the last character): two different strings
    # must never decode to the same list.
    if base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=") != text:
        raise _malformed("is not canonical base64url (unused bits are set in the last character)")
    return raw


def decode_list(encoded: str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """Decode ``encodedList`` strictly, never producing more than ``max_bytes`` bytes.

    Refused (``MALFORMED_VALUE_ERROR``): missing ``u`` prefix, padding or ``+/``, zlib or raw
    deflate instead of GZIP, a truncated stream, a bad CRC/length, trailing bytes or a second
    member. A list that inflates beyond the cap (gzip bomb) is ``RESOURCE_LIMIT_ERROR``;
    decompression is streamed, so memory stays near ``max_bytes``.
    """
    if not isinstance(encoded, str):
        raise _malformed(f"must be a string, not {type(encoded).__name__}")
    if not encoded.startswith("u"):
        shown = encoded[:1] or "nothing"
        raise _malformed(f"must start with the multibase prefix 'u' (base64url), found {shown!r}")
    max_encoded = 1 + (max_bytes + _MAX_COMPRESSED_OVERHEAD) * 4 // 3 + 4
    if len(encoded) > max_encoded:
        raise StatusError(
            f"encodedList is {len(encoded)} characters, more than a {max_bytes}-byte list can need",
            code=RESOURCE,
        )
    raw = _b64url_decode(encoded[1:])
    if raw[:2] != b"\x1f\x8b":
        kind = "zlib" if raw[:1] == b"\x78" else "raw deflate or other"
        raise _malformed(f"is not GZIP data (looks like {kind}; no 1f 8b magic bytes)")
    # wbits=31 accepts exactly one GZIP member (not zlib, not raw deflate) and checks the
    # header flags, CRC-32 and ISIZE itself.
    inflater = zlib.decompressobj(31)
    out = bytearray()
    pending = raw
    try:
        while not inflater.eof:
            chunk = inflater.decompress(pending, _CHUNK)
            out += chunk
            if len(out) > max_bytes:
                raise StatusError(
                    f"encodedList inflates to more than {max_bytes} bytes (gzip bomb?); "
                    "decompression stopped",
                    code=RESOURCE,
                )
            pending = inflater.unconsumed_tail
            if not pending and not chunk:
                break  # zlib wants more input than there is: truncated
    except zlib.error as exc:
        raise _malformed(f"is not a valid GZIP stream ({exc})") from None
    if not inflater.eof:
        raise _malformed("is a truncated GZIP stream (no end of data / CRC trailer)")
    if inflater.unused_data:
        raise _malformed(
            f"has {len(inflater.unused_data)} byte(s) after the GZIP member "
            "(trailing data or a second member)"
        )
    return bytes(out)


def _check_range(bits: bytes | bytearray, index: int, size: int) -> None:
    if isinstance(index, bool) or not isinstance(index, int) or index < 0:
        raise StatusError(f"status index {index!r} is not a non-negative integer", code=RANGE)
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise StatusError(f"statusSize {size!r} is not a positive integer", code=MALFORMED)
    entries = len(bits) * 8 // size
    if index >= entries:
        raise StatusError(
            f"status index {index} is outside the list, which holds {entries} entries",
            code=RANGE,
        )


def get_bit(bits: bytes | bytearray, index: int) -> bool:
    """Bit ``index``, MSB first: index 0 is mask 0x80 of byte 0 (MC-50)."""
    _check_range(bits, index, 1)
    return bool(bits[index >> 3] & (0x80 >> (index & 7)))


def set_bit(bits: bytearray, index: int, value: bool) -> None:
    """Set or clear bit ``index`` (MSB first, like :func:`get_bit`)."""
    _check_range(bits, index, 1)
    mask = 0x80 >> (index & 7)
    if value:
        bits[index >> 3] |= mask
    else:
        bits[index >> 3] &= ~mask & 0xFF


def get_status_value(bits: bytes | bytearray, index: int, size: int = 1) -> int:
    """The ``size``-bit value of entry ``index``; the entry starts at bit ``index * size``."""
    _check_range(bits, index, size)
    value = 0
    start = index * size
    for position in range(start, start + size):
        value = (value << 1) | bool(bits[position >> 3] & (0x80 >> (position & 7)))
    return value


def set_status_value(bits: bytearray, index: int, size: int, value: int) -> None:
    """Write the ``size``-bit ``value`` of entry ``index`` (most significant bit first)."""
    _check_range(bits, index, size)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < (1 << size):
        raise StatusError(f"status value {value!r} does not fit in {size} bit(s)", code=RANGE)
    start = index * size
    for offset in range(size):
        position = start + offset
        mask = 0x80 >> (position & 7)
        if (value >> (size - 1 - offset)) & 1:
            bits[position >> 3] |= mask
        else:
            bits[position >> 3] &= ~mask & 0xFF
