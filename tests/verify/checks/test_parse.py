"""The size check counts embedded endorsements as ``embedded_endorsements`` finds them."""

from __future__ import annotations

import random
from typing import Any

from microcred.verify.checks.parse import MAX_ENDORSEMENTS, embedded_endorsements, size_problem


def _document(rng: random.Random, depth: int = 0) -> Any:
    if depth > 4 or rng.random() < 0.3:
        return rng.choice([1, "x", None, True, 2.5])
    if rng.random() < 0.4:
        return [_document(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    keys = ["a", "endorsement", "proof", "@context", "verifiableCredential", "b"]
    return {rng.choice(keys): _document(rng, depth + 1) for _ in range(rng.randint(0, 4))}


def test_the_size_walk_counts_the_endorsements_the_endorsement_walk_finds() -> None:
    rng = random.Random(11)
    over = under = 0
    for _ in range(4000):
        document = {"type": "VerifiableCredential", "x": _document(rng)}
        if rng.random() < 0.3:
            count = rng.randint(MAX_ENDORSEMENTS - 2, MAX_ENDORSEMENTS + 2)
            document["endorsement"] = [_document(rng) for _ in range(count)]
        found = len(embedded_endorsements(document))
        problem = size_problem(document)
        too_many = problem is not None and "endorsements" in problem
        assert too_many == (found > MAX_ENDORSEMENTS), document
        over, under = over + too_many, under + (not too_many)
    assert over > 50 and under > 50


def test_the_quick_size_walk_agrees_with_the_full_one() -> None:
    from microcred.verify.checks import parse

    rng = random.Random(12)
    found = {True: 0, False: 0}
    for _ in range(3000):
        document: Any = {"type": "VerifiableCredential", "x": _document(rng)}
        roll = rng.random()
        if roll < 0.1:
            document["big"] = list(range(rng.randint(250, 260)))  # around MAX_ARRAY
        elif roll < 0.2:
            document["many"] = [[1, 2, 3, 4]] * rng.randint(1900, 2100)  # around MAX_NODES
        elif roll < 0.3:
            document["proof"] = [{}] * rng.randint(14, 18)
        elif roll < 0.35:
            document = rng.choice([[1, 2], "text", 5, None, (1, 2)])
        limit = parse.MAX_NODES
        full = parse._size_problem(document, limit)
        quick = parse._within_limits(document, limit)
        assert not quick or full is None, document  # never passes what the full walk refuses
        if not isinstance(document, tuple):  # plain JSON data: it decides alone
            assert quick == (full is None), document
        assert size_problem(document) == full
        found[full is None] += 1
    assert found[True] > 500 and found[False] > 300
