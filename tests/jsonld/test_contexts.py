"""Shipped context files: provenance manifest, hashes, same JSON as the W3C/1EdTech files."""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from microcred.jsonld.loader import CONTEXTS_DIR

from .conftest import read_json

MANIFEST = read_json(CONTEXTS_DIR / "manifest.json")
CONTEXTS = MANIFEST["contexts"]

REQUIRED = {
    "https://www.w3.org/ns/credentials/v2",
    "https://www.w3.org/2018/credentials/v1",
    "https://purl.imsglobal.org/spec/ob/v3p0/context.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json",
    "https://w3id.org/security/data-integrity/v1",
    "https://w3id.org/security/data-integrity/v2",
    "https://w3id.org/security/multikey/v1",
    "https://www.w3.org/ns/did/v1",
    "https://www.w3.org/ns/credentials/status/v1",
    "https://w3id.org/security/suites/ed25519-2020/v1",
    # What real OB/CLR credentials from other issuers name (issue 9).
    "https://purl.imsglobal.org/spec/clr/v2p0/context.json",
    "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.0.json",
    "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json",
    "https://w3id.org/vc/status-list/2021/v1",
    "https://w3id.org/security/suites/ed25519-2018/v1",
    "https://w3c-ccg.github.io/vc-ed/plugfest-1-2022/jff-vc-edu-plugfest-1-context.json",
}
STANDARDS_PACK = "standards-pack"


def test_manifest_pins_every_context_microcred_needs() -> None:
    assert set(CONTEXTS) >= REQUIRED


@pytest.mark.parametrize("url", sorted(CONTEXTS))
def test_shipped_bytes_match_manifest_sha256(url: str) -> None:
    entry = CONTEXTS[url]
    data = (CONTEXTS_DIR / entry["file"]).read_bytes()
    assert hashlib.sha256(data).hexdigest() == entry["sha256"]


@pytest.mark.parametrize("url", sorted(CONTEXTS))
def test_manifest_names_package_and_path(url: str) -> None:
    entry = CONTEXTS[url]
    package = entry["source"]
    assert package in MANIFEST["packages"], "source package must be listed with its archive hash"
    if package == STANDARDS_PACK:
        # No package publishes it: the standards pack's copy, with the URL it is published at.
        assert entry["published_url"] == url
        assert entry["path"].startswith("contexts/")
        return
    assert "@" in package.lstrip("@") or "==" in package, "source must carry an exact version"
    assert entry["path"].startswith("package/"), "path inside the npm tarball"


@pytest.mark.conformance
@pytest.mark.parametrize(
    "url", sorted(u for u, e in CONTEXTS.items() if e["source"] == STANDARDS_PACK)
)
def test_standards_pack_copies_match_the_pack_checksums(standards: Path, url: str) -> None:
    entry = CONTEXTS[url]
    sums = dict(
        reversed(line.split(maxsplit=1))
        for line in (standards / "SHA256SUMS.txt").read_text(encoding="utf-8").splitlines()
        if line.strip()
    )
    assert sums[entry["path"]] == entry["sha256"]


def test_no_unlisted_files_are_shipped() -> None:
    shipped = {p.name for p in CONTEXTS_DIR.iterdir() if p.is_file()}
    assert shipped == {e["file"] for e in CONTEXTS.values()} | {"manifest.json"}


@pytest.mark.parametrize("url", sorted(CONTEXTS))
def test_shipped_file_is_plain_json_object_with_context(url: str) -> None:
    document = read_json(CONTEXTS_DIR / CONTEXTS[url]["file"])
    assert isinstance(document, dict)
    value = document.get("@context")
    # security/v2 is a list: it imports security/v1 (pinned too), then adds its own terms.
    parts = value if isinstance(value, list) else [value]
    assert parts and all(isinstance(p, dict) or p in CONTEXTS for p in parts)
    assert any(isinstance(p, dict) for p in parts)


@pytest.mark.conformance
@pytest.mark.parametrize("url", sorted(CONTEXTS))
def test_same_json_as_standards_pack(standards: Path, url: str) -> None:
    index = read_json(standards / "contexts" / "contexts.json")
    if url not in index and CONTEXTS[url]["source"] == STANDARDS_PACK:
        index = {url: CONTEXTS[url]["path"].removeprefix("contexts/")}  # an alias URL
    if url not in index:
        # Pinned for real credentials (status list 2021, Ed25519 2018, security v1/v2, DCC):
        # the pack does not carry them; their package and sha256 are checked above.
        assert CONTEXTS[url]["source"] != STANDARDS_PACK
        return
    ours = read_json(CONTEXTS_DIR / CONTEXTS[url]["file"])
    reference = read_json(standards / "contexts" / index[url])
    assert ours == reference


def test_fetch_script_reads_js_object_literals_without_running_them() -> None:
    script = _load_fetch_script()
    source = (
        "/* header */\n'use strict';\n\nmodule.exports = {\n  \"@context\": {\n"
        "    id: \"@id\", // alias\n    'type': '@type',\n"
        "    n: [1, -2.5e3, true, null,],\n  },\n};\n"
    )
    assert script.parse_js_module(source, "t.js") == {
        "@context": {"id": "@id", "type": "@type", "n": [1, -2500.0, True, None]}
    }


@pytest.mark.parametrize(
    "source",
    [
        "module.exports = require('./other');",
        "const x = 1;\nmodule.exports = {a: x};",
        "module.exports = {a: 1, a: 2};",
        "module.exports = {a: 1}; doSomething();",
    ],
    ids=["call", "variable", "duplicate-key", "trailing-code"],
)
def test_fetch_script_refuses_code(source: str) -> None:
    script = _load_fetch_script()
    with pytest.raises(SystemExit):
        script.parse_js_module(source, "bad.js")


@functools.cache
def _load_fetch_script() -> Any:
    path = Path(__file__).resolve().parents[2] / "scripts" / "fetch_contexts.py"
    spec = importlib.util.spec_from_file_location("microcred_fetch_contexts", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being built
    spec.loader.exec_module(module)
    return module


def test_manifest_is_valid_json_text() -> None:
    text = (CONTEXTS_DIR / "manifest.json").read_text(encoding="utf-8")
    assert json.loads(text) == MANIFEST
