"""JSON-LD expansion without pyld's general machinery, for documents that need none of it.

Expansion was a third of verifying a credential and about half of signing one (issue 12).
Almost every credential is the same kind of document: its only ``@context`` is a list of
pinned context URLs at the top, its keys are terms those contexts define, and its values are
strings, numbers, booleans, node objects and value objects. For that kind, this module walks
the document once, asking pyld's own processed contexts (and pyld's own context processing,
IRI expansion and term lookups, remembered per frozen context) every question the JSON-LD 1.1
expansion algorithm asks, in the order pyld asks them, and builds the very dict pyld's
``expand`` builds, key order included.

Anything outside that kind raises ``_Defer`` and the caller runs pyld (with the data-loss
tracker): an ``@context`` anywhere but the top, a context that is not pinned, a keyword other
than ``@id``/``@type`` on a node or ``@value``/``@type``/``@language``/``@direction`` on a
value object, a container other than ``@set``/``@list``/``@graph``, reverse or ``@json``
terms, nested arrays, ``null`` values, and everything the data-loss check would report
(undefined terms, relative or blank-node predicates, relative ids and types, bad language
tags, non-numeric ``xsd:double`` strings). So a document this module expands has no data-loss
finding, and one it defers gets exactly the answer it got before.

tests/jsonld/test_fastexpand.py compares the output with pyld's, byte for byte as JSON, on
the standards pack, the adversarial corpus, random credentials and every respelling the
RDF-rewrite generator makes of them.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from typing import Any

from microcred.jsonld import _pyld
from microcred.jsonld._pyld_import import pyld_jsonld
from microcred.jsonld.loader import OfflineLoader
from microcred.jsonld.rdfkept import bad_language as _bad_language
from microcred.jsonld.rdfkept import is_iri as _is_iri
from microcred.jsonld.rdfkept import pyld_absolute

_get_context_value = pyld_jsonld.JsonLdProcessor.get_context_value
_is_absolute_iri = pyld_absolute
_XSD_DOUBLE = _pyld.XSD_DOUBLE
_NODE_KEYWORDS = frozenset({"@id", "@type"})
_VALUE_KEYWORDS = frozenset({"@value", "@type", "@language", "@direction"})
_SIMPLE_CONTAINERS = frozenset({"@set", "@list", "@graph"})
_MAX_TABLES = 512  # active contexts remembered (a handful per context combination)
_MAX_IRIS = 4096  # expanded keys and values remembered per active context


def _id_iri(active: Any, value: str) -> Any:
    """pyld's ``_expand_iri(active, value, base=None)`` (document-relative, null base), as pyld
    computes it outside context processing: a compact IRI through a prefix term, else the value
    itself (a keyword-like string: None). Ids are mostly unique, so this is not memoized."""
    if value[:1] == "@":
        if value in _KEYWORDS:
            return value
        if _KEYWORD_LIKE.match(value):
            return None
    colon = value.find(":")
    if colon > 0:
        prefix, suffix = value[:colon], value[colon + 1 :]
        if prefix != "_" and not suffix.startswith("//"):
            mapping = active["mappings"].get(prefix)
            if mapping and mapping["_prefix"]:
                return mapping["@id"] + suffix
    return value


_KEYWORDS = frozenset(pyld_jsonld.KEYWORDS)
_KEYWORD_LIKE = re.compile(pyld_jsonld.KEYWORD_PATTERN)


class _Defer(Exception):
    """The document needs pyld's general expansion (and the data-loss tracker)."""


class _Term:
    """What expansion needs to know about one key under one active context."""

    __slots__ = ("container", "direction", "iri", "keyword", "language", "scoped", "type")

    def __init__(self, processor: Any, ctx: Any, key: str) -> None:
        iri = processor._expand_iri(ctx, key, vocab=True)
        self.iri: str = iri
        self.keyword = isinstance(iri, str) and iri.startswith("@")
        if iri is None or not (self.keyword or _is_absolute_iri(iri)):
            raise _Defer  # dropped: the data-loss check names it
        if not self.keyword and (iri.startswith("_:") or not _is_iri(iri)):
            raise _Defer  # a predicate RDF would drop
        self.scoped = _get_context_value(ctx, key, "@context")
        container = _get_context_value(ctx, key, "@container")
        if container is None:
            container = ()
        elif not isinstance(container, list | tuple):
            container = (container,)
        self.container: frozenset[str] = frozenset(container)
        mapping = ctx["mappings"].get(key)
        if self.container - _SIMPLE_CONTAINERS or (mapping and mapping.get("reverse")):
            raise _Defer
        if "@graph" in self.container and len(self.container - {"@set"}) > 1:
            raise _Defer
        self.type = _get_context_value(ctx, key, "@type")
        self.language = _get_context_value(ctx, key, "@language")
        self.direction = _get_context_value(ctx, key, "@direction")
        if self.type in ("@json", "@none") or _bad_language(self.language):
            raise _Defer


class _Tables:
    """Per active context (keyed by the context object itself, kept alive here): the IRI
    pyld expands each key to, and the ``_Term`` of each key that expansion takes."""

    def __init__(self, processor: Any) -> None:
        self.processor = processor
        self._by_ctx: dict[int, tuple[Any, dict[str, _Term], dict[str, Any]]] = {}
        self._lock = threading.Lock()

    def _entry(self, ctx: Any) -> tuple[Any, dict[str, _Term], dict[str, Any]]:
        entry = self._by_ctx.get(id(ctx))
        if entry is None or entry[0] is not ctx:
            with self._lock:
                if len(self._by_ctx) >= _MAX_TABLES:
                    self._by_ctx.clear()
                entry = self._by_ctx[id(ctx)] = (ctx, {}, {})
        return entry

    def iris_of(self, ctx: Any) -> dict[str, Any]:
        """The IRIs found so far in ``ctx`` (read-only: :meth:`iri` fills it)."""
        return self._entry(ctx)[2]

    def terms_of(self, ctx: Any) -> dict[str, _Term]:
        """The terms found so far in ``ctx`` (read-only: :meth:`term` fills it)."""
        return self._entry(ctx)[1]

    def term(self, ctx: Any, key: str) -> _Term:
        terms = self._entry(ctx)[1]
        found = terms.get(key)
        if found is None:
            found = terms[key] = _Term(self.processor, ctx, key)
        return found

    def iri(self, ctx: Any, key: str) -> Any:
        """``_expand_iri(ctx, key, vocab=True)`` (None and relative results included)."""
        iris = self._entry(ctx)[2]
        if key in iris:
            return iris[key]
        if len(iris) >= _MAX_IRIS:  # values (types, vocabulary terms) may be attacker-chosen
            iris.clear()
        found = iris[key] = self.processor._expand_iri(ctx, key, vocab=True)
        return found


class FastExpander:
    """Expansion of plain documents over pinned contexts; see the module docstring."""

    def __init__(self, loader: OfflineLoader) -> None:
        self.loader = loader
        self.processor = _pyld.Processor(loader)
        self.options = _pyld.options(loader)
        self.tables = _Tables(self.processor)
        self._roots: dict[tuple[str, ...], Any] = {}
        self._processed: dict[tuple[int, int, bool, bool], tuple[Any, Any, Any]] = {}

    # -- entry -------------------------------------------------------------------------------

    def expand(self, doc: Mapping[str, Any]) -> list[Any] | None:
        """pyld's expansion of ``doc`` (a new list), or None when pyld must do it."""
        try:
            root = self._root_context(doc.get("@context"))
            result = self._node(root, None, None, doc, top=True)
        except _Defer:
            return None
        if not result or "@value" in result or (len(result) == 1 and "@id" in result):
            return None  # free-floating top-level node: the data-loss check names it
        return [result]

    def _root_context(self, context: Any) -> Any:
        urls = (context,) if isinstance(context, str) else context
        if not isinstance(urls, list | tuple) or not urls:
            raise _Defer
        if not all(isinstance(url, str) for url in urls):
            raise _Defer
        key = tuple(urls)
        found = self._roots.get(key)
        if found is not None:
            return found
        if not all(self.loader.is_pinned(url) for url in urls):
            raise _Defer
        initial = self.processor._get_initial_context(self.options)
        try:
            active = self.processor._process_context(initial, context, self.options)
        except Exception:  # pyld will raise it again, translated, on the slow path
            raise _Defer from None
        if len(self._roots) < 64:
            self._roots[key] = active
        return active

    # -- the expansion algorithm, restricted ------------------------------------------------

    def _node(
        self,
        active: Any,
        active_property: str | None,
        parent_term: _Term | None,
        element: Mapping[str, Any],
        *,
        top: bool = False,
    ) -> dict[str, Any]:
        """pyld's ``_expand`` of a dict element (a node or a value object)."""
        tables = self.tables
        if "@context" in element and not top:
            raise _Defer
        type_scoped = active.get("previousContext")
        type_scoped = active if type_scoped else None
        must_revert = True
        if type_scoped is not None and len(element) <= 2:
            for key in sorted(element):
                meaning = tables.iri(type_scoped, key)
                if meaning == "@value":
                    must_revert = False
                    active = type_scoped
                    break
                if meaning == "@id" and len(element) == 1:
                    must_revert = False
                    break
        if must_revert:
            active = active.get("previousContext", active)
        if parent_term is not None and parent_term.scoped is not None:
            active = self._process(active, parent_term.scoped, override_protected=True)
        # _prepare_nested_context: the top-level @context was applied by the caller
        type_scoped_ctx = active
        keys = sorted(element)
        terms: list[tuple[str, Any, _Term]] = []
        iris = tables.iris_of(active)  # the table of the active context (it may change below)
        for key in keys:
            if key == "@context":
                continue
            meaning = iris[key] if key in iris else tables.iri(active, key)
            if meaning == "@type":
                value = element[key]
                types = [value] if isinstance(value, str) else value
                if not isinstance(types, list):
                    raise _Defer
                for kind in sorted(t for t in types if isinstance(t, str)):
                    scoped = _get_context_value(type_scoped_ctx, kind, "@context")
                    if scoped is not None and scoped is not False:
                        active = self._process(active, scoped, propagate=False)
                        iris = tables.iris_of(active)
        known = tables.terms_of(active)
        value_object = False
        for key in keys:
            if key != "@context":
                term = known.get(key) or tables.term(active, key)
                value_object = value_object or term.iri == "@value"
                terms.append((key, element[key], term))
        if value_object:
            return self._value_object(type_scoped_ctx, terms)
        result: dict[str, Any] = {}
        for key, value, term in terms:
            iri = term.iri
            if term.keyword:
                if iri not in _NODE_KEYWORDS:
                    raise _Defer
                if iri == "@id":
                    if "@id" in result or not isinstance(value, str):
                        raise _Defer
                    node_id = _id_iri(active, value)
                    if not _is_iri(node_id):
                        raise _Defer
                    result["@id"] = node_id
                else:
                    self._types(type_scoped_ctx, value, result)
                continue
            term_ctx, value_term = active, term
            if term.scoped is not None:
                term_ctx = self._process(
                    active, term.scoped, propagate=True, override_protected=True
                )
                value_term = tables.term(term_ctx, key)
            if isinstance(value, dict):
                expanded: Any = self._node(term_ctx, key, value_term, value)
            elif isinstance(value, list):
                expanded = self._array(term_ctx, key, value, value_term)
            elif value is None:
                raise _Defer
            else:
                expanded = self._scalar(value_term, term_ctx, value)
            container = term.container
            if "@list" in container and not (isinstance(expanded, dict) and "@list" in expanded):
                expanded = {"@list": expanded if isinstance(expanded, list) else [expanded]}
            if "@graph" in container:
                items = expanded if isinstance(expanded, list) else [expanded]
                expanded = [{"@graph": [item]} for item in items]
            slot = result.get(iri)
            if slot is None:
                slot = result[iri] = []
            if isinstance(expanded, list):
                slot.extend(expanded)
            else:
                slot.append(expanded)
        kinds = result.get("@type")
        if kinds is not None and not isinstance(kinds, list):
            result["@type"] = [kinds]
        return result

    def _types(self, type_scoped_ctx: Any, value: Any, result: dict[str, Any]) -> None:
        """``@type`` of a node: pyld's add_value of each expanded type, in order."""
        values = [value] if isinstance(value, str) else value
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise _Defer
        for kind in values:
            iri = self.tables.iri(type_scoped_ctx, kind)
            if not isinstance(iri, str) or not _is_iri(iri):
                raise _Defer
            if "@type" not in result:
                result["@type"] = iri
            else:
                present = result["@type"]
                if not isinstance(present, list):
                    result["@type"] = present = [present]
                present.append(iri)

    def _value_object(
        self, type_scoped_ctx: Any, terms: list[tuple[str, Any, _Term]]
    ) -> dict[str, Any]:
        """A ``{"@value": ...}`` element, as pyld expands and validates it."""
        result: dict[str, Any] = {}
        for _, value, term in terms:
            iri = term.iri
            if iri not in _VALUE_KEYWORDS or iri in result:
                raise _Defer
            if iri == "@value":
                if value is None or isinstance(value, dict | list):
                    raise _Defer
                result["@value"] = value
            elif iri == "@language":
                if not isinstance(value, str) or _bad_language(value):
                    raise _Defer
                result["@language"] = value.lower()
            elif iri == "@direction":
                if value not in ("ltr", "rtl"):
                    raise _Defer
                result["@direction"] = value
            else:
                if not isinstance(value, str):
                    raise _Defer
                kind = self.tables.iri(type_scoped_ctx, value)
                if kind == "@json" or not isinstance(kind, str) or kind.startswith("_:"):
                    raise _Defer
                if not _is_absolute_iri(kind) or not _is_iri(kind):
                    raise _Defer
                result["@type"] = kind
        if "@type" in result and ("@language" in result or "@direction" in result):
            raise _Defer
        if "@language" in result and not isinstance(result["@value"], str):
            raise _Defer
        self._check_literal(result)
        return result

    def _array(self, active: Any, key: str, items: list[Any], term: _Term) -> list[Any]:
        out: list[Any] = []
        for item in items:
            if isinstance(item, dict):
                out.append(self._node(active, key, term, item))
            elif isinstance(item, list) or item is None:
                raise _Defer
            else:
                out.append(self._scalar(term, active, item))
        return out

    def _scalar(self, term: _Term, active: Any, value: Any) -> Any:
        """pyld's ``_expand_value`` for a property value (never a keyword's)."""
        kind = term.type
        if isinstance(value, str):
            if kind == "@id" or kind == "@vocab":
                iri = _id_iri(active, value) if kind == "@id" else self.tables.iri(active, value)
                if not isinstance(iri, str) or not _is_iri(iri):
                    raise _Defer
                return {"@id": iri}
        elif not isinstance(value, bool | int | float):
            raise _Defer
        result: dict[str, Any] = {}
        if kind is not None and kind != "@id" and kind != "@vocab":
            result["@type"] = kind
        elif isinstance(value, str):
            if term.language is not None:
                result["@language"] = term.language
            if term.direction is not None:
                result["@direction"] = term.direction
        result["@value"] = value
        self._check_literal(result)
        return result

    @staticmethod
    def _check_literal(value: dict[str, Any]) -> None:
        if value.get("@type") == _XSD_DOUBLE and isinstance(value["@value"], str):
            raise _Defer  # the data-loss check decides whether the text is a number

    def _process(self, active: Any, local: Any, **flags: bool) -> Any:
        """pyld's context processing (remembered by the processor too); here a plain dict
        keyed by the two objects' identities, checked, in front of it."""
        key = (
            id(active),
            id(local),
            flags.get("propagate", True),
            flags.get("override_protected", False),
        )
        hit = self._processed.get(key)
        if hit is not None and hit[0] is active and hit[1] is local:
            return hit[2]
        try:
            result = self.processor._process_context(active, local, self.options, **flags)
        except Exception:  # pyld raises it again, translated, on the slow path
            raise _Defer from None
        if len(self._processed) >= 4096:
            self._processed.clear()
        self._processed[key] = (active, local, result)
        return result


_EXPANDERS: dict[int, tuple[OfflineLoader, FastExpander]] = {}
_LOCK = threading.Lock()


def fast_expand(doc: Mapping[str, Any], loader: OfflineLoader) -> list[Any] | None:
    """pyld's expansion of ``doc`` when it is a plain document over pinned contexts, else None."""
    entry = _EXPANDERS.get(id(loader))
    if entry is None or entry[0] is not loader:
        with _LOCK:
            if len(_EXPANDERS) >= 16:
                _EXPANDERS.clear()
            entry = _EXPANDERS[id(loader)] = (loader, FastExpander(loader))
    return entry[1].expand(doc)
