"""Expanded JSON-LD to RDF triples for plain documents, without pyld's node map (issue 12).

pyld's ``to_rdf`` flattens the expanded document into a node map, sorts it and converts it:
about a quarter of signing a credential. RDFC-1.0 does not depend on blank-node labels or on
triple order, and a dataset counts a triple once, so the same canonical N-Quads come from
emitting each node's triples while walking the expanded tree. Literals, node references and
lists still go through pyld's (and microcred's) ``_object_to_rdf``, so every term is spelled
by the one converter.

Only the plain shape is walked: node objects with ``@id``, ``@type`` and properties; value,
node and list objects as values. Anything else (named graphs, ``@included``, ``@reverse``,
``@index`` on a node, lists of lists, free-floating values) returns None and the caller runs
pyld's own conversion. tests/jsonld/test_quads.py compares the two on the standards pack,
random credentials and RDF-preserving rewrites.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from microcred.jsonld._pyld_import import pyld_jsonld
from microcred.jsonld.rdfkept import pyld_absolute

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_VALUE_KEYS = frozenset({"@value", "@type", "@language", "@direction", "@index"})
_LIST_KEYS = frozenset({"@list", "@index"})
_is_absolute_iri = pyld_absolute


RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_UNCOMMON_TYPES = frozenset({"@json", "http://www.w3.org/2001/XMLSchema#double"})
_SKIP: Any = {}  # a relative IRI: no triple


def _common_object(item: dict[str, Any]) -> Any:
    """What ``_object_to_rdf`` returns for the three shapes most values have (a node
    reference, a plain or language-tagged string, a string with a datatype), spelled the
    same way without the general branches; None for anything else (the caller asks pyld)."""
    size = len(item)
    if size == 1:
        if "@id" in item:
            node_id = item["@id"]
            if type(node_id) is not str:
                return None
            if node_id.startswith("_:"):
                return {"type": "blank node", "value": node_id}
            if not _is_absolute_iri(node_id):
                return _SKIP
            return {"type": "IRI", "value": node_id}
        value = item.get("@value")
        if type(value) is str:
            return {"type": "literal", "value": value, "datatype": XSD_STRING}
    elif size == 2:
        value = item.get("@value")
        if type(value) is not str:
            return None
        if "@language" in item:
            language = item["@language"]
            return {
                "type": "literal",
                "value": value,
                "datatype": RDF_LANGSTRING,
                "language": language,
            }
        datatype = item.get("@type")
        if type(datatype) is str and datatype not in _UNCOMMON_TYPES:
            return {"type": "literal", "value": value, "datatype": datatype}
    return None


class _NotPlain(Exception):
    """The document needs pyld's full conversion."""


Serialize = Callable[[dict[str, Any]], str]
"""An IRI's or literal's N-Quads text (``rdfc._term``)."""


class _Walk:
    def __init__(
        self, processor: Any, issuer: Any, options: dict[str, Any], serialize: Serialize | None
    ) -> None:
        self.processor = processor
        self.issuer = issuer
        self.options = options
        self.triples: list[dict[str, Any]] = []
        self.serialize = serialize
        self.parts: dict[int, Any] = {}  # id(triple) -> rdfc's parts, when serialize is given
        self.predicates: dict[str, str] = {}

    def label(self, node_id: Any) -> str:
        if node_id is None:
            return str(self.issuer.get_id())
        if not isinstance(node_id, str):
            raise _NotPlain
        return str(self.issuer.get_id(node_id)) if node_id.startswith("_:") else node_id

    def rdf_object(self, item: Any) -> Any:
        """What ``_object_to_rdf`` makes of ``item`` (None: no triple)."""
        obj = _common_object(item)
        if obj is None:
            return self.processor._object_to_rdf(item, self.issuer, self.triples, self.options)
        return None if obj is _SKIP else obj

    def emit(
        self, subject: dict[str, str], predicate: str, item: Any, subject_part: Any = None
    ) -> None:
        obj = self.rdf_object(item)
        if obj is not None:
            triple = {
                "subject": subject,
                "predicate": {"type": "IRI", "value": predicate},
                "object": obj,
            }
            self.triples.append(triple)
            if self.serialize is not None and subject_part is not None:
                self.parts[id(triple)] = self.triple_parts(subject_part, predicate, obj)

    def triple_parts(self, subject_part: tuple[bool, str], predicate: str, obj: Any) -> Any:
        """rdfc's ``_parts`` of the triple, its subject and predicate serialized once: the
        line itself when no blank node is in it, else the positions (label or text)."""
        assert self.serialize is not None
        verb = self.predicates.get(predicate)
        if verb is None:
            verb = self.predicates[predicate] = "<" + predicate + ">"
        blank = obj["type"] == "blank node"
        if not blank and not subject_part[0]:
            return subject_part[1] + " " + verb + " " + self.serialize(obj) + " .\n"
        what = (True, obj["value"]) if blank else (False, self.serialize(obj))
        return (subject_part, (False, verb), what, None)

    def node(self, node: dict[str, Any]) -> str:
        """Emit ``node``'s triples (and its embedded nodes'); return its label."""
        label = self.label(node.get("@id"))
        usable = _is_absolute_iri(label)
        blank = label.startswith("_:")
        subject = {"type": "blank node" if blank else "IRI", "value": label}
        subject_part = (True, label) if blank else (False, "<" + label + ">")
        for key, values in node.items():
            if key == "@id":
                continue
            if not isinstance(values, list):
                raise _NotPlain
            if key == "@type":
                for kind in values:
                    if not isinstance(kind, str):
                        raise _NotPlain
                    if usable:  # a type is a node reference (pyld reads a bare string so)
                        self.emit(subject, RDF_TYPE, {"@id": self.label(kind)}, subject_part)
                continue
            if key.startswith("@"):
                raise _NotPlain  # @graph, @included, @reverse, @index...
            keep = usable and _is_absolute_iri(key) and not key.startswith("_:")
            for value in values:
                item = self.value(value)
                if keep:
                    self.emit(subject, key, item, subject_part)
        return label

    def value(self, value: Any) -> dict[str, Any]:
        """A property value as ``_object_to_rdf`` takes it (embedded nodes walked first)."""
        if not isinstance(value, dict):
            raise _NotPlain
        if "@value" in value:
            if not value.keys() <= _VALUE_KEYS:
                raise _NotPlain
            return value
        if "@list" in value:
            items = value["@list"]
            if not value.keys() <= _LIST_KEYS or not isinstance(items, list):
                raise _NotPlain
            converted = []
            for item in items:
                if isinstance(item, dict) and "@list" in item:
                    raise _NotPlain  # a list of lists
                converted.append(self.value(item))
            return {"@list": converted}
        if "@graph" in value or "@set" in value:
            raise _NotPlain
        return {"@id": self.node(value)}


class _PartsWalk(_Walk):
    """The walk for a caller that needs only each triple's rdfc parts: no triple objects for
    the document's own triples (pyld's list triples are still made, then converted), and the
    commonest objects written straight to their N-Quads text (``escape``: rdfc's literal
    escaping), as ``serialize`` writes them."""

    def __init__(
        self,
        processor: Any,
        issuer: Any,
        options: dict[str, Any],
        serialize: Serialize,
        escape: Callable[[str], str],
    ) -> None:
        super().__init__(processor, issuer, options, serialize)
        self.escape = escape
        self.out: list[Any] = []

    def emit(
        self, subject: dict[str, str], predicate: str, item: Any, subject_part: Any = None
    ) -> None:
        size = len(item)
        what: tuple[bool, str] | None = None
        if size == 1:
            node_id = item.get("@id")
            if type(node_id) is str:
                if node_id.startswith("_:"):
                    what = (True, node_id)
                elif not _is_absolute_iri(node_id):
                    return
                else:
                    what = (False, "<" + node_id + ">")
            elif type(item.get("@value")) is str:
                what = (False, '"' + self.escape(item["@value"]) + '"')
        elif size == 2 and type(item.get("@value")) is str:
            text = '"' + self.escape(item["@value"]) + '"'
            language, datatype = item.get("@language"), item.get("@type")
            if type(language) is str and language:
                what = (False, text + "@" + language)
            elif language is None and type(datatype) is str and datatype not in _UNCOMMON_TYPES:
                what = (False, text if datatype == XSD_STRING else text + "^^<" + datatype + ">")
        if what is None:
            self.emit_general(predicate, item, subject_part)
            return
        verb = self.predicates.get(predicate)
        if verb is None:
            verb = self.predicates[predicate] = "<" + predicate + ">"
        if not what[0] and not subject_part[0]:
            self.out.append(subject_part[1] + " " + verb + " " + what[1] + " .\n")
        else:
            self.out.append((subject_part, (False, verb), what, None))

    def emit_general(self, predicate: str, item: Any, subject_part: Any) -> None:
        obj = self.rdf_object(item)
        if obj is not None:
            self.out.append(self.triple_parts(subject_part, predicate, obj))

    def finish(self) -> list[Any] | None:
        for triple in self.triples:  # rdf:first/rest of lists, made by pyld
            subject, obj = triple["subject"], triple["object"]
            if obj is None:
                return None  # a relative IRI list item: the general path says why
            blank = subject["type"] == "blank node"
            part = (True, subject["value"]) if blank else (False, "<" + subject["value"] + ">")
            self.out.append(self.triple_parts(part, triple["predicate"]["value"], obj))
        return self.out


def plain_parts(
    expanded: Any,
    processor: Any,
    options: dict[str, Any],
    serialize: Serialize,
    escape: Callable[[str], str],
) -> list[Any] | None:
    """rdfc's parts of every triple of the default graph of a plain ``expanded`` document
    (duplicates included), or None when it is not plain: :func:`plain_triples_with_parts`
    without the triples, for a caller that canonicalizes from the parts alone."""
    issuer = pyld_jsonld.IdentifierIssuer("_:b")
    walk = _PartsWalk(processor, issuer, options, serialize, escape)
    return walk.finish() if _walked(expanded, walk) else None


def _walked(expanded: Any, walk: _Walk) -> bool:
    """Walk every top-level node of ``expanded``; False when it is not plain."""
    if not isinstance(expanded, list):
        return False
    try:
        for node in expanded:
            if not isinstance(node, dict) or "@value" in node or "@list" in node:
                return False
            walk.node(node)
    except _NotPlain:
        return False
    return True


def plain_triples(
    expanded: Any, processor: Any, options: dict[str, Any]
) -> list[dict[str, Any]] | None:
    """The default graph's triples of ``expanded`` (pyld's form: subject/predicate/object
    dicts), or None when the document is not plain (see the module docstring)."""
    walked = plain_triples_with_parts(expanded, processor, options, None)
    return None if walked is None else walked[0]


def plain_triples_with_parts(
    expanded: Any, processor: Any, options: dict[str, Any], serialize: Serialize | None
) -> tuple[list[dict[str, Any]], dict[int, Any]] | None:
    """:func:`plain_triples` and, with ``serialize``, rdfc's parts of the triples this walk
    made, by ``id`` (the ones pyld adds for lists are not there: rdfc makes theirs)."""
    walk = _Walk(processor, pyld_jsonld.IdentifierIssuer("_:b"), options, serialize)
    return (walk.triples, walk.parts) if _walked(expanded, walk) else None
