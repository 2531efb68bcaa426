"""Data-loss ("safe mode") check: refuse JSON that JSON-LD processing would silently drop.

An RDFC signature covers the RDF, not the JSON. A key the @context does not define, a type or
id that is a relative IRI, or an ``@base`` slipped into the context all leave JSON that a
reader sees but the signature does not cover (MC-04..07, MC-42). pyld 3.3.0 has no safe mode
(it only reports a dropped property's expanded name, not where it was), so expansion is run
with a processor that remembers the JSON path of every element it visits and reports each
loss as ``$.credentialSubject.undefinedTerm``-style paths.

What JSON-LD to RDF then drops without a word (relative graph names, subjects, predicates and
objects, blank-node predicates; some reach the expanded form through map keys, ``@reverse`` or
``@graph`` containers rather than an ``id`` member) is found by a second pass over the
expanded form. ``@direction`` is not lost: microcred signs it as the reference does (an i18n
datatype). A string typed ``xsd:double`` is: the reference signs ``parseFloat`` of it
(``"abc"`` becomes ``"NaN"``), so anything but a whole number literal is refused.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from microcred._util import unlinked
from microcred.errors import JsonLdError
from microcred.jsonld import _pyld, memo
from microcred.jsonld.ecma import is_decimal_literal
from microcred.jsonld.fastexpand import fast_expand
from microcred.jsonld.loader import OfflineLoader
from microcred.jsonld.rdfkept import BAD_LANGUAGE as _BAD_LANGUAGE
from microcred.jsonld.rdfkept import bad_language as _bad_language
from microcred.jsonld.rdfkept import is_iri as _is_iri

_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_MAX_REPORTED = 20


def _member(path: str, key: str) -> str:
    return f"{path}.{key}" if _PLAIN_KEY.match(key) else f"{path}[{json.dumps(key)}]"


# JSON paths are kept as (parent, step) pairs and spelled only for a finding: most documents
# have none, and spelling a path for every element was a fifth of the tracked expansion.
Where = Any  # None (the root "$"), a spelled str, or (Where, str key | int index | _ANY)
_ANY = object()  # an array item whose index could not be told


def _spell(where: Where) -> str:
    root, steps = unlinked(where)
    text = "$" if root is None else str(root)
    for step in steps:
        if step is _ANY:
            text += "[]"
        elif isinstance(step, int):
            text += f"[{step}]"
        else:
            text = _member(text, step)
    return text


@dataclass
class _Frame:
    path: Where
    element: Any
    context: Any = None
    next_index: int = 0
    seen_keys: set[str] = field(default_factory=set)


class _TrackingProcessor(_pyld.Processor):
    """pyld's expansion, remembering where each element came from so losses can be named."""

    def __init__(self, loader: OfflineLoader) -> None:
        super().__init__(loader, on_property_dropped=self._dropped)
        self.frames: list[_Frame] = []
        self.problems: dict[str, str] = {}
        self.named: set[str] = set()  # relative IRIs, bnode predicates, tags named by path

    # -- locating elements ------------------------------------------------------------------

    def _locate(self, element: Any, active_property: Any) -> Where:
        if not self.frames:
            return None
        parent = self.frames[-1]
        container = parent.element
        if isinstance(container, list):
            for index in range(parent.next_index, len(container)):
                if container[index] is element:
                    parent.next_index = index + 1
                    return (parent.path, index)
            return (parent.path, _ANY)
        if isinstance(container, dict):
            if isinstance(active_property, str) and container.get(active_property) is element:
                return (parent.path, active_property)
            for key, value in container.items():
                if value is element:
                    return (parent.path, key)
            for key, value in container.items():
                if not isinstance(value, dict | list):
                    continue
                inner = value.items() if isinstance(value, dict) else enumerate(value)
                for sub, item in inner:
                    if item is element:
                        return ((parent.path, key), sub)
        return parent.path if active_property is None else (parent.path, active_property)

    def _note(self, path: Where, reason: str) -> None:
        self.problems.setdefault(_spell(path), reason)

    # -- pyld hooks -------------------------------------------------------------------------

    def _expand(
        self,
        active_ctx: Any,
        active_property: Any,
        element: Any,
        options: Any,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        path = self._locate(element, active_property)
        if isinstance(element, dict | list):
            self.frames.append(_Frame(path, element))
            try:
                result = super()._expand(
                    active_ctx, active_property, element, options, *args, **kwargs
                )
            finally:
                self.frames.pop()
        else:  # a scalar has no members to locate: no frame
            result = super()._expand(active_ctx, active_property, element, options, *args, **kwargs)
        if isinstance(element, str) and isinstance(result, dict):
            iri = result.get("@id")
            if iri is not None and not _is_iri(iri):
                self.named.add(iri)
                self._note(path, f"value {element!r} is a relative IRI; it would be dropped")
        if isinstance(result, dict) and "@value" in result:
            self._check_value(path, result)
        inside_list = kwargs.get("inside_list", args[0] if args else False)
        if result is None and not inside_list and self._free_floating(element):
            if active_property is None:
                if not self.problems:  # usually the consequence of a loss already named
                    self._note(path, "the document has no statement to sign")
            elif self._expand_iri(active_ctx, active_property, vocab=True) == "@graph":
                self._note(
                    path,
                    "a value, list or node without properties directly in @graph is dropped; "
                    "it would not be signed",
                )
        return result

    def _check_value(self, path: str, value: dict[str, Any]) -> None:
        text = value["@value"]
        language = value.get("@language")
        if value.get("@type") == _pyld.XSD_DOUBLE and isinstance(text, str):
            if not is_decimal_literal(text):
                self._note(
                    path,
                    f"{text!r} is typed xsd:double but is not a number; RDF would keep only "
                    "the number it starts with (or NaN)",
                )
        elif _bad_language(language):
            self.named.add(str(language))
            self._note(path, f"@language {language!r} {_BAD_LANGUAGE}")

    @staticmethod
    def _free_floating(element: Any) -> bool:
        if isinstance(element, dict):
            return any(key != "@context" for key in element)
        return element is not None and not isinstance(element, list)

    def _expand_object(
        self,
        active_ctx: Any,
        active_property: Any,
        expanded_active_property: Any,
        element: Any,
        expanded_parent: Any,
        options: Any,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        top = self.frames[-1] if self.frames else None
        path = (
            top.path
            if top is not None and top.element is element
            else self._locate(element, active_property)
        )
        frame = _Frame(path, element, active_ctx)
        self.frames.append(frame)
        try:
            result = super()._expand_object(
                active_ctx,
                active_property,
                expanded_active_property,
                element,
                expanded_parent,
                options,
                *args,
                **kwargs,
            )
        finally:
            self.frames.pop()
        self._check_node(frame, expanded_parent)
        return result

    def _dropped(self, expanded_property: Any) -> None:
        frame = next((f for f in reversed(self.frames) if f.context is not None), None)
        if frame is None or not isinstance(frame.element, dict):
            self._note("$", f"property {expanded_property!r} would be dropped")
            return
        for key in frame.element:
            if key == "@context" or key in frame.seen_keys:
                continue
            if self._expand_iri(frame.context, key, vocab=True) == expanded_property:
                frame.seen_keys.add(key)
                if expanded_property is None:
                    reason = f"key {key!r} is mapped to null or looks like a keyword"
                else:
                    reason = f"term {key!r} is not defined by the @context"
                self._note((frame.path, key), f"{reason}; it would not be signed")

    def _check_node(self, frame: _Frame, expanded: Any) -> None:
        if not isinstance(expanded, dict) or not isinstance(frame.element, dict):
            return
        for key in frame.element:
            if key == "@context":
                continue
            meaning = self._expand_iri(frame.context, key, vocab=True)
            where = (frame.path, key)
            if meaning == "@id":
                node_id = expanded.get("@id")
                if isinstance(node_id, str) and not _is_iri(node_id):
                    self.named.add(node_id)
                    self._note(where, f"id {node_id!r} is a relative IRI; the node would be lost")
            elif meaning == "@type" and "@value" not in expanded:
                kinds = expanded.get("@type")
                for kind in [kinds] if isinstance(kinds, str) else kinds or ():
                    if isinstance(kind, str) and not _is_iri(kind):
                        self.named.add(kind)
                        self._note(where, f"type {kind!r} is not defined by the @context")
            elif meaning == "@index":
                self._note(where, "@index values are not part of the signed RDF data")
            elif isinstance(meaning, str) and meaning.startswith("_:"):
                self.named.add(meaning)
                self._note(where, f"blank node {meaning!r} cannot be a property in RDF")


def _context_problems(doc: Any, loader: OfflineLoader) -> dict[str, str]:
    """Find ``@base`` in any @context reachable from the document (MC-07)."""
    problems: dict[str, str] = {}
    seen_urls: set[str] = set()

    def context(value: Any, path: str) -> None:
        if isinstance(value, list):
            for index, item in enumerate(value):
                context(item, f"{path}[{index}]")
        elif isinstance(value, str):
            if value in seen_urls or loader.is_pinned(value):
                return
            seen_urls.add(value)
            remote = loader.document(value)
            if isinstance(remote, dict) and "@context" in remote:
                context(remote["@context"], f"{path} ({value})")
        elif isinstance(value, dict):
            if value.get("@base") is not None:
                problems[_member(path, "@base")] = (
                    "@base in a context makes relative IRIs resolve to attacker-chosen URLs; "
                    "the base IRI must be null"
                )
            if isinstance(value.get("@import"), str):
                context(value["@import"], _member(path, "@import"))
            for term, definition in value.items():
                if isinstance(definition, dict) and "@context" in definition:
                    context(definition["@context"], _member(_member(path, term), "@context"))

    def walk(value: Any, path: Where) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key == "@context":
                    context(item, _spell((path, key)))
                elif isinstance(item, dict | list):
                    walk(item, (path, key))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, dict | list):
                    walk(item, (path, index))

    walk(doc, None)
    return problems


@dataclass(frozen=True)
class _Subject:
    id: Any


def _expanded_problems(expanded: Any, known: set[str]) -> dict[str, str]:
    """What JSON-LD to RDF would drop from the expanded form, located by subject/predicate.

    The tracking pass names most of these by JSON path; this pass makes the check complete
    (ids from @id/@type map keys, @reverse, graph containers, relative-looking property IRIs,
    language-map keys).
    """
    problems: dict[str, str] = {}
    # a place is "top level", a subject (the node's @id or None), or (subject, marker, key),
    # spelled only for a finding (see _spell)

    def spelled(where: Any) -> str:
        if isinstance(where, str):
            return where
        if isinstance(where, _Subject):
            return f"<{where.id}>" if isinstance(where.id, str) else "a blank node"
        here, marker, key = where
        return f"{spelled(here)} {marker.format(key)}"

    def note(where: Any, reason: str) -> None:
        problems.setdefault(f"$ (expanded: {spelled(where)})", reason)

    def iri(value: Any, where: Any, what: str) -> None:
        if isinstance(value, str) and not _is_iri(value) and value not in known:
            note(where, f"{what} {value!r} is a relative IRI; RDF would drop it")

    def walk(value: Any, where: Any) -> None:
        if isinstance(value, list):
            for item in value:
                walk(item, where)
            return
        if not isinstance(value, dict):
            return
        if "@value" in value:
            language = value.get("@language")
            if _bad_language(language) and language not in known:
                note(where, f"@language {language!r} {_BAD_LANGUAGE}")
            return
        if "@list" in value or "@set" in value:
            walk(value.get("@list", value.get("@set")), where)
            return
        subject = value.get("@id")
        here = _Subject(subject)
        iri(subject, where, "id")
        kinds = value.get("@type")
        for kind in [kinds] if isinstance(kinds, str) else kinds or ():
            iri(kind, here, "type")
        for key, item in value.items():
            if key == "@reverse" and isinstance(item, dict):
                for reverse_key, reverse_item in item.items():
                    prop(reverse_key, here)
                    walk(reverse_item, (here, "^<{}>", reverse_key))
            elif key in ("@graph", "@included"):
                walk(item, (here, "{}", key))
            elif not key.startswith("@"):
                prop(key, here)
                if isinstance(item, list | dict):
                    walk(item, (here, "<{}>", key))

    def prop(key: str, where: Any) -> None:
        if key.startswith("_:"):
            if key not in known:
                note((where, "{}", key), f"blank node {key!r} cannot be a property in RDF")
        else:
            iri(key, where, "property")

    walk(expanded, "top level")
    return problems


def data_loss_problems(doc: Mapping[str, Any], loader: OfflineLoader) -> dict[str, str]:
    """JSON path -> reason for everything JSON-LD expansion would drop (empty when safe)."""
    return expand_checked(doc, loader)[1]


def expand_checked(
    doc: Mapping[str, Any], loader: OfflineLoader, *, read_only: bool = False
) -> tuple[Any, dict[str, str]]:
    """(expanded form, JSON path -> reason for everything expansion would drop).

    Remembered per loader under the document's exact JSON text (jsonld/memo.py): verification
    asks twice for the same document (signed view, contexts check) and once per proof for
    proof options that rarely differ; a hit returns private copies. ``read_only``: the caller
    never changes the expansion it gets, so the RDF conversion may read that same object.
    """
    if not isinstance(doc, Mapping):
        raise JsonLdError(
            f"expected a JSON-LD object, got {type(doc).__name__}", code="MALFORMED_VALUE_ERROR"
        )
    key = memo.json_key(doc)
    cache = memo.cache_for(loader, "checked")
    hit = cache.get(key) if key is not None else None
    if hit is not None:
        if isinstance(hit, _Clean):  # nothing lost: the expansion alone was kept
            return memo.thawed(hit.expanded), {}
        expanded, found = memo.thawed(hit)
        return expanded, found
    expanded, problems = _expand_checked(doc, loader)
    if key is None:
        return expanded, problems
    with contextlib.suppress(ValueError):  # not plain JSON data: nothing to remember
        if problems:
            cache[key] = memo.frozen((expanded, problems))
        else:  # one copy for this memo and the RDF conversion that usually follows
            kept = memo.frozen(expanded)
            _pyld.remember_expansion(doc, key, loader, expanded, kept, shared=read_only)
            cache[key] = _Clean(kept)
    return expanded, problems


class _Clean:
    """A "checked" memo entry for a document that loses nothing: its frozen expansion."""

    __slots__ = ("expanded",)

    def __init__(self, expanded: bytes) -> None:
        self.expanded = expanded


def _expand_checked(doc: Mapping[str, Any], loader: OfflineLoader) -> tuple[Any, dict[str, str]]:
    fast = fast_expand(doc, loader)
    if fast is not None:  # only documents with nothing to report take the fast path
        return fast, {}
    problems = _context_problems(doc, loader)
    processor = _TrackingProcessor(loader)
    try:
        expanded = processor.expand(dict(doc), _pyld.options(loader))
    except JsonLdError:
        raise
    except Exception as exc:  # pyld raises its own and plain Python errors on bad input
        raise _pyld.translate(exc, "JSON-LD expansion failed") from None
    for path, reason in processor.problems.items():
        problems.setdefault(path, reason)
    for path, reason in _expanded_problems(expanded, processor.named).items():
        problems.setdefault(path, reason)
    return expanded, problems


def check_data_loss(doc: Mapping[str, Any], loader: OfflineLoader) -> None:
    """Raise DATA_LOSS_DETECTION_ERROR naming every JSON path JSON-LD processing would drop."""
    error = data_loss_error(data_loss_problems(doc, loader))
    if error is not None:
        raise error


def data_loss_error(problems: Mapping[str, str]) -> JsonLdError | None:
    """The DATA_LOSS_DETECTION_ERROR naming ``problems`` (None when there are none)."""
    if not problems:
        return None
    shown = sorted(problems.items())[:_MAX_REPORTED]
    lines = "; ".join(f"{path}: {reason}" for path, reason in shown)
    more = len(problems) - len(shown)
    suffix = f"; and {more} more" if more > 0 else ""
    return JsonLdError(
        f"JSON-LD processing would silently drop data, so a signature would not cover it: "
        f"{lines}{suffix}",
        code="DATA_LOSS_DETECTION_ERROR",
        hint="remove these keys or use terms the @context defines (absolute IRIs for ids)",
    )
