"""Badge pictures made without Pillow, QR codes, and checks on issuer-provided images."""

from __future__ import annotations

import os
import re
import struct
import zlib
from pathlib import Path

import pytest
import qrcode
import qrcode.constants

from microcred.errors import ConfigError
from microcred.site import images


def _chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    assert png.startswith(images.PNG_SIGNATURE)
    out, at = [], 8
    while at < len(png):
        (length,) = struct.unpack(">I", png[at : at + 4])
        kind, data = png[at + 4 : at + 8], png[at + 8 : at + 8 + length]
        (crc,) = struct.unpack(">I", png[at + 8 + length : at + 12 + length])
        assert crc == zlib.crc32(kind + data), kind
        out.append((kind, data))
        at += 12 + length
    return out


def _pixels(png: bytes) -> tuple[int, int, bytes]:
    chunks = dict(_chunks(png))
    width, height, depth, colour = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    assert (depth, colour) == (8, 6)
    raw = zlib.decompress(chunks[b"IDAT"])
    stride = width * 4 + 1
    assert len(raw) == stride * height
    assert all(raw[y * stride] == 0 for y in range(height))  # filter byte 0 on every row
    return width, height, b"".join(raw[y * stride + 1 : (y + 1) * stride] for y in range(height))


def test_encode_png_round_trips_pixels() -> None:
    rgba = bytes(range(64))
    png = images.encode_png(4, 4, rgba)
    assert [k for k, _ in _chunks(png)] == [b"IHDR", b"IDAT", b"IEND"]
    assert _pixels(png) == (4, 4, rgba)
    with pytest.raises(ValueError, match="does not match"):
        images.encode_png(4, 4, b"\x00" * 10)


def test_badge_png_is_a_round_badge_not_one_colour() -> None:
    png = images.badge_png("data-analysis-sprint", size=64)
    width, height, pixels = _pixels(png)
    assert (width, height) == (64, 64)
    colours = {pixels[i : i + 4] for i in range(0, len(pixels), 4)}
    assert len(colours) > 5
    assert pixels[:4] == b"\x00\x00\x00\x00"  # transparent corner
    centre = (32 * 64 + 32) * 4
    assert pixels[centre + 3] == 255
    assert images.badge_png("other-brief", size=64) != png  # colour follows the slug


def test_badge_colours_are_stable_hex() -> None:
    assert images.badge_colours("x") == images.badge_colours("x")
    main, dark = images.badge_colours("x")
    assert main.startswith("#") and len(main) == 7 and main != dark


def test_wrap_words() -> None:
    assert images.wrap_words("Data Analysis Sprint: Customer Churn") == [
        "Data Analysis",
        "Sprint: Customer",
        "Churn",
    ]
    assert images.wrap_words("a " * 40, width=5, lines=2)[-1].endswith("…")
    assert images.wrap_words("") == ["Badge"]


def test_qr_svg_draws_exactly_the_qrcode_matrix() -> None:
    url = "https://example.org/program/credentials/alice-data/"
    svg = images.qr_svg(url, label='label "with" <quotes>')
    expected = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2)
    expected.add_data(url)
    expected.make(fit=True)
    matrix = expected.get_matrix()
    n = len(matrix)
    drawn = [[False] * n for _ in range(n)]
    for x, y, w in re.findall(r"M(\d+) (\d+)h(\d+)v1h-\d+z", svg):
        for dx in range(int(w)):
            drawn[int(y)][int(x) + dx] = True
    assert drawn == matrix
    assert 'aria-label="label &quot;with&quot; &lt;quotes>"' in svg
    assert "<script" not in svg and "href" not in svg


SAFE_SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><circle r="4"/></svg>'


def test_issuer_svg_accepted_and_xml_declaration_dropped() -> None:
    text = images.check_issuer_svg(SAFE_SVG, "x")
    assert text.startswith("<svg") and "<circle" in text


@pytest.mark.parametrize(
    ("name", "svg"),
    [
        ("script", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("onload", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
        ("foreign", b'<svg xmlns="http://www.w3.org/2000/svg"><foreignObject/></svg>'),
        (
            "xlink",
            b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/1999/xlink">'
            b'<image x:href="https://evil.example/t.png"/></svg>',
        ),
        (
            "css-url",
            b'<svg xmlns="http://www.w3.org/2000/svg"><rect fill="url(https://e.example/#a)"/>'
            b"</svg>",
        ),
        (
            "dtd",
            b'<!DOCTYPE svg [<!ENTITY a "b">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>',
        ),
        ("not-svg", b"<html/>"),
        ("broken", b"<svg"),
    ],
)
def test_issuer_svg_refused(name: str, svg: bytes) -> None:
    with pytest.raises(ConfigError):
        images.check_issuer_svg(svg, f"case {name}")


def test_read_issuer_image_paths(tmp_path: Path) -> None:
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "b.svg").write_bytes(SAFE_SVG)
    (tmp_path / "images" / "b.png").write_bytes(images.badge_png("b", size=8))
    (tmp_path / "images" / "b.gif").write_bytes(b"GIF89a")
    (tmp_path / "images" / "fake.png").write_bytes(b"not a png")
    os.symlink(tmp_path / "images" / "b.svg", tmp_path / "images" / "link.svg")
    assert images.read_issuer_image(tmp_path, "images/b.svg", "w")[0] == "svg"  # type: ignore[index]
    assert images.read_issuer_image(tmp_path, "images/b.png", "w")[0] == "png"  # type: ignore[index]
    assert images.read_issuer_image(tmp_path, "https://example.org/b.png", "w") is None
    for bad in (
        "../b.svg",
        "/etc/passwd",
        ".microcred/keys/k.json",
        "images/link.svg",
        "images/b.gif",
        "images/fake.png",
        "images/missing.svg",
    ):
        with pytest.raises(ConfigError):
            images.read_issuer_image(tmp_path, bad, "w")
