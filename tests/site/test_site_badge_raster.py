"""The badge PNG is the badge SVG rasterised (custom art or generated), the same on any machine."""

from __future__ import annotations

import colorsys
import io
from pathlib import Path

import pytest
import resvg_py
from PIL import Image
from sitehelpers import png_without_text_chunks

from conftest import Built
from microcred.records import load_program
from microcred.site import badge_raster, badges
from microcred.site.badge_look import HUE_RANGE, badge_png, badge_svg, look
from microcred.site.badge_raster import FONT_FAMILY, font_files, svg_to_png

EXAMPLE_ART = (
    Path(__file__).parents[2]
    / "examples"
    / "northwind-microinternships"
    / "images"
    / "badge-data-analysis-sprint.svg"
)


def _white_pixels(png: bytes, box: tuple[int, int, int, int]) -> int:
    data = Image.open(io.BytesIO(png)).convert("RGBA").crop(box).tobytes()
    return sum(1 for k in range(0, len(data), 4) if min(data[k : k + 3]) > 230)


def test_custom_art_png_is_its_svg_rasterised(built_example: Built) -> None:
    """A brief with its own SVG art: the served PNG is that SVG drawn by resvg with DejaVu
    Sans only (no system font), title included; the baked credential PNG is the same picture."""
    served_svg = (built_example.site / "badges" / "data-analysis-sprint.svg").read_text()
    png = (built_example.site / "badges" / "data-analysis-sprint.png").read_bytes()
    direct = resvg_py.svg_to_bytes(
        svg_string=EXAMPLE_ART.read_text(),
        width=300,
        skip_system_fonts=True,
        font_files=list(font_files()),
        sans_serif_family=FONT_FAMILY,
        font_family=FONT_FAMILY,
    )
    assert png == bytes(direct) == svg_to_png(served_svg)
    assert Image.open(io.BytesIO(png)).size == (300, 300)
    # "DATA SPRINT" at y=118 (of 200), 15 px bold: its letters are white pixels in that band
    assert _white_pixels(png, (70, 150, 230, 180)) > 400
    # not the generated look drawn by Pillow
    assert png != badge_png(look("x", "Data Analysis Sprint", "Assignment", "Northwind"))
    baked = (built_example.site / "credentials" / "data-2026-03-01.png").read_bytes()
    assert png_without_text_chunks(baked) == png


def test_generated_look_png_is_its_svg_rasterised(built_example: Built) -> None:
    svg = (built_example.site / "badges" / "rhine-freight-dashboard.svg").read_text()
    png = (built_example.site / "badges" / "rhine-freight-dashboard.png").read_bytes()
    assert png == svg_to_png(svg)


def test_portfolio_shows_a_baked_png_itself(built_portfolio: tuple[Path, Path]) -> None:
    """A baked PNG carries the issuer's art: the portfolio card and page show that PNG."""
    _, site = built_portfolio
    home = (site / "index.html").read_text()
    assert 'src="badges/churn-baked.png"' in home
    assert 'src="badges/churn.svg"' in home  # a bare credential: the generated look
    page = (site / "badges" / "churn-baked" / "index.html").read_text()
    assert "churn-baked.png" in page


def test_rasterising_is_deterministic_and_ignores_system_fonts() -> None:
    badge = look("https://a.example/catalog/x/", "Research Sprint", "Assignment", "Acme")
    svg = badge_svg(badge)
    first = svg_to_png(svg)
    assert first is not None and first == svg_to_png(svg)
    with_system = bytes(resvg_py.svg_to_bytes(svg_string=svg, width=300))
    only_ours = bytes(
        resvg_py.svg_to_bytes(
            svg_string=svg,
            width=300,
            skip_system_fonts=True,
            font_files=list(font_files()),
            font_family=FONT_FAMILY,
            sans_serif_family=FONT_FAMILY,
        )
    )
    assert first == only_ours
    assert with_system  # (may differ: that is why system fonts are skipped)
    assert _white_pixels(first, (60, 120, 240, 175)) > 300  # the title is drawn


@pytest.mark.parametrize("i", range(0, 300, 7))
def test_rasterised_earned_badge_is_never_red(i: int) -> None:
    badge = look(f"https://issuer.example/catalog/brief-{i}/", "Brief", "Assignment", "Acme")
    png = svg_to_png(badge_svg(badge))
    assert png is not None
    image = Image.open(io.BytesIO(png)).convert("RGB")
    for point in ((150, 8), (150, 25), (40, 150)):  # outer ring, inner disc
        rgb = [v / 255 for v in image.getpixel(point)]  # type: ignore[union-attr]
        hue, _, saturation = colorsys.rgb_to_hls(*rgb)
        assert saturation > 0.2
        assert HUE_RANGE[0] - 0.02 <= hue <= HUE_RANGE[1] + 0.02, (point, hue)


@pytest.mark.parametrize(
    "svg",
    [
        '<svg xmlns="http://www.w3.org/2000/svg"><image href="/etc/hostname" width="9"/></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg"><rect fill="url(file:///x)" width="9"/></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg"><rect style="fill:red" width="9"/></svg>',
        "<svg xmlns='http://www.w3.org/2000/svg'><unclosed></svg>",
        "not svg at all",
    ],
    ids=["image-href", "url-outside", "style", "malformed", "not-svg"],
)
def test_svg_that_could_load_anything_or_is_broken_is_not_rasterised(svg: str) -> None:
    assert svg_to_png(svg) is None


def test_pillow_drawing_when_rasterising_fails(
    built_example: Built, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(badges, "svg_to_png", lambda svg: None)
    program = load_program(built_example.project)
    achievement = next(a for a in program.achievements if a.slug == "data-analysis-sprint")
    art = badges.badge_art(program, achievement, Path(program.root))
    assert art.png.startswith(b"\x89PNG") and art.png == badge_png(
        look(
            f"{program.site.base_url}catalog/data-analysis-sprint/",
            achievement.name,
            achievement.achievement_type,
            program.issuer.name,
        )
    )


def test_no_font_no_rasterising(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(badge_raster, "font_files", lambda: ())
    assert svg_to_png(badge_svg(look("s", "T", "Badge", "I"))) is None


def test_every_example_badge_png_is_art_not_red(built_example: Built) -> None:
    """All five briefs (four with their own art): titled pictures, none in a red hue."""
    pngs = sorted((built_example.site / "badges").glob("*.png"))
    assert len(pngs) == 5
    for path in pngs:
        png = path.read_bytes()
        assert svg_to_png(path.with_suffix(".svg").read_text()) == png
        assert _white_pixels(png, (60, 120, 240, 190)) > 300, path.name
        rgb = Image.open(io.BytesIO(png)).convert("RGB").getpixel((150, 20))
        hue, _, saturation = colorsys.rgb_to_hls(*[v / 255 for v in rgb])  # type: ignore[union-attr]
        assert saturation > 0.2 and 0.05 < hue < 0.9, (path.name, rgb)


def test_a_drawing_is_taken_again_not_redrawn(monkeypatch: pytest.MonkeyPatch) -> None:
    """resvg reads its fonts on every call (15-20 ms a badge): the same SVG at the same width,
    drawn by the same resvg with the same fonts, is taken as drawn, from this process or from
    the last build's cache (KNOWN); anything else is drawn."""
    monkeypatch.setattr(badge_raster, "RASTERS", {})
    monkeypatch.setattr(badge_raster, "KNOWN", {})
    svg = badge_svg(look("https://e.org/catalog/x/", "Taken again", "Badge", "Issuer"))
    png = svg_to_png(svg)
    assert png is not None and png.startswith(b"\x89PNG")
    key = badge_raster.raster_key(svg, 300)
    assert key is not None and {key: png} == badge_raster.RASTERS

    def no_drawing(svg: str, width: int) -> bytes | None:
        raise AssertionError("drawn again")

    monkeypatch.setattr(badge_raster, "_draw", no_drawing)
    assert svg_to_png(svg) == png
    badge_raster.RASTERS.clear()
    badge_raster.KNOWN[key] = png  # as the build reads it from its cache
    assert svg_to_png(svg) == png and {key: png} == badge_raster.RASTERS
    for other in ((svg.replace("Taken", "Given"), 300), (svg, 200)):
        assert badge_raster.raster_key(*other) != key
        with pytest.raises(AssertionError, match="drawn again"):
            svg_to_png(*other)


def test_the_key_names_the_fonts_and_resvg(monkeypatch: pytest.MonkeyPatch) -> None:
    """And the code that draws and checks: a stricter SVG check in a new microcred must not
    serve a drawing the old one made."""
    import hashlib

    folder = Path(badge_raster.__file__).parent
    code = hashlib.sha256()
    for name in ("badge_raster.py", "images.py"):
        code.update((folder / name).read_bytes())
    assert code.hexdigest() in badge_raster._drawer(font_files())
    svg = badge_svg(look("s", "T", "Badge", "I"))
    key = badge_raster.raster_key(svg, 300)
    fonts = font_files()
    monkeypatch.setattr(badge_raster, "font_files", lambda: fonts[:1])
    assert badge_raster.raster_key(svg, 300) not in (None, key)
    monkeypatch.setattr(badge_raster, "font_files", lambda: ())
    assert badge_raster.raster_key(svg, 300) is None
