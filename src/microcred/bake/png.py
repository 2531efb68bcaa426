"""PNG: one uncompressed ``iTXt`` chunk ``openbadgecredential`` right after ``IHDR``."""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

from microcred.bake.payload import (
    _TEXT_CHUNKS,
    MAX_IMAGE_BYTES,
    MAX_PNG_CHUNKS,
    MAX_TEXT_BYTES,
    OB2_KEYWORD,
    OB3_KEYWORD,
    PNG_SIGNATURE,
    BakeError,
    NotBakedError,
    OpenBadges2Error,
    _check_payload,
)


@dataclass(frozen=True)
class _Chunk:
    type: bytes
    data: bytes
    start: int
    end: int


def _png_chunks(png: bytes, max_bytes: int) -> list[_Chunk]:
    """Walk every chunk, checking length, type, CRC and the IHDR ... IEND frame."""
    if not isinstance(png, bytes | bytearray):
        raise BakeError(f"expected PNG bytes, got {type(png).__name__}")
    if len(png) > max_bytes:
        raise BakeError(f"the image is {len(png)} bytes; the limit is {max_bytes}")
    if not png.startswith(PNG_SIGNATURE):
        raise BakeError("not a PNG file (the 8-byte PNG signature is missing)")
    chunks: list[_Chunk] = []
    pos = len(PNG_SIGNATURE)
    while True:
        if pos + 12 > len(png):
            raise BakeError(f"PNG is truncated at byte {pos} (no IEND chunk)")
        (length,) = struct.unpack(">I", png[pos : pos + 4])
        ctype = bytes(png[pos + 4 : pos + 8])
        if length > 0x7FFFFFFF or not ctype.isalpha() or not ctype.isascii():
            raise BakeError(f"PNG chunk at byte {pos} has a bad length or type {ctype!r}")
        end = pos + 12 + length
        if end > len(png):
            raise BakeError(
                f"PNG chunk {ctype.decode()} at byte {pos} runs past the end of the file"
            )
        data = bytes(png[pos + 8 : pos + 8 + length])
        (crc,) = struct.unpack(">I", png[end - 4 : end])
        if zlib.crc32(ctype + data) & 0xFFFFFFFF != crc:
            raise BakeError(
                f"PNG chunk {ctype.decode()} at byte {pos} has a wrong CRC (corrupt file)"
            )
        chunks.append(_Chunk(ctype, data, pos, end))
        if len(chunks) > MAX_PNG_CHUNKS:
            raise BakeError(f"the PNG has more than {MAX_PNG_CHUNKS} chunks; refused")
        pos = end
        if ctype == b"IEND":
            break
    if chunks[0].type != b"IHDR" or len(chunks[0].data) != 13:
        raise BakeError("PNG does not start with a valid IHDR chunk")
    if pos != len(png):
        raise BakeError(f"PNG has {len(png) - pos} byte(s) after the IEND chunk")
    return chunks


def _keyword(chunk: _Chunk) -> bytes:
    return chunk.data.split(b"\x00", 1)[0]


def _itxt_chunk(text: str) -> bytes:
    # keyword NUL, compression flag 0, method 0, empty language NUL, empty translated NUL, text
    data = OB3_KEYWORD + b"\x00\x00\x00\x00\x00" + text.encode("utf-8")
    crc = zlib.crc32(b"iTXt" + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + b"iTXt" + data + struct.pack(">I", crc)


def bake_png(png: bytes, credential_json: str, *, max_bytes: int = MAX_IMAGE_BYTES) -> bytes:
    """Return ``png`` carrying ``credential_json`` in one ``openbadgecredential`` iTXt chunk.

    An earlier credential (OB 3.0 or an OB 2.0 ``openbadges`` chunk) is replaced, never
    duplicated; every other chunk is kept byte for byte.
    """
    _check_payload(credential_json)
    chunks = _png_chunks(png, max_bytes)
    out = bytearray(PNG_SIGNATURE)
    out += png[chunks[0].start : chunks[0].end]
    out += _itxt_chunk(credential_json)
    for chunk in chunks[1:]:
        if chunk.type in _TEXT_CHUNKS and _keyword(chunk) in (OB3_KEYWORD, OB2_KEYWORD):
            continue
        out += png[chunk.start : chunk.end]
    return bytes(out)


def _inflate(data: bytes, max_text: int) -> bytes:
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(data, max_text + 1)
    except zlib.error as exc:
        raise BakeError(f"the compressed credential text is corrupt ({exc})") from None
    if len(out) > max_text:
        raise BakeError(f"the compressed credential text inflates beyond {max_text} bytes")
    if not inflater.eof:
        raise BakeError("the compressed credential text is truncated")
    return out


def _itxt_text(chunk: _Chunk, max_text: int) -> bytes:
    parts = chunk.data.split(b"\x00", 1)
    rest = parts[1] if len(parts) == 2 else b""
    if len(rest) < 2:
        raise BakeError("the openbadgecredential iTXt chunk is truncated")
    flag, method, rest = rest[0], rest[1], rest[2:]
    fields = rest.split(b"\x00", 2)
    if len(fields) != 3:
        raise BakeError("the openbadgecredential iTXt chunk lacks its language/keyword fields")
    text = fields[2]
    if flag == 1:
        # The OB spec forbids compression; a conforming reader may still inflate it (capped).
        if method != 0:
            raise BakeError(f"iTXt compression method {method} is unknown")
        return _inflate(text, max_text)
    if flag != 0:
        raise BakeError(f"iTXt compression flag {flag} is invalid")
    if len(text) > max_text:
        raise BakeError(f"the baked credential is {len(text)} bytes; the limit is {max_text}")
    return text


def unbake_png(
    png: bytes, *, max_bytes: int = MAX_IMAGE_BYTES, max_text: int = MAX_TEXT_BYTES
) -> str:
    """The text of the single ``openbadgecredential`` iTXt chunk, exactly as baked.

    Two such chunks are refused (readers taking the first and the last would disagree, MC-68a).
    """
    chunks = _png_chunks(png, max_bytes)
    found = [c for c in chunks if c.type in _TEXT_CHUNKS and _keyword(c) == OB3_KEYWORD]
    if len(found) > 1:
        raise BakeError(
            f"the PNG carries {len(found)} openbadgecredential chunks; exactly one is allowed",
            hint="the image is ambiguous and may have been tampered with; get a fresh copy",
        )
    if not found:
        if any(c.type in _TEXT_CHUNKS and _keyword(c) == OB2_KEYWORD for c in chunks):
            raise OpenBadges2Error("PNG 'openbadges' chunk")
        raise NotBakedError(
            "the PNG carries no Open Badges credential (no openbadgecredential chunk)"
        )
    chunk = found[0]
    if chunk.type != b"iTXt":
        raise BakeError(f"the openbadgecredential chunk is {chunk.type.decode()}, not iTXt")
    raw = _itxt_text(chunk, max_text)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BakeError("the baked credential text is not valid UTF-8") from None
    if not text.strip():
        raise BakeError("the openbadgecredential chunk is empty")
    return text
