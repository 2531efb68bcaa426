"""Per-loader memos for work a run repeats on identical JSON (issue 12).

A batch verifies hundreds of credentials whose proof options differ at most in ``created``,
and every credential is expanded twice (data-loss check, then RDF conversion). Results are
remembered under the document's exact serialization (:func:`json_key`): equal keys are equal
JSON data (key order, and ints, floats and booleans apart), so a hit can only return what the
computation would have returned. Memos hang off the loader (contexts decide meaning, so
another loader never shares them) and are small LRUs, so memory stays bounded in streaming
runs.
"""

from __future__ import annotations

import marshal
import threading
import weakref
from typing import Any

from microcred.jsonld.loader import OfflineLoader, _BoundedCache

_MEMOS: weakref.WeakKeyDictionary[OfflineLoader, dict[str, _BoundedCache]] = (
    weakref.WeakKeyDictionary()
)
_LOCK = threading.Lock()


def json_key(value: Any) -> bytes | None:
    """A memo key for JSON data ``value`` (None when it is not plain data): marshal's encoding
    at version 2, which has no back-references, so it depends on the value alone. marshal
    reads back exactly what it wrote (dicts in order, ``1``, ``1.0`` and ``True`` apart), so
    two values with one key are the same JSON; it is three times faster than ``json.dumps``.
    (Equal values may rarely get two keys, a string interned in one only: a memo miss.)"""
    try:
        return marshal.dumps(value, 2)
    except (ValueError, RecursionError):
        return None


def cache_for(loader: OfflineLoader, name: str, maxsize: int = 64) -> _BoundedCache:
    """The memo ``name`` of ``loader`` (created on first use)."""
    with _LOCK:
        memos = _MEMOS.setdefault(loader, {})
        cache = memos.get(name)
        if cache is None:
            cache = memos[name] = _BoundedCache(maxsize)
        return cache


def frozen(value: Any) -> bytes:
    """A private copy of JSON data (lists, dicts, strings, numbers) to keep in a memo."""
    return marshal.dumps(value)


def thawed(data: bytes) -> Any:
    """A fresh, mutable copy of what :func:`frozen` kept."""
    return marshal.loads(data)  # noqa: S302 (bytes this module wrote, never input)
