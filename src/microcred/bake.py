"""Baked badges: one OB 3.0 credential inside a PNG (``iTXt``) or an SVG element.

PNG: one uncompressed ``iTXt`` chunk with keyword ``openbadgecredential`` right after ``IHDR``.
SVG: ``<openbadges:credential>`` (namespace ``https://purl.imsglobal.org/ob/v3p0``) as the
first child of the root, the JSON in CDATA or a compact JWS in ``verify`` (SUMMARY section 15).

Images to unbake are untrusted (MC-68): every PNG chunk CRC is checked, two credential chunks
are refused as ambiguous, compressed text is inflated under a cap, and SVG is parsed with
defusedxml with entity declarations and DTD internal subsets forbidden. An Open Badges 2.0
baked image is recognised and refused with its own error.
"""

from __future__ import annotations

import json
import re
import struct
import xml.etree.ElementTree as StdET  # only its (C) TreeBuilder; parsing is defusedxml's
import xml.parsers.expat
import zlib
from dataclasses import dataclass, field
from typing import Any, NoReturn

import defusedxml
import defusedxml.ElementTree as SafeET

from microcred.errors import MicrocredError

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
OB3_KEYWORD = b"openbadgecredential"
OB2_KEYWORD = b"openbadges"
OB3_NS = "https://purl.imsglobal.org/ob/v3p0"
OB2_NS = "http://openbadges.org"
SVG_NS = "http://www.w3.org/2000/svg"
MAX_IMAGE_BYTES = 32 * 1024 * 1024
MAX_PNG_CHUNKS = 50_000
MAX_SVG_TAGS = 50_000
"""Parse time grows with the number of elements, not bytes; badge artwork stays far below this."""
MAX_TEXT_BYTES = 5_000_000
"""Same cap as ``jsonld.loads_strict``: a larger credential would be refused there anyway."""

_TEXT_CHUNKS = (b"tEXt", b"zTXt", b"iTXt")
_JWS_RE = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+", re.ASCII)
_XML_DECL_ENCODING_RE = re.compile(
    rb"^(?:\xef\xbb\xbf)?<\?xml[^>]*?encoding\s*=\s*[\"']([^\"']*)[\"']"
)
# Characters XML 1.0 can carry at all (even in CDATA).
_XML_INVALID_RE = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


class BakeError(MicrocredError):
    """An image that cannot be baked or unbaked as given."""

    code = "PARSING_ERROR"


class NotBakedError(BakeError):
    """A valid image that carries no Open Badges 3.0 credential."""


class OpenBadges2Error(BakeError):
    """An Open Badges 2.0 baked badge: recognised, but microcred verifies OB 3.0 only."""

    code = "UNSUPPORTED_VERSION"

    def __init__(self, kind: str) -> None:
        super().__init__(
            f"this is an Open Badges 2.0 baked badge ({kind}); microcred verifies Open Badges 3.0",
            hint="ask the issuer for the Open Badges 3.0 version of the badge",
        )


# --------------------------------------------------------------------------- credential text


def _check_payload(credential_json: str) -> bool:
    """Validate what is being baked; returns True for a compact JWS, False for JSON."""
    if not isinstance(credential_json, str):
        raise BakeError(
            f"the credential to bake must be text, not {type(credential_json).__name__}"
        )
    if not credential_json.strip():
        raise BakeError("the credential to bake is empty")
    try:
        size = len(credential_json.encode("utf-8"))
    except UnicodeEncodeError:
        raise BakeError("the credential text contains a lone surrogate (not UTF-8)") from None
    if size > MAX_TEXT_BYTES:
        raise BakeError(f"the credential is {size} bytes; the limit is {MAX_TEXT_BYTES}")
    if _JWS_RE.fullmatch(credential_json):
        return True
    try:
        parsed = json.loads(credential_json)
    except ValueError as exc:
        raise BakeError(
            f"the credential is neither JSON nor a compact JWS ({exc})",
            hint="bake the signed credential file as written by 'microcred issue'",
        ) from None
    if not isinstance(parsed, dict):
        raise BakeError("the credential JSON must be an object")
    return False


# --------------------------------------------------------------------------- PNG


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


# --------------------------------------------------------------------------- SVG


def _refuse_internal_subset(
    name: str, system_id: str | None, public_id: str | None, has_internal_subset: bool
) -> None:
    """A bare ``<!DOCTYPE svg PUBLIC ...>`` (common in SVG 1.1 exports) is inert and allowed;
    an internal subset is where XXE and entity bombs live, so it is refused outright."""
    del system_id, public_id
    if has_internal_subset:
        raise defusedxml.DTDForbidden(name, None, None)


def _safe_root(data: bytes | str) -> Any:
    """Parse with defusedxml: no entity declarations, no external references, no DTD subset."""
    tags = data.count(b"<") if isinstance(data, bytes) else data.count("<")
    if tags > MAX_SVG_TAGS:
        raise BakeError(f"the SVG has {tags} tags; more than {MAX_SVG_TAGS} are refused")
    parser = SafeET.DefusedXMLParser(
        target=StdET.TreeBuilder(), forbid_dtd=False, forbid_entities=True, forbid_external=True
    )
    parser.parser.StartDoctypeDeclHandler = _refuse_internal_subset
    try:
        parser.feed(data)
        return parser.close()
    except defusedxml.DTDForbidden:
        raise BakeError(
            "the SVG declares a DTD with an internal subset; refused (XXE / entity expansion)",
            hint="remove the <!DOCTYPE [...]> block",
        ) from None
    except defusedxml.EntitiesForbidden:
        raise BakeError(
            "the SVG declares XML entities; refused (XXE / billion laughs)",
            hint="remove the <!ENTITY ...> declarations",
        ) from None
    except defusedxml.DefusedXmlException as exc:
        raise BakeError(f"the SVG uses a forbidden XML feature ({exc})") from None
    except SafeET.ParseError as exc:
        raise BakeError(f"the SVG is not well-formed XML ({exc})") from None
    except UnicodeError:
        raise BakeError("the SVG text is not valid Unicode (lone surrogate?)") from None


def _is_svg_root(root: Any) -> bool:
    return root.tag in (f"{{{SVG_NS}}}svg", "svg")


def unbake_svg(
    svg: bytes | str, *, max_bytes: int = MAX_IMAGE_BYTES, max_text: int = MAX_TEXT_BYTES
) -> str:
    """The credential of the first OB 3.0 ``<openbadges:credential>``: its ``verify`` attribute
    (VC-JWT) or its text (CDATA), without surrounding whitespace."""
    if not isinstance(svg, bytes | bytearray | str):
        raise BakeError(f"expected SVG text or bytes, got {type(svg).__name__}")
    size = len(svg) if not isinstance(svg, str) else len(svg.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise BakeError(f"the SVG is {size} bytes; the limit is {max_bytes}")
    root = _safe_root(bytes(svg) if isinstance(svg, bytearray) else svg)
    if not _is_svg_root(root):
        raise BakeError(f"the root element is {root.tag}, not an SVG <svg> element")
    element = next(iter(root.iter(f"{{{OB3_NS}}}credential")), None)
    if element is None:
        if next(iter(root.iter(f"{{{OB2_NS}}}assertion")), None) is not None:
            raise OpenBadges2Error("SVG <openbadges:assertion>")
        raise NotBakedError("the SVG carries no <openbadges:credential> element")
    verify = element.get("verify")
    text = verify if verify else (element.text or "")
    text = text.strip(" \t\r\n")
    if not text:
        raise BakeError("the <openbadges:credential> element is empty")
    if len(text.encode("utf-8", "surrogatepass")) > max_text:
        raise BakeError(f"the baked credential is larger than {max_text} bytes")
    return str(text)


@dataclass
class _SvgLayout:
    root_start: int = -1
    root_tag_end: int = -1
    root_self_closing: bool = False
    root_prefix_uri: str | None = None  # what the root binds the 'openbadges' prefix to
    spans: list[tuple[int, int]] = field(default_factory=list)


def _tag_end(data: bytes, start: int) -> tuple[int, bool]:
    """Index just past the '>' closing the tag that starts at ``start``; quote-aware."""
    quote = 0
    for pos in range(start + 1, len(data)):
        byte = data[pos]
        if quote:
            if byte == quote:
                quote = 0
        elif byte in (0x22, 0x27):
            quote = byte
        elif byte == 0x3E:
            return pos + 1, data[pos - 1] == 0x2F
    raise BakeError("the SVG has an unterminated tag")


def _svg_layout(data: bytes) -> _SvgLayout:
    """Byte positions of the root start tag and of every OB 3.0 credential element."""
    layout = _SvgLayout()
    parser = xml.parsers.expat.ParserCreate(encoding="UTF-8", namespace_separator=" ")
    pending: dict[str, str] = {}
    open_credentials: list[tuple[int, int, bool]] = []  # (depth, start, self_closing)
    depth = 0

    def forbid(*_: object) -> NoReturn:
        raise BakeError("the SVG declares entities; refused")

    def on_ns(prefix: str | None, uri: str) -> None:
        pending[prefix or ""] = uri

    def on_start(name: str, attrs: dict[str, str]) -> None:
        nonlocal depth
        del attrs
        depth += 1
        is_credential = name == f"{OB3_NS} credential" and not open_credentials
        if depth > 1 and not is_credential:
            pending.clear()
            return  # only the root and credential elements need their tag boundaries
        start = parser.CurrentByteIndex
        end, self_closing = _tag_end(data, start)
        if depth == 1:
            layout.root_start, layout.root_tag_end = start, end
            layout.root_self_closing = self_closing
            layout.root_prefix_uri = pending.get("openbadges")
        if is_credential:
            open_credentials.append((depth, start, self_closing))
            if self_closing:
                layout.spans.append((start, end))
        pending.clear()

    def on_end(name: str) -> None:
        nonlocal depth
        if open_credentials and open_credentials[-1][0] == depth:
            _, start, self_closing = open_credentials.pop()
            if not self_closing:
                end, _ = _tag_end(data, parser.CurrentByteIndex)
                layout.spans.append((start, end))
        depth -= 1

    parser.StartDoctypeDeclHandler = _refuse_internal_subset
    parser.EntityDeclHandler = forbid
    parser.UnparsedEntityDeclHandler = forbid
    parser.ExternalEntityRefHandler = forbid
    parser.StartNamespaceDeclHandler = on_ns
    parser.StartElementHandler = on_start
    parser.EndElementHandler = on_end
    try:
        parser.Parse(data, True)
    except xml.parsers.expat.ExpatError as exc:
        raise BakeError(f"the SVG is not well-formed XML ({exc})") from None
    except defusedxml.DTDForbidden:
        raise BakeError("the SVG declares a DTD with an internal subset; refused") from None
    return layout


def _cdata(text: str) -> str:
    """CDATA that parses back to exactly ``text``.

    ``]]>`` is split across two sections and CR is written as ``&#13;`` between sections
    (a literal CR would be normalised to LF by every XML parser), so the unbaked text is
    byte-identical to the baked one without changing the JSON.
    """
    bad = _XML_INVALID_RE.search(text)
    if bad:
        raise BakeError(f"the credential contains U+{ord(bad.group()):04X}, which XML cannot carry")
    body = text.replace("]]>", "]]]]><![CDATA[>").replace("\r", "]]>&#13;<![CDATA[")
    return f"<![CDATA[{body}]]>"


def bake_svg(svg: str, credential_json: str, *, max_bytes: int = MAX_IMAGE_BYTES) -> str:
    """Return ``svg`` with the credential as the first child of the root ``<svg>``.

    Text splicing, not re-serialisation: everything else in the file stays byte for byte.
    An earlier OB 3.0 credential element is removed first (never two). JSON goes in CDATA, a
    compact JWS in ``verify``. The result is UTF-8 text.
    """
    is_jws = _check_payload(credential_json)
    if not isinstance(svg, str):
        raise BakeError(f"expected SVG text, got {type(svg).__name__}")
    try:
        data = svg.encode("utf-8")
    except UnicodeEncodeError:
        raise BakeError("the SVG text contains a lone surrogate (not UTF-8)") from None
    if len(data) > max_bytes:
        raise BakeError(f"the SVG is {len(data)} bytes; the limit is {max_bytes}")
    declared = _XML_DECL_ENCODING_RE.match(data)
    if declared and declared.group(1).lower() not in (b"utf-8", b"utf8"):
        raise BakeError(
            f"the SVG declares encoding {declared.group(1).decode('ascii', 'replace')!r}",
            hint="re-save the image as UTF-8",
        )
    root = _safe_root(data)
    if not _is_svg_root(root):
        raise BakeError(f"the root element is {root.tag}, not an SVG <svg> element")
    layout = _svg_layout(data)
    if layout.root_prefix_uri not in (None, OB3_NS):
        raise BakeError(
            f"the root binds the 'openbadges' prefix to {layout.root_prefix_uri!r}",
            hint="remove the old (Open Badges 2.0?) baking from the image first",
        )
    head = data[layout.root_start : layout.root_tag_end]
    head = head[:-2].rstrip() if layout.root_self_closing else head[:-1]
    if layout.root_prefix_uri is None:
        head += f' xmlns:openbadges="{OB3_NS}"'.encode()
    if is_jws:
        element = f'<openbadges:credential verify="{credential_json}"/>'
    else:
        element = f"<openbadges:credential>{_cdata(credential_json)}</openbadges:credential>"
    out = bytearray(data[: layout.root_start])
    out += head + b">" + element.encode("utf-8")
    if layout.root_self_closing:
        qname = re.match(rb"<([^\s/>]+)", head)
        assert qname is not None
        out += b"</" + qname.group(1) + b">"
    pos = layout.root_tag_end
    for start, end in sorted(layout.spans):
        out += data[pos:start]
        pos = end
    out += data[pos:]
    return out.decode("utf-8")
