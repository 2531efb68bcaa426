"""The signed view compacts the expanded form without expanding it again (issue 12): the view
is the same as with pyld's own re-expansion, on random credentials and the standards pack."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

from microcred.jsonld import _pyld
from microcred.jsonld.loader import OfflineLoader
from microcred.jsonld.safe import expand_checked
from microcred.verify.signed import _compact, _ViewProcessor

CREDGEN = Path(__file__).resolve().parents[1] / "interop" / "interop_credgen.py"


def _documents(standards: Path) -> list[dict[str, Any]]:
    spec = importlib.util.spec_from_file_location("interop_credgen_view", CREDGEN)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    found = [s.document for s in module.make_specs("issue-12-view", 150, lambda *_: "did:ex:i")]
    for path in sorted((standards / "examples").rglob("*.json")):
        data = json.loads(path.read_text("utf-8"))
        if isinstance(data, dict) and "@context" in data:
            found.append({k: v for k, v in data.items() if k != "proof"})
    return found


def test_view_without_second_expansion_is_the_same(standards: Path) -> None:
    loader = OfflineLoader()
    compared = 0
    for document in _documents(standards):
        try:
            expanded, _ = expand_checked(document, loader)
        except Exception:  # contexts nobody pins here
            continue
        context = {"@context": document["@context"]}
        slow = _ViewProcessor(loader).compact(expanded, context, _pyld.options(loader))
        assert _compact(expanded, document["@context"], loader) == slow
        compared += 1
    assert compared >= 150
