"""The CLR 2.0 JSON Schemas microcred ships: pinned bytes, recorded provenance, refused if edited."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from microcred.credential import clr_schemas
from microcred.credential.clr import CLR_SCHEMA_URL
from microcred.errors import ConfigError

REPO = Path(__file__).resolve().parents[2]
SHIPPED = REPO / "src" / "microcred" / "credential" / "schemas" / "clr-v2p0"


def test_every_shipped_schema_has_its_url_version_source_and_sha256() -> None:
    manifest = json.loads((SHIPPED / "manifest.json").read_text("utf-8"))
    entries = manifest["schemas"]
    assert CLR_SCHEMA_URL in entries
    files = {p.name for p in SHIPPED.glob("*.json")} - {"manifest.json"}
    assert files == {e["file"] for e in entries.values()}
    for url, entry in entries.items():
        data = (SHIPPED / entry["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], entry["file"]
        assert json.loads(data)["$id"] == url
        assert entry["version"].startswith("CLR 2.0") and "conform-ed" in entry["source"]


def test_sync_script_reports_no_drift() -> None:
    script = REPO / "scripts" / "sync_schemas.py"
    done = subprocess.run(
        [sys.executable, str(script), "--check"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr


@pytest.mark.conformance
def test_shipped_bytes_are_the_standards_packs(standards: Path) -> None:
    for path in SHIPPED.glob("clr_v2p0_*.json"):
        assert path.read_bytes() == (standards / "schemas" / "clr-v2p0" / path.name).read_bytes()


def test_an_edited_copy_is_refused_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / "clr-v2p0"
    shutil.copytree(SHIPPED, copy)
    target = copy / "clr_v2p0_clrcredential_schema.json"
    target.write_bytes(target.read_bytes().replace(b'"verifiableCredential"\n', b'"x"\n', 1) + b" ")
    monkeypatch.setattr(clr_schemas, "BUNDLED", copy)
    clr_schemas.clr_schema.cache_clear()
    clr_schemas._manifest.cache_clear()
    try:
        with pytest.raises(ConfigError, match="not the published bytes"):
            clr_schemas.clr_schema(CLR_SCHEMA_URL)
    finally:
        clr_schemas.clr_schema.cache_clear()
        clr_schemas._manifest.cache_clear()
