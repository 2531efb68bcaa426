"""Fixtures for the records layer: a small valid program and defect overlays on top of it.

Each folder under ``fixtures/`` except ``base`` is named for ONE defect and holds only the
files that differ from ``fixtures/base`` (plus an optional ``REMOVE`` list of paths to delete).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "northwind-microinternships"


def materialise(defect: str, dest: Path) -> Path:
    """Copy the base program to ``dest`` and apply the overlay named ``defect``."""
    shutil.copytree(FIXTURES / "base", dest)
    overlay = FIXTURES / defect
    for path in sorted(overlay.rglob("*")):
        rel = path.relative_to(overlay)
        if path.is_file() and rel.as_posix() != "REMOVE":
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, dest / rel)
    remove = overlay / "REMOVE"
    if remove.is_file():
        for line in remove.read_text(encoding="utf-8").splitlines():
            target = dest / line
            if target.is_dir():
                shutil.rmtree(target)
            else:
                target.unlink()
    return dest


@pytest.fixture
def program(tmp_path: Path) -> Callable[[str], Path]:
    """``program("naive_datetime")`` -> a program folder with that defect applied."""

    def make(defect: str) -> Path:
        return materialise(defect, tmp_path / defect)

    return make
