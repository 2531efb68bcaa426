"""References in the source resolve inside the repository: security cases (``MC-nn``) to an
entry in docs/, cited standards sections to docs/standards.md."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "microcred"
DOCS = ROOT / "docs"

CASE_REF = re.compile(r"\bMC-(\d{2})([a-z]?)\b")
SECTION_REF = re.compile(r"(?:docs/standards\.md|SUMMARY) section (\d+)")


def _sources() -> dict[Path, str]:
    return {p: p.read_text(encoding="utf-8") for p in sorted(SRC.rglob("*.py"))}


def _case_entries() -> set[str]:
    entries: set[str] = set()
    for doc in DOCS.glob("*.md"):
        entries |= set(re.findall(r"^#{2,4} (MC-\d{2}[a-z]?)\b", doc.read_text("utf-8"), re.M))
    return entries


def test_every_security_case_cited_in_src_has_an_entry() -> None:
    entries = _case_entries()
    missing = sorted(
        f"{path.relative_to(ROOT)}: MC-{number}{letter}"
        for path, text in _sources().items()
        for number, letter in CASE_REF.findall(text)
        if f"MC-{number}{letter}" not in entries and f"MC-{number}" not in entries
    )
    assert not missing, "add an entry to docs/security.md for: " + ", ".join(missing)


def test_every_cited_standards_section_exists() -> None:
    headings = set(re.findall(r"^## (\d+)\. ", (DOCS / "standards.md").read_text("utf-8"), re.M))
    missing = sorted(
        f"{path.relative_to(ROOT)}: section {n}"
        for path, text in _sources().items()
        for n in SECTION_REF.findall(text)
        if n not in headings
    )
    assert not missing, "add these sections to docs/standards.md: " + ", ".join(missing)


def test_the_checks_can_fail() -> None:
    # The patterns must see a reference written the usual ways, or the tests above prove nothing.
    text = "bounded (MC-60), see MC-68a; docs/standards.md section 16; SUMMARY section 5"
    assert CASE_REF.findall(text) == [("60", ""), ("68", "a")]
    assert SECTION_REF.findall(text) == ["16", "5"]
    assert "MC-99" not in _case_entries()
