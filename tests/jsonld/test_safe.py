"""Data-loss check (safe mode): every dropped term, relative IRI or @base is named by JSON path."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from microcred.errors import JsonLdError
from microcred.jsonld import canonicalize, check_data_loss, default_loader
from microcred.jsonld.safe import data_loss_problems


def _loss(doc: dict[str, Any]) -> JsonLdError:
    with pytest.raises(JsonLdError) as info:
        check_data_loss(doc, default_loader())
    assert info.value.code == "DATA_LOSS_DETECTION_ERROR"
    return info.value


def test_valid_credential_passes(ob_doc: dict[str, Any]) -> None:
    check_data_loss(ob_doc, default_loader())
    assert data_loss_problems(ob_doc, default_loader()) == {}


@pytest.mark.conformance
def test_published_ob_vector_passes(ob_unsigned: dict[str, Any]) -> None:
    assert data_loss_problems(ob_unsigned, default_loader()) == {}


def test_undefined_term_is_named(ob_doc: dict[str, Any]) -> None:
    # MC-04: the term vanishes from the RDF, so an RDFC signature would still verify.
    plain = canonicalize(ob_doc, default_loader())
    ob_doc["credentialSubject"]["undefinedTerm"] = "IfDroppedWillVerify"
    assert canonicalize(ob_doc, default_loader()) == plain
    error = _loss(ob_doc)
    assert "$.credentialSubject.undefinedTerm" in str(error)


def test_undefined_type_is_named(ob_doc: dict[str, Any]) -> None:
    # MC-05
    ob_doc["type"].append("UndefinedType")
    error = _loss(ob_doc)
    assert "$.type" in str(error) and "UndefinedType" in str(error)


def test_lossy_signed_credential_is_still_rejected(ob_doc: dict[str, Any]) -> None:
    # MC-06: a lax signer already signed over the lossy form; the proof changes nothing.
    ob_doc["credentialSubject"]["achievement"]["criteria"]["undefinedTerm"] = "x"
    ob_doc["proof"] = [
        {
            "type": "DataIntegrityProof",
            "cryptosuite": "eddsa-rdfc-2022",
            "created": "2024-01-01T00:00:00Z",
            "verificationMethod": "did:example:issuer#key-1",
            "proofPurpose": "assertionMethod",
            "proofValue": "z3FXQjecWufY46yg5abdVZsXqLhxhueuSoZgNSARiKBk9czhSePTFehP8c3PGfb6a",
        }
    ]
    error = _loss(ob_doc)
    assert "$.credentialSubject.achievement.criteria.undefinedTerm" in str(error)


def test_base_injection_is_named(ob_doc: dict[str, Any]) -> None:
    # MC-07
    ob_doc["@context"].append({"@base": "https://invalid.example.com/"})
    ob_doc["type"].append("UndefinedCredential")
    problems = data_loss_problems(ob_doc, default_loader())
    assert '$["@context"][2]["@base"]' in problems
    assert "$.type" in problems


def test_relative_achievement_id_is_named(ob_doc: dict[str, Any]) -> None:
    # DESIGN section 8: a relative id made the whole Achievement vanish from the signed data.
    ob_doc["credentialSubject"]["achievement"]["id"] = "achievements/teamwork"
    nquads = canonicalize(ob_doc, default_loader())
    assert "vocab.html#achievement>" not in nquads
    assert "vocab.html#Achievement>" not in nquads
    error = _loss(ob_doc)
    assert "$.credentialSubject.achievement.id" in str(error)


def test_relative_iri_in_id_typed_value_is_named(ob_doc: dict[str, Any]) -> None:
    ob_doc["issuer"] = "issuers/1"  # credentials/v2 types issuer as @id
    assert "$.issuer" in data_loss_problems(ob_doc, default_loader())


def test_paths_through_arrays(ob_doc: dict[str, Any]) -> None:
    ob_doc["credentialSubject"]["achievement"]["alignment"] = [
        {"type": ["Alignment"], "targetName": "a", "targetUrl": "https://example.org/a"},
        {"type": ["Alignment"], "targetName": "b", "targetUrl": "https://example.org/b", "x": 1},
    ]
    ob_doc["credentialSubject"]["result"] = [
        {"type": ["Result"], "value": "A", "bogus": {"deep": True}}
    ]
    problems = data_loss_problems(ob_doc, default_loader())
    assert set(problems) == {
        "$.credentialSubject.achievement.alignment[1].x",
        "$.credentialSubject.result[0].bogus",
    }


def test_keyword_like_and_odd_keys(ob_doc: dict[str, Any]) -> None:
    ob_doc["credentialSubject"]["@unknown"] = 1
    ob_doc["issuer"]["_:b0"] = "blank-node property"
    ob_doc["issuer"]["@index"] = "not in RDF"
    ob_doc["issuer"]["with space"] = "x"
    problems = data_loss_problems(ob_doc, default_loader())
    assert set(problems) == {
        '$.credentialSubject["@unknown"]',
        '$.issuer["_:b0"]',
        '$.issuer["@index"]',
        '$.issuer["with space"]',
    }


def test_every_problem_is_reported(ob_doc: dict[str, Any]) -> None:
    for index in range(25):
        ob_doc["credentialSubject"][f"extra{index:02d}"] = index
    error = _loss(ob_doc)
    assert "$.credentialSubject.extra00" in str(error)
    assert "and 5 more" in str(error)
    assert len(data_loss_problems(ob_doc, default_loader())) == 25


def test_protected_term_redefinition_is_refused(ob_doc: dict[str, Any]) -> None:
    # MC-39
    ob_doc["@context"].append({"VerifiableCredential": "https://example.org/#Bad"})
    with pytest.raises(JsonLdError) as info:
        check_data_loss(ob_doc, default_loader())
    assert info.value.code == "INVALID_CONTEXT"
    assert "protected term" in str(info.value)


@pytest.mark.parametrize(
    "context",
    [{"ExampleTestCredential": "https ://not-a-url#X"}, {"@vocab": None}],
    ids=["type-mapped-to-non-url", "vocab-null"],
)
def test_types_that_are_not_urls_are_refused(ob_doc: dict[str, Any], context: Any) -> None:
    # MC-42: either pyld refuses the context or the type stays relative; both are errors.
    ob_doc["@context"].append(context)
    ob_doc["type"].append("ExampleTestCredential")
    with pytest.raises(JsonLdError) as info:
        check_data_loss(ob_doc, default_loader())
    assert info.value.code in {
        "INVALID_CONTEXT",
        "MALFORMED_VALUE_ERROR",
        "DATA_LOSS_DETECTION_ERROR",
    }


def test_base_in_a_served_extra_context_is_found(ob_doc: dict[str, Any]) -> None:
    from microcred.jsonld.loader import OfflineLoader

    url = "https://example.org/contexts/with-base"
    loader = OfflineLoader(extra={url: {"@context": {"@base": "https://evil.example/"}}})
    ob_doc["@context"].append(url)
    problems = data_loss_problems(ob_doc, loader)
    assert any(path.endswith('["@base"]') and url in path for path in problems)


def test_not_a_mapping() -> None:
    with pytest.raises(JsonLdError):
        check_data_loss("text", default_loader())  # type: ignore[arg-type]


def test_input_is_not_modified(ob_doc: dict[str, Any]) -> None:
    ob_doc["credentialSubject"]["undefinedTerm"] = "x"
    before = repr(ob_doc)
    _loss(ob_doc)
    assert repr(ob_doc) == before


@pytest.mark.parametrize(
    "entry",
    [123192875, "https ://not-a-url/contexts/example/v1", "https://example.com", None],
    ids=["number", "space-in-url", "not-a-context", "null-after-protected"],
)
def test_garbage_context_entries_are_refused(ob_doc: dict[str, Any], entry: Any) -> None:
    # MC-36
    ob_doc["@context"].append(entry)
    for action in (check_data_loss, canonicalize):
        with pytest.raises(JsonLdError) as info:
            action(ob_doc, default_loader())
        assert info.value.code in {"INVALID_CONTEXT", "MALFORMED_VALUE_ERROR"}


def test_remote_context_cycle_is_refused(ob_doc: dict[str, Any]) -> None:
    # MC-62: contexts that import each other end in pyld's "context overflow", not a hang.
    from microcred.jsonld.loader import OfflineLoader

    one, two = "https://example.org/ctx/one", "https://example.org/ctx/two"
    loader = OfflineLoader(extra={one: {"@context": [two]}, two: {"@context": [one]}})
    ob_doc["@context"].append(one)
    with pytest.raises(JsonLdError) as info:
        canonicalize(ob_doc, loader)
    assert info.value.code == "INVALID_CONTEXT"


def test_paths_through_nest_objects() -> None:
    doc = {
        "@context": {"name": "https://schema.org/name", "n": "@nest"},
        "@id": "urn:ex:s",
        "count": 3,
        "n": [{"name": "a"}, {"junk": 1}],
    }
    assert set(data_loss_problems(doc, default_loader())) == {"$.count", "$.n[1].junk"}


# --- what JSON-LD to RDF drops (or the reference refuses) after expansion kept it --------

XSD_DOUBLE = "http://www.w3.org/2001/XMLSchema#double"
INLINE = {
    "v": "urn:ex:v",
    "ids": {"@id": "urn:ex:ids", "@container": "@id"},
    "types": {"@id": "urn:ex:types", "@container": "@type"},
    "graphs": {"@id": "urn:ex:graphs", "@container": ["@graph", "@id"]},
    "langs": {"@id": "urn:ex:langs", "@container": "@language"},
    "ref": {"@id": "urn:ex:ref", "@type": "@id"},
    "rev": {"@reverse": "urn:ex:rev"},
}


def _inline(**members: Any) -> dict[str, Any]:
    return {"@context": INLINE, "@id": "urn:ex:s", **members}


@pytest.mark.parametrize(
    "value",
    [
        {"@value": "x", "@language": "ar", "@direction": "rtl"},
        {"@value": "x", "@direction": "ltr"},
    ],
    ids=["with-language", "without-language"],
)
def test_direction_is_signed_not_lost(value: dict[str, str]) -> None:
    doc = _inline(v=value)
    assert data_loss_problems(doc, default_loader()) == {}
    assert f"_{value['@direction']}>" in canonicalize(doc, default_loader())


@pytest.mark.parametrize("text", ["abc", "1.5kg", "NaN", "0x10"])
def test_double_typed_string_that_is_not_a_number(text: str) -> None:
    # The reference signs parseFloat(text): "abc" and "NaN" both become "NaN".
    problems = data_loss_problems(
        _inline(v={"@value": text, "@type": XSD_DOUBLE}), default_loader()
    )
    assert set(problems) == {"$.v"}
    assert "xsd:double" in problems["$.v"]


@pytest.mark.parametrize("text", ["1.5", " -2e3 ", "Infinity", "7."])
def test_double_typed_number_strings_pass(text: str) -> None:
    doc = _inline(v={"@value": text, "@type": XSD_DOUBLE})
    assert data_loss_problems(doc, default_loader()) == {}


@pytest.mark.parametrize(
    ("members", "found"),
    [
        ({"ids": {"relative": {"v": "x"}}}, "'relative'"),
        ({"types": {"RelativeType": {"v": "x"}}}, "'RelativeType'"),
        ({"graphs": {"relative": {"v": "x"}}}, "'relative'"),
        ({"rev": {"@id": "relative"}}, "'relative'"),
        ({"a b:c": "x"}, "'a b:c'"),
    ],
    ids=["id-map-key", "type-map-key", "graph-id-map-key", "reverse", "property-with-space"],
)
def test_relative_iris_that_no_member_names(members: dict[str, Any], found: str) -> None:
    # pyld's toRDF drops these subjects, objects, types and predicates without a word.
    doc = _inline(**members)
    assert found.strip("'") not in canonicalize(doc, default_loader())
    error = _loss(doc)
    assert found in str(error)


def test_relative_list_item_is_named() -> None:
    context = {"l": {"@id": "urn:ex:l", "@container": "@list", "@type": "@id"}}
    doc = {"@context": context, "@id": "urn:ex:s", "l": ["urn:ex:ok", "relative"]}
    assert set(data_loss_problems(doc, default_loader())) == {"$.l[1]"}


@pytest.mark.parametrize("iri", ["urn:ex:a\ufeffb", "urn:ex:a\x85b", "urn:ex:a\x1cb", "urn:ex:a b"])
def test_iri_with_white_space_for_either_processor(iri: str) -> None:
    # JavaScript's \s has U+FEFF, Python's has U+0085 and U+001C..U+001F: one side drops it.
    assert set(data_loss_problems(_inline(ref=iri), default_loader())) == {"$.ref"}


@pytest.mark.parametrize(
    ("members", "path"),
    [
        ({"v": {"@value": "x", "@language": "en us"}}, "$.v"),
        ({"v": {"@value": "x", "@language": "toolongsubtag"}}, "$.v"),
        ({"langs": {"en us": "x"}}, "$ (expanded: <urn:ex:s> <urn:ex:langs>)"),
    ],
    ids=["space", "too-long", "language-map-key"],
)
def test_malformed_language_tag(members: dict[str, Any], path: str) -> None:
    # pyld writes it into the N-Quads as is ("x"@en us is not N-Quads); jsonld.js refuses it.
    problems = data_loss_problems(_inline(**members), default_loader())
    assert set(problems) == {path}
    assert "language tag" in problems[path]


def test_well_formed_language_tags_pass() -> None:
    doc = _inline(v={"@value": "x", "@language": "zh-Hant-TW"}, langs={"EN": "y", "@none": "z"})
    assert data_loss_problems(doc, default_loader()) == {}


@pytest.mark.parametrize(
    "item",
    [{"@value": "floating"}, "scalar", {"@id": "urn:ex:only-id"}, {"@list": ["x"]}],
    ids=["value-object", "string", "node-with-only-id", "list"],
)
def test_free_floating_items_in_graph(item: Any) -> None:
    doc = {"@context": INLINE, "@graph": [item, {"@id": "urn:ex:a", "v": "kept"}]}
    assert set(data_loss_problems(doc, default_loader())) == {'$["@graph"][0]'}


def test_document_with_nothing_to_sign() -> None:
    assert set(data_loss_problems({"@context": INLINE, "@id": "urn:ex:s"}, default_loader())) == {
        "$"
    }
    # ... but a loss already named is not reported twice
    problems = data_loss_problems({"@context": INLINE, "@id": "urn:ex:s", "x": 1}, default_loader())
    assert set(problems) == {"$.x"}


@pytest.mark.interop
def test_reference_safe_mode_refuses_what_we_name(
    reference_canonize: Callable[[list[dict[str, Any]]], list[str]],
) -> None:
    """Each document here is refused by jsonld.js safe mode; calling the harness on any one of
    them must fail. (Mostly pins that these are real losses, not microcred's taste.)"""
    with pytest.raises(AssertionError, match="Safe mode validation error"):
        reference_canonize([_inline(ids={"relative": {"v": "x"}})])
    with pytest.raises(AssertionError, match="Safe mode validation error"):
        reference_canonize([_inline(v={"@value": "x", "@language": "en us"})])
