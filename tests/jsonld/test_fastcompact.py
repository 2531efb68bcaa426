"""The fast compaction (jsonld/fastcompact.py) gives exactly pyld's compaction, or defers.

Compared as JSON text (key order included) with pyld's ``compact`` through the signed view's
processor (its term choices and memo), on the expanded forms of every JSON-LD document of the
standards pack, the adversarial corpus, random credentials of the interop generator and every
respelling the RDF-rewrite generator makes of them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from tests.jsonld.corpora import (
    CORPUS,
    OB,
    VC,
    folder_documents,
    random_and_respelled,
    tally,
)

from microcred.jsonld import _pyld
from microcred.jsonld.fastcompact import fast_compact
from microcred.jsonld.loader import OfflineLoader, default_loader
from microcred.jsonld.safe import expand_checked
from microcred.verify.signed import _ViewProcessor


def _both(document: dict[str, Any], loader: OfflineLoader) -> tuple[Any, Any] | None:
    """(fast, pyld) compactions of the document's expansion; None when it does not expand."""
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    try:
        expanded, loss = expand_checked(unsecured, loader)
    except Exception:
        return None
    if loss:
        return None
    context = document.get("@context")
    processor = _ViewProcessor(loader)
    options = {**_pyld.options(loader), "skipExpansion": True}
    fast = fast_compact(processor, json.loads(json.dumps(expanded)), context, options)
    try:
        slow = processor.compact(expanded, {"@context": context}, options)
    except Exception:
        assert fast is None, json.dumps(document)[:2000]
        return None
    return fast, slow


def _compare(documents: list[dict[str, Any]], loader: OfflineLoader) -> tuple[int, int]:
    return tally(documents, lambda document: _both(document, loader))


@pytest.mark.conformance
def test_same_as_pyld_on_the_standards_pack(standards: Path, test_loader: OfflineLoader) -> None:
    fast, _ = _compare(folder_documents(standards, with_proofs=True), test_loader)
    assert fast >= 40


def test_same_as_pyld_on_the_adversarial_corpus() -> None:
    fast, _ = _compare(folder_documents(CORPUS, with_proofs=True), default_loader())
    assert fast >= 50


def test_same_as_pyld_on_random_credentials_and_every_respelling() -> None:
    documents, respelled = random_and_respelled("issue-12-fastcompact", 150, 15)
    fast, _ = _compare(documents + respelled, default_loader())
    assert fast >= 150 + len(respelled) // 4, (fast, len(respelled))


EDGES: dict[str, dict[str, Any]] = {
    "one_type_becomes_a_string": {
        "@context": [VC, OB],
        "type": ["VerifiableCredential"],
        "credentialSubject": {"type": ["AchievementSubject"], "id": "did:example:s"},
    },
    "empty_arrays_kept": {"@context": [VC, OB], "type": "VerifiableCredential", "name": []},
    "list_container": {
        "@context": [VC, OB],
        "type": "VerifiableCredential",
        "credentialSubject": {
            "type": "AchievementSubject",
            "achievement": {
                "type": "Achievement",
                "resultDescription": {"type": "ResultDescription", "allowedValue": ["b", "a", 3]},
            },
        },
    },
    "language_values": {
        "@context": [VC, OB],
        "type": "VerifiableCredential",
        "name": [{"@value": "a", "@language": "en"}, {"@value": "b", "@direction": "rtl"}],
    },
    "string_context_defers": {"@context": VC, "type": "VerifiableCredential", "name": "n"},
}


@pytest.mark.parametrize("name", sorted(EDGES))
def test_edge_shapes(name: str) -> None:
    pair = _both(EDGES[name], default_loader())
    assert pair is not None
    fast, slow = pair
    if name.endswith("_defers"):
        assert fast is None
    else:
        assert fast is not None and json.dumps(fast) == json.dumps(slow)
