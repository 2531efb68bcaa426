"""SVG: ``<openbadges:credential>`` as the first child of the root (defusedxml parse)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as StdET  # only its (C) TreeBuilder; parsing is defusedxml's
import xml.parsers.expat
from dataclasses import dataclass, field
from typing import Any, NoReturn

import defusedxml
import defusedxml.ElementTree as SafeET

from microcred.bake.payload import (
    _XML_DECL_ENCODING_RE,
    _XML_INVALID_RE,
    MAX_IMAGE_BYTES,
    MAX_SVG_TAGS,
    MAX_TEXT_BYTES,
    OB2_NS,
    OB3_NS,
    SVG_NS,
    BakeError,
    NotBakedError,
    OpenBadges2Error,
    _check_payload,
)


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
    except LookupError as exc:  # <?xml encoding="..."?> names a codec Python does not know
        raise BakeError(
            f"the SVG declares an encoding microcred cannot read ({exc})",
            hint="save the SVG as UTF-8",
        ) from None


def _is_svg_root(root: Any) -> bool:
    return root.tag in (f"{{{SVG_NS}}}svg", "svg")


def unbake_svg(
    svg: bytes | str, *, max_bytes: int = MAX_IMAGE_BYTES, max_text: int = MAX_TEXT_BYTES
) -> str:
    """The credential of the one OB 3.0 ``<openbadges:credential>``: its ``verify`` attribute
    (VC-JWT) or its text (CDATA), without surrounding whitespace. Two elements are refused."""
    if not isinstance(svg, bytes | bytearray | str):
        raise BakeError(f"expected SVG text or bytes, got {type(svg).__name__}")
    size = len(svg) if not isinstance(svg, str) else len(svg.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise BakeError(f"the SVG is {size} bytes; the limit is {max_bytes}")
    root = _safe_root(bytes(svg) if isinstance(svg, bytearray) else svg)
    if not _is_svg_root(root):
        raise BakeError(f"the root element is {root.tag}, not an SVG <svg> element")
    found = list(root.iter(f"{{{OB3_NS}}}credential"))
    if len(found) > 1:
        # Which one would a reader see? The PNG path and the browser verifier refuse too.
        raise BakeError(
            f"the SVG carries {len(found)} <openbadges:credential> elements; a baked badge "
            "holds exactly one credential, so it is refused rather than guessing which one"
        )
    element = found[0] if found else None
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
    except LookupError as exc:
        raise BakeError(f"the SVG declares an encoding microcred cannot read ({exc})") from None
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


_ART: dict[bytes, _SvgLayout] = {}
"""Images read before, by their bytes: the build bakes each badge's art into every
credential of the badge, so a small image is parsed once, not twice per credential."""
_ART_MEMO_BYTES = 256 * 1024


def _art_layout(data: bytes) -> _SvgLayout:
    """The layout of an image to bake into, once it is known to be a well-formed SVG."""
    known = _ART.get(data)
    if known is not None:
        return known
    root = _safe_root(data)
    if not _is_svg_root(root):
        raise BakeError(f"the root element is {root.tag}, not an SVG <svg> element")
    layout = _svg_layout(data)
    if len(data) <= _ART_MEMO_BYTES:
        if len(_ART) >= 16:
            _ART.clear()
        _ART[data] = layout
    return layout


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
    layout = _art_layout(data)
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
