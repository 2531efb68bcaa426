"""Charts for the analytics page: matplotlib's SVG backend, made safe for the site's CSP.

Why matplotlib: it is the plotting library the field keeps, its SVG backend needs no
browser or JavaScript, and with ``svg.fonttype = none`` and a fixed ``svg.hashsalt`` its
output is plain ``<text>`` (readable, selectable) and byte-for-byte reproducible, which the
golden site needs. pygal was the alternative; its charts depend on an embedded ``<style>``
sheet and a tooltip script, both of which the site's CSP (``style-src 'self'``, no inline
script) blocks.

matplotlib writes ``style="fill: ..."`` attributes and one ``<style>`` element, which the
CSP would also block; :func:`csp_safe_svg` rewrites each declaration as the equivalent SVG
presentation attribute (``fill="..."``; those are not style and the CSP allows them),
drops the metadata, prefixes every id so several charts can share a page, and adds the
``<title>``/``<desc>`` text alternative. matplotlib is imported only when a chart is drawn.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any
from xml.etree import ElementTree as ET

from defusedxml.ElementTree import fromstring

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
BLUE, ORANGE, RED, GREY = "#1f5fa8", "#b35900", "#a1001b", "#5f5f5f"
WIDTH_IN = 5.0  # 360 SVG units: about one unit per CSS pixel on a 390 px phone
FONT = "DejaVu Sans, Verdana, sans-serif"
_PRESENTATION = frozenset(
    {
        "fill",
        "fill-opacity",
        "fill-rule",
        "stroke",
        "stroke-width",
        "stroke-linecap",
        "stroke-linejoin",
        "stroke-miterlimit",
        "stroke-dasharray",
        "stroke-dashoffset",
        "stroke-opacity",
        "opacity",
        "font-size",
        "font-weight",
        "font-style",
        "text-anchor",
        "dominant-baseline",
    }
)
_URL_REF = re.compile(r"url\(#([^)]+)\)")
_LONG_NUMBER = re.compile(r"-?\d+\.\d{3,}")
_RC: Any = {  # matplotlib types its keys as literals; these are checked by tests
    "svg.fonttype": "none",
    "svg.hashsalt": "microcred",
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],
    "font.size": 11,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 11,
    "hatch.color": "#ffffff",
}

ET.register_namespace("", SVG_NS)


def label(text: str) -> str:
    """Text for a chart label: ``$`` would switch matplotlib to mathtext."""
    return text.replace("$", r"\$")


@contextmanager
def figure(rows: int, *, per_row: float = 0.42, extra: float = 0.9) -> Iterator[Any]:
    """A white matplotlib Figure sized for ``rows`` horizontal bars (no pyplot state)."""
    import matplotlib
    from matplotlib.figure import Figure

    with matplotlib.rc_context(_RC):
        fig = Figure(figsize=(WIDTH_IN, extra + per_row * max(rows, 1)), facecolor="#ffffff")
        yield fig


def render(fig: Any) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None}, dpi=72)
    return buffer.getvalue()


def _short(match: re.Match[str]) -> str:
    value = f"{float(match.group(0)):.2f}".rstrip("0").rstrip(".")
    return "0" if value in ("-0", "") else value


def csp_safe_svg(svg: str, *, prefix: str, title: str, description: str) -> str:
    """matplotlib SVG -> inline SVG with no style attribute/element and unique ids."""
    start = svg.find("<svg")
    root = fromstring(svg[start:])
    for parent in list(root.iter()):
        for child in list(parent):
            if child.tag in (f"{{{SVG_NS}}}metadata", f"{{{SVG_NS}}}style"):
                parent.remove(child)
    referenced: set[str] = set()
    for element in root.iter():
        for value in element.attrib.values():
            referenced.update(_URL_REF.findall(value))
        href = element.attrib.pop(XLINK_HREF, None)
        if href is not None:
            element.set("href", href)
        if element.get("href", "").startswith("#"):
            referenced.add(element.get("href", "")[1:])
    for element in root.iter():
        style = element.attrib.pop("style", None)
        for declaration in (style or "").split(";"):
            name, _, value = declaration.partition(":")
            name, value = name.strip(), value.strip()
            if name == "font-family":
                element.set("font-family", FONT)
            elif name in _PRESENTATION and value:
                element.set(name, value)
        ident = element.attrib.pop("id", None)
        if ident is not None and ident in referenced:
            element.set("id", f"{prefix}-{ident}")
        for key, value in list(element.attrib.items()):
            if key == "transform" and value.startswith("rotate(-0 "):
                del element.attrib[key]
                continue
            value = _URL_REF.sub(lambda m: f"url(#{prefix}-{m.group(1)})", value)
            if key == "href" and value.startswith("#"):
                value = f"#{prefix}-{value[1:]}"
            if key in ("d", "x", "y", "transform", "points", "width", "height"):
                value = _LONG_NUMBER.sub(_short, value)
            element.set(key, value)
        if element.text and element.tag != f"{{{SVG_NS}}}text":
            element.text = element.text.strip() or None
        element.tail = None
    for name in ("width", "height", "version"):
        root.attrib.pop(name, None)
    root.set("class", "mc-chart-svg")
    root.set("role", "img")
    root.set("aria-labelledby", f"{prefix}-title {prefix}-desc")
    root.set("stroke-linejoin", "round")
    root.set("stroke-linecap", "butt")
    title_el = ET.Element(f"{{{SVG_NS}}}title", {"id": f"{prefix}-title"})
    title_el.text = title
    desc_el = ET.Element(f"{{{SVG_NS}}}desc", {"id": f"{prefix}-desc"})
    desc_el.text = description
    root.insert(0, desc_el)
    root.insert(0, title_el)
    return ET.tostring(root, encoding="unicode")


CHARTS: dict[str, str] = {}
"""Charts drawn before, by :func:`chart_key`; the build fills it from its cache (site/cache.py)."""
_SCOPE: ContextVar[str | None] = ContextVar("chart_scope", default=None)


@contextmanager
def drawn_from(data: Any) -> Iterator[None]:
    """Charts drawn inside depend on ``data`` (JSON) and on their own arguments only, so one
    drawn before from the same data, by the same code, is reused (matplotlib is then not even
    imported): a build after a text edit keeps its analytics charts."""
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
    token = _SCOPE.set(hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest())
    try:
        yield
    finally:
        _SCOPE.reset(token)


def chart_key(
    scope: str, prefix: str, title: str, description: str, rows: int, per_row: float
) -> str:
    parts = [scope, prefix, title, description, rows, per_row]
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode("utf-8")).hexdigest()


def chart(
    draw: Callable[[Any], None],
    rows: int,
    *,
    prefix: str,
    title: str,
    description: str,
    per_row: float = 0.42,
) -> str:
    """Draw with ``draw(fig)`` and return the CSP-safe inline SVG (see :func:`drawn_from`)."""
    scope = _SCOPE.get()
    key = None if scope is None else chart_key(scope, prefix, title, description, rows, per_row)
    if key is not None and key in CHARTS:
        return CHARTS[key]
    with figure(rows, per_row=per_row) as fig:
        draw(fig)
        fig.tight_layout(pad=0.6)
        svg = render(fig)
    safe = csp_safe_svg(svg, prefix=prefix, title=title, description=description)
    if key is not None:
        CHARTS[key] = safe
    return safe


def bars(
    fig: Any,
    names: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None], str]],
    *,
    xlabel: str,
    percent: bool = False,
    hatched: Sequence[bool] = (),
    threshold: float | None = None,
) -> None:
    """Horizontal bars, one group per name, one bar per series; values printed at bar ends."""
    ax = fig.add_subplot()
    count = max(len(series), 1)
    height = 0.8 / count
    positions = list(range(len(names)))
    for i, (name, values, colour) in enumerate(series):
        ys = [p + (i - (count - 1) / 2) * height for p in positions]
        shown = [0.0 if v is None else float(v) * (100 if percent else 1) for v in values]
        drawn = ax.barh(ys, shown, height=height * 0.92, color=colour, label=label(name))
        for j, patch in enumerate(drawn):
            if j < len(hatched) and hatched[j]:
                patch.set_hatch("///")  # the pattern carries the meaning, not only colour
                patch.set_facecolor(RED)
        texts = [
            "n/a" if v is None else (f"{float(v) * 100:.0f}%" if percent else f"{v:g}")
            for v in values
        ]
        ax.bar_label(drawn, labels=texts, padding=3, fontsize=9)
    ax.set_yticks(positions, [label(n) for n in names])
    ax.invert_yaxis()
    ax.set_xlabel(xlabel)
    if percent:
        ax.set_xlim(0, 115)
    else:
        ax.set_xlim(0, (ax.get_xlim()[1] or 1) * 1.18)
    if threshold is not None:
        ax.axvline(threshold * (100 if percent else 1), color=GREY, linestyle="--", linewidth=1)
    if len(series) > 1:
        ax.legend(
            loc="lower left", bbox_to_anchor=(0, 1), ncol=len(series), fontsize=9, frameon=False
        )
