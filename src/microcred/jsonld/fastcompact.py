"""JSON-LD compaction of plain expanded documents without pyld's general walk (issue 12).

The signed view (verify/signed.py) compacts every credential's expanded form again with the
credential's own contexts: a fifth of verifying one. The expanded form of a plain credential
(what jsonld/fastexpand.py produces) has only node objects with ``@id``, ``@type`` and
properties whose values are value objects, node objects and lists. For that shape this module
runs the JSON-LD 1.1 compaction algorithm as pyld 3.3 runs it, step for step and in pyld's key
order, but asks the given processor every question that has an answer in the contexts: term
selection (``_compact_iri``, which the signed view overrides and remembers), value compaction
(``_compact_value``), scoped-context processing. So the result is pyld's result.

Anything else (``@graph``, ``@index``, ``@reverse``, ``@preserve``, ``@included``, nested lists,
a list under a term without ``@list``, a chosen term with a map container or ``@nest``, several
top-level nodes, contexts that are not a list of URLs) raises ``_Defer`` and the caller runs
pyld. tests/jsonld/test_fastcompact.py compares both as JSON text on the standards pack, the
adversarial corpus, random credentials and their respellings.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from frozendict import frozendict

from microcred.jsonld._pyld_import import pyld_jsonld

_get_context_value = pyld_jsonld.JsonLdProcessor.get_context_value
_MAP_CONTAINERS = frozenset({"@language", "@index", "@id", "@type", "@graph"})


class _Defer(Exception):
    """The expanded form needs pyld's general compaction."""


def _containers(ctx: Any, term: Any) -> tuple[str, ...]:
    container = _get_context_value(ctx, term, "@container")
    if container is None:
        return ()
    return tuple(container) if isinstance(container, list | tuple) else (container,)


class _Term(NamedTuple):
    """What compaction reads of one term in one context (pyld's ``get_context_value``)."""

    scoped: Any  # its scoped @context
    containers: tuple[str, ...]
    type: Any  # its @type coercion
    plain_strings: bool  # a lone string @value compacts to the string (no default language
    # in the context, or the term maps @language to null)
    nest: bool


_TABLES: dict[str, dict[Any, _Term]] = {}
_MAX_TABLES = 512
_SLOW = object()


def _read_term(ctx: Any, term: Any) -> _Term:
    mapping = ctx["mappings"].get(term) if term is not None else None
    return _Term(
        _get_context_value(ctx, term, "@context"),
        _containers(ctx, term),
        _get_context_value(ctx, term, "@type"),
        "@language" not in ctx
        or (mapping is not None and "@language" in mapping and mapping["@language"] is None),
        bool((mapping or {}).get("@nest")),
    )


class _Terms:
    """The entries of one context's terms, each read once: remembered for frozen contexts
    (their ``_uuid`` names exactly one immutable context, as the signed view's term memo
    relies on), read every time for any other."""

    __slots__ = ("ctx", "table", "uuid")

    def __init__(self, ctx: Any) -> None:
        self.ctx = ctx
        uuid = ctx.get("_uuid") if isinstance(ctx, frozendict) else None
        self.uuid = uuid if isinstance(uuid, str) else None
        table: dict[Any, _Term] | None = None
        if isinstance(uuid, str):
            table = _TABLES.get(uuid)
            if table is None:
                if len(_TABLES) >= _MAX_TABLES:
                    _TABLES.clear()
                table = _TABLES[uuid] = {}
        self.table = table

    def __getitem__(self, term: Any) -> _Term:
        table = self.table
        if table is None:
            return _read_term(self.ctx, term)
        info = table.get(term)
        if info is None:
            info = table[term] = _read_term(self.ctx, term)
        return info


_LONE_BY_CLASS: dict[type, dict[str, dict[Any, Any]]] = {}


def _value_shape(item: Any) -> str | None:
    """ "" for a lone ``@value``, its ``@type`` for a value with only a string ``@type``
    beside it; None for anything else (its term is chosen each time)."""
    if type(item) is not dict or "@value" not in item:
        return None
    if len(item) == 1:
        return ""
    kind = item.get("@type")
    return kind if len(item) == 2 and type(kind) is str and kind else None


class _LoneTerms:
    """Per frozen context (its ``_uuid``): (property IRI, value shape) -> the term a plain
    value gets, for processors that remember their choices (``remember``); kept per
    processor class."""

    def __init__(self, processor: Any) -> None:
        self.tables: dict[str, dict[Any, Any]] | None = None
        if getattr(processor, "remember", False):
            self.tables = _LONE_BY_CLASS.setdefault(type(processor), {})

    def get(self, uuid: str) -> dict[Any, Any] | None:
        if self.tables is None:
            return None
        found = self.tables.get(uuid)
        if found is None:
            if len(self.tables) >= _MAX_TABLES:
                self.tables.clear()
            found = self.tables[uuid] = {}
        return found


def _term(ctx: Any, term: Any) -> _Term:
    """The term's entry in ``ctx`` (see :class:`_Terms`)."""
    uuid = ctx.get("_uuid") if isinstance(ctx, frozendict) else None
    table = _TABLES.get(uuid) if isinstance(uuid, str) else None
    info = table.get(term) if table is not None else None
    return info if info is not None else _Terms(ctx)[term]


def _add(subject: dict[str, Any], key: str, value: Any, as_array: bool) -> None:
    """pyld's ``add_value`` with duplicates allowed (the only way compaction calls it here)."""
    if isinstance(value, list):
        if not value and as_array and key not in subject:
            subject[key] = []
        for item in value:
            _add(subject, key, item, as_array)
    elif key in subject:
        present = subject[key]
        if not isinstance(present, list):
            subject[key] = present = [present]
        present.append(value)
    else:
        subject[key] = [value] if as_array else value


class _Compactor:
    def __init__(self, processor: Any, options: dict[str, Any]) -> None:
        self.processor = processor
        self.options = options
        self.base = options.get("base")
        self.lone = _LoneTerms(processor)
        # per active context (kept alive here, checked by identity): its _Terms, and what
        # every node object asks of it (the @id and @type aliases, @type as a set)
        self._terms: dict[int, tuple[Any, _Terms]] = {}
        self._keywords: dict[int, tuple[Any, Any, Any, bool]] = {}
        self._processed: dict[tuple[int, int, bool], tuple[Any, Any, Any]] = {}

    def terms(self, ctx: Any) -> _Terms:
        found = self._terms.get(id(ctx))
        if found is None or found[0] is not ctx:
            found = self._terms[id(ctx)] = (ctx, _Terms(ctx))
        return found[1]

    def keywords(self, ctx: Any) -> tuple[Any, Any, bool]:
        found = self._keywords.get(id(ctx))
        if found is None or found[0] is not ctx:
            processor = self.processor
            type_alias = processor._compact_iri(ctx, "@type")
            type_as_set = "@set" in _containers(ctx, type_alias) and (
                str(ctx.get("processingMode")) >= "json-ld-1.1"
            )
            found = (ctx, processor._compact_iri(ctx, "@id"), type_alias, type_as_set)
            self._keywords[id(ctx)] = found
        return found[1], found[2], found[3]

    def process(self, active: Any, local: Any, *, propagate: bool) -> Any:
        """Scoped-context processing (a property's with ``propagate``, overriding protected
        terms; a type's without), remembered for this compaction by the objects' identities."""
        key = (id(active), id(local), propagate)
        hit = self._processed.get(key)
        if hit is not None and hit[0] is active and hit[1] is local:
            return hit[2]
        flags = (
            {"propagate": True, "override_protected": True} if propagate else {"propagate": False}
        )
        result = self.processor._process_context(active, local, self.options, **flags)
        self._processed[key] = (active, local, result)
        return result

    def element(self, active: Any, active_property: Any, element: Any, info: Any = None) -> Any:
        """pyld's ``_compact`` for an array, a value, a node reference or a node object
        (``info``: the ``_Term`` of ``active_property`` in ``active``, when the caller has it)."""
        if info is None:
            info = self.terms(active)[active_property]
        if isinstance(element, list):
            out = []
            for item in element:
                compacted = self.element(active, active_property, item, info)
                if compacted is not None:
                    out.append(compacted)
            if len(out) == 1 and not info.containers:
                return out[0]
            return out
        if info.scoped is not None:  # compacted in the property's scoped context, whose own
            # entry for the property is looked up there
            active, info = self.process(active, info.scoped, propagate=True), None
        if not isinstance(element, dict):
            return element
        if "@value" in element or (len(element) == 1 and "@id" in element):
            return self.value_in(active, active_property, element, info)
        if "@list" in element:
            raise _Defer  # a list object not under a property (a list of lists)
        return self.node(active, active_property, element, info)

    def value_in(self, active: Any, active_property: Any, element: Any, info: Any) -> Any:
        value = self.value(active, active_property, element, info)
        if value is not _SLOW:
            return value
        return self.processor._compact_value(active, active_property, element, self.options)

    def value(
        self, active: Any, active_property: Any, element: dict[str, Any], info: Any = None
    ) -> Any:
        """pyld's ``_compact_value`` where its answer is the bare value: a lone ``@value``, a
        typed value whose type the term coerces to, a node reference under an ``@id``/``@vocab``
        term. Anything else is _SLOW (pyld answers)."""
        if info is None:
            info = self.terms(active)[active_property]
        if info.type == "@none":
            return _SLOW
        if "@value" in element:
            if len(element) == 1:
                value = element["@value"]
                return value if info.plain_strings or not isinstance(value, str) else _SLOW
            if len(element) == 2 and "@type" in element and element["@type"] == info.type:
                return element["@value"]
            return _SLOW
        if info.type == "@id" or info.type == "@vocab":
            return self.processor._compact_iri(
                active,
                element["@id"],
                vocab=info.type == "@vocab",
                base=self.options.get("base", ""),
            )
        return _SLOW

    def node(
        self, active: Any, active_property: Any, element: dict[str, Any], info: Any = None
    ) -> dict[str, Any]:
        """``info``: the ``_Term`` of ``active_property`` in ``active`` (None: look it up)."""
        processor = self.processor
        input_ctx = active
        active = active.get("previousContext", active)
        if info is None:
            info = self.terms(input_ctx)[active_property]
        if info.scoped is not None:
            active = self.process(active, info.scoped, propagate=True)
        type_ctx = active
        input_terms = self.terms(input_ctx)
        for kind in sorted(element.get("@type", [])):
            compacted_type = processor._compact_iri(type_ctx, kind, vocab=True)
            local = input_terms[compacted_type].scoped
            if local is not None:
                active = self.process(active, local, propagate=False)
        id_alias, type_alias, type_as_set = self.keywords(active)
        result: dict[str, Any] = {}
        for expanded_property, expanded_value in sorted(element.items()):
            if expanded_property == "@id":
                ids = expanded_value if isinstance(expanded_value, list) else [expanded_value]
                compacted = [
                    processor._compact_iri(active, iri, vocab=False, base=self.base) for iri in ids
                ]
                _add(result, id_alias, compacted, False)
                continue
            if expanded_property == "@type":
                kinds = expanded_value if isinstance(expanded_value, list) else [expanded_value]
                types: Any = [processor._compact_iri(input_ctx, iri, vocab=True) for iri in kinds]
                if len(types) == 1:
                    types = types[0]
                _add(result, type_alias, types, type_as_set or types == [])
                continue
            if expanded_property.startswith("@") or not isinstance(expanded_value, list):
                raise _Defer
            self.property(active, result, expanded_property, expanded_value)
        return result

    def property(self, active: Any, result: dict[str, Any], iri: str, values: list[Any]) -> None:
        processor = self.processor
        terms = self.terms(active)
        if not values:
            term = processor._compact_iri(active, iri, values, vocab=True, reverse=False)
            if terms[term].nest:
                raise _Defer
            _add(result, term, [], True)
        # A plain value's term depends on the context, the property and the value's keys and
        # @type (term selection never reads the value itself): chosen once per context for a
        # processor that remembers its choices (the signed view's), with what compacting the
        # value under it needs (see _plan).
        lone = self.lone.get(terms.uuid) if terms.uuid is not None else None
        for item in values:
            shape = _value_shape(item) if lone is not None else None
            if shape is not None:
                assert lone is not None
                key = (iri, shape)
                plan = lone.get(key)
                if plan is None:
                    term = processor._compact_iri(active, iri, item, vocab=True, reverse=False)
                    plan = lone[key] = _plan(term, terms[term], shape)
                term, info, as_array, bare = plan
                if bare:  # the value itself, as value() answers (a lone string only when the
                    # term lets a plain string be bare)
                    value = item["@value"]
                    if shape or info.plain_strings or not isinstance(value, str):
                        if isinstance(value, list) or term in result:  # (a JSON literal's
                            # list adds its items, as _add does for any compacted list)
                            _add(result, term, value, as_array or value == [])
                        else:
                            result[term] = [value] if as_array else value
                        continue
            else:
                term = processor._compact_iri(active, iri, item, vocab=True, reverse=False)
                info = terms[term]
            self.item(active, result, term, info, item)

    def item(self, active: Any, result: dict[str, Any], term: str, info: _Term, item: Any) -> None:
        """One value of a property, compacted under ``term`` (its ``info``) into ``result``."""
        if info.nest:
            raise _Defer
        containers = info.containers
        if _MAP_CONTAINERS.intersection(containers):
            raise _Defer
        if isinstance(item, dict) and "@graph" in item:
            raise _Defer
        if isinstance(item, dict) and "@list" in item:
            if len(item) != 1 or "@list" not in containers:
                raise _Defer
            compacted = self.element(active, term, item["@list"], info)
            result[term] = compacted if isinstance(compacted, list) else [compacted]
            return
        compacted = self.element(active, term, item, info)
        as_array = (
            "@set" in containers
            or "@list" in containers
            or (isinstance(compacted, list) and not compacted)
        )
        _add(result, term, compacted, as_array)


def _plan(term: Any, info: _Term, shape: str) -> tuple[Any, _Term, bool, bool]:
    """What compacting a plain value of one shape under ``term`` comes to: (term, its entry,
    whether the result is an array, whether the value is its own compacted form). A value is
    bare, as :meth:`_Compactor.value` answers, under a term with no scoped context, map
    container or ``@nest`` whose coercion is not ``@none``: a lone ``@value`` always but for a
    string the context gives a language, a typed one when the term coerces to its type."""
    containers = info.containers
    bare = (
        not info.nest
        and not _MAP_CONTAINERS.intersection(containers)
        and info.scoped is None
        and info.type != "@none"
        and (shape == "" or shape == info.type)
    )
    return term, info, "@set" in containers or "@list" in containers, bare


def fast_compact(
    processor: Any, expanded: Any, context: Any, options: dict[str, Any]
) -> dict[str, Any] | None:
    """pyld's ``compact(expanded, {"@context": context}, options)`` (with ``skipExpansion``)
    for a plain expanded document whose ``context`` is a list of URLs, else None."""
    if not isinstance(context, list) or not context or not all(isinstance(c, str) for c in context):
        return None
    if not isinstance(expanded, list) or len(expanded) != 1 or not isinstance(expanded[0], dict):
        return None
    options = {"compactArrays": True, "graph": False, "link": False, **options}
    try:
        initial = processor._get_initial_context(options)
        active = processor.process_context(initial, {"@context": context}, options)
        compacted = _Compactor(processor, options).element(active, None, expanded)
    except Exception:  # _Defer, or an error pyld will raise again and the caller translates
        return None
    if not isinstance(compacted, dict):
        return None
    return {"@context": context[0] if len(context) == 1 else list(context), **compacted}
