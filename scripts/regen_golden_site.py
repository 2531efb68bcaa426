#!/usr/bin/env python3
"""Regenerate tests/site/golden/: the example program's site SOURCE, volatile values normalised.

The golden files are never edited by hand. After an intended change to the templates or the
site generator, run ``python3 scripts/regen_golden_site.py`` and review ``git diff``.
Normalised: fresh salts and their hashes, random status indexes, the status bitstrings,
signatures and timestamps (see tests/site/sitehelpers.py); PNGs are stored as a digest line.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "site"))

from sitehelpers import GOLDEN, NOW, copy_example, fixed_key, normalised_source  # noqa: E402

from microcred.site import render_source  # noqa: E402


def golden_name(rel: str) -> str:
    """Where a source file's normalised text is stored (PNGs become a text line)."""
    return f"{rel}.txt" if rel.endswith(".png") else rel


def generate() -> dict[str, str]:
    with tempfile.TemporaryDirectory() as tmp:
        project = copy_example(Path(tmp) / "program")
        render_source(project, Path(tmp) / "source", now=NOW, key=fixed_key())
        return normalised_source(Path(tmp) / "source")


def main() -> int:
    files = generate()
    if GOLDEN.exists():
        shutil.rmtree(GOLDEN)
    for rel, text in files.items():
        target = GOLDEN / golden_name(rel)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    print(f"wrote {len(files)} files to {GOLDEN.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
