"""One look per achievement, everywhere: the issuer site, portfolios and the baked PNG.

The look is a function of the achievement alone: its colours come from the achievement's id
(the URL every credential for it carries, so an issuer site and a portfolio that only has the
credential pick the same colours), and it carries the achievement's name, type and issuer.

* SVG: ``site_template/badge.svg.j2``.
* PNG: the SVG rasterised by :mod:`microcred.site.badge_raster` (resvg, with a font shipped
  by matplotlib, so the same bytes on every machine). :func:`badge_png` is the fallback when
  that fails: the same drawing (same geometry, colours, texts and positions, at 1.5 times the
  size) made with Pillow and its bundled font.

Colours never use the red/maroon hues: an earned badge must not read as an error.
"""

from __future__ import annotations

import colorsys
import hashlib
import io
from dataclasses import dataclass

from microcred.site.images import wrap_words
from microcred.site.templates import render

HUE_RANGE = (0.08, 0.80)
"""Hues used for badges (orange through purple): no reds, which read as an error."""
SVG_SIZE = 200


@dataclass(frozen=True)
class BadgeLook:
    """What the badge shows: the same fields for the SVG and the PNG."""

    seed: str  # the achievement's id (URL), or its slug when no id is known
    lines: tuple[str, ...]  # the title, wrapped
    kind: str  # the achievement type, shown small above the title
    issuer: str  # the issuer name, shown small below

    @property
    def colours(self) -> tuple[str, str]:
        return badge_colours(self.seed)


def look(seed: str, name: str, kind: str, issuer: str) -> BadgeLook:
    kind = kind.removeprefix("ext:") or "Badge"
    return BadgeLook(seed, tuple(wrap_words(name)), kind[:24], issuer[:40])


def badge_colours(seed: str) -> tuple[str, str]:
    """A stable (main, dark) colour pair from ``seed``, never red."""
    fraction = int.from_bytes(hashlib.sha256(seed.encode("utf-8")).digest()[:2], "big") / 65536
    hue = HUE_RANGE[0] + fraction * (HUE_RANGE[1] - HUE_RANGE[0])
    main = colorsys.hls_to_rgb(hue, 0.36, 0.55)
    dark = colorsys.hls_to_rgb(hue, 0.22, 0.6)
    return _hex(main), _hex(dark)


def _hex(rgb: tuple[float, float, float]) -> str:
    return "#" + "".join(f"{round(v * 255):02x}" for v in rgb)


def _rgb(value: str) -> tuple[int, int, int]:
    return int(value[1:3], 16), int(value[3:5], 16), int(value[5:7], 16)


def badge_svg(badge: BadgeLook) -> str:
    main, dark = badge.colours
    return render(
        "badge.svg.j2",
        lines=list(badge.lines),
        issuer=badge.issuer,
        kind=badge.kind,
        main=main,
        dark=dark,
    )


def badge_png(badge: BadgeLook, size: int = 300) -> bytes:
    """The badge drawn like ``badge.svg.j2`` (coordinates in its 200-unit box), as PNG."""
    from PIL import Image, ImageDraw, ImageFont  # here: only the build draws PNGs

    over = 4  # draw the circles larger, then scale down: smooth edges
    unit = size * over / SVG_SIZE
    main, dark = (_rgb(c) for c in badge.colours)
    image = Image.new("RGBA", (size * over, size * over), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)

    def circle(r: float, **style: object) -> None:
        c = 100 * unit
        draw.ellipse((c - r * unit, c - r * unit, c + r * unit, c + r * unit), **style)  # type: ignore[arg-type]

    circle(96, fill=dark)
    circle(86, fill=main)
    circle(80, outline=(255, 255, 255, 128), width=max(1, round(1.5 * unit)))
    image = image.resize((size, size), Image.Resampling.LANCZOS)
    draw = ImageDraw.Draw(image)
    scale = size / SVG_SIZE

    def text(y: float, value: str, points: float, alpha: int, bold: bool = False) -> None:
        font = ImageFont.load_default(size=round(points * scale))
        draw.text(
            (100 * scale, y * scale),
            value,
            font=font,
            anchor="ms",  # middle, baseline: the SVG's text-anchor="middle" at y
            fill=(255, 255, 255, alpha),
            stroke_width=1 if bold else 0,
            stroke_fill=(255, 255, 255, alpha),
        )

    text(50, _truncate(badge.kind.upper(), 24), 10, 217)
    top = 104 - (len(badge.lines) - 1) * 9
    for index, line in enumerate(badge.lines):
        text(top + index * 18, line, 15, 255, bold=True)
    text(158, _truncate(badge.issuer, 30), 9, 217)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _truncate(value: str, length: int) -> str:
    return value if len(value) <= length else value[: length - 1].rstrip() + "…"
