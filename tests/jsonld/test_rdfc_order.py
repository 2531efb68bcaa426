"""String order in RDFC-1.0: UTF-16 code units (rdf-canonize, the default) or code points.

The two orders differ only when an astral character (UTF-16 surrogates D800..DFFF) meets one
in U+E000..U+FFFF. Order matters in three places: the output lines, the lines hashed per
blank node (Hash First Degree Quads, so labels change), and the order pyld permutes input
blank-node labels in (only the label map of symmetric graphs can change).
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable
from typing import Any

import pytest

from microcred.errors import JsonLdError
from microcred.jsonld import canonical_variants, canonicalize, canonicalize_nquads, default_loader
from microcred.jsonld.rdfc import ORDERS, Order, canonical_labels, sort_strings

ASTRAL = ["\U0001f393", "\U0001f600", "\U00010000", "\U0010fffd", "\U0001d518"]
HIGH_BMP = ["\uff21", "\ufb33", "\ue000", "\ufffd"]
CONTEXT = {"v": "urn:ex:v", "knows": {"@id": "urn:ex:knows"}}


def _key(order: Order) -> Callable[[str], Any]:
    if order == "utf16":
        return lambda text: [ord(unit) for unit in text.encode("utf-16-be").decode("latin-1")]
    return lambda text: [ord(char) for char in text]


def _lines(nquads: str) -> list[str]:
    return nquads.splitlines(keepends=True)


@pytest.mark.parametrize("order", ORDERS)
def test_sort_strings(order: Order) -> None:
    items = ["a", *ASTRAL, *HIGH_BMP, "z\uffff", "z\U00010000"]
    random.Random(1).shuffle(items)
    sort_strings(items, order)
    assert items == sorted(items, key=_key(order))


def test_orders_differ_only_past_the_bmp() -> None:
    astral_first = ["\U0001f393", "\uff21"]
    sort_strings(astral_first, "utf16")
    assert astral_first == ["\U0001f393", "\uff21"]
    sort_strings(astral_first, "codepoint")
    assert astral_first == ["\uff21", "\U0001f393"]


def test_unknown_order_is_refused() -> None:
    doc = {"@context": CONTEXT, "@id": "urn:ex:s", "v": "x"}
    with pytest.raises(JsonLdError, match="order"):
        canonicalize(doc, default_loader(), order="bytes")  # type: ignore[arg-type]
    with pytest.raises(JsonLdError, match="order"):
        canonicalize_nquads("<urn:s> <urn:p> <urn:o> .\n", order="latin1")  # type: ignore[arg-type]


def test_output_lines_follow_the_order() -> None:
    doc = {"@context": CONTEXT, "@id": "urn:ex:s", "v": ASTRAL + HIGH_BMP + ["a"]}
    utf16 = canonicalize(doc, default_loader())
    codepoint = canonicalize(doc, default_loader(), order="codepoint")
    assert _lines(utf16) == sorted(_lines(utf16), key=_key("utf16"))
    assert _lines(codepoint) == sorted(_lines(codepoint), key=_key("codepoint"))
    assert utf16 != codepoint and sorted(_lines(utf16)) == _lines(codepoint)


def _first_degree_hash(lines: list[str], order: Order) -> str:
    digest = hashlib.sha256()
    for line in sorted(lines, key=_key(order)):
        digest.update(line.encode("utf-8"))
    return digest.hexdigest()


@pytest.mark.parametrize("order", ORDERS)
def test_first_degree_hashes_sort_lines_in_the_same_order(order: Order) -> None:
    # Two blank nodes with unique first-degree hashes: c14n0 goes to the smaller hash. One
    # node's hash depends on how its two literal lines are sorted (RDFC-1.0 section 4.6).
    mixed = {"v": ["\U0001f393", "\uff21"]}
    plain = {"v": "d"}
    doc = {"@context": CONTEXT, "@id": "urn:ex:s", "knows": [mixed, plain]}
    knows = "<urn:ex:s> <urn:ex:knows> _:a .\n"
    mixed_hash = _first_degree_hash(
        [knows, '_:a <urn:ex:v> "\U0001f393" .\n', '_:a <urn:ex:v> "\uff21" .\n'], order
    )
    plain_hash = _first_degree_hash([knows, '_:a <urn:ex:v> "d" .\n'], order)
    plain_label = "_:c14n0" if plain_hash < mixed_hash else "_:c14n1"
    result = canonicalize(doc, default_loader(), order=order)
    assert f'{plain_label} <urn:ex:v> "d" .\n' in result


def test_first_degree_order_changes_labels_here() -> None:
    # The case above is one where the two orders give different labels, not only line order.
    doc = {"@context": CONTEXT, "@id": "urn:ex:s", "knows": [{"v": ASTRAL[:1] + HIGH_BMP[:1]}]}
    doc["knows"].append({"v": "d"})
    utf16 = canonicalize(doc, default_loader())
    codepoint = canonicalize(doc, default_loader(), order="codepoint")
    assert set(_lines(utf16)) != set(_lines(codepoint))


def _clique(labels: list[str]) -> str:
    return "".join(f"{a} <urn:p> {b} .\n" for a in labels for b in labels if a != b)


@pytest.mark.parametrize("order", ORDERS)
def test_label_permutations_follow_the_order(order: Order) -> None:
    # In a clique all nodes tie: the first one met gets c14n0, and the others are numbered
    # by the first permutation tried, i.e. in sorted label order (pyld and rdf-canonize both
    # start from the sorted labels). Checked against rdf-canonize 5.0.0 (UTF-16) on 96 graphs.
    names = ["\U0001f393", "\uff21", "\ufb33", "\U0001f600"]
    labels = canonical_labels(_clique([f"_:{name}" for name in names]), order=order)
    ranked = [names[0], *sorted(names[1:], key=_key(order))]
    assert labels == {name: f"c14n{index}" for index, name in enumerate(ranked)}


def test_label_order_never_changes_the_output() -> None:
    text = _clique(["_:\U0001f393", "_:\uff21", "_:x"]) + '_:x <urn:q> "\U0001f393\uff21" .\n'
    assert canonicalize_nquads(text) == canonicalize_nquads(text, order="codepoint")


def test_variants_single_when_orders_agree() -> None:
    ascii_doc = {"@context": CONTEXT, "@id": "urn:ex:s", "v": ["b", "a"]}
    astral_only = {"@context": CONTEXT, "@id": "urn:ex:s", "v": [*ASTRAL, "a"]}
    for doc in (ascii_doc, astral_only):
        assert canonical_variants(doc, default_loader()) == [canonicalize(doc, default_loader())]


def test_variants_utf16_then_codepoint() -> None:
    doc = {"@context": CONTEXT, "@id": "urn:ex:s", "v": ["\U0001f393", "\uff21"]}
    assert canonical_variants(doc, default_loader()) == [
        canonicalize(doc, default_loader(), order="utf16"),
        canonicalize(doc, default_loader(), order="codepoint"),
    ]


def test_variants_keep_the_work_limit() -> None:
    nodes = [
        {"@id": f"_:b{i}", "knows": [{"@id": f"_:b{j}"} for j in range(10) if j != i]}
        for i in range(10)
    ]
    doc = {"@context": CONTEXT, "@id": "urn:ex:s", "v": "\U0001f393", "@graph": nodes}
    with pytest.raises(JsonLdError) as info:
        canonical_variants(doc, default_loader(), max_work=50)
    assert info.value.code == "RESOURCE_LIMIT_ERROR"


def _crafted(seed: int) -> list[dict[str, Any]]:
    """Sibling literals and blank nodes mixing astral and U+E000..U+FFFF characters."""
    rng = random.Random(seed)
    chars = ASTRAL + HIGH_BMP + ["a", "\ud7ff"]
    docs: list[dict[str, Any]] = [{"@context": CONTEXT, "@id": "urn:ex:s", "v": chars}]
    for _ in range(30):
        nodes = []
        for _ in range(rng.randrange(2, 5)):
            count = rng.randrange(1, 4)
            node: dict[str, Any] = {
                "v": [rng.choice(chars) + rng.choice(chars) for _ in range(count)]
            }
            if rng.random() < 0.5:
                node["knows"] = {"v": rng.choice(chars)}
            nodes.append(node)
        docs.append({"@context": CONTEXT, "@id": "urn:ex:s", "knows": nodes})
    docs.append({"@context": CONTEXT, "@id": "urn:ex:s", "knows": [{"@id": "urn:\U0001f393"}]})
    docs[-1]["knows"].append({"@id": "urn:\uff21"})
    return docs


@pytest.mark.interop
def test_utf16_order_is_what_the_reference_signs(
    reference_canonize: Callable[[list[dict[str, Any]]], list[str]],
) -> None:
    documents = _crafted(seed=7)
    expected = reference_canonize(documents)
    assert [canonicalize(doc, default_loader()) for doc in documents] == expected
    codepoint = [canonicalize(doc, default_loader(), order="codepoint") for doc in documents]
    relabelled = [
        doc
        for doc, theirs, ours in zip(documents, expected, codepoint, strict=True)
        if set(_lines(theirs)) != set(_lines(ours))
    ]
    assert relabelled, "no crafted case reached Hash First Degree Quads ordering"
