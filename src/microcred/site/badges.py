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


def generated_look(base_url: str, issuer_name: str, achievement: Achievement) -> BadgeLook:
    """The generated look of a brief's badge (its SVG is :func:`badge_svg` of it)."""
    return look(
        f"{base_url}{brief_page(achievement.slug)}",
        clean_text(achievement.name),
        achievement.achievement_type,
        clean_text(issuer_name),
    )


def badge_art(program: Program, achievement: Achievement, root: Path) -> BadgeArt:
    """Issuer-provided picture when given (checked), otherwise the achievement's one look.

    The generated look is seeded by the achievement's id (the URL its credentials carry), so a
    portfolio that only has a credential draws the same badge; the PNG is the same drawing
    with the title and issuer on it (site/badge_look.py).

    The PNG is the served SVG rasterised (site/badge_raster.py), so a PNG shared elsewhere
    shows the same art as the site; the Pillow drawing only when rasterising fails.
    """
    badge = generated_look(program.site.base_url, program.issuer.name, achievement)
    provided = _provided(achievement, root)
    if provided is not None and provided[0] == "png":
        return BadgeArt(_svg_from_png(provided[1], achievement.name), provided[1])
    svg = badge_svg(badge) if provided is None else provided[1].decode("utf-8")
    return BadgeArt(svg, _png_of(svg, badge))


def drawn_svg(base_url: str, issuer_name: str, achievement: Achievement, root: Path) -> str | None:
    """The SVG :func:`badge_art` rasterises for a brief (None: the issuer gave a PNG)."""
    provided = _provided(achievement, root)
    if provided is None:
        return badge_svg(generated_look(base_url, issuer_name, achievement))
    return None if provided[0] == "png" else provided[1].decode("utf-8")


def _provided(achievement: Achievement, root: Path) -> tuple[str, bytes] | None:
    """The issuer's own picture of a brief, checked (None: the generated look)."""
    if not achievement.image:
        return None
    return images.read_issuer_image(root, achievement.image, f"achievements/{achievement.slug}.md")


def _png_of(svg: str, badge: BadgeLook) -> bytes:
    """The SVG rasterised; the Pillow drawing of the generated look if that fails."""
    return svg_to_png(svg) or badge_png(badge)
