"""The glyph width table is what scripts/gen_glyph_widths.py reads from the installed font."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from microcred.site import glyph_widths

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "gen_glyph_widths.py"


def test_the_table_is_the_installed_fonts_widths() -> None:
    pytest.importorskip("fontTools", reason="fontTools (installed with matplotlib) is needed")
    spec = importlib.util.spec_from_file_location("gen_glyph_widths", SCRIPT)
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    font = script.font_path()
    if not font.is_file():
        pytest.skip(f"{font} is not installed")
    widths, _version = script.widths(font)
    assert tuple(widths) == glyph_widths.WIDTHS, "rerun scripts/gen_glyph_widths.py"
    assert glyph_widths.FIRST == script.FIRST


def test_the_table_covers_latin_greek_and_cyrillic() -> None:
    table, first = glyph_widths.WIDTHS, glyph_widths.FIRST
    for char in "Aa0 éß€ŁΩжЖ":
        if char == "€":  # outside the table's range: the charts estimate it
            assert ord(char) - first >= len(table)
            continue
        assert table[ord(char) - first] > 0, char
