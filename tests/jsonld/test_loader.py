"""OfflineLoader: pinned contexts only, sha256-checked, never fetches, hands out copies."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from microcred.errors import JsonLdError
from microcred.jsonld import canonicalize, check_data_loss
from microcred.jsonld.loader import CONTEXTS_DIR, OfflineLoader, default_loader

from .conftest import read_json

V2 = "https://www.w3.org/ns/credentials/v2"
OB303 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
ATTACKER = "https://attacker.example/contexts/v1"


def _copy_contexts(tmp_path: Path) -> Path:
    target = tmp_path / "contexts"
    shutil.copytree(CONTEXTS_DIR, target)
    return target


def test_serves_pinned_context_as_remote_document() -> None:
    remote = OfflineLoader()(V2, {})
    assert remote["documentUrl"] == V2
    assert remote["contextUrl"] is None
    assert remote["document"]["@context"]["@protected"] is True


def test_unknown_url_is_refused_with_its_name() -> None:
    with pytest.raises(JsonLdError) as info:
        OfflineLoader()(ATTACKER, {})
    assert info.value.code == "INVALID_CONTEXT"
    assert ATTACKER in str(info.value)


def test_unknown_context_in_a_document_is_refused_not_fetched(ob_doc: dict[str, Any]) -> None:
    # MC-37: pytest-socket would turn any fetch into a different error; we want ours.
    ob_doc["@context"].append(ATTACKER)
    for action in (canonicalize, check_data_loss):
        with pytest.raises(JsonLdError) as info:
            action(ob_doc, default_loader())
        assert info.value.code == "INVALID_CONTEXT"
        assert ATTACKER in str(info.value)


def test_one_byte_change_on_disk_is_detected(tmp_path: Path) -> None:
    # MC-38: the file still parses as JSON; only the hash tells.
    folder = _copy_contexts(tmp_path)
    entry = read_json(folder / "manifest.json")["contexts"][OB303]
    path = folder / entry["file"]
    data = path.read_bytes()
    index = data.index(b"#achievement")
    path.write_bytes(data[:index] + b"#achievemenT" + data[index + len(b"#achievement") :])
    loader = OfflineLoader(directory=folder)
    with pytest.raises(JsonLdError) as info:
        loader(OB303, {})
    assert info.value.code == "INVALID_CONTEXT"
    assert "sha256" in str(info.value) and entry["sha256"] in str(info.value)
    assert loader(V2, {})["document"]  # untouched files still load


def test_missing_context_file_is_reported(tmp_path: Path) -> None:
    folder = _copy_contexts(tmp_path)
    (folder / "did-v1.jsonld").unlink()
    with pytest.raises(JsonLdError, match="missing"):
        OfflineLoader(directory=folder)("https://www.w3.org/ns/did/v1", {})


def test_broken_manifest_is_a_microcred_error(tmp_path: Path) -> None:
    folder = _copy_contexts(tmp_path)
    (folder / "manifest.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(JsonLdError, match="manifest"):
        OfflineLoader(directory=folder)


def test_returned_documents_are_copies() -> None:
    loader = OfflineLoader()
    first = loader(V2, {})["document"]
    first["@context"]["VerifiableCredential"] = "https://attacker.example/#VC"
    first["@context"]["@protected"] = False
    again = loader(V2, {})["document"]
    assert again["@context"]["@protected"] is True
    assert isinstance(again["@context"]["VerifiableCredential"], dict)


def test_extra_documents_are_served_and_copied() -> None:
    did_doc: dict[str, Any] = {"@context": V2, "id": "did:web:example.com"}
    loader = OfflineLoader(extra={"did:web:example.com": did_doc})
    did_doc["id"] = "did:web:changed.example"  # the caller's later edits do not leak in
    served = loader("did:web:example.com", {})["document"]
    assert served["id"] == "did:web:example.com"
    served["id"] = "mutated"
    assert loader("did:web:example.com", {})["document"]["id"] == "did:web:example.com"


def test_extra_cannot_replace_a_pinned_context() -> None:
    with pytest.raises(JsonLdError, match="pinned"):
        OfflineLoader(extra={V2: {"@context": {"@vocab": "https://attacker.example/#"}}})


def test_urls_lists_pinned_and_extra() -> None:
    loader = OfflineLoader(extra={"https://example.org/ctx": {"@context": {}}})
    manifest = read_json(CONTEXTS_DIR / "manifest.json")["contexts"]
    assert loader.urls() == frozenset(manifest) | {"https://example.org/ctx"}


def test_default_loader_is_shared() -> None:
    assert default_loader() is default_loader()


def test_loaders_do_not_share_resolved_contexts() -> None:
    # pyld's own cache is global and keyed by URL; ours is per loader, so two loaders that
    # serve different documents for one URL give different results.
    url = "https://example.org/ctx"
    doc = {"@context": url, "@id": "urn:x", "name": "n"}
    one = OfflineLoader(extra={url: {"@context": {"name": "https://example.org/one"}}})
    two = OfflineLoader(extra={url: {"@context": {"name": "https://example.org/two"}}})
    assert "example.org/one" in canonicalize(doc, one)
    assert "example.org/two" in canonicalize(doc, two)
    assert "example.org/one" in canonicalize(doc, one)
