"""The build cache's QR codes (``qr.json``): what earlier builds drew, keyed by what it shows.

Apart from site/cache.py so that the child drawing codes ahead (site/ahead.py), forked before
the builder is imported, reads them without importing the verdict and page code (0.13 s of
a core at the busiest moment of a build).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from microcred.layout import BUILD_CACHE_DIR
from microcred.site.unchanged import _read, _write

_QR_FILE = "qr.json"


def load_qr_codes(root: Path) -> dict[str, str]:
    """SVGs from earlier builds, keyed as :func:`microcred.site.images.qr_key` keys them."""
    return _svg_entries(_read(root / BUILD_CACHE_DIR / _QR_FILE).get("entries", {}))


def _svg_entries(entries: Any) -> dict[str, str]:
    """The inline SVGs of a cache file, anything else (or anything scripted) left out."""
    if not isinstance(entries, dict):
        return {}
    return {
        k: v
        for k, v in entries.items()
        if isinstance(k, str)
        and isinstance(v, str)
        and v.startswith("<svg ")
        and "<script" not in v
    }


def save_qr_codes(root: Path, entries: Mapping[str, str]) -> None:
    # in key order: the same file whichever process drew which code first (site/ahead.py)
    _write(root / BUILD_CACHE_DIR / _QR_FILE, {"entries": dict(sorted(entries.items()))})
