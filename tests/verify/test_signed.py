"""The signed view: one shape for one RDF, whatever JSON spelling the issuer chose."""

from __future__ import annotations

from typing import Any

import pytest

from microcred.jsonld.loader import default_loader
from microcred.verify.signed import build_signed_view

SUBJECT = "did:example:learner"


def _credential(subject: Any) -> dict[str, Any]:
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential"],
        "issuer": "did:example:issuer",
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": subject,
    }


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ({"id": SUBJECT}, {"id": SUBJECT}),
        (SUBJECT, {"id": SUBJECT}),
        (
            [{"id": SUBJECT}, {"id": "did:example:other"}],
            [{"id": SUBJECT}, {"id": "did:example:other"}],
        ),
    ],
    ids=["object-with-only-id", "bare-iri", "two-id-only-subjects"],
)
def test_a_subject_with_only_an_id_reads_as_an_object(written: Any, expected: Any) -> None:
    """JSON-LD compaction turns ``{"id": x}`` under the @id-coerced ``credentialSubject`` into
    the bare string ``x``; the checks must still see the subject object the issuer wrote."""
    signed = build_signed_view(_credential(written), default_loader())
    assert signed.view is not None, signed.error
    assert signed.view["credentialSubject"] == expected


def test_a_subject_with_claims_is_unchanged() -> None:
    subject = {"id": SUBJECT, "name": "Ada"}
    signed = build_signed_view(_credential(subject), default_loader())
    assert signed.view is not None, signed.error
    assert signed.view["credentialSubject"] == subject


def test_remembered_term_choices_change_no_view() -> None:
    """The term-selection memo (verify/signed.py ``_memo_key``) gives the views pyld's own
    choice gives, on random credentials and every respelling the rewrite generator tries."""
    import importlib.util
    import sys
    from pathlib import Path

    from microcred.jsonld import _pyld
    from microcred.jsonld.safe import expand_checked
    from microcred.verify.signed import _TERMS, _ViewProcessor

    tests = Path(__file__).resolve().parents[1]

    def module(name: str, path: Path) -> Any:
        if name not in sys.modules:
            spec = importlib.util.spec_from_file_location(name, path)
            assert spec is not None and spec.loader is not None
            sys.modules[name] = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(sys.modules[name])
        return sys.modules[name]

    credgen = module("interop_credgen_terms", tests / "interop" / "interop_credgen.py")
    rewrites = module("rewrites_terms", tests / "verify" / "rewrites.py")
    documents = [s.document for s in credgen.make_specs("terms", 60, lambda *_: "did:ex:i")]
    for document in documents[:6]:
        for path in list(rewrites._paths(document)):
            if isinstance(path[-1], str):
                for _, alternatives in rewrites._candidates(document, path):
                    documents.extend(alternatives)
    loader = default_loader()
    compared = 0
    for document in documents:
        try:
            expanded, _ = expand_checked(document, loader)
        except Exception:  # respellings pyld refuses are not views
            continue
        context = {"@context": document["@context"]}
        views = []
        for remember in (False, True, True):  # off, filling the memo, reading it
            processor = _ViewProcessor(loader)
            processor.remember = remember
            views.append(processor.compact(expanded, context, _pyld.options(loader)))
        assert views[0] == views[1] == views[2]
        compared += 1
    assert compared >= 500 and _TERMS


def test_text_naming_no_embedding_key_embeds_nothing() -> None:
    import json
    import random

    from microcred._util import loads_strict, names_no_member
    from microcred.verify.signed import EMBEDDING_KEYS, _embedded

    rng = random.Random(31)
    keys = ["endorsement", "verifiableCredential", "name", "proof", "@context", "x"]

    def value(depth: int = 0) -> object:
        if depth > 3 or rng.random() < 0.3:
            return rng.choice(["endorsement", "text", 1, None])
        if rng.random() < 0.4:
            return [value(depth + 1) for _ in range(rng.randint(0, 3))]
        return {rng.choice(keys): value(depth + 1) for _ in range(rng.randint(0, 3))}

    claimed = 0
    for _ in range(3000):
        text = json.dumps({"a": value()}, ensure_ascii=rng.random() < 0.5)
        roll = rng.random()
        if roll < 0.2:  # an escaped spelling of a key
            text = text.replace('"endorsement"', '"\\u0065ndorsement"')
        elif roll < 0.3:  # other escapes spell no letter
            text = text.replace('"text"', '"te\\nxt\\"\\\\"')
        data = text.encode()
        if names_no_member(data, EMBEDDING_KEYS):
            claimed += 1
            assert _embedded(loads_strict(data)) == [], text
    assert claimed > 300
