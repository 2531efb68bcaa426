"""Analytics charts: bars and ranges drawn to scale, text that fits, ids of their own, and
nothing the site's Content-Security-Policy blocks."""

from __future__ import annotations

import random
import re
from xml.etree import ElementTree as ET

import pytest

from microcred.site import charts
from microcred.site.charts import BLUE, ORANGE, WIDTH, Series, Span

NS = {"s": charts.SVG_NS}


def _parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{{{charts.SVG_NS}}}svg"
    return root


def _bars(root: ET.Element, fill: str) -> list[ET.Element]:
    return [r for r in root.iterfind("s:rect", NS) if r.get("fill") == fill]


def _shown(text: ET.Element) -> str:
    """What a text element draws (a shortened name's tooltip is not drawn)."""
    span = text.find("s:tspan", NS)
    return (span.text or "") if span is not None else (text.text or "")


def _texts(root: ET.Element) -> list[str]:
    return [_shown(t) for t in root.iterfind(".//s:text", NS)]


def _draw(**changes: object) -> str:
    args: dict[str, object] = {
        "names": ["alpha", "beta", "gamma"],
        "series": [Series("offer", [0.5, 0.25, None], BLUE), Series("hire", [1.0, 0, 0.1], ORANGE)],
        "xlabel": "percent",
        "prefix": "mc-x",
        "title": "T <x> & y",
        "description": "D: alpha 50%.",
        "percent": True,
    }
    args.update(changes)
    return charts.bars(**args)  # type: ignore[arg-type]


def test_bars_are_drawn_to_scale_with_their_values_at_their_ends() -> None:
    root = _parse(_draw())
    blue, orange = _bars(root, BLUE), _bars(root, ORANGE)
    assert len(blue) == 2 + 1 and len(orange) == 3 + 1  # +1: the legend swatch
    widths = [float(r.get("width", "")) for r in blue[1:]]
    assert widths[0] == pytest.approx(2 * widths[1], abs=0.02)
    full = float(orange[1].get("width", ""))
    assert full == pytest.approx(2 * widths[0], abs=0.02)
    assert float(orange[2].get("width", "")) == 0  # zero: no bar, but its value is shown
    texts = _texts(root)
    assert {"50%", "25%", "n/a", "100%", "0%", "10%"} <= set(texts)
    assert {"0", "20", "40", "60", "80", "100"} <= set(texts)  # the percent axis
    assert {"alpha", "beta", "gamma", "offer", "hire", "percent"} <= set(texts)


def test_every_label_fits_the_drawing() -> None:
    rng = random.Random(7)
    for _ in range(200):
        count = rng.randint(1, 6)
        values = [rng.choice([None, 0, rng.random() * 10 ** rng.randint(-2, 6)]) for _ in "ab"]
        svg = charts.bars(
            [f"name {i}" * rng.randint(1, 5) for i in range(count)][:2] or ["x"],
            [Series("s", values, BLUE)],
            xlabel="value " * rng.randint(1, 12),
            prefix="p",
            title="t",
            description="d",
            percent=False,
        )
        for text in _parse(svg).iterfind(".//s:text", NS):
            x, size = float(text.get("x", "")), float(text.get("font-size", charts.SIZE))
            width = charts.text_width(_shown(text), size)
            anchor = text.get("text-anchor", "start")
            start = {"start": x, "middle": x - width / 2, "end": x - width}[anchor]
            assert start >= -0.5 and start + width <= WIDTH + 0.5, (_shown(text), svg)


def test_the_svg_has_no_style_script_or_foreign_id() -> None:
    one, two = _draw(prefix="mc-a", hatched=[True]), _draw(prefix="mc-b", hatched=[True])
    for svg, prefix in ((one, "mc-a"), (two, "mc-b")):
        assert (
            "style" not in svg and "<script" not in svg and "on" not in re.findall(r" (\w\w)", svg)
        )
        root = _parse(svg)
        ids = [e.get("id") for e in root.iter() if e.get("id")]
        assert ids and all(str(i).startswith(f"{prefix}-") for i in ids)
        assert len(ids) == len(set(ids))
        labelled = root.get("aria-labelledby", "").split()
        assert labelled == [f"{prefix}-title", f"{prefix}-desc"] and set(labelled) <= set(ids)
        assert root.get("role") == "img" and root.get("class") == "mc-chart-svg"
        for ref in re.findall(r"url\(#([^)]+)\)", svg):
            assert ref in ids
    assert "T &lt;x&gt; &amp; y" in one and _parse(one).find("s:title", NS).text == "T <x> & y"  # type: ignore[union-attr]


def test_flagged_bars_are_hatched_and_the_threshold_is_dashed_at_its_value() -> None:
    svg = charts.bars(
        ["a", "b", "c"],
        [Series("offer", [0.8, 0.5, 0.4], BLUE)],
        xlabel="x",
        prefix="f",
        title="t",
        description="d",
        percent=True,
        hatched=[False, True, True],
        threshold=0.8 * 0.8,
    )
    root = _parse(svg)
    assert len(_bars(root, BLUE)) == 1
    hatched = _bars(root, "url(#f-hatch)")
    assert len(hatched) == 2
    assert root.find(".//s:pattern[@id='f-hatch']", NS) is not None
    (first,) = _bars(root, BLUE)
    zero, full = float(first.get("x", "")), float(first.get("width", ""))
    dashed = [ln for ln in root.iterfind("s:line", NS) if ln.get("stroke-dasharray")]
    assert len(dashed) == 1
    assert float(dashed[0].get("x1", "")) == pytest.approx(zero + full * 0.8, abs=0.02)
    assert _bars(_parse(_draw(hatched=[])), "url(#mc-x-hatch)") == []


def test_a_long_name_is_shortened_and_kept_whole_as_its_tooltip() -> None:
    long = "a brief whose name goes on and on well past any sensible margin"
    root = _parse(_draw(names=[long, "b", "c"]))
    (shortened,) = [t for t in root.iterfind(".//s:text", NS) if t.find("s:title", NS) is not None]
    assert shortened.find("s:title", NS).text == long  # type: ignore[union-attr]
    shown = shortened.find("s:tspan", NS).text or ""  # type: ignore[union-attr]
    assert shown.endswith("…") and long.startswith(shown[:-1].rstrip())
    assert charts.text_width(shown, charts.SIZE) <= WIDTH * charts.NAMES_AT_MOST
    assert "b" in _texts(root)


def test_values_below_zero_are_drawn_left_of_the_axis() -> None:
    root = _parse(_draw(series=[Series("s", [-2.0, 4.0, 1.0], BLUE)], percent=False))
    left, right, _ = _bars(root, BLUE)
    assert float(left.get("x", "")) + float(left.get("width", "")) == pytest.approx(
        float(right.get("x", "")), abs=0.02
    )
    assert float(right.get("width", "")) == pytest.approx(
        2 * float(left.get("width", "")), abs=0.02
    )
    assert "-2" in _texts(root)


def test_ranges_span_their_values_with_the_mark_and_note() -> None:
    spans = [Span("to offer", 7, 14, 10, "median 10, n 21"), Span("later", 20, 30, 22, "n 3")]
    root = _parse(charts.ranges(spans, xlabel="days", prefix="r", title="t", description="d"))
    first, second = _bars(root, BLUE)
    a, b = float(first.get("x", "")), float(first.get("width", ""))
    c, d = float(second.get("x", "")), float(second.get("width", ""))
    unit = b / 7
    assert d == pytest.approx(10 * unit, abs=0.02) and c - a == pytest.approx(13 * unit, abs=0.02)
    marks = [ln for ln in root.iterfind("s:line", NS) if ln.get("stroke-width") == "2.5"]
    assert [float(m.get("x1", "")) for m in marks] == pytest.approx(
        [a + 3 * unit, c + 2 * unit], abs=0.02
    )
    assert {"median 10, n 21", "n 3", "to offer", "later", "days"} <= set(_texts(root))


def test_the_same_data_gives_the_same_bytes() -> None:
    assert _draw() == _draw() and _draw() != _draw(prefix="other")


@pytest.mark.parametrize("seed", range(5))
def test_ticks_are_round_steps_covering_the_range(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(300):
        low = rng.choice([0.0, -rng.random() * 10 ** rng.randint(-1, 4)])
        high = low + rng.random() * 10 ** rng.randint(-2, 6) + 1e-6
        found = charts.ticks(low, high)
        assert 2 <= len(found) <= 11 and found == sorted(found)
        step = found[1] - found[0]
        mantissa = step / 10 ** __import__("math").floor(__import__("math").log10(step))
        assert round(mantissa, 6) in (1, 2, 2.5, 5, 10)
        assert low - 1e-9 * abs(step) <= found[0] < low + step
        assert high - step < found[-1] <= high + 1e-9 * abs(step)


def test_text_width_estimates_by_glyph() -> None:
    assert charts.text_width("0", 10) == pytest.approx(6.36)
    assert charts.text_width("e\u0301", 10) == charts.text_width("e", 10)  # combining: none
    assert charts.text_width("漢", 10) == 10  # wide: an em
    assert charts.text_width("", 10) == 0
    assert charts.shortened("short", 11, 100) == "short"


def test_values_that_are_not_finite_numbers_are_drawn_as_none() -> None:
    svg = _draw(series=[Series("s", [float("nan"), float("inf"), 2], BLUE)], percent=False)
    assert "nan" not in svg.lower() and "inf" not in svg.lower()
    root = _parse(svg)
    assert _texts(root).count("n/a") == 2 and len(_bars(root, BLUE)) == 1
    with pytest.raises(ValueError, match="finite"):
        Span("x", 0, float("nan"), 1, "note")
