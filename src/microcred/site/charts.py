"""Charts for the analytics page: horizontal bars and ranges, written as SVG directly.

Why by hand: every chart on the page is a few bars, one axis and some text. matplotlib drew
them until issue 12 measured it at 0.4-0.6 s to import and 0.1-0.2 s a chart, most of a
small site's own build time, and its SVG needed rewriting for the CSP (style attributes, a
style element, metadata, global ids). pygal's charts need an inline style sheet and a script,
which the site's CSP (``style-src 'self'``, no inline script) blocks. Written here, a chart
takes under a millisecond, uses presentation attributes only (``fill="..."``: not style, so
the CSP allows them), prefixes its ids so several charts share a page, keeps its text as
real ``<text>`` and is the same bytes on every machine.

Margins are sized from DejaVu Sans' advance widths (:mod:`microcred.site.glyph_widths`); a
browser may draw another font, so the layout leaves room around the estimate, and a name
too long for the left margin is shortened with an ellipsis (the full name is its tooltip,
the chart's ``<desc>`` and the table beside it).
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from xml.etree import ElementTree as ET

from microcred.site.glyph_widths import FIRST, WIDTHS

SVG_NS = "http://www.w3.org/2000/svg"
BLUE, ORANGE, RED, GREY = "#1f5fa8", "#b35900", "#a1001b", "#5f5f5f"
INK = "#1a1a1a"
FONT = "DejaVu Sans, Verdana, sans-serif"
WIDTH = 360  # SVG units: about one per CSS pixel on a 390 px phone
SIZE, SMALL = 11, 9  # font sizes: names and axis; values and notes
PAD = 8  # around the drawing
ROW = 22  # one bar's band
GAP = 10  # between the groups of bars
LEGEND = 22  # the band above the plot naming several series
AXIS = 44  # below the plot: tick labels and the axis title
NAMES_AT_MOST = 0.4  # of the width, for the names on the left
_UNKNOWN = 600  # per mille of an em: a character the table lacks (wide ones: an em)


def text_width(text: str, size: float) -> float:
    """``text``'s advance in DejaVu Sans at ``size``: the margins' estimate."""
    total = 0
    for char in text:
        index = ord(char) - FIRST
        width = WIDTHS[index] if 0 <= index < len(WIDTHS) else -1
        if width < 0:
            if unicodedata.combining(char):
                width = 0
            elif unicodedata.east_asian_width(char) in ("W", "F"):
                width = 1000
            else:
                width = _UNKNOWN
        total += width
    return total * size / 1000


def shortened(text: str, size: float, room: float) -> str:
    """``text``, or its longest start that fits ``room`` with an ellipsis after it."""
    if text_width(text, size) <= room:
        return text
    kept = text
    while kept and text_width(kept.rstrip() + "…", size) > room:
        kept = kept[:-1]
    return kept.rstrip() + "…"


def _n(value: float) -> str:
    """A coordinate: two decimals at most, no trailing zeros, never ``-0``."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def ticks(low: float, high: float, most: int = 6) -> list[float]:
    """Round tick values from ``low`` to ``high``: steps of 1, 2, 2.5 or 5 times a power of ten."""
    span = high - low
    if not math.isfinite(span) or span <= 0:
        return [low]
    rough = span / (most - 1)
    power = 10 ** math.floor(math.log10(rough))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= rough * (1 - 1e-9))
    first = math.ceil(low / step - 1e-9)
    out = []
    k = first
    while k * step <= high + step * 1e-9:
        out.append(round(k * step, 10) + 0.0)
        k += 1
    return out


def tick_label(value: float) -> str:
    return f"{value:g}"


@dataclass(frozen=True)
class Series:
    """One bar per name, in one colour, named in the legend when there are several."""

    name: str
    values: Sequence[float | None]
    colour: str

    def __post_init__(self) -> None:
        """A value that is not a finite number is drawn as none ("n/a"), never as NaN."""
        clean = tuple(None if v is None or not math.isfinite(v) else float(v) for v in self.values)
        object.__setattr__(self, "values", clean)


class _Drawing:
    """An SVG being written: the root, its title and description, and drawing helpers."""

    def __init__(self, height: float, *, prefix: str, title: str, description: str) -> None:
        self.prefix = prefix
        self.root = ET.Element(
            "svg",
            {
                "xmlns": SVG_NS,
                "viewBox": f"0 0 {WIDTH} {_n(height)}",
                "class": "mc-chart-svg",
                "role": "img",
                "aria-labelledby": f"{prefix}-title {prefix}-desc",
                "font-family": FONT,
                "font-size": str(SIZE),
                "fill": INK,
            },
        )
        ET.SubElement(self.root, "title", {"id": f"{prefix}-title"}).text = title
        ET.SubElement(self.root, "desc", {"id": f"{prefix}-desc"}).text = description
        self.rect(0, 0, WIDTH, height, "#ffffff")  # white in the dark theme too

    def rect(self, x: float, y: float, w: float, h: float, fill: str) -> ET.Element:
        return ET.SubElement(
            self.root,
            "rect",
            {"x": _n(x), "y": _n(y), "width": _n(max(w, 0)), "height": _n(h), "fill": fill},
        )

    def line(self, x1: float, y1: float, x2: float, y2: float, **attrs: str) -> None:
        points = {"x1": _n(x1), "y1": _n(y1), "x2": _n(x2), "y2": _n(y2)}
        ET.SubElement(self.root, "line", points | {"stroke": INK, "stroke-width": "0.8"} | attrs)

    def text(
        self, x: float, y: float, text: str, *, anchor: str = "start", size: float = SIZE
    ) -> ET.Element:
        attrs = {"x": _n(x), "y": _n(y), "dy": "0.35em"}  # y is the text's middle
        if anchor != "start":
            attrs["text-anchor"] = anchor
        if size != SIZE:
            attrs["font-size"] = _n(size)
        element = ET.SubElement(self.root, "text", attrs)
        element.text = text
        return element

    def name(self, right: float, y: float, text: str, room: float) -> None:
        """A name, right-aligned at ``right``; shortened to ``room``, the whole as tooltip."""
        shown = shortened(text, SIZE, room)
        element = self.text(right, y, shown, anchor="end")
        if shown != text:
            element.text = None
            ET.SubElement(element, "title").text = text
            ET.SubElement(element, "tspan").text = shown

    def hatch(self) -> str:
        """The red, white-striped fill of a flagged bar (the stripes carry the meaning, not
        only the colour); defined once per chart."""
        ident = f"{self.prefix}-hatch"
        if self.root.find(f"defs/pattern[@id='{ident}']") is None:
            defs = ET.Element("defs")
            self.root.insert(2, defs)
            pattern = ET.SubElement(
                defs,
                "pattern",
                {
                    "id": ident,
                    "patternUnits": "userSpaceOnUse",
                    "width": "6",
                    "height": "6",
                    "patternTransform": "rotate(45)",
                },
            )
            ET.SubElement(pattern, "rect", {"width": "6", "height": "6", "fill": RED})
            stripe = {"x1": "0", "y1": "0", "x2": "0", "y2": "6", "stroke": "#ffffff"}
            ET.SubElement(pattern, "line", stripe | {"stroke-width": "2"})
        return f"url(#{ident})"

    def axis(
        self, left: float, right: float, top: float, bottom: float, scale: _Scale, title: str
    ) -> None:
        """The left and bottom lines, the ticks with their values, and the axis title."""
        self.line(left, top, left, bottom)
        self.line(left, bottom, right, bottom)
        for value in scale.marks or ticks(scale.low, scale.high):
            x = scale.x(value)
            self.line(x, bottom, x, bottom + 3.5)
            self.text(x, bottom + 12, tick_label(value), anchor="middle", size=SMALL + 1)
        size = SIZE if text_width(title, SIZE) <= WIDTH - 2 * PAD else SMALL
        half = text_width(title, size) / 2
        middle = min(max((left + right) / 2, PAD + half), WIDTH - PAD - half)
        self.text(middle, bottom + 31, title, anchor="middle", size=size)

    def svg(self) -> str:
        return ET.tostring(self.root, encoding="unicode")


@dataclass(frozen=True)
class _Scale:
    low: float
    high: float
    left: float
    right: float
    marks: tuple[float, ...] = ()  # the ticks, when not :func:`ticks`' round steps

    def x(self, value: float) -> float:
        return self.left + (value - self.low) * (self.right - self.left) / (self.high - self.low)


def _fitted_high(
    low: float, ends: Sequence[tuple[float, float]], room: float, at_least: float
) -> float:
    """The axis maximum at which every bar end plus the label after it (``(value, label
    width)``) fits in ``room`` units, and at least ``at_least``."""
    high = max(at_least, low + 1e-9)
    for value, width in ends:
        usable = room - width
        if usable <= room * 0.3:  # a label wider than most of the plot: let it overflow
            usable = room * 0.3
        # (value - low) / (high - low) * room <= usable
        high = max(high, low + (value - low) * room / usable)
    return high


def _names_room(names: Sequence[str]) -> tuple[float, float]:
    """(where the plot starts, the room a name has)."""
    room = WIDTH * NAMES_AT_MOST
    widest = max((text_width(n, SIZE) for n in names), default=0.0)
    return PAD + min(widest, room) + 8, room


def _legend(drawing: _Drawing, series: Sequence[Series], left: float) -> None:
    x = left
    for one in series:
        drawing.rect(x, PAD + 3, 10, 10, one.colour)
        drawing.text(x + 14, PAD + 8, one.name, size=SMALL)
        x += 14 + text_width(one.name, SMALL) + 14


def bars(
    names: Sequence[str],
    series: Sequence[Series],
    *,
    xlabel: str,
    prefix: str,
    title: str,
    description: str,
    percent: bool = False,
    hatched: Sequence[bool] = (),
    threshold: float | None = None,
) -> str:
    """Horizontal bars, one group per name and one bar per series, each value printed at
    its bar's end ("n/a" for none). ``percent``: values are fractions, drawn on 0-100 %.
    ``hatched``: per name, the first series' bar drawn striped red (flagged);
    ``threshold``: a dashed line at that value."""
    count = max(len(series), 1)
    scale_by = 100.0 if percent else 1.0
    top = PAD + (LEGEND if len(series) > 1 else 0)
    band = ROW * count + GAP
    bottom = top + band * max(len(names), 1)
    drawing = _Drawing(bottom + AXIS, prefix=prefix, title=title, description=description)
    left, room = _names_room(names)
    right = WIDTH - PAD - 10  # room for the last tick's value

    def shown(value: float | None) -> str:
        if value is None:
            return "n/a"
        return f"{value * 100:.0f}%" if percent else f"{value:g}"

    ends = [
        (v * scale_by, text_width(shown(v), SMALL) + 4)
        for one in series
        for v in one.values
        if v is not None
    ]
    low = min([0.0] + [v for v, _ in ends])
    ends += [(threshold * scale_by, 0.0)] if threshold is not None else []
    high = _fitted_high(low, ends, right - left, 100.0 if percent else 1.0)
    marks = tuple(float(p) for p in range(0, 101, 20)) if percent and low == 0 else ()
    scale = _Scale(low, high, left, right, marks)
    if len(series) > 1:
        _legend(drawing, series, left)
    zero = scale.x(0.0)
    for row, name in enumerate(names):
        group_top = top + row * band + GAP / 2
        drawing.name(left - 6, group_top + ROW * count / 2, name, room)
        for k, one in enumerate(series):
            value = one.values[row] if row < len(one.values) else None
            y = group_top + k * ROW
            end = zero
            if value is not None:
                end = scale.x(value * scale_by)
                flagged = k == 0 and row < len(hatched) and hatched[row]
                fill = drawing.hatch() if flagged else one.colour
                drawing.rect(min(zero, end), y + 1, abs(end - zero), ROW - 2, fill)
            drawing.text(max(end, zero) + 3, y + ROW / 2, shown(value), size=SMALL)
    if threshold is not None:
        x = scale.x(threshold * scale_by)
        drawing.line(x, top, x, bottom, stroke=GREY, **{"stroke-dasharray": "4 3"})
    drawing.axis(left, right, top, bottom, scale, xlabel)
    return drawing.svg()


@dataclass(frozen=True)
class Span:
    """One row of a range chart: a bar from ``low`` to ``high``, a mark at ``mark`` and a
    note after them."""

    name: str
    low: float
    high: float
    mark: float
    note: str

    def __post_init__(self) -> None:
        if not all(math.isfinite(v) for v in (self.low, self.high, self.mark)):
            raise ValueError(f"{self.name}: a range needs finite numbers")


def ranges(spans: Sequence[Span], *, xlabel: str, prefix: str, title: str, description: str) -> str:
    """One bar per row from its low to its high value, a black mark across it at ``mark``,
    its note after it."""
    top = PAD
    bottom = top + (ROW + 2 * GAP) * max(len(spans), 1)
    drawing = _Drawing(bottom + AXIS, prefix=prefix, title=title, description=description)
    left, room = _names_room([s.name for s in spans])
    right = WIDTH - PAD - 10  # room for the last tick's value
    low = min([0.0] + [s.low for s in spans])
    ends = [(max(s.high, s.mark), text_width(s.note, SMALL) + 8) for s in spans]
    scale = _Scale(low, _fitted_high(low, ends, right - left, 1.0), left, right)
    for row, span in enumerate(spans):
        middle = top + row * (ROW + 2 * GAP) + GAP + ROW / 2
        drawing.name(left - 6, middle, span.name, room)
        start, end = scale.x(min(span.low, span.high)), scale.x(max(span.low, span.high))
        drawing.rect(start, middle - 7, end - start, 14, BLUE)
        mark = scale.x(span.mark)
        drawing.line(mark, middle - 10, mark, middle + 10, **{"stroke-width": "2.5"})
        drawing.text(max(end, mark) + 6, middle, span.note, size=SMALL)
    drawing.axis(left, right, top, bottom, scale, xlabel)
    return drawing.svg()
