"""Data-loss ("safe mode") check: refuse JSON that JSON-LD processing would silently drop.

An RDFC signature covers the RDF, not the JSON. A key the @context does not define, a type or
id that is a relative IRI, or an ``@base`` slipped into the context all leave JSON that a
reader sees but the signature does not cover (MC-04..07, MC-42). pyld 3.3.0 has no safe mode
(it only reports a dropped property's expanded name, not where it was), so expansion is run
with a processor that remembers the JSON path of every element it visits and reports each
loss as ``$.credentialSubject.undefinedTerm``-style paths.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from microcred.errors import JsonLdError
from microcred.jsonld import _pyld
from microcred.jsonld.loader import OfflineLoader

_ABSOLUTE_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s]*$")
_BLANK = re.compile(r"^_:[^\s]*$")
_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_MAX_REPORTED = 20


def _member(path: str, key: str) -> str:
    return f"{path}.{key}" if _PLAIN_KEY.match(key) else f"{path}[{json.dumps(key)}]"


def _is_iri(value: Any) -> bool:
    return isinstance(value, str) and bool(_ABSOLUTE_IRI.match(value) or _BLANK.match(value))


@dataclass
class _Frame:
    path: str
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

    # -- locating elements ------------------------------------------------------------------

    def _locate(self, element: Any, active_property: Any) -> str:
        if not self.frames:
            return "$"
        parent = self.frames[-1]
        container = parent.element
        if isinstance(container, list):
            for index in range(parent.next_index, len(container)):
                if container[index] is element:
                    parent.next_index = index + 1
                    return f"{parent.path}[{index}]"
            return f"{parent.path}[]"
        if isinstance(container, dict):
            if isinstance(active_property, str) and container.get(active_property) is element:
                return _member(parent.path, active_property)
            for key, value in container.items():
                if value is element:
                    return _member(parent.path, key)
            for key, value in container.items():
                if not isinstance(value, dict | list):
                    continue
                inner = value.items() if isinstance(value, dict) else enumerate(value)
                for sub, item in inner:
                    if item is element:
                        step = _member("", sub) if isinstance(sub, str) else f"[{sub}]"
                        return _member(parent.path, key) + step
        return parent.path if active_property is None else _member(parent.path, active_property)

    def _note(self, path: str, reason: str) -> None:
        self.problems.setdefault(path, reason)

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
        self.frames.append(_Frame(path, element))
        try:
            result = super()._expand(active_ctx, active_property, element, options, *args, **kwargs)
        finally:
            self.frames.pop()
        if isinstance(element, str) and isinstance(result, dict):
            iri = result.get("@id")
            if iri is not None and not _is_iri(iri):
                self._note(path, f"value {element!r} is a relative IRI; it would be dropped")
        return result

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
                self._note(_member(frame.path, key), f"{reason}; it would not be signed")

    def _check_node(self, frame: _Frame, expanded: Any) -> None:
        if not isinstance(expanded, dict) or not isinstance(frame.element, dict):
            return
        for key in frame.element:
            if key == "@context":
                continue
            meaning = self._expand_iri(frame.context, key, vocab=True)
            where = _member(frame.path, key)
            if meaning == "@id":
                node_id = expanded.get("@id")
                if isinstance(node_id, str) and not _is_iri(node_id):
                    self._note(where, f"id {node_id!r} is a relative IRI; the node would be lost")
            elif meaning == "@type" and "@value" not in expanded:
                kinds = expanded.get("@type")
                for kind in [kinds] if isinstance(kinds, str) else kinds or ():
                    if isinstance(kind, str) and not _is_iri(kind):
                        self._note(where, f"type {kind!r} is not defined by the @context")
            elif meaning == "@index":
                self._note(where, "@index values are not part of the signed RDF data")
            elif isinstance(meaning, str) and meaning.startswith("_:"):
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

    def walk(value: Any, path: str) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key == "@context":
                    context(item, _member(path, key))
                else:
                    walk(item, _member(path, key))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(item, f"{path}[{index}]")

    walk(doc, "$")
    return problems


def data_loss_problems(doc: Mapping[str, Any], loader: OfflineLoader) -> dict[str, str]:
    """JSON path -> reason for everything JSON-LD expansion would drop (empty when safe)."""
    if not isinstance(doc, Mapping):
        raise JsonLdError(
            f"expected a JSON-LD object, got {type(doc).__name__}", code="MALFORMED_VALUE_ERROR"
        )
    problems = _context_problems(doc, loader)
    processor = _TrackingProcessor(loader)
    try:
        processor.expand(dict(doc), _pyld.options(loader))
    except JsonLdError:
        raise
    except Exception as exc:  # pyld raises its own and plain Python errors on bad input
        raise _pyld.translate(exc, "JSON-LD expansion failed") from None
    for path, reason in processor.problems.items():
        problems.setdefault(path, reason)
    return problems


def check_data_loss(doc: Mapping[str, Any], loader: OfflineLoader) -> None:
    """Raise DATA_LOSS_DETECTION_ERROR naming every JSON path JSON-LD processing would drop."""
    problems = data_loss_problems(doc, loader)
    if not problems:
        return
    shown = sorted(problems.items())[:_MAX_REPORTED]
    lines = "; ".join(f"{path}: {reason}" for path, reason in shown)
    more = len(problems) - len(shown)
    suffix = f"; and {more} more" if more > 0 else ""
    raise JsonLdError(
        f"JSON-LD processing would silently drop data, so a signature would not cover it: "
        f"{lines}{suffix}",
        code="DATA_LOSS_DETECTION_ERROR",
        hint="remove these keys or use terms the @context defines (absolute IRIs for ids)",
    )
