"""Strict offline document loader: pinned, hash-checked contexts and nothing else.

A context decides what signed data means, so loading one from the network at verification
time lets whoever controls that host (or the DNS) change the meaning of old badges (MC-37).
Every context microcred knows is shipped in ``contexts/`` with its sha256 in
``contexts/manifest.json`` (written by ``scripts/fetch_contexts.py``); the bytes are checked
when first read (MC-38). Any other URL is refused, never fetched.
"""

from __future__ import annotations

import copy
import hashlib
import marshal
import threading
from collections import OrderedDict
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from microcred.errors import ConfigError, JsonLdError, MicrocredError
from microcred.jsonld.strictjson import loads_strict

CONTEXTS_DIR = Path(__file__).resolve().parent / "contexts"
_FIX = "reinstall microcred or re-run scripts/fetch_contexts.py"


class _BoundedCache(OrderedDict[Any, Any]):
    """Small LRU map for pyld's resolved-context cache (inline contexts are attacker-sized)."""

    def __init__(self, maxsize: int) -> None:
        super().__init__()
        self.maxsize = maxsize
        self._lock = threading.Lock()

    def get(self, key: Any, default: Any = None) -> Any:
        with self._lock:
            if key not in self:
                return default
            self.move_to_end(key)
            return super().__getitem__(key)

    def __setitem__(self, key: Any, value: Any) -> None:
        with self._lock:
            super().__setitem__(key, value)
            self.move_to_end(key)
            while len(self) > self.maxsize:
                self.popitem(last=False)


class OfflineLoader:
    """pyld-compatible document loader serving only pinned contexts plus ``extra`` documents.

    ``extra`` maps URL -> parsed JSON (test contexts from the standards pack, DID documents);
    it cannot replace a pinned context. Documents are handed out as deep copies, so a caller
    (or pyld, which edits contexts in place) cannot change what the next caller gets.
    """

    def __init__(
        self, extra: Mapping[str, Any] | None = None, *, directory: Path | None = None
    ) -> None:
        self._directory = directory or CONTEXTS_DIR
        self._pinned = self._read_manifest()
        self._extra: dict[str, Any] = {}
        for url, document in (extra or {}).items():
            if url in self._pinned:
                raise JsonLdError(
                    f"extra document {url} would replace a pinned context",
                    code="INVALID_CONTEXT",
                    hint="pinned contexts cannot be overridden; use another URL",
                )
            self._extra[url] = copy.deepcopy(document)
        self._verified: dict[str, Any] = {}
        self._frozen: dict[str, bytes] = {}
        self._lock = threading.Lock()
        self._resolved = _BoundedCache(256)
        self._resolved_by_id = _BoundedCache(1024)
        # pyld glue (see _pyld.Processor): processed scoped contexts, valid for this loader only.
        self.processed_contexts = _BoundedCache(1024)

    def _read_manifest(self) -> dict[str, dict[str, str]]:
        path = self._directory / "manifest.json"
        try:
            manifest = loads_strict(path.read_bytes())
            entries = manifest["contexts"]
            return {
                str(url): {"file": str(e["file"]), "sha256": str(e["sha256"])}
                for url, e in entries.items()
            }
        except (OSError, MicrocredError, KeyError, TypeError, AttributeError) as exc:
            raise JsonLdError(
                f"cannot read the pinned-context manifest {path}: {exc}",
                code="INVALID_CONTEXT",
                hint=_FIX,
            ) from None

    def urls(self) -> frozenset[str]:
        """Every URL this loader will serve."""
        return frozenset(self._pinned) | frozenset(self._extra)

    def is_pinned(self, url: str) -> bool:
        return url in self._pinned

    def _load_pinned(self, url: str) -> Any:
        with self._lock:
            if url in self._verified:
                return self._verified[url]
            entry = self._pinned[url]
            path = self._directory / entry["file"]
            try:
                data = path.read_bytes()
            except OSError as exc:
                raise JsonLdError(
                    f"pinned context {url} is missing ({path}: {exc.strerror})",
                    code="INVALID_CONTEXT",
                    hint=_FIX,
                ) from None
            found = hashlib.sha256(data).hexdigest()
            if found != entry["sha256"]:
                raise JsonLdError(
                    f"pinned context {url} ({path.name}) does not match its sha256 in "
                    f"manifest.json (expected {entry['sha256']}, found {found})",
                    code="INVALID_CONTEXT",
                    hint=f"the file was altered on disk; {_FIX}",
                )
            document = loads_strict(data)
            self._verified[url] = document
            return document

    def _pinned_bytes(self, url: str) -> bytes:
        """The verified document, kept as marshal bytes: a fresh copy is one C call."""
        found = self._frozen.get(url)
        if found is None:
            found = self._frozen[url] = marshal.dumps(self._load_pinned(url))
        return found

    def document(self, url: str) -> Any:
        """A deep copy of the document for ``url``; JsonLdError for anything not served."""
        if url in self._extra:
            return copy.deepcopy(self._extra[url])
        if url in self._pinned:
            return marshal.loads(self._pinned_bytes(url))  # noqa: S302 (our own bytes)
        raise JsonLdError(
            f"refusing to load {url!r}: it is not one of the contexts bundled with microcred "
            "(documents are never fetched from the network)",
            code="INVALID_CONTEXT",
            hint="use only the pinned @context URLs (see microcred/jsonld/contexts/manifest.json)",
        )

    def __call__(self, url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
        """pyld ``documentLoader`` protocol: return a RemoteDocument dict."""
        return {
            "contentType": "application/ld+json",
            "contextUrl": None,
            "documentUrl": url,
            "document": self.document(url),
            # 'static' lets pyld keep the resolved context in the cache handed to it below.
            "tag": "static",
        }

    def context_resolver(self) -> Any:
        """A pyld ContextResolver over this loader, sharing this loader's resolved contexts.

        pyld's default resolver cache is global and keyed by URL only; keeping one per loader
        means two loaders serving different documents never see each other's contexts.
        """
        return _identity_resolver()(self._resolved, self, self._resolved_by_id)


@cache
def _identity_resolver() -> type:
    """pyld's ContextResolver, finding an object context it resolved before by identity.

    pyld keys object (scoped and inline) contexts by their JCS text, re-serialising OB's large
    scoped contexts each time a fresh processor meets them: about a sixth of a one-file
    verify. The entry holds the context object itself, so an ``id`` match is never a recycled
    one. An object met for the first time gets its own ``ResolvedContext`` (what pyld makes
    for it) without the JCS text: two equal inline contexts in two documents are then
    processed twice, with the same result; the pinned contexts' scoped contexts are the same
    objects every time.
    """
    from pyld.context_resolver import ContextResolver
    from pyld.resolved_context import ResolvedContext

    class IdentityResolver(ContextResolver):  # type: ignore[misc]
        def __init__(self, shared: Any, loader: Any, by_id: _BoundedCache) -> None:
            super().__init__(shared, loader)
            self._by_id = by_id

        def resolve(self, active_ctx: Any, context: Any, base: Any, cycles: Any = None) -> Any:
            if isinstance(context, Mapping) and "@context" in context:
                context = context["@context"]
            items = context if isinstance(context, list) else [context]
            if not items or not all(isinstance(item, Mapping) for item in items):
                return super().resolve(active_ctx, context, base, cycles)
            out = []
            for item in items:
                hit = self._by_id.get(id(item))
                if hit is None or hit[0] is not item:
                    hit = (item, ResolvedContext(item))
                    self._by_id[id(item)] = hit
                out.append(hit[1])
            return out

    return IdentityResolver


@cache
def default_loader() -> OfflineLoader:
    """The shared loader over the pinned contexts (hash-checked on first use of each)."""
    return OfflineLoader()


def loader_with_contexts(
    files: Mapping[str, Path], folder: Path | None = None
) -> OfflineLoader | None:
    """The bundled contexts plus documents the user pinned from local files (None: none given).

    ``files`` maps a context URL to a JSON file; ``folder`` holds ``contexts.json`` mapping URLs
    to file names in that folder. microcred's own pinned copy of a URL always wins.
    """
    extra: dict[str, Any] = {}
    if folder is not None:
        index = folder / "contexts.json"
        if not index.is_file():
            raise ConfigError(
                "no contexts.json in the folder",
                where=str(folder),
                hint="it must map each context URL to a file name in that folder",
            )
        mapping = loads_strict(index.read_bytes())
        if not isinstance(mapping, dict):
            raise ConfigError("contexts.json must map URLs to file names", where=str(index))
        pinned = default_loader()
        for url, name in mapping.items():
            if pinned.is_pinned(str(url)):
                continue  # microcred's own pinned copy always wins
            if (
                isinstance(name, str)
                and not Path(name).is_absolute()
                and ".." not in Path(name).parts
            ):
                extra[str(url)] = loads_strict((folder / name).read_bytes())
    for url, file in files.items():
        extra[url] = loads_strict(Path(file).read_bytes())
    return OfflineLoader(extra=extra) if extra else None
