"""Badge art: the issuer's checked picture, or one generated from the template."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path

from microcred.layout import brief_page
from microcred.model import Achievement, Program
from microcred.site import images
from microcred.site.badge_look import badge_png, badge_svg, look
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
        return BadgeArt(badge_svg(badge), badge_png(badge))
    kind, data = provided
    if kind == "png":
        return BadgeArt(_svg_from_png(data, achievement.name), data)
    return BadgeArt(data.decode("utf-8"), badge_png(badge))
