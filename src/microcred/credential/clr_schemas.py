"""The 1EdTech CLR 2.0 JSON Schemas microcred ships (``schemas/clr-v2p0/``, see
``scripts/sync_schemas.py`` for where each byte came from and its sha256).

Unlike the OB schemas (looked up in ``MICROCRED_SCHEMA_DIR``), these travel with the package:
a transcript is validated before the school signs it, with no network and no setup. The
manifest's sha256 is checked on every load, so an edited copy is refused, not used.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from microcred._util import LARGE_JSON_BYTES, loads_strict
from microcred.credential.clr import CLR_SCHEMA_URL
from microcred.credential.schemas import schema_errors
from microcred.errors import ConfigError

BUNDLED = Path(__file__).resolve().parent / "schemas" / "clr-v2p0"


@lru_cache(maxsize=1)
def _manifest() -> dict[str, Any]:
    data: dict[str, Any] = loads_strict((BUNDLED / "manifest.json").read_bytes())
    return data


@lru_cache(maxsize=8)
def clr_schema(url: str = CLR_SCHEMA_URL) -> dict[str, Any] | None:
    """The shipped schema for its published URL (sha256-checked), or None when not shipped."""
    entry = _manifest()["schemas"].get(url)
    if entry is None:
        return None
    raw = (BUNDLED / entry["file"]).read_bytes()
    if hashlib.sha256(raw).hexdigest() != entry["sha256"]:
        raise ConfigError(
            f"{BUNDLED / entry['file']}: not the published bytes (sha256 differs from the "
            "manifest); reinstall microcred or run scripts/sync_schemas.py"
        )
    schema: dict[str, Any] = loads_strict(raw, max_bytes=LARGE_JSON_BYTES)
    return schema


def clr_errors(document: Mapping[str, Any]) -> list[str]:
    """Every CLR 2.0 ClrCredential schema violation as ``$.path: message`` (empty: valid)."""
    schema = clr_schema(CLR_SCHEMA_URL)
    assert schema is not None, "the ClrCredential schema is always shipped"
    return schema_errors(document, schema)
