"""Badge art: the issuer's checked picture, or one generated from the template."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path

from microcred.model import Achievement, Program
from microcred.site import images
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
    """Issuer-provided picture when given (checked), otherwise one generated from the template."""
    main, dark = images.badge_colours(achievement.slug)
    generated_svg = render(
        "badge.svg.j2",
        lines=images.wrap_words(clean_text(achievement.name)),
        issuer=clean_text(program.issuer.name)[:40],
        kind=achievement.achievement_type.removeprefix("ext:"),
        main=main,
        dark=dark,
    )
    provided = (
        images.read_issuer_image(root, achievement.image, f"achievements/{achievement.slug}.md")
        if achievement.image
        else None
    )
    if provided is None:
        return BadgeArt(generated_svg, images.badge_png(achievement.slug))
    kind, data = provided
    if kind == "png":
        return BadgeArt(_svg_from_png(data, achievement.name), data)
    return BadgeArt(data.decode("utf-8"), images.badge_png(achievement.slug))
