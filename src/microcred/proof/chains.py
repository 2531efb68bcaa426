"""Proof sets and proof chains (VC Data Integrity "Proof Sets", "Proof Chains"), shared by
every suite: the ``proof`` entries of a document, and what a ``previousProof`` names, checked
to resolve without cycles (MC-22). A chained proof signs the document together with the proofs
it names, so every suite needs the same walk.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from microcred.errors import ProofError


def _error(message: str, code: str) -> ProofError:
    return ProofError(message, code=code)


def proof_list(document: Mapping[str, Any], code: str) -> list[Mapping[str, Any]]:
    if "proof" not in document:
        return []
    proofs = document["proof"]
    items = proofs if isinstance(proofs, list) else [proofs]
    if not all(isinstance(item, Mapping) for item in items):
        raise _error("every entry of 'proof' must be a JSON object", code)
    return list(items)


def previous_ids(value: Any, code: str) -> list[str]:
    ids = [value] if isinstance(value, str) else value
    if not isinstance(ids, list) or not ids or not all(isinstance(i, str) and i for i in ids):
        raise _error("previousProof must be a proof id or a non-empty list of proof ids", code)
    return ids


def referenced_proofs(
    proofs: Sequence[Mapping[str, Any]], proof: Mapping[str, Any], code: str
) -> list[Mapping[str, Any]]:
    """The proofs ``proof.previousProof`` names, in document order, after checking that the
    whole chain below it resolves and has no cycle (MC-22)."""
    by_id: dict[str, list[Mapping[str, Any]]] = {}
    for item in proofs:
        if isinstance(item.get("id"), str):
            by_id.setdefault(item["id"], []).append(item)

    def lookup(proof_id: str) -> Mapping[str, Any]:
        found = by_id.get(proof_id, [])
        if not found:
            raise _error(f"previousProof {proof_id!r} names no proof of this document", code)
        if len(found) > 1:
            raise _error(f"previousProof {proof_id!r} is ambiguous: several proofs have it", code)
        return found[0]

    def previous(item: Mapping[str, Any]) -> list[str]:
        return previous_ids(item["previousProof"], code) if "previousProof" in item else []

    # Iterative depth-first walk: a hostile document with thousands of proofs must not hit the
    # recursion limit, and a cycle must end with an error rather than loop.
    root_id = proof.get("id") if isinstance(proof.get("id"), str) else None
    path: list[str] = []
    done: set[str] = set()
    stack = [iter(previous(proof))]
    while stack:
        proof_id = next(stack[-1], None)
        if proof_id is None:
            stack.pop()
            if path:
                done.add(path.pop())
            continue
        if proof_id in path:
            cycle = [*path[path.index(proof_id) :], proof_id]
            raise _error(f"previousProof forms a cycle: {' -> '.join(cycle)}", code)
        if proof_id == root_id:
            cycle = [proof_id, *path, proof_id]
            raise _error(f"previousProof forms a cycle: {' -> '.join(cycle)}", code)
        if proof_id in done:
            continue
        target = lookup(proof_id)
        path.append(proof_id)
        stack.append(iter(previous(target)))

    wanted = set(previous_ids(proof["previousProof"], code))
    return [item for item in proofs if isinstance(item.get("id"), str) and item["id"] in wanted]
