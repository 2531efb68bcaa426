"""OB 3.0 JSON Schema validation against OFFLINE schema copies.

No published package ships the 1EdTech OB 3.0 JSON Schemas, so microcred does not bundle them:
it looks them up in a local schema store (``MICROCRED_SCHEMA_DIR`` or an explicit folder holding
``ob_v3p0_*.json`` files named as 1EdTech publishes them). ``credentialSchema.id`` is never
fetched. When no copy is available callers report "schema not checked", never "valid".
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema

from microcred._util import LARGE_JSON_BYTES, loads_strict

OB_CREDENTIAL_SCHEMA_URL = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
)
OB_ENDORSEMENT_SCHEMA_URL = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_endorsementcredential_schema.json"
)


def schema_dir() -> Path | None:
    configured = os.environ.get("MICROCRED_SCHEMA_DIR")
    return Path(configured) if configured else None


@lru_cache(maxsize=32)
def _load(path: str) -> dict[str, Any]:
    with open(path, "rb") as fh:
        data: dict[str, Any] = loads_strict(fh.read(), max_bytes=LARGE_JSON_BYTES)
    return data


def ob_schema(url: str, directory: Path | None = None) -> dict[str, Any] | None:
    """The offline copy of a 1EdTech schema by its published URL, or None when not available."""
    # The CLR 2.0 schemas ship with microcred (credential/clr_schemas.py, sha256-checked).
    from microcred.credential.clr_schemas import clr_schema

    base = directory or schema_dir()
    if base is None:
        return clr_schema(url)
    name = url.rsplit("/", 1)[-1]
    if not name.startswith(("ob_v3p0_", "clr_v2p0_")) or "/" in name or ".." in name:
        return None
    candidate = base / name
    if not candidate.is_file():
        return clr_schema(url)
    return _load(str(candidate))


def schema_errors(document: Mapping[str, Any], schema: Mapping[str, Any]) -> list[str]:
    """Every violation as ``$.json.path: message`` (all of them, sorted), empty when valid."""
    return sorted(f"{path}: {message}" for path, message in schema_violations(document, schema))


def schema_violations(document: Any, schema: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Every violation as (JSON path, message), sorted; empty when valid."""
    cls = jsonschema.validators.validator_for(schema)
    validator = cls(schema, format_checker=cls.FORMAT_CHECKER)
    return sorted((err.json_path, err.message) for err in validator.iter_errors(document))
