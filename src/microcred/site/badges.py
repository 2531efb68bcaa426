"""Badge art: the issuer's checked picture, or one generated from the template."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path

from microcred.layout import brief_page
from microcred.model import Achievement, Program
from microcred.site import images
from microcred.site.badge_look import BadgeLook, badge_png, badge_svg, look
from microcred.site.badge_raster import svg_to_png
from microcred.site.safety import (
    clean_text,
)
from microcred.site.templates import render


@dataclass
class BadgeArt:
    svg: str  # SVG text (generated, or the issuer's checked file)
    png: bytes


def _svg_from_png(png: bytes, caption: str) -> str:

    data = base64.b64encode(png).decode("ascii")
    return render("badge-png.svg.j2", caption=caption, data=data)


def badge_art(program: Program, achievement: Achievement, root: Path) -> BadgeArt:
    """Issuer-provided picture when given (checked), otherwise the achievement's one look.

    The generated look is seeded by the achievement's id (the URL its credentials carry), so a
    portfolio that only has a credential draws the same badge; the PNG is the same drawing
    with the title and issuer on it (site/badge_look.py).

    The PNG is the served SVG rasterised (site/badge_raster.py), so a PNG shared elsewhere
    shows the same art as the site; the Pillow drawing only when rasterising fails.
    """
    badge = look(
        f"{program.site.base_url}{brief_page(achievement.slug)}",
        clean_text(achievement.name),
        achievement.achievement_type,
        clean_text(program.issuer.name),
    )
    provided = (
        images.read_issuer_image(root, achievement.image, f"achievements/{achievement.slug}.md")
        if achievement.image
        else None
    )
    if provided is None:
        svg = badge_svg(badge)
        return BadgeArt(svg, _png_of(svg, badge))
    kind, data = provided
    if kind == "png":
        return BadgeArt(_svg_from_png(data, achievement.name), data)
    svg = data.decode("utf-8")
    return BadgeArt(svg, _png_of(svg, badge))


def _png_of(svg: str, badge: BadgeLook) -> bytes:
    """The SVG rasterised; the Pillow drawing of the generated look if that fails."""
    return svg_to_png(svg) or badge_png(badge)
