"""Test-only canonicalizers built straight on pyld, so the proof tests do not depend on
microcred.jsonld (written concurrently). Contexts come from the standards pack, read in place;
any other URL is refused, so nothing is fetched."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from c14n import canonicalize as _jcs_canonicalize  # pyld 3.3.0 ships RFC 8785 as `c14n`
from pyld import jsonld


def make_loader(standards: Path) -> Callable[..., dict[str, Any]]:
    folder = standards / "contexts"
    index = json.loads((folder / "contexts.json").read_text(encoding="utf-8"))
    documents = {
        url: json.loads((folder / name).read_text(encoding="utf-8")) for url, name in index.items()
    }

    def loader(url: str, options: Any = None) -> dict[str, Any]:
        if url not in documents:
            raise LookupError(f"context {url} is not in the standards pack (offline test loader)")
        return {"contextUrl": None, "documentUrl": url, "document": documents[url]}

    return loader


def make_rdfc(standards: Path) -> Callable[[Mapping[str, Any]], str]:
    loader = make_loader(standards)

    def rdfc(document: Mapping[str, Any]) -> str:
        result = jsonld.normalize(
            dict(document),
            {"algorithm": "URDNA2015", "format": "application/n-quads", "documentLoader": loader},
        )
        assert isinstance(result, str)
        return result

    return rdfc


def jcs(value: Any) -> bytes:
    result = _jcs_canonicalize(value)
    assert isinstance(result, bytes)
    return result
