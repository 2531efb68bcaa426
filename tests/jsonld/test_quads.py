"""The plain walk (jsonld/quads.py) gives the canonical N-Quads pyld's node map gives.

Compared on every JSON-LD document of the standards pack, microcred's adversarial corpus,
random credentials of the interop generator, every spelling the RDF-rewrite generator tries
on them (including the ones that change the RDF), and named edge shapes. A document the walk
leaves to pyld is fine; a different answer is not.
"""

from __future__ import annotations

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

from microcred.errors import JsonLdError
from microcred.jsonld import _pyld
from microcred.jsonld.loader import OfflineLoader, default_loader
from microcred.jsonld.quads import plain_parts, plain_triples, plain_triples_with_parts
from microcred.jsonld.rdfc import (
    ORDERS,
    _canonicalize_quads,
    _checked_quads,
    _distinct_first_degree,
    _parts,
    _term,
    canonicalize,
    escape_literal,
)


def _canonical(triples: list[dict[str, Any]]) -> str:
    return _canonicalize_quads(
        _checked_quads(triples), max_work=20_000, timeout_s=10.0, ascii_labels=True
    )[0]


def _options(loader: OfflineLoader) -> dict[str, Any]:
    options = _pyld.options(loader)
    options["produceGeneralizedRdf"] = False
    options["rdfDirection"] = "i18n-datatype"
    return options


def _slow(document: dict[str, Any], loader: OfflineLoader) -> tuple[str, bool]:
    """pyld's canonical N-Quads of the default graph, and whether there are named graphs."""
    dataset = _pyld.Processor(loader).to_rdf(dict(document), _options(loader))
    return _canonical(dataset.get("@default", [])), set(dataset) != {"@default"}


def _fast(document: dict[str, Any], loader: OfflineLoader) -> str | None:
    """The walk's canonical N-Quads, through the serialized parts the walk made (each equal to
    what rdfc makes of its quad); and the walk without parts gives the same text."""
    processor = _pyld.Processor(loader)
    options = _options(loader)
    expanded = processor.expand(dict(document), options)
    walked = plain_triples_with_parts(expanded, processor, options, _term)
    if walked is None:
        assert plain_triples(expanded, processor, options) is None
        return None
    triples, parts = walked
    quads = _checked_quads(triples)
    for quad in quads:
        if id(quad) in parts:
            assert parts[id(quad)] == _parts(quad), quad
    text = _canonicalize_quads(
        quads, max_work=20_000, timeout_s=10.0, ascii_labels=True, known_parts=parts
    )[0]
    plain = plain_triples(expanded, processor, options)
    assert plain is not None and _canonical(plain) == text
    _parts_only_agree(expanded, processor, options, quads, parts)
    assert canonicalize(document, loader) == text
    return text


def _parts_only_agree(
    expanded: Any,
    processor: Any,
    options: dict[str, Any],
    quads: list[Any],
    parts: dict[int, Any],
) -> None:
    """The parts-only walk makes the same parts as the triple walk (as a multiset), and the
    first-degree shortcut gives the full algorithm's text in both orders, or steps aside."""
    only = plain_parts(expanded, processor, options, _term, escape_literal)
    assert only is not None
    assert sorted(map(repr, only)) == sorted(repr(parts.get(id(q)) or _parts(q)) for q in quads)
    for order in ORDERS:
        short = _distinct_first_degree(only, order)
        full = _canonicalize_quads(
            quads, max_work=20_000, timeout_s=10.0, ascii_labels=True, order=order
        )[0]
        assert short is None or short == full, order


def _both(document: dict[str, Any], loader: OfflineLoader) -> tuple[str | None, str]:
    """(walk's canonical N-Quads or None when it defers, pyld's canonical N-Quads)."""
    return _against(document, loader, _slow(document, loader))


def _against(
    document: dict[str, Any], loader: OfflineLoader, slow_named: tuple[str, bool]
) -> tuple[str | None, str]:
    slow, named = slow_named
    fast = _fast(document, loader)
    assert fast is None or not named, "the walk took a document with named graphs"
    return fast, slow


def _pair(document: dict[str, Any], loader: OfflineLoader) -> tuple[str | None, str] | None:
    try:
        slow_named = _slow(document, loader)
    except Exception:  # documents pyld itself refuses are not compared
        return None
    return _against(document, loader, slow_named)


def _compare(documents: list[dict[str, Any]], loader: OfflineLoader) -> tuple[int, int]:
    return tally(documents, lambda document: _pair(document, loader))


@pytest.mark.conformance
def test_same_as_pyld_on_the_standards_pack(standards: Path, test_loader: OfflineLoader) -> None:
    walked, _ = _compare(folder_documents(standards, with_proofs=False), test_loader)
    assert walked >= 40


def test_same_as_pyld_on_the_adversarial_corpus() -> None:
    walked, _ = _compare(folder_documents(CORPUS, with_proofs=False), default_loader())
    assert walked >= 100


def test_same_as_pyld_on_random_credentials_and_every_respelling() -> None:
    loader = default_loader()
    documents, respelled = random_and_respelled("issue-12-quads", 120, 12)
    walked, deferred = _compare(documents + respelled, loader)
    assert walked >= 120 + len(respelled) // 2, (walked, deferred)


def _doc(**members: Any) -> dict[str, Any]:
    context: list[Any] = [VC, OB, {"ex": "https://example.org/vocab#"}]
    return {"@context": context, "type": ["VerifiableCredential"], **members}


EDGES = {
    "blank_node_ids": _doc(
        credentialSubject=[{"id": "_:s", "ex:knows": {"@id": "_:t"}}, {"id": "_:t", "ex:n": 1}]
    ),
    "relative_subject_and_object": _doc(
        id="relative/path", credentialSubject={"id": "other", "ex:see": {"@id": "rel"}}
    ),
    "relative_type": _doc(credentialSubject={"type": ["NotDefined"], "ex:n": True}),
    "values_of_every_kind": _doc(
        credentialSubject={
            "ex:a": [1, 2.5, 1e21, -0.0, True, "s", {"@value": "t", "@language": "fr"}],
            "ex:b": {"@value": "r", "@language": "ar", "@direction": "rtl"},
            "ex:c": {"@value": {"x": [1, {"y": None}]}, "@type": "@json"},
            "ex:d": {"@value": "5", "@type": "http://www.w3.org/2001/XMLSchema#double"},
        }
    ),
    "lists": _doc(
        credentialSubject={
            "ex:l": {"@list": [1, {"ex:n": "node in list"}, {"@id": "https://e.org/x"}]},
            "ex:empty": {"@list": []},
        }
    ),
    "same_node_twice": _doc(
        credentialSubject=[
            {"id": "https://e.org/s", "ex:a": 1},
            {"id": "https://e.org/s", "ex:a": 1, "ex:b": 2},
        ]
    ),
    "type_of_two_characters": _doc(credentialSubject={"type": ["a:"], "ex:n": 1}),
    "alike_blank_nodes": _doc(
        credentialSubject={"ex:p": [{"ex:q": {"ex:r": 1}}, {"ex:q": {"ex:r": 1}}, {"ex:r": 2}]}
    ),
    "list_of_lists": _doc(credentialSubject={"ex:l": {"@list": [{"@list": [1]}]}}),
    "included": _doc(credentialSubject={"@included": [{"id": "https://e.org/i", "ex:a": 1}]}),
    "reverse": _doc(credentialSubject={"@reverse": {"ex:r": {"@id": "https://e.org/r"}}}),
    "graph_container": {
        "@context": [VC],
        "type": ["VerifiablePresentation"],
        "verifiableCredential": [{"@context": [VC], "type": ["VerifiableCredential"]}],
    },
}
DEFERRED = {"list_of_lists", "included", "reverse", "graph_container"}


@pytest.mark.parametrize("name", sorted(EDGES))
def test_edge_shapes(name: str) -> None:
    fast, slow = _both(EDGES[name], default_loader())
    if name in DEFERRED:
        assert fast is None
    else:
        assert fast is not None and fast == slow


def test_the_shortcut_steps_aside_for_blank_nodes_alike_in_the_first_degree() -> None:
    loader = default_loader()
    processor = _pyld.Processor(loader)
    options = _options(loader)
    expanded = processor.expand(dict(EDGES["alike_blank_nodes"]), options)
    parts = plain_parts(expanded, processor, options, _term, escape_literal)
    assert parts is not None and _distinct_first_degree(parts, "utf16") is None
    fast, slow = _both(EDGES["alike_blank_nodes"], loader)
    assert fast == slow and "_:c14n4" in slow


def test_the_shortcut_steps_aside_for_a_lone_surrogate() -> None:
    lone = '"' + chr(0xD800) + '"'
    parts = [((True, "_:b0"), (False, "<https://e.org/p>"), (False, lone), None)]
    assert _distinct_first_degree(parts, "utf16") is None
    parts = [(False, "<https://e.org/s>"), (False, "<https://e.org/p>"), (False, lone), None]
    assert _distinct_first_degree([tuple(parts)], "utf16") is None


def test_a_relative_list_item_is_refused_as_before() -> None:
    document = _doc(credentialSubject={"ex:l": {"@list": [{"@id": "relative"}]}})
    with pytest.raises(JsonLdError, match="relative IRI"):
        canonicalize(document, default_loader())


def test_the_compiled_absolute_iri_test_answers_as_pyld() -> None:
    import random

    from pyld.jsonld import _is_absolute_iri

    from microcred.jsonld.rdfkept import pyld_absolute

    rng = random.Random(9)
    alphabet = "aZ09+-.:_/ #\t\n\u00a0\u2028é"
    cases = ["http://x", "_:b0", "urn:a", "1a:b", "a b:c", ":x", "a:", "a:\n", "a:b\n", "", 5]
    cases += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 8))) for _ in range(5000)]
    for value in cases:
        assert pyld_absolute(value) == bool(_is_absolute_iri(value)), repr(value)
