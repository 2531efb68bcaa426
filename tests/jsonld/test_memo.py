"""The per-loader memos (issue 12) never change a byte: expansion shared by the data-loss check
and RDF conversion, and IRI expansion remembered per frozen context, against stock pyld."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from pyld.jsonld import JsonLdProcessor

from microcred.jsonld import _pyld
from microcred.jsonld.loader import OfflineLoader
from microcred.jsonld.rdfc import canonicalize
from microcred.jsonld.safe import data_loss_problems

from .conftest import standards_extra
from .test_vectors_canonical import _example_documents, _uncached

CREDGEN = Path(__file__).resolve().parents[1] / "interop" / "interop_credgen.py"


def _random_credentials(count: int) -> list[dict[str, Any]]:
    spec = importlib.util.spec_from_file_location("interop_credgen_memo", CREDGEN)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    specs = module.make_specs("issue-12-memo", count, lambda *_: "did:example:issuer")
    return [spec.document for spec in specs]


def _without_memos(document: dict[str, Any], loader: OfflineLoader) -> str:
    """microcred's own pipeline with both memos switched off (pyld's methods called directly)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_pyld.Processor, "expand", JsonLdProcessor.expand)
        patch.setattr(_pyld.Processor, "_expand_iri", JsonLdProcessor._expand_iri)
        return canonicalize(document, loader)


@pytest.mark.conformance
def test_data_loss_then_canonicalize_equals_no_memo_and_stock(standards: Path) -> None:
    ours = OfflineLoader(extra=standards_extra(standards))
    plain = OfflineLoader(extra=standards_extra(standards))
    stock = OfflineLoader(extra=standards_extra(standards))
    examples = [doc for _, doc in _example_documents(standards)]
    compared = 0
    for document in [*examples, *_random_credentials(150)]:
        try:
            expected = _without_memos(document, plain)
        except Exception:  # contexts nobody pins: not comparable
            continue
        data_loss_problems(document, ours)  # stores the expansion in the memo
        assert canonicalize(document, ours) == expected, json.dumps(document)[:200]
        if document in examples:  # no @direction there: stock pyld must agree too
            assert expected == _uncached(document, stock)
        compared += 1
    assert compared > 150


def test_a_memo_hit_is_a_private_copy() -> None:
    loader = OfflineLoader()
    document = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential"],
        "issuer": "did:example:issuer",
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:subject"},
    }
    first = _pyld.Processor(loader).expand(dict(document), _pyld.options(loader))
    first[0]["@type"].append("https://example.org/Injected")  # a caller edits its result
    second = _pyld.Processor(loader).expand(dict(document), _pyld.options(loader))
    assert "https://example.org/Injected" not in json.dumps(second)
    assert canonicalize(document, loader) == canonicalize(document, OfflineLoader())


def test_a_memo_key_is_one_json_value() -> None:
    import copy
    import random

    from microcred.jsonld import memo
    from microcred.proof._jsoncopy import json_copy

    distinct = [
        {"a": 1},
        {"a": 1.0},
        {"a": True},
        {"a": "1"},
        {"a": [1]},
        {"a": None},
        {"b": 1, "a": 2},
        {"a": 2, "b": 1},
        {"a": -0.0},
        {"a": 0.0},
        {"a": {"b": []}},
        {"a": {"b": {}}},
    ]
    keys = [memo.json_key(value) for value in distinct]
    assert None not in keys and len(set(keys)) == len(distinct)
    rng = random.Random(4)
    for _ in range(300):
        value = {str(rng.randint(0, 9)): rng.choice([1, 2.5, "x", None, [1, "y"], {"z": 1}])}
        assert memo.json_key(value) == memo.json_key(copy.deepcopy(value))
        assert memo.json_key(value) == memo.json_key(json_copy(value))
        assert memo.json_key(value) == memo.json_key(dict(value))
    shared = {"x": [1, 2]}
    assert memo.json_key({"a": shared, "b": shared}) == memo.json_key(
        {"a": {"x": [1, 2]}, "b": {"x": [1, 2]}}
    )  # no back-references: sharing does not change the key
    assert memo.json_key({"a": object()}) is None


def test_the_signed_views_expansion_is_read_by_the_rdf_walk_unchanged() -> None:
    from microcred.jsonld import memo
    from microcred.verify.signed import build_signed_view

    documents = _random_credentials(40)
    fresh = OfflineLoader()  # no memo shared with the loader below
    shared_loader = OfflineLoader()
    used = 0
    for document in documents:
        unsecured = {k: v for k, v in document.items() if k != "proof"}
        view = build_signed_view(document, shared_loader)
        text = memo.json_key(unsecured)
        assert text is not None
        kept = _pyld.expansion_to_read(unsecured, text, shared_loader)
        if view.view is not None:
            assert kept is not None
            used += 1
            before = json.dumps(kept)
        want = canonicalize(dict(unsecured), fresh)
        assert canonicalize(dict(unsecured), shared_loader) == want
        if kept is not None:
            assert json.dumps(kept) == before  # the walk did not change it
    assert used > 20
