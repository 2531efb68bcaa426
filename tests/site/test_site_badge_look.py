"""One look per achievement everywhere: issuer site, portfolio and the baked PNG."""

from __future__ import annotations

import colorsys
import io
import json
import re

from PIL import Image
from sitehelpers import png_without_text_chunks

from conftest import Built
from microcred.site.badge_look import HUE_RANGE, badge_colours, badge_png, badge_svg, look
from microcred.site.portfolio_view import view


def _fills(svg: str) -> list[str]:
    return re.findall(r'fill="(#[0-9a-f]{6})"', svg)


def test_issuer_site_and_portfolio_draw_the_same_badge(built_example: Built) -> None:
    """A brief without its own picture: the portfolio, which only has the credential, draws
    exactly the issuer site's badge (colours seeded by the achievement id, same texts)."""
    credential = json.loads(
        (built_example.site / "credentials" / "freight-2026-06-01.json").read_text()
    )
    shown = view(credential)
    portfolio = badge_svg(
        look(shown["achievement_id"], shown["name"], shown["type"], shown["issuer_name"])
    )
    issuer = (built_example.site / "badges" / "rhine-freight-dashboard.svg").read_text()
    assert _fills(issuer) and portfolio == issuer


def test_baked_png_is_the_badge_drawing_with_title(built_example: Built) -> None:
    baked = (built_example.site / "credentials" / "freight-2026-06-01.png").read_bytes()
    badge = (built_example.site / "badges" / "rhine-freight-dashboard.png").read_bytes()
    assert png_without_text_chunks(baked) == png_without_text_chunks(badge)
    image = Image.open(io.BytesIO(badge)).convert("RGBA")
    assert image.size == (300, 300)
    title_band = image.crop((60, 120, 240, 190))
    data = title_band.tobytes()
    white = sum(1 for k in range(0, len(data), 4) if min(data[k : k + 3]) > 230)
    assert white > 500  # the title's letters are drawn


def test_no_earned_badge_is_red() -> None:
    for i in range(300):
        main, dark = badge_colours(f"https://issuer.example/catalog/brief-{i}/")
        for colour in (main, dark):
            rgb = [int(colour[k : k + 2], 16) / 255 for k in (1, 3, 5)]
            hue = colorsys.rgb_to_hls(*rgb)[0]
            assert HUE_RANGE[0] - 0.01 <= hue <= HUE_RANGE[1] + 0.01, (colour, hue)


def test_png_is_deterministic() -> None:
    badge = look("https://a.example/catalog/x/", "Research Sprint", "Assignment", "Acme")
    assert badge_png(badge) == badge_png(badge)
