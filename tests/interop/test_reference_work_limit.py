"""microcred refuses to sign exactly the graphs the reference stack refuses to canonicalize.

rdf-canonize (what every Digital Bazaar verifier runs) stops RDFC-1.0 after as many Hash
N-Degree Quads calls as the graph has blank nodes sharing a first-degree hash (its default
``maxWorkFactor`` 1). RDFC-1.0 has no such limit, so microcred verifies such graphs; but a
credential microcred signed over one would never verify there, so signing refuses it
(``canonicalize(..., portable=True)``). Cases: equal items in ordered lists, identical nodes
without ids with and without blank neighbours, nested look-alike subjects; named ones and
seeded random ones, every verdict compared with the reference's own canonize.
"""

from __future__ import annotations

import random
from typing import Any

import pytest
from interop_credgen import OB303, VC2
from interop_support import Microcred, Reference, require_module, seed_note

pytestmark = pytest.mark.interop

RANDOM_CASES = 60


def _credential(subjects: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "@context": [VC2, OB303],
        "id": "urn:uuid:5b0f3a52-1d5e-4f55-9a0e-3f3c1b7a2d10",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": "did:example:issuer", "type": ["Profile"], "name": "Work limit"},
        "validFrom": "2025-06-01T00:00:00Z",
        "credentialSubject": subjects if len(subjects) > 1 else subjects[0],
    }


def _achievement(allowed: list[str], alignments: list[str], ident: bool) -> dict[str, Any]:
    achievement: dict[str, Any] = {
        "type": ["Achievement"],
        "name": "A",
        "criteria": {"narrative": "Do it."},
        "resultDescription": [
            {
                "id": "urn:uuid:9a3e4f1c-0b2d-4e5f-8a6b-7c8d9e0f1a2b",
                "type": ["ResultDescription"],
                "name": "Rubric",
                "resultType": "RubricCriterionLevel",
                "allowedValue": allowed,
            }
        ],
    }
    if alignments:
        achievement["alignment"] = [
            {"type": ["Alignment"], "targetName": name, "targetUrl": "https://example.org/t"}
            for name in alignments
        ]
    if ident:
        achievement["id"] = "https://example.org/achievements/a"
    return achievement


def _subject(achievement: dict[str, Any], ident: str | None) -> dict[str, Any]:
    subject: dict[str, Any] = {"type": ["AchievementSubject"], "achievement": achievement}
    if ident is not None:
        subject["id"] = ident
    return subject


def _one(allowed: list[str], alignments: list[str] = []) -> dict[str, Any]:  # noqa: B006
    return _credential([_subject(_achievement(allowed, alignments, True), "did:example:s")])


NAMED: dict[str, dict[str, Any]] = {
    "distinct_list": _one(["a", "b", "c", "d"]),
    "equal_first_and_second": _one(["a", "a", "b"]),
    "equal_middle_items": _one(["a", "x", "x", "b"]),
    "three_equal_middle_items": _one(["a", "x", "x", "x", "b"]),
    "equal_first_middle_last": _one(["x", "x", "x"]),
    "equal_second_and_fourth": _one(["a", "x", "y", "x", "b"]),
    "identical_alignments": _one(["a"], ["same", "same", "same"]),
    "identical_subjects_with_blank_achievements": _credential(
        [_subject(_achievement(["a"], [], False), None) for _ in range(2)]
    ),
    "identical_subjects_with_ids_on_achievements": _credential(
        [_subject(_achievement(["a"], [], True), None) for _ in range(2)]
    ),
}


def _random_case(rng: random.Random) -> dict[str, Any]:
    subjects = []
    for n in range(rng.randint(1, 3)):
        allowed = [rng.choice("ab") for _ in range(rng.randint(0, 6))]
        alignments = [rng.choice("xy") for _ in range(rng.randint(0, 3))]
        achievement = _achievement(allowed, alignments, rng.random() < 0.5)
        subjects.append(_subject(achievement, f"did:example:s{n}" if rng.random() < 0.4 else None))
    return _credential(subjects)


@pytest.fixture(scope="module")
def verdicts(
    reference: Reference, shipped_contexts: dict[str, Any], interop_seed: str, mc: Microcred
) -> list[tuple[str, dict[str, Any], str | None, str | None]]:
    rng = random.Random(f"{interop_seed}work-limit")
    cases = list(NAMED.items()) + [(f"random-{n}", _random_case(rng)) for n in range(RANDOM_CASES)]
    answers = reference.batch(
        [{"op": "canonize", "document": doc} for _, doc in cases],
        defaults={"contexts": shipped_contexts},
    )
    rdfc = require_module("microcred.jsonld.rdfc")
    out = []
    for (name, doc), answer in zip(cases, answers, strict=True):
        ours: str | None = None
        try:
            rdfc.canonicalize(doc, mc.loader, portable=True)
        except mc.error_type as exc:
            ours = f"{getattr(exc, 'code', '')}: {exc}"
        out.append((name, doc, answer.get("error"), ours))
    return out


def test_signing_refuses_exactly_what_the_reference_cannot_canonicalize(
    verdicts: list[tuple[str, dict[str, Any], str | None, str | None]],
) -> None:
    refused = 0
    for name, doc, theirs, ours in verdicts:
        assert (theirs is None) == (ours is None), (
            f"{name}: ref {theirs!r}, ours {ours!r} {doc} {seed_note()}"
        )
        if theirs is not None:
            refused += 1
            assert "Maximum deep iterations" in theirs, theirs
            assert ours is not None and ours.startswith("PROOF_GENERATION_ERROR"), ours
    # the named cases alone hold refusals and acceptances, so the comparison is never one-sided
    assert 0 < refused < len(verdicts)


@pytest.mark.parametrize(
    ("name", "refused"),
    [
        ("distinct_list", False),
        ("equal_first_and_second", False),
        ("equal_middle_items", True),
        ("equal_first_middle_last", False),
        ("equal_second_and_fourth", False),
        ("identical_alignments", False),
    ],
)
def test_named_verdicts(
    verdicts: list[tuple[str, dict[str, Any], str | None, str | None]], name: str, refused: bool
) -> None:
    """Pinned so a change in rdf-canonize's default shows up by name."""
    (theirs,) = [theirs for case, _, theirs, _ in verdicts if case == name]
    assert (theirs is not None) == refused, theirs


def test_verification_has_no_work_limit_beyond_rdfc(mc: Microcred) -> None:
    """RDFC-1.0 canonicalizes these graphs; only signing applies the reference's limit."""
    rdfc = require_module("microcred.jsonld.rdfc")
    nquads = rdfc.canonicalize(NAMED["equal_middle_items"], mc.loader)
    assert '"x"' in nquads
