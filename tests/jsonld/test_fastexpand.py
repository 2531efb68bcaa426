"""The fast expander (jsonld/fastexpand.py) builds exactly what pyld builds, or defers.

Compared as JSON text (key order included) with pyld's expansion run through the data-loss
tracker, on every JSON-LD document of the standards pack, the adversarial corpus, random
credentials of the interop generator and every respelling the RDF-rewrite generator makes of
them. A document the fast expander takes must also be one the data-loss check finds nothing
in; a document it defers is fine.
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

from microcred.jsonld import safe
from microcred.jsonld.fastexpand import fast_expand
from microcred.jsonld.loader import OfflineLoader, default_loader


def _slow(document: dict[str, Any], loader: OfflineLoader) -> tuple[Any, dict[str, str]]:
    """The data-loss check's expansion with the fast path switched off (pyld + tracker)."""
    original = safe.fast_expand
    safe.fast_expand = lambda *_: None  # type: ignore[assignment]
    try:
        return safe._expand_checked(document, loader)
    finally:
        safe.fast_expand = original


def _pair(document: dict[str, Any], loader: OfflineLoader) -> tuple[Any, Any] | None:
    fast = fast_expand(document, loader)
    try:
        slow, problems = _slow(document, loader)
    except Exception:  # pyld refuses it: the fast expander must not have taken it
        assert fast is None, json.dumps(document)[:2000]
        return None
    if fast is not None:
        assert problems == {}, (problems, json.dumps(document)[:2000])
    return fast, slow


def _compare(documents: list[dict[str, Any]], loader: OfflineLoader) -> tuple[int, int]:
    return tally(documents, lambda document: _pair(document, loader))


@pytest.mark.conformance
def test_same_as_pyld_on_the_standards_pack(standards: Path, test_loader: OfflineLoader) -> None:
    fast, _ = _compare(folder_documents(standards, with_proofs=True), test_loader)
    assert fast >= 40


def test_same_as_pyld_on_the_adversarial_corpus() -> None:
    fast, deferred = _compare(folder_documents(CORPUS, with_proofs=True), default_loader())
    assert fast >= 50 and deferred >= 50, (fast, deferred)


def test_same_as_pyld_on_random_credentials_and_every_respelling() -> None:
    loader = default_loader()
    documents, respelled = random_and_respelled("issue-12-fastexpand", 150, 15)
    fast, deferred = _compare(documents + respelled, loader)
    # every generated credential is plain; many respellings (inline contexts, IRIs as keys,
    # @nest, value objects) are not
    assert fast >= 150 + len(respelled) // 4, (fast, deferred, len(respelled))
    assert deferred > 0


def _doc(**members: Any) -> dict[str, Any]:
    return {"@context": [VC, OB], "type": ["VerifiableCredential"], **members}


PLAIN = {
    "value_objects": _doc(
        name=[{"@value": "a", "@language": "EN-gb"}, {"@value": "b", "@direction": "rtl"}],
        description={"@value": "c", "@language": "fr", "@direction": "ltr"},
    ),
    "types_in_two_keys": {"@context": [VC, OB], "type": ["VerifiableCredential"], "@type": "x:y"},
    "empty_and_single_arrays": _doc(
        name=[],
        issuer={"id": "did:example:i", "type": []},
        credentialSubject={"type": ["AchievementSubject"], "achievement": [], "identifier": []},
    ),
    "numbers_and_booleans": _doc(
        credentialSubject={
            "type": "AchievementSubject",
            "creditsEarned": 2.5,
            "achievement": {
                "type": "Achievement",
                "id": "urn:x:1",
                "name": "n",
                "criteria": {"narrative": True},
            },
        }
    ),
    "subject_reference": _doc(credentialSubject={"id": "did:example:s"}),
    "list_container": _doc(
        credentialSubject={
            "type": "AchievementSubject",
            "achievement": {
                "type": "Achievement",
                "resultDescription": {"type": "ResultDescription", "allowedValue": ["b", "a", 3]},
            },
        }
    ),
    "blank_node_id": _doc(credentialSubject={"id": "_:b0", "type": "AchievementSubject"}),
    "string_context": {"@context": VC, "type": "VerifiableCredential", "name": "n"},
}

DEFERRED = {
    "inline_context": {"@context": [VC, {"ex": "https://e.org/#"}], "ex:a": 1},
    "nested_context": _doc(credentialSubject={"@context": {"x": "https://e.org/x"}, "x": 1}),
    "unpinned_context": {"@context": ["https://example.org/ctx"], "a": 1},
    "undefined_term": _doc(credentialSubject={"notDefined": 1}),
    "relative_id": _doc(id="relative/path"),
    "relative_type": _doc(credentialSubject={"type": "NotAType"}),
    "bad_language": _doc(name={"@value": "x", "@language": "not a tag"}),
    "double_string": _doc(
        credentialSubject={
            "ex:n": {"@value": "abc", "@type": "http://www.w3.org/2001/XMLSchema#double"}
        }
    ),
    "null_value": _doc(name=None),
    "included": _doc(credentialSubject={"@included": [{"id": "https://e.org/i"}]}),
    "reverse": _doc(
        credentialSubject={"@reverse": {"https://e.org/r": {"@id": "https://e.org/x"}}}
    ),
    "blank_predicate": _doc(credentialSubject={"_:p": 1}),
    "nested_array": _doc(name=[["a"]]),
    "only_an_id": {"@context": [VC], "id": "urn:x:1"},
    "json_literal": _doc(credentialSubject={"ex:j": {"@value": {"a": 1}, "@type": "@json"}}),
    "graph_keyword": {
        "@context": [VC],
        "@graph": [{"id": "urn:x:1", "type": "VerifiableCredential"}],
    },
}


@pytest.mark.parametrize("name", sorted(PLAIN))
def test_plain_shapes_are_expanded_as_pyld_does(name: str) -> None:
    assert _compare([PLAIN[name]], default_loader()) == (1, 0)


@pytest.mark.parametrize("name", sorted(DEFERRED))
def test_everything_else_is_left_to_pyld(name: str) -> None:
    assert fast_expand(DEFERRED[name], default_loader()) is None
    _compare([DEFERRED[name]], default_loader())  # and the slow path is unchanged


def test_a_lossy_document_still_gets_its_findings() -> None:
    problems = safe.data_loss_problems(_doc(credentialSubject={"notDefined": 1}), default_loader())
    assert list(problems) == ["$.credentialSubject.notDefined"]


def test_the_expansion_is_a_fresh_copy_each_time() -> None:
    loader = default_loader()
    document = PLAIN["value_objects"]
    first = fast_expand(document, loader)
    assert first is not None
    first[0]["https://www.w3.org/2018/credentials#mutated"] = [{"@value": 1}]
    second = fast_expand(document, loader)
    assert second is not None and "https://www.w3.org/2018/credentials#mutated" not in second[0]
