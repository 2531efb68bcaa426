"""RDFC-1.0 wrapper: escaping, null base IRI, work limit, errors, relabelling invariance."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from microcred.errors import JsonLdError
from microcred.jsonld import canonicalize, canonicalize_nquads, default_loader
from microcred.jsonld.rdfc import escape_literal, parse_nquads

NAME = "https://schema.org/name"
INLINE = {"name": NAME, "knows": {"@id": "https://schema.org/knows", "@type": "@id"}}


def _named(text: Any) -> dict[str, Any]:
    return {"@context": INLINE, "@id": "urn:ex:s", "name": text}


@pytest.mark.parametrize(
    ("char", "escaped"),
    [
        ("\b", "\\b"),
        ("\t", "\\t"),
        ("\n", "\\n"),
        ("\f", "\\f"),
        ("\r", "\\r"),
        ('"', '\\"'),
        ("\\", "\\\\"),
    ],
)
def test_echar_escapes(char: str, escaped: str) -> None:
    assert escape_literal(f"a{char}b") == f"a{escaped}b"


@pytest.mark.parametrize("code", [*range(0x00, 0x08), 0x0B, *range(0x0E, 0x20), 0x7F])
def test_other_controls_use_upper_case_uchar(code: int) -> None:
    assert escape_literal(chr(code)) == "\\u" + format(code, "04X")


@pytest.mark.parametrize("text", ["é", "∞", "🌃", "\u0080", "\u2028", "'", "<>{}|^`"])
def test_everything_else_stays_raw(text: str) -> None:
    assert escape_literal(text) == text


def test_json_ld_literal_escaping_matches_rdfc10() -> None:
    # MC-18: pyld alone writes U+0008/U+000C/U+0001/U+007F raw.
    result = canonicalize(_named("a\bb\fc\x01d\x7fe"), default_loader())
    assert result == f'<urn:ex:s> <{NAME}> "a\\bb\\fc\\u0001d\\u007Fe" .\n'


def test_escaping_feeds_blank_node_hashes() -> None:
    # Two blank nodes that differ only by a control character must still get stable labels
    # computed from RDFC-1.0 serialization: relabelling the input changes nothing.
    one = '_:x <urn:p> "\x01" .\n_:y <urn:p> "\x02" .\n'
    two = '_:y <urn:p> "\x01" .\n_:x <urn:p> "\x02" .\n'
    assert canonicalize_nquads(one) == canonicalize_nquads(two)
    assert "\\u0001" in canonicalize_nquads(one)


def test_base_iri_is_null() -> None:
    # A relative id must not become http://example.org/base/... (pyld's default base) or a
    # file path: it has no RDF meaning, so the node produces no quads.
    result = canonicalize({"@context": INLINE, "@id": "relative", "name": "x"}, default_loader())
    assert result == ""
    result = canonicalize(
        {"@context": INLINE, "@id": "urn:ex:s", "knows": "relative/path"}, default_loader()
    )
    assert result == ""


def test_output_is_sorted_with_final_newline(ob_doc: dict[str, Any]) -> None:
    lines = canonicalize(ob_doc, default_loader()).split("\n")
    assert lines[-1] == ""
    assert lines[:-1] == sorted(lines[:-1])
    assert all(line.endswith(" .") for line in lines[:-1])
    assert any(line.startswith("_:c14n0 ") for line in lines)


def test_input_document_is_not_modified(ob_doc: dict[str, Any]) -> None:
    before = repr(ob_doc)
    canonicalize(ob_doc, default_loader())
    assert repr(ob_doc) == before


def _clique(size: int) -> dict[str, Any]:
    nodes = [
        {"@id": f"_:b{i}", "knows": [f"_:b{j}" for j in range(size) if j != i]} for i in range(size)
    ]
    return {"@context": INLINE, "@id": "urn:ex:s", "name": "clique", "@graph": nodes}


def test_poisoned_clique_aborts_quickly() -> None:
    # MC-59: a 10-node blank-node clique inside a JSON-LD document. Measured: ~0.2-0.4 s.
    started = time.monotonic()
    with pytest.raises(JsonLdError) as info:
        canonicalize(_clique(10), default_loader())
    elapsed = time.monotonic() - started
    assert info.value.code == "RESOURCE_LIMIT_ERROR"
    print(f"10-clique aborted after {elapsed:.3f} s")


def test_wall_clock_limit() -> None:
    with pytest.raises(JsonLdError, match="longer than") as info:
        canonicalize(_clique(10), default_loader(), max_work=10**9, timeout_s=0.0)
    assert info.value.code == "RESOURCE_LIMIT_ERROR"


def test_small_cliques_fit_the_default_budget() -> None:
    result = canonicalize(_clique(4), default_loader())
    assert result.count("<https://schema.org/knows>") == 12


def test_work_limit_counts_n_degree_work() -> None:
    cycle = "_:a <urn:p> _:b .\n_:b <urn:p> _:a .\n"
    assert canonicalize_nquads(cycle).count("_:c14n") == 4
    with pytest.raises(JsonLdError) as info:
        canonicalize_nquads(cycle, max_work=1)
    assert info.value.code == "RESOURCE_LIMIT_ERROR"


def test_unknown_hash_algorithm() -> None:
    with pytest.raises(JsonLdError, match="hash algorithm"):
        canonicalize_nquads("<urn:s> <urn:p> <urn:o> .\n", hash_algorithm="md5")


@pytest.mark.parametrize(
    "line",
    [
        "<urn:s> <urn:p> <urn:o>",
        '"lit" <urn:p> <urn:o> .',
        "<urn:s> _:p <urn:o> .",
        "<urn:s> <urn:p> <urn:o> . junk",
        '<urn:s> <urn:p> "bad \\q escape" .',
        '<urn:s> <urn:p> "\\uD800" .',
        "<urn:s> <urn:p> <urn:o> <urn:g> <urn:x> .",
    ],
    ids=[
        "no-dot",
        "literal-subject",
        "bnode-predicate",
        "trailing",
        "bad-echar",
        "surrogate",
        "five-terms",
    ],
)
def test_malformed_nquads(line: str) -> None:
    with pytest.raises(JsonLdError) as info:
        canonicalize_nquads("<urn:a> <urn:b> <urn:c> .\n" + line + "\n")
    assert info.value.code == "PARSING_ERROR"
    assert "line 2" in str(info.value)


def test_parse_decodes_escapes() -> None:
    [quad] = parse_nquads('<urn:\\u00E9> <urn:p> "\\t\\u0041\\U0001F303"@en-GB <urn:g> .')
    assert quad["subject"]["value"] == "urn:é"
    assert quad["object"] == {
        "type": "literal",
        "value": "\tA🌃",
        "datatype": "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString",
        "language": "en-GB",
    }
    assert quad["name"] == {"type": "IRI", "value": "urn:g"}


def test_duplicate_quads_count_once() -> None:
    once = '_:a <urn:p> _:b .\n<urn:s> <urn:p> "x" .\n'
    twice = once + '<urn:s> <urn:p> "x" .\n_:a <urn:p> _:b .\n'
    result = canonicalize_nquads(twice)
    assert result == canonicalize_nquads(once)
    assert result.count("\n") == 2


def test_not_a_mapping() -> None:
    with pytest.raises(JsonLdError) as info:
        canonicalize(["not", "an", "object"], default_loader())  # type: ignore[arg-type]
    assert info.value.code == "MALFORMED_VALUE_ERROR"


def test_lone_surrogate_is_a_microcred_error() -> None:
    with pytest.raises(JsonLdError) as info:
        canonicalize(_named("\ud800"), default_loader())
    assert info.value.code == "MALFORMED_VALUE_ERROR"


@pytest.mark.parametrize(
    "context",
    [
        {"@vocab": None, "x": 1},
        {"name": {"@id": NAME, "@type": "@id", "@container": "@bogus"}},
        {"name": {"@reverse": 5}},
    ],
    ids=["vocab-null-crashes-pyld", "bad-container", "bad-reverse"],
)
def test_bad_json_ld_is_a_microcred_error(context: dict[str, Any]) -> None:
    doc = {"@context": [INLINE, context], "@id": "urn:ex:s", "@type": "Thing", "name": "x"}
    with pytest.raises(JsonLdError) as info:
        canonicalize(doc, default_loader())
    assert info.value.code in {"INVALID_CONTEXT", "MALFORMED_VALUE_ERROR"}


# Relabelling blank nodes and shuffling quads must not change the canonical form.
_labels = st.sampled_from([f"_:n{i}" for i in range(5)])
_iris = st.sampled_from(["<urn:a>", "<urn:b>"])
_objects = st.one_of(_labels, _iris, st.sampled_from(['"x"', '"\\u0001"', '"y"@en']))
_quads = st.lists(
    st.tuples(st.one_of(_labels, _iris), st.sampled_from(["<urn:p>", "<urn:q>"]), _objects),
    min_size=1,
    max_size=10,
)


@settings(max_examples=60, deadline=None)
@given(_quads, st.randoms(use_true_random=False))
def test_canonical_form_ignores_labels_and_order(
    quads: list[tuple[str, str, str]], rnd: random.Random
) -> None:
    text = "".join(f"{s} {p} {o} .\n" for s, p, o in quads)
    rename = {f"_:n{i}": f"_:other{j}" for i, j in enumerate(rnd.sample(range(5), 5))}
    shuffled = list(quads)
    rnd.shuffle(shuffled)
    moved = "".join(f"{rename.get(s, s)} {p} {rename.get(o, o)} .\n" for s, p, o in shuffled)
    assert canonicalize_nquads(text) == canonicalize_nquads(moved)


# --- @direction (signed as an i18n datatype, as the eddsa-rdfc-2022 cryptosuites do) -------

I18N = "https://www.w3.org/ns/i18n#"


@pytest.mark.parametrize(
    ("value", "datatype"),
    [
        (
            {"@value": "\u0634\u0627\u0631\u0629", "@language": "AR-eg", "@direction": "rtl"},
            "ar-eg_rtl",
        ),
        ({"@value": "abc", "@direction": "ltr"}, "_ltr"),
        ({"@value": "abc", "@language": "en", "@direction": "ltr"}, "en_ltr"),
    ],
    ids=["language-lower-cased", "no-language", "plain"],
)
def test_direction_is_an_i18n_datatype(value: dict[str, str], datatype: str) -> None:
    result = canonicalize(_named(value), default_loader())
    assert result == f'<urn:ex:s> <{NAME}> "{value["@value"]}"^^<{I18N}{datatype}> .\n'


def test_direction_is_covered_by_the_canonical_form() -> None:
    # Before, pyld without rdfDirection dropped it: rtl and ltr signed the same bytes.
    rtl = _named({"@value": "abc", "@direction": "rtl"})
    ltr = _named({"@value": "abc", "@direction": "ltr"})
    assert canonicalize(rtl, default_loader()) != canonicalize(ltr, default_loader())


def test_direction_from_the_context() -> None:
    doc = {
        "@context": {"@language": "he", "@direction": "rtl", "name": NAME},
        "@id": "urn:ex:s",
        "name": "\u05e9\u05dc\u05d5\u05dd",
    }
    assert f"^^<{I18N}he_rtl> ." in canonicalize(doc, default_loader())


def test_relative_iri_in_a_list_is_a_microcred_error() -> None:
    # pyld leaves an empty slot (None) in the list for it; that crashed serialization.
    context = {"l": {"@id": "urn:ex:l", "@container": "@list", "@type": "@id"}}
    doc = {"@context": context, "@id": "urn:ex:s", "l": ["urn:ex:ok", "relative"]}
    with pytest.raises(JsonLdError) as info:
        canonicalize(doc, default_loader())
    assert info.value.code == "MALFORMED_VALUE_ERROR"
    assert "list item" in str(info.value)


@pytest.mark.interop
def test_direction_agrees_with_the_reference(
    reference_canonize: Callable[[list[dict[str, Any]]], list[str]],
) -> None:
    values = [
        {"@value": "\u0634\u0627\u0631\u0629", "@language": "AR-eg", "@direction": "rtl"},
        {"@value": "abc", "@direction": "ltr"},
        [{"@value": "x", "@language": "fr-CA", "@direction": "ltr"}, "plain"],
    ]
    documents = [_named(value) for value in values]
    context = {"m": {"@id": NAME, "@container": "@language", "@direction": "rtl"}}
    documents.append({"@context": context, "@id": "urn:ex:s", "m": {"AR": "x", "@none": "y"}})
    ours = [canonicalize(document, default_loader()) for document in documents]
    assert ours == reference_canonize(documents)


def _listed(items: list[str]) -> dict[str, Any]:
    context = {"tags": {"@id": "https://example.org/tags", "@container": "@list"}}
    return {"@context": context, "@id": "urn:ex:s", "tags": items}


@pytest.mark.parametrize(
    ("items", "refused"),
    [
        (["a", "b", "c", "d"], False),
        (["a", "a", "b"], False),  # the first list node has an IRI parent: not alike
        (["a", "x", "x", "b"], True),
        (["x", "x", "x"], False),  # first, middle and last list nodes differ
        (["a", "x", "y", "x", "b"], False),  # alike, but told apart within the limit
        (["a", "x", "x", "x", "b"], True),
    ],
)
def test_portable_refuses_what_rdf_canonize_s_default_limit_refuses(
    items: list[str], refused: bool
) -> None:
    """Verdicts pinned from the reference (tests/interop/test_reference_work_limit.py compares
    them live); without ``portable`` RDFC-1.0 canonicalizes every one of them."""
    plain = canonicalize(_listed(items), default_loader())
    assert plain.count("rdf-syntax-ns#first") == len(items)
    if refused:
        with pytest.raises(JsonLdError) as caught:
            canonicalize(_listed(items), default_loader(), portable=True)
        assert caught.value.code == "PROOF_GENERATION_ERROR"
        assert "ordered list" in caught.value.message
    else:
        assert canonicalize(_listed(items), default_loader(), portable=True) == plain
