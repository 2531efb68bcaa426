"""The documents the fast paths (quads, fast expansion, fast compaction) are compared with
pyld on: the standards pack or the adversarial corpus read from a folder, random credentials
of the interop generator and every spelling the RDF-rewrite generator tries on them."""

from __future__ import annotations

import importlib.util
import json
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

TESTS = Path(__file__).resolve().parents[1]
CREDGEN = TESTS / "interop" / "interop_credgen.py"
REWRITES = TESTS / "verify" / "rewrites.py"
CORPUS = TESTS / "adversarial" / "corpus"
OB = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
VC = "https://www.w3.org/ns/credentials/v2"


def load_by_path(name: str, path: Path) -> Any:
    """A test-support module that is not a package member (loaded once per name)."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def folder_documents(root: Path, *, with_proofs: bool) -> list[dict[str, Any]]:
    """Every JSON-LD object under ``root`` without its proofs (and, ``with_proofs``, also as
    written)."""
    found = []
    for path in sorted(root.rglob("*.json")):
        try:
            data = json.loads(path.read_text("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):  # not JSON as json reads it
            continue
        if isinstance(data, dict) and "@context" in data:
            if with_proofs:
                found.append(data)
            found.append({k: v for k, v in data.items() if k != "proof"})
    return found


def random_and_respelled(
    seed: str, count: int, respell: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """``count`` random credentials, and every respelling of the first ``respell`` of them."""
    credgen = load_by_path("interop_credgen_corpora", CREDGEN)
    rewrites = load_by_path("rewrites_corpora", REWRITES)
    documents = [
        s.document for s in credgen.make_specs(seed, count, lambda *_: "did:example:issuer")
    ]
    respelled: list[dict[str, Any]] = []
    for document in documents[:respell]:
        for path in list(rewrites._paths(document)):
            if isinstance(path[-1], str):
                for _, alternatives in rewrites._candidates(document, path):
                    respelled.extend(alternatives)
    return documents, respelled


Pair = tuple[Any, Any] | None
"""(the fast path's result, or None when it defers; the reference's), or None: not compared."""


def tally(
    documents: Iterable[dict[str, Any]], pair: Callable[[dict[str, Any]], Pair]
) -> tuple[int, int]:
    """(taken, deferred) over ``documents``: every result the fast path gives must equal the
    reference's as JSON text (key order included)."""
    taken = deferred = 0
    for document in documents:
        both = pair(document)
        if both is None:
            continue
        fast, slow = both
        if fast is None:
            deferred += 1
            continue
        assert json.dumps(fast) == json.dumps(slow), json.dumps(document)[:2000]
        taken += 1
    return taken, deferred
