"""eddsa-rdfc-2022 vectors: canonical document / proof configuration, byte for byte, and hashes.

Per SUMMARY section 5 step 2, the proof configuration gets the document's ``@context``. The
examples/v2, citizenship and CLR contexts come from the standards pack through
``OfflineLoader(extra=...)``; everything else from microcred's pinned copies.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from pyld.jsonld import JsonLdProcessor

from microcred.jsonld import _pyld
from microcred.jsonld.loader import OfflineLoader
from microcred.jsonld.rdfc import _canonicalize_quads, canonicalize

from .conftest import STANDARDS_AT_COLLECTION, read_json, standards_extra

RDFC_VECTORS = Path("vectors") / "eddsa-rdfc-2022"


def _vector_dirs() -> list[Any]:
    root = STANDARDS_AT_COLLECTION / RDFC_VECTORS
    if not root.is_dir():  # skipped loudly by tests/conftest.py
        return [pytest.param("missing", id="standards-pack-missing")]
    needed = ("unsigned.json", "proofOptions.json", "canonicalDocument.nq")
    names = sorted(p.name for p in root.iterdir() if all((p / f).is_file() for f in needed))
    return [pytest.param(name, id=name) for name in names]


def _inputs(standards: Path, name: str) -> tuple[Path, dict[str, Any], dict[str, Any]]:
    folder = standards / RDFC_VECTORS / name
    document = read_json(folder / "unsigned.json")
    config = dict(read_json(folder / "proofOptions.json"))
    config.pop("proofValue", None)
    config["@context"] = document["@context"]
    return folder, document, config


def _hex(path: Path) -> str:
    return path.read_text(encoding="utf-8").strip().lower()


@pytest.mark.conformance
@pytest.mark.parametrize("name", _vector_dirs())
def test_canonical_document(standards: Path, test_loader: OfflineLoader, name: str) -> None:
    folder, document, _ = _inputs(standards, name)
    canonical = canonicalize(document, test_loader).encode("utf-8")
    assert canonical == (folder / "canonicalDocument.nq").read_bytes()
    assert hashlib.sha256(canonical).hexdigest() == _hex(folder / "documentHash.hex")


@pytest.mark.conformance
@pytest.mark.parametrize("name", _vector_dirs())
def test_canonical_proof_config(standards: Path, test_loader: OfflineLoader, name: str) -> None:
    folder, _, config = _inputs(standards, name)
    canonical = canonicalize(config, test_loader).encode("utf-8")
    assert canonical == (folder / "canonicalProofConfig.nq").read_bytes()
    assert hashlib.sha256(canonical).hexdigest() == _hex(folder / "proofConfigHash.hex")


def _uncached(document: dict[str, Any], loader: OfflineLoader) -> str:
    """Same pipeline with pyld's stock processor (no scoped-context cache)."""
    dataset = JsonLdProcessor().to_rdf(dict(document), _pyld.options(loader))
    quads = []
    for graph, triples in dataset.items():
        for triple in triples:
            quad = dict(triple)
            if graph != "@default":
                kind = "blank node" if graph.startswith("_:") else "IRI"
                quad["name"] = {"type": kind, "value": graph}
            quads.append(quad)
    return _canonicalize_quads(quads, max_work=10**6, timeout_s=60)[0]


def _example_documents(standards: Path) -> list[tuple[str, dict[str, Any]]]:
    found = []
    for path in sorted((standards / "examples").rglob("*.json")):
        data = read_json(path)
        if not isinstance(data, dict) or "@context" not in data or "type" not in data:
            continue
        unsigned = {k: v for k, v in data.items() if k != "proof"}
        found.append((path.name, unsigned))
    return found


@pytest.mark.conformance
def test_context_cache_gives_byte_identical_output(standards: Path) -> None:
    # DESIGN section 8: caching processed scoped contexts must not change a single byte.
    cached = OfflineLoader(extra=standards_extra(standards))
    stock = OfflineLoader(extra=standards_extra(standards))
    compared = 0
    for name, document in _example_documents(standards):
        try:
            expected = _uncached(document, stock)
        except Exception:  # documents whose contexts nobody pins are not comparable
            continue
        assert canonicalize(document, cached) == expected, name
        assert canonicalize(document, cached) == expected, f"{name} (warm cache)"
        compared += 1
    assert compared > 20
