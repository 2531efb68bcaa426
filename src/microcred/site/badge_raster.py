"""The badge PNG is the badge SVG rasterised: one look on the site, in portfolios and baked.

resvg (``resvg-py``: a Rust binding shipped as a wheel, no system library) draws the very SVG
the site serves, the generated look or the issuer's own art, so a PNG shared elsewhere shows
what the issuer site shows. Its text needs fonts: system fonts differ from machine to machine
(or are absent), so system fonts are skipped and every font family resolves to DejaVu Sans,
the font files matplotlib (a dependency) installs. Same SVG, same bytes, on any machine.

Only SVG that passed :func:`microcred.site.images.check_issuer_svg` is rasterised: no
``href``, ``<image>``, ``<use>``, style or ``url(...)`` outside the file, so resvg loads
nothing from disk or network. Anything refused or failing returns None, and the caller draws
the Pillow look (:func:`microcred.site.badge_look.badge_png`) instead.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import os
from pathlib import Path

from microcred.errors import ConfigError
from microcred.site.images import check_issuer_svg

FONT_FAMILY = "DejaVu Sans"
_FONT_FILES = (
    "DejaVuSans.ttf",
    "DejaVuSans-Bold.ttf",
    "DejaVuSans-Oblique.ttf",
    "DejaVuSans-BoldOblique.ttf",
)


@functools.cache
def font_files() -> tuple[str, ...]:
    """DejaVu Sans as installed by matplotlib (empty if it cannot be found). Found without
    importing matplotlib, which takes a third of a second; only its font files are used."""
    try:
        spec = importlib.util.find_spec("matplotlib")
    except (ImportError, ValueError):
        return ()
    if spec is None or spec.origin is None:
        return ()
    folder = Path(spec.origin).parent / "mpl-data" / "fonts" / "ttf"
    found = tuple(str(folder / name) for name in _FONT_FILES if (folder / name).is_file())
    return found if (folder / _FONT_FILES[0]).is_file() else ()


RASTER_FILE = "badge-png.json"
"""The build cache's file of badge PNGs (site/cache.py reads and writes it)."""
RASTERS: dict[str, bytes] = {}
"""PNGs drawn (or taken from :data:`KNOWN`) in this process, by :func:`raster_key`: what the
build keeps for the next one."""
KNOWN: dict[str, bytes] = {}
"""PNGs an earlier build drew, by :func:`raster_key` (the build fills it from its cache,
site/cache.py): resvg takes 15-20 ms a badge, and holds the GIL meanwhile."""


@functools.cache
def _drawer(fonts: tuple[str, ...]) -> str:
    """What draws: this code and the SVG check's (their bytes), resvg's installed files and the
    fonts (path, size, time), found without importing resvg; "" when there is nothing to
    draw with."""
    spec = importlib.util.find_spec("resvg_py") if fonts else None
    if spec is None or spec.origin is None:
        return ""
    here = Path(__file__).parent
    code = hashlib.sha256()
    for name in ("badge_raster.py", "images.py"):
        code.update((here / name).read_bytes())
    parts = ["microcred badge raster 1", code.hexdigest()]
    for path in (spec.origin, *fonts):
        info = os.stat(path)
        parts.append(f"{path}:{info.st_size}:{info.st_mtime_ns}")
    return "\0".join(parts)


def raster_key(svg: str, width: int) -> str | None:
    """The key of ``svg`` drawn ``width`` pixels wide by this resvg with these fonts."""
    drawer = _drawer(font_files())
    if not drawer:
        return None
    text = f"{drawer}\0{width}\0{svg}".encode("utf-8", "surrogatepass")
    return hashlib.sha256(text).hexdigest()


def svg_to_png(svg: str, width: int = 300) -> bytes | None:
    """``svg`` rasterised ``width`` pixels wide, or None when it cannot be (use the fallback).
    A drawing of the same SVG by the same code, resvg and fonts is taken as it was drawn."""
    key = raster_key(svg, width)
    if key is not None:
        known = RASTERS.get(key) or KNOWN.get(key)
        if known is not None:
            RASTERS[key] = known
            return known
    data = _draw(svg, width)
    if data is not None and key is not None:
        RASTERS[key] = data
    return data


def _draw(svg: str, width: int) -> bytes | None:
    fonts = font_files()
    if not fonts:
        return None
    try:
        check_issuer_svg(svg.encode("utf-8"), "badge SVG")
    except (ConfigError, UnicodeEncodeError):
        return None
    try:
        import resvg_py  # here: only the build draws PNGs
    except ImportError:
        return None
    try:
        png = resvg_py.svg_to_bytes(
            svg_string=svg,
            width=width,
            skip_system_fonts=True,
            font_files=list(fonts),
            font_family=FONT_FAMILY,
            serif_family=FONT_FAMILY,
            sans_serif_family=FONT_FAMILY,
            monospace_family=FONT_FAMILY,
            cursive_family=FONT_FAMILY,
            fantasy_family=FONT_FAMILY,
        )
    except (ValueError, RuntimeError, OverflowError):
        return None
    data = bytes(png)
    return data if data.startswith(b"\x89PNG\r\n\x1a\n") else None
