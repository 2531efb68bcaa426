"""The @context allow-list: what real OB/CLR credentials name is accepted, the unknown is not."""

from __future__ import annotations

import pytest

from microcred.jsonld.loader import OfflineLoader, default_loader
from microcred.verify.checks.contexts import check_context_value

V1 = "https://www.w3.org/2018/credentials/v1"
V2 = "https://www.w3.org/ns/credentials/v2"
OB = "https://purl.imsglobal.org/spec/ob/v3p0/"
CLR = "https://purl.imsglobal.org/spec/clr/v2p0/"
SL2021 = "https://w3id.org/vc/status-list/2021/v1"
KNOWN = default_loader().urls()


@pytest.mark.parametrize(
    "value",
    [
        [V2, CLR + "context-2.0.1.json", OB + "context-3.0.3.json"],
        [V2, OB + "context-3.0.3.json", CLR + "context-2.0.1.json"],
        [V2, OB + "context-3.0.3.json", SL2021],
        [V1, CLR + "context.json", OB + "context.json", OB + "extensions.json"],
        [V1, CLR + "context-2.0.0.json", OB + "context-3.0.1.json"],
        [V1, OB + "context-3.0.2.json", "https://w3id.org/security/suites/ed25519-2018/v1"],
        [V1, OB + "context.json", "https://w3id.org/security/v2", SL2021],
        [V1, "https://w3id.org/dcc/v1", "https://w3id.org/security/suites/ed25519-2020/v1"],
        [
            V1,
            "https://w3c-ccg.github.io/vc-ed/plugfest-1-2022/jff-vc-edu-plugfest-1-context.json",
            "https://w3id.org/security/suites/ed25519-2020/v1",
        ],
        # a suite context before the OB one, as some issuers write it
        [V1, "https://w3id.org/security/suites/ed25519-2020/v1", OB + "context.json"],
        [V2, "https://w3id.org/security/data-integrity/v2", OB + "context-3.0.3.json"],
    ],
    ids=lambda v: "+".join(u.rsplit("/", 2)[-2] + "/" + u.rsplit("/", 1)[-1] for u in v),
)
def test_contexts_real_credentials_use_are_allowed(value: list[str]) -> None:
    assert check_context_value(value, "$.@context", KNOWN) == []


def test_unknown_context_is_refused_with_the_way_to_pin_it() -> None:
    url = "https://w3c-ccg.github.io/vc-ed/plugfest-2-2022/jff-vc-edu-plugfest-2-context.json"
    (problem,) = check_context_value([V2, OB + "context-3.0.3.json", url], "$.@context", KNOWN)
    assert problem.code == "CONTEXT_NOT_ALLOWED"
    assert url in problem.detail and f"--context {url}=FILE" in problem.detail


def test_a_context_the_user_pinned_is_accepted_after_the_family() -> None:
    url = "https://example.org/my-context.json"
    loader = OfflineLoader(extra={url: {"@context": {"x": "https://example.org/x"}}})
    known = loader.urls()
    value = [V2, OB + "context-3.0.3.json", url]
    assert check_context_value(value, "$.@context", known, frozenset({url})) == []
    assert check_context_value(value, "$.@context", known)[0].code == "CONTEXT_NOT_ALLOWED"


@pytest.mark.parametrize(
    "value",
    [
        [V2, OB + "context-3.0.1.json"],  # unprotected OB 3.0.1 under VC 2.0's protected terms
        [V2, CLR + "context.json", OB + "context-3.0.3.json"],  # CLR 2.0.0 is a VC 1.1 context
        [V2, OB + "context-3.0.3.json", "https://w3id.org/security/v2"],
        [V1, OB + "context-3.0.3.json", SL2021, SL2021],
        [V2, OB + "context-3.0.3.json", OB + "context-3.0.2.json"],
    ],
    ids=["ob301-v2", "clr200-v2", "security-v2-with-v2", "twice", "two-ob-versions"],
)
def test_combinations_that_change_meaning_stay_refused(value: list[str]) -> None:
    problems = check_context_value(value, "$.@context", KNOWN)
    assert problems and problems[0].code == "CONTEXT_NOT_ALLOWED"


def test_the_nested_context_walk_is_skipped_only_when_the_text_shows_no_second_context() -> None:
    """check_contexts walks the document for embedded @context members unless the JSON text
    names "@context" once and has no \\u escape (which could spell it): then the walk finds
    nothing. Random documents, with and without nested contexts, escapes and look-alikes."""
    import json
    import random

    from microcred._util import member_at_most_once
    from microcred.verify.checks.contexts import _nested

    known = default_loader().urls()
    rng = random.Random(172)
    keys = ["name", "@context", "endorsement", "type", "x"]
    leaves = ["@context", "text", 1, None, ["https://www.w3.org/ns/credentials/v2"]]

    def value(depth: int) -> object:
        roll = rng.random()
        if depth > 3 or roll < 0.4:
            return rng.choice(leaves)
        if roll < 0.6:
            return [value(depth + 1) for _ in range(rng.randint(0, 3))]
        return {rng.choice(keys): value(depth + 1) for _ in range(rng.randint(0, 3))}

    skipped = walked = refused = 0
    for _ in range(3000):
        doc = {"@context": ["https://www.w3.org/ns/credentials/v2"], "a": value(0)}
        text = json.dumps(doc, ensure_ascii=rng.random() < 0.2).encode()
        if rng.random() < 0.1:
            text = text.replace(b'"@context"', b'"\\u0040context"')
        found: list[object] = []
        _nested(json.loads(text), "$", known, found, [0])
        if member_at_most_once(text, "@context"):
            skipped += 1
            assert found == [], text
        else:
            walked += 1
            refused += bool(found)
    assert skipped > 300 and walked > 300 and refused > 100
    assert not member_at_most_once(None, "@context")
