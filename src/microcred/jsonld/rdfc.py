"""RDFC-1.0 canonical N-Quads: what eddsa-rdfc-2022 hashes.

pyld 3.3.0 supplies the JSON-LD -> RDF conversion and the Hash N-Degree Quads recursion, but
these things are fixed here (DESIGN section 8, docs/standards.md section 17):

* literal escaping: pyld writes URDNA2015-era N-Quads (raw BS/FF/C0 controls); RDFC-1.0
  wants ECHAR for ``\\b \\t \\n \\f \\r \\" \\\\`` and upper-case ``\\u00XX`` for the other C0
  controls and U+007F. The escaping feeds both the first-degree hashes and the output, so a
  wrong escape changes blank-node labels too (MC-18);
* a work limit: poisoned graphs (RDFC test074, MC-59) make the algorithm factorial. Each
  Hash N-Degree Quads call and each permutation tried costs one unit of ``max_work``; running
  out, or past ``timeout_s``, raises ``RESOURCE_LIMIT_ERROR``;
* the base IRI is null, never a file path or pyld's ``http://example.org/base/`` default;
* ``@direction`` is signed as an i18n datatype (``rdfDirection: 'i18n-datatype'``, what the
  eddsa-rdfc-2022 cryptosuites pass; w3c/vc-data-integrity#366), not silently dropped;
* string order. RDFC-1.0 sorts by Unicode code point; rdf-canonize (digitalbazaar/
  rdf-canonize#52) and Java verifiers sort by UTF-16 code unit. The two differ only when an
  astral character meets one in U+E000..U+FFFF. ``order="utf16"`` (the default: what deployed
  verifiers compute) or ``"codepoint"`` applies to every sort whose keys can hold such text:
  the N-Quads lines hashed per blank node, the output lines, and the permutation order of
  input blank-node labels (this last one can only change which label a tie gives, never the
  output). The other sorts (hashes, paths of ``_:`` labels) are ASCII.

A document whose blank nodes all have distinct first-degree hashes (nearly every credential)
is canonicalized straight from the serialized parts of the plain RDF walk (``_from_parts``:
steps 3-4 name every node, step 5 has nothing to do); pyld's canonicalizer, with the work
limit, runs for everything else and reports every error.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any, Literal

from microcred.jsonld import _pyld_import  # noqa: F401  (first: pyld without its network stack)

# isort: split
from pyld.canon import URDNA2015
from pyld.identifier_issuer import IdentifierIssuer

from microcred._util import has_surrogate, reaches
from microcred.errors import JsonLdError
from microcred.jsonld import _pyld, memo
from microcred.jsonld.loader import OfflineLoader
from microcred.jsonld.quads import plain_parts, plain_triples_with_parts

# The W3C "evil" tests 044-046 need 3,348 units each; credentials need a handful.
# A 10-node blank-node clique (test074) passes 20,000 units in well under a second.
DEFAULT_MAX_WORK = 20_000
DEFAULT_TIMEOUT_S = 10.0

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_HASHES = {"sha256": "sha256", "sha384": "sha384", "SHA256": "sha256", "SHA384": "sha384"}

Component = dict[str, str]
Quad = dict[str, Component]
Order = Literal["utf16", "codepoint"]
ORDERS: tuple[Order, ...] = ("utf16", "codepoint")

# --- canonical N-Quads serialization -----------------------------------------------------

_ECHAR = {"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r", '"': '\\"', "\\": "\\\\"}
_LITERAL_ESCAPE = re.compile(r'[\x00-\x1f"\\\x7f]')
_ASTRAL = "\U00010000"  # the first character UTF-16 writes as two code units


def _escape_char(match: re.Match[str]) -> str:
    char = match.group()
    return _ECHAR.get(char) or f"\\u{ord(char):04X}"


def escape_literal(value: str) -> str:
    """RDFC-1.0 escaping of a literal's lexical form (everything else stays raw UTF-8)."""
    return _LITERAL_ESCAPE.sub(_escape_char, value)


def _term(component: Component) -> str:
    if component["type"] == "IRI":
        return "<" + component["value"] + ">"
    if component["type"] == "blank node":
        return component["value"]
    text = '"' + escape_literal(component["value"]) + '"'
    datatype = component.get("datatype", XSD_STRING)
    if datatype == RDF_LANGSTRING and component.get("language"):
        return text + "@" + component["language"]
    if datatype != XSD_STRING:
        return text + "^^<" + datatype + ">"
    return text


def serialize_quad(quad: Mapping[str, Component]) -> str:
    """One canonical N-Quads line (with the final LF)."""
    line = _term(quad["subject"]) + " " + _term(quad["predicate"]) + " " + _term(quad["object"])
    name = quad.get("name")
    if name is not None:
        line += " " + _term(name)
    return line + " .\n"


_POSITIONS = ("subject", "predicate", "object", "name")
Part = tuple[bool, str] | None  # (is a blank-node label, label or term text); None: no graph
Parts = tuple[Part, ...] | str  # a quad without blank nodes: its whole line, once


def _parts(quad: Mapping[str, Component]) -> Parts:
    """A quad's four positions, each serialized once: the text of an IRI or literal, or the
    label of a blank node (a subject, object or graph name), which canonicalization renames.
    A quad without blank nodes is its finished line (no label to rename)."""
    out: list[Part] = []
    blank_nodes = False
    for key in _POSITIONS:
        component = quad.get(key)
        if component is None:
            out.append(None)
        elif key != "predicate" and component["type"] == "blank node":
            out.append((True, component["value"]))
            blank_nodes = True
        else:
            out.append((False, _term(component)))
    if not blank_nodes:
        return " ".join(part[1] for part in out if part is not None) + " .\n"
    return tuple(out)


def _line(parts: Parts, rename: Any = None) -> str:
    """``serialize_quad`` from the parts, each blank-node label passed through ``rename``."""
    if isinstance(parts, str):
        return parts
    words = []
    for part in parts:
        if part is not None:
            blank, text = part
            words.append(rename(text) if blank and rename is not None else text)
    return " ".join(words) + " .\n"


# --- string order ---------------------------------------------------------------------------


def _utf16_key(text: str) -> bytes:
    # Big-endian UTF-16 bytes compare exactly as the code-unit sequences do.
    return text.encode("utf-16-be")


def sort_strings(items: list[str], order: Order) -> None:
    """Sort in place by UTF-16 code units or by code points (equal unless astral text)."""
    if order == "utf16" and reaches("".join(items), _ASTRAL):
        items.sort(key=_utf16_key)
    elif order in ORDERS:
        items.sort()
    else:
        raise JsonLdError(f"unknown RDFC string order {order!r}; use 'utf16' or 'codepoint'")


# --- work limit ----------------------------------------------------------------------------


class _Budget:
    def __init__(self, max_work: int, timeout_s: float) -> None:
        self.max_work = max_work
        self.timeout_s = timeout_s
        self.deadline = time.monotonic() + timeout_s
        self.used = 0

    def spend(self) -> None:
        self.used += 1
        if self.used > self.max_work:
            raise JsonLdError(
                f"RDF canonicalization gave up after {self.max_work} units of blank-node work "
                "(a 'poisoned' graph of interlinked blank nodes?)",
                code="RESOURCE_LIMIT_ERROR",
                hint="give the nodes ids, or raise max_work for trusted input",
            )
        if time.monotonic() > self.deadline:
            raise JsonLdError(
                f"RDF canonicalization took longer than {self.timeout_s} s",
                code="RESOURCE_LIMIT_ERROR",
                hint="give the nodes ids, or raise timeout_s for trusted input",
            )


class _CountingIssuer(IdentifierIssuer):  # type: ignore[misc]
    """Temporary issuer whose copies are counted: pyld copies it once per permutation."""

    def __init__(self, prefix: str, budget: _Budget) -> None:
        super().__init__(prefix)
        self.budget = budget

    def __deepcopy__(self, memo: dict[int, Any]) -> _CountingIssuer:
        self.budget.spend()
        clone = _CountingIssuer(self.prefix, self.budget)
        clone.counter = self.counter
        clone.existing = dict(self.existing)
        clone.order = list(self.order)
        return clone


RDF_FIRST = "http://www.w3.org/1999/02/22-rdf-syntax-ns#first"
RDF_REST = "http://www.w3.org/1999/02/22-rdf-syntax-ns#rest"


class _Rdfc10(URDNA2015):  # type: ignore[misc]
    """pyld's URDNA2015 with RDFC-1.0 serialization, a work budget and a selectable hash.

    ``portable``: refuse, as rdf-canonize does by default (``maxWorkFactor`` 1), a graph that
    needs more Hash N-Degree Quads calls than it has blank nodes sharing a first-degree hash.
    RDFC-1.0 itself has no such limit, but every verifier built on Digital Bazaar's stack
    applies it, so a signature over such a graph would not verify there.
    """

    def __init__(self, budget: _Budget, hash_name: str, order: Order, portable: bool) -> None:
        super().__init__()
        self.budget = budget
        self.hash_name = hash_name
        self.order = order
        self.portable = portable
        self.deep_calls = 0
        self.alike: list[list[str]] = []
        self.parts: dict[int, tuple[Quad, Parts]] = {}

    def create_hash(self) -> Any:
        return hashlib.new(self.hash_name)

    def hash_first_degree_quads(self, id_: str) -> str:
        info = self.blank_node_info[id_]
        if "hash" in info:
            return str(info["hash"])
        lines = []

        def mask(label: str) -> str:
            return "_:a" if label == id_ else "_:z"

        for quad in info["quads"]:
            lines.append(_line(self.parts_of(quad), mask))
        sort_strings(lines, self.order)
        digest = self.create_hash()
        for line in lines:
            digest.update(line.encode("utf-8"))
        info["hash"] = digest.hexdigest()
        return str(info["hash"])

    def hash_n_degree_quads(self, id_: str, issuer: IdentifierIssuer) -> Any:
        self.budget.spend()
        self.deep_calls += 1
        if self.portable and self.deep_calls > sum(len(ids) for ids in self.alike):
            raise _not_portable(self.alike, self.quads)
        return super().hash_n_degree_quads(id_, issuer)

    def _note_blank(self, label: str, quad: Quad) -> None:
        info = self.blank_node_info.setdefault(label, {"quads": []})
        if not info["quads"] or info["quads"][-1] is not quad:
            info["quads"].append(quad)

    def parts_of(self, quad: Quad) -> Parts:
        found = self.parts.get(id(quad))
        if found is None or found[0] is not quad:
            found = self.parts[id(quad)] = (quad, _parts(quad))
        return found[1]

    def run(
        self, quads: list[Quad], parts: list[Parts] | None = None
    ) -> tuple[str, dict[str, str]]:
        """RDFC-1.0 section 4.4.3; returns canonical N-Quads and the issued-identifier map.
        ``parts``: each quad's ``_parts``, when the caller has them already."""
        self.quads = quads
        if parts is not None:
            self.parts = {id(q): (q, p) for q, p in zip(quads, parts, strict=True)}
            for quad, known in zip(quads, parts, strict=True):
                if isinstance(known, str):
                    continue  # no blank node in it
                for part in (known[0], known[2], known[3]):  # subject, object, graph name
                    if part is not None and part[0]:
                        self._note_blank(part[1], quad)
        else:
            for quad in quads:
                for key, component in quad.items():
                    if key != "predicate" and component["type"] == "blank node":
                        self._note_blank(component["value"], quad)

        # Steps 3-4: first-degree hashes; unique hashes get canonical identifiers at once.
        hash_to_nodes: dict[str, list[str]] = {}
        for id_ in self.blank_node_info:
            hash_to_nodes.setdefault(self.hash_first_degree_quads(id_), []).append(id_)
        shared: list[list[str]] = []
        for _, ids in sorted(hash_to_nodes.items()):
            if len(ids) == 1:
                self.canonical_issuer.get_id(ids[0])
            else:
                shared.append(ids)
        self.alike = shared

        # Step 5: the rest, by N-degree hashes, in first-degree hash order.
        for ids in shared:
            results = []
            for id_ in ids:
                if self.canonical_issuer.has_id(id_):
                    continue
                issuer = _CountingIssuer("_:b", self.budget)
                issuer.get_id(id_)
                results.append(self.hash_n_degree_quads(id_, issuer))
            for result in sorted(results, key=lambda r: r["hash"]):
                for existing in result["issuer"].order:
                    self.canonical_issuer.get_id(existing)

        # Step 6: relabel, serialize, sort.
        labels: dict[str, str] = self.canonical_issuer.existing
        lines = [_line(self.parts_of(quad), labels.__getitem__) for quad in quads]
        sort_strings(lines, self.order)
        return "".join(lines), dict(labels)


def _not_portable(alike: list[list[str]], quads: list[Quad]) -> JsonLdError:
    """What to tell a signer whose document Digital Bazaar's canonicalizer would refuse."""
    nodes = {id_ for ids in alike for id_ in ids}
    into = {
        quad["predicate"]["value"]
        for quad in quads
        if quad["object"]["type"] == "blank node" and quad["object"]["value"] in nodes
    }
    if into & {RDF_FIRST, RDF_REST}:
        where = "equal items inside an ordered list (a @list property such as allowedValue)"
    else:
        names = ", ".join(sorted(iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1] for iri in into))
        where = f"identical objects without ids, linked to each other ({names or 'top level'})"
    return JsonLdError(
        f"eddsa-rdfc-2022: the document holds {where}; verifiers built on Digital Bazaar's "
        "rdf-canonize refuse to canonicalize it (their default work limit), so this "
        "signature would not verify there",
        code="PROOF_GENERATION_ERROR",
        hint="make the items distinct, give those objects ids, or sign with eddsa-jcs-2022 only",
    )


def _dedupe(
    quads: Iterable[Quad], known: Mapping[int, Parts] | None = None
) -> tuple[list[Quad], list[Parts]]:
    """An RDF dataset is a set: identical quads count once (RDFC tests 076-077). Returns the
    distinct quads and their ``_parts`` (taken from ``known``, by quad ``id``, when there)."""
    # Parts are equal exactly when the lines are (a literal's text is quoted and escaped, so
    # no token boundary can move), so they are the set's keys without building the lines.
    seen: set[Parts] = set()
    out: list[Quad] = []
    out_parts: list[Parts] = []
    for quad in quads:
        parts = known.get(id(quad)) if known else None
        if parts is None:
            parts = _parts(quad)
        if parts not in seen:
            seen.add(parts)
            out.append(quad)
            out_parts.append(parts)
    return out, out_parts


def _relabel(quads: list[Quad], order: Order) -> tuple[list[Quad], dict[str, str]]:
    """Rename blank nodes so pyld's code-point sort of labels follows ``order``.

    pyld sorts the labels it permutes; for UTF-16 order and astral labels (possible only in
    N-Quads input: pyld's JSON-LD to RDF issues ``_:b<n>``) the labels become ASCII ones
    sorting the same way. Returns the quads and new label -> input label (empty when none).
    """
    if order != "utf16":
        return quads, {}
    labels = {
        component["value"]
        for quad in quads
        for key, component in quad.items()
        if key != "predicate" and component["type"] == "blank node"
    }
    if not any(reaches(label, _ASTRAL) for label in labels):
        return quads, {}
    ranked = sorted(labels, key=_utf16_key)
    width = len(str(len(ranked)))
    new = {old: f"_:u{index:0{width}d}" for index, old in enumerate(ranked)}
    renamed = [
        {
            key: {"type": "blank node", "value": new[component["value"]]}
            if key != "predicate" and component["type"] == "blank node"
            else component
            for key, component in quad.items()
        }
        for quad in quads
    ]
    return renamed, {label: old for old, label in new.items()}


def _canonicalize_quads(
    quads: Iterable[Quad],
    *,
    max_work: int,
    timeout_s: float,
    hash_algorithm: str = "sha256",
    order: Order = "utf16",
    ascii_labels: bool = False,
    portable: bool = False,
    known_parts: Mapping[int, Parts] | None = None,
) -> tuple[str, dict[str, str]]:
    hash_name = _HASHES.get(hash_algorithm)
    if hash_name is None:
        raise JsonLdError(f"unsupported RDFC-1.0 hash algorithm {hash_algorithm!r}")
    if order not in ORDERS:
        raise JsonLdError(f"unknown RDFC string order {order!r}; use 'utf16' or 'codepoint'")
    try:
        unique, parts = _dedupe(quads, known_parts)
        relabelled, original = (unique, {}) if ascii_labels else _relabel(unique, order)
        known = parts if relabelled is unique else None
        canonicalizer = _Rdfc10(_Budget(max_work, timeout_s), hash_name, order, portable)
        text, labels = canonicalizer.run(relabelled, known)
        if has_surrogate(text):
            raise UnicodeEncodeError("utf-8", text, 0, 1, "lone surrogate")
        if original:
            labels = {original[label]: issued for label, issued in labels.items()}
        return text, labels
    except UnicodeEncodeError:
        raise JsonLdError(
            "a string in the document is not valid Unicode (lone surrogate)",
            code="MALFORMED_VALUE_ERROR",
        ) from None
    except RecursionError:
        raise JsonLdError(
            "RDF canonicalization recursed too deeply (a long chain of blank nodes?)",
            code="RESOURCE_LIMIT_ERROR",
        ) from None


# --- N-Quads input (for the W3C test suite and for debugging) ------------------------------

_UCHAR = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_STRING_ESCAPE = re.compile(r"\\(?:u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|[tbnrf\"'\\])")
_ECHAR_IN = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}
_PN = "A-Za-z0-9_\\-\u00b7\u00c0-\U000effff"


@cache
def _token() -> re.Pattern[str]:
    # Compiled on first use (8 ms): only N-Quads input needs it, never signing or verifying.
    return re.compile(
        r"[ \t]*(?:"
        r"<(?P<iri>(?:[^\x00-\x20<>\"{}|^`\\]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*)>"
        r"|(?P<bnode>_:[A-Za-z0-9_\u00c0-\U000effff](?:[" + _PN + r".]*[" + _PN + r"])?)"
        r"|\"(?P<lit>(?:[^\"\\\n\r]|\\.)*)\""
        r"(?:\^\^<(?P<dt>(?:[^\x00-\x20<>\"{}|^`\\]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*)>"
        r"|@(?P<lang>[a-zA-Z]+(?:-[a-zA-Z0-9]+)*))?"
        r"|(?P<dot>\.)"
        r")"
    )


def _code_point(text: str) -> str:
    value = int(text, 16)
    if value > 0x10FFFF or 0xD800 <= value <= 0xDFFF:
        raise ValueError(f"\\u escape {text} is not a Unicode scalar value")
    return chr(value)


def _unescape_string(text: str) -> str:
    def repl(match: re.Match[str]) -> str:
        escape = match.group()
        if escape[1] in "uU":
            return _code_point(escape[2:])
        return _ECHAR_IN[escape[1]]

    if "\\" in text and _STRING_ESCAPE.sub("", text).count("\\"):
        raise ValueError("invalid escape in string literal")
    return _STRING_ESCAPE.sub(repl, text)


def _unescape_iri(text: str) -> str:
    return _UCHAR.sub(lambda m: _code_point(m.group(1) or m.group(2)), text)


def parse_nquads(text: str) -> list[Quad]:
    """Parse N-Quads (RDF 1.1), decoding ECHAR/UCHAR escapes; PARSING_ERROR names the line."""
    quads: list[Quad] = []
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.rstrip("\r")
        stripped = line.strip(" \t")
        if not stripped or stripped.startswith("#"):
            continue
        terms: list[Component] = []
        position = 0
        try:
            while True:
                match = _token().match(line, position)
                if match is None or match.end() == position:
                    raise ValueError(f"unexpected text at column {position + 1}")
                position = match.end()
                if match.group("dot") is not None:
                    break
                if match.group("iri") is not None:
                    terms.append({"type": "IRI", "value": _unescape_iri(match.group("iri"))})
                elif match.group("bnode") is not None:
                    terms.append({"type": "blank node", "value": match.group("bnode")})
                else:
                    literal = {"type": "literal", "value": _unescape_string(match.group("lit"))}
                    if match.group("dt") is not None:
                        literal["datatype"] = _unescape_iri(match.group("dt"))
                    elif match.group("lang") is not None:
                        literal["datatype"] = RDF_LANGSTRING
                        literal["language"] = match.group("lang")
                    else:
                        literal["datatype"] = XSD_STRING
                    terms.append(literal)
            rest = line[position:].strip(" \t")
            if rest and not rest.startswith("#"):
                raise ValueError(f"unexpected text after '.' at column {position + 1}")
            quads.append(_quad_from_terms(terms))
        except ValueError as exc:
            raise JsonLdError(
                f"N-Quads line {number}: {exc}", code="PARSING_ERROR", where=None
            ) from None
    return quads


def _quad_from_terms(terms: list[Component]) -> Quad:
    if len(terms) not in (3, 4):
        raise ValueError(f"expected 3 or 4 terms, found {len(terms)}")
    subject, predicate, obj = terms[:3]
    if subject["type"] == "literal":
        raise ValueError("a literal cannot be a subject")
    if predicate["type"] != "IRI":
        raise ValueError("the predicate must be an IRI")
    quad: Quad = {"subject": subject, "predicate": predicate, "object": obj}
    if len(terms) == 4:
        if terms[3]["type"] == "literal":
            raise ValueError("a literal cannot be a graph name")
        quad["name"] = terms[3]
    return quad


# --- public API ---------------------------------------------------------------------------


def canonicalize_nquads(
    nquads: str,
    *,
    order: Order = "utf16",
    max_work: int = DEFAULT_MAX_WORK,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    hash_algorithm: str = "sha256",
) -> str:
    """RDFC-1.0 canonical form of an N-Quads document (``order``: see the module docstring)."""
    quads = parse_nquads(nquads)
    return _canonicalize_quads(
        quads, max_work=max_work, timeout_s=timeout_s, hash_algorithm=hash_algorithm, order=order
    )[0]


def canonical_labels(
    nquads: str,
    *,
    order: Order = "utf16",
    max_work: int = DEFAULT_MAX_WORK,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    hash_algorithm: str = "sha256",
) -> dict[str, str]:
    """Input blank-node label -> canonical label (without ``_:``), as RDFC map tests expect."""
    quads = parse_nquads(nquads)
    labels = _canonicalize_quads(
        quads, max_work=max_work, timeout_s=timeout_s, hash_algorithm=hash_algorithm, order=order
    )[1]
    return {old[2:]: new[2:] for old, new in labels.items()}


def to_quads(doc: Mapping[str, Any], loader: OfflineLoader) -> list[Quad]:
    """JSON-LD -> RDF quads with pyld (base IRI null, offline loader); pyld errors translated."""
    return _quads_and_parts(doc, loader)[0]


def _quads_and_parts(
    doc: Mapping[str, Any], loader: OfflineLoader, text: bytes | None = None
) -> tuple[list[Quad], dict[int, Parts]]:
    """:func:`to_quads` and the ``_parts`` the plain walk already made, by quad ``id``;
    ``text`` (``memo.json_key(doc)``, when the caller has it) finds an expansion a read-only
    caller kept, which the walk reads without a copy."""
    if not isinstance(doc, Mapping):
        raise JsonLdError(
            f"expected a JSON-LD object, got {type(doc).__name__}", code="MALFORMED_VALUE_ERROR"
        )
    processor, options = _rdf_processor(loader)
    try:
        # the same expansion to_rdf runs (a memo hit after the data-loss check), then the
        # plain walk of jsonld/quads.py; pyld's node map only for what the walk leaves
        expanded = _expanded(doc, loader, text, processor, options)
        walked = plain_triples_with_parts(expanded, processor, options, _term)
        if walked is not None:
            return _checked_quads(walked[0]), walked[1]
        dataset = processor.to_rdf(dict(doc), options)
    except JsonLdError:
        raise
    except Exception as exc:  # pyld raises its own and plain Python errors on bad input
        raise _pyld.translate(exc, "JSON-LD to RDF conversion failed") from None
    quads: list[Quad] = []
    for graph, triples in dataset.items():
        for quad in _checked_quads(triples):
            if graph != "@default":
                kind = "blank node" if graph.startswith("_:") else "IRI"
                quad["name"] = {"type": kind, "value": graph}
            quads.append(quad)
    return quads, {}


def _rdf_processor(loader: OfflineLoader) -> tuple[_pyld.Processor, dict[str, Any]]:
    options = _pyld.options(loader)
    options["produceGeneralizedRdf"] = False
    options["rdfDirection"] = "i18n-datatype"
    return _pyld.Processor(loader), options


def _expanded(
    doc: Mapping[str, Any],
    loader: OfflineLoader,
    text: bytes | None,
    processor: _pyld.Processor,
    options: dict[str, Any],
) -> Any:
    """The expansion to convert: one a read-only caller kept (read, never changed), else
    a fresh one."""
    shared = _pyld.expansion_to_read(doc, text, loader) if text is not None else None
    return shared if shared is not None else processor.expand(dict(doc), options)


def _from_parts(
    doc: Mapping[str, Any], loader: OfflineLoader, text: bytes | None, order: Order
) -> str | None:
    """The canonical N-Quads of a plain document whose blank nodes all differ in their first
    degree, made from the walk's parts without building triples; None for anything else
    (the caller runs the general path, which also reports every error)."""
    if not isinstance(doc, Mapping) or order not in ORDERS:
        return None
    processor, options = _rdf_processor(loader)
    try:
        expanded = _expanded(doc, loader, text, processor, options)
        parts = plain_parts(expanded, processor, options, _term, escape_literal)
    except Exception:  # the general path expands again and reports it
        return None
    return None if parts is None else _distinct_first_degree(parts, order)


def _distinct_first_degree(parts: list[Parts], order: Order) -> str | None:
    """RDFC-1.0 of a dataset given as its quads' parts, for the common case: every blank
    node's first-degree hash is its own (steps 3-4 name them all; step 5 has nothing to do).
    None when two blank nodes share a hash (the full algorithm decides) or the text is not
    valid Unicode (the full algorithm says so)."""
    unique = list(dict.fromkeys(parts))  # a dataset is a set (see _dedupe)
    blanks: dict[str, list[Parts]] = {}
    for quad in unique:
        if isinstance(quad, str):
            continue
        for part in (quad[0], quad[2], quad[3]):
            if part is not None and part[0]:
                found = blanks.setdefault(part[1], [])
                if not found or found[-1] is not quad:
                    found.append(quad)
    # Every character of the output is in some part (labels and separators are ASCII), so
    # one look at the parts decides: a lone surrogate (the general path reports it), and
    # whether both string orders can differ (only with an astral character in a line).
    joined = "".join(
        quad if isinstance(quad, str) else "".join(p[1] for p in quad if p is not None)
        for quad in unique
    )
    try:
        joined.encode("utf-8")
    except UnicodeEncodeError:
        return None
    plain_order = order == "codepoint" or joined.isascii() or not reaches(joined, _ASTRAL)

    def ordered(lines: list[str]) -> list[str]:
        if plain_order:
            lines.sort()
        else:
            sort_strings(lines, order)
        return lines

    by_hash: dict[str, str] = {}
    for label, quads in blanks.items():

        def mask(other: str, label: str = label) -> str:
            return "_:a" if other == label else "_:z"

        lines = ordered([_line(quad, mask) for quad in quads])
        first_degree = hashlib.sha256("".join(lines).encode("utf-8")).hexdigest()
        if first_degree in by_hash:
            return None
        by_hash[first_degree] = label
    issued = {by_hash[h]: f"_:c14n{n}" for n, h in enumerate(sorted(by_hash))}
    return "".join(ordered([_line(quad, issued.__getitem__) for quad in unique]))


def _checked_quads(triples: list[dict[str, Any]]) -> list[Quad]:
    """The triples as quads (each the same object when it has just the three positions, so
    parts made for it still apply); a list item that is a relative IRI is refused."""
    quads: list[Quad] = []
    for triple in triples:
        if triple["object"] is None:  # pyld keeps a list slot for a relative IRI item
            raise JsonLdError(
                "JSON-LD to RDF conversion failed: a list item is a relative IRI "
                "reference, which has no RDF meaning",
                code="MALFORMED_VALUE_ERROR",
                hint="use absolute IRIs in lists",
            )
        if len(triple) == 3:
            quads.append(triple)
            continue
        quads.append(
            {
                "subject": triple["subject"],
                "predicate": triple["predicate"],
                "object": triple["object"],
            }
        )
    return quads


def canonicalize(
    doc: Mapping[str, Any],
    loader: OfflineLoader,
    *,
    order: Order = "utf16",
    max_work: int = DEFAULT_MAX_WORK,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    portable: bool = False,
) -> str:
    """RDFC-1.0 canonical N-Quads of a JSON-LD document (the bytes eddsa-rdfc-2022 hashes).

    ``order="utf16"`` (default, for signing) sorts as rdf-canonize does; ``"codepoint"`` as
    the RDFC-1.0 text says. Raises JsonLdError: ``RESOURCE_LIMIT_ERROR`` for poisoned graphs,
    ``INVALID_CONTEXT`` for contexts the loader refuses, ``MALFORMED_VALUE_ERROR`` for JSON-LD
    pyld rejects, and with ``portable`` (for signing) ``PROOF_GENERATION_ERROR`` for a graph
    rdf-canonize's default work limit refuses (see ``_Rdfc10``).
    """
    text = memo.json_key(doc) if isinstance(doc, Mapping) else None
    key = None if text is None else (order, max_work, timeout_s, portable, text)
    cache = memo.cache_for(loader, "canonical")
    hit = cache.get(key) if key is not None else None
    if hit is not None:  # the same JSON again (a batch's proof options): the same N-Quads
        return str(hit)
    canonical = _from_parts(doc, loader, text, order)
    if canonical is not None:
        if key is not None:
            cache[key] = canonical
        return canonical
    quads, parts = _quads_and_parts(doc, loader, text)
    canonical = _canonicalize_quads(
        quads,
        max_work=max_work,
        timeout_s=timeout_s,
        order=order,
        ascii_labels=True,
        portable=portable,
        known_parts=parts,
    )[0]
    if key is not None:
        cache[key] = canonical
    return canonical


def canonical_variants(
    doc: Mapping[str, Any],
    loader: OfflineLoader,
    *,
    max_work: int = DEFAULT_MAX_WORK,
    timeout_s: float = DEFAULT_TIMEOUT_S,
) -> list[str]:
    """The distinct canonical forms a signer may have hashed: UTF-16 order, then code point.

    Usually one string; two only when the orders disagree (astral characters next to ones in
    U+E000..U+FFFF). A verifier accepts a proof if it verifies against any of them. Each
    ordering runs with the full ``max_work``/``timeout_s``; the second runs only when the
    first output holds an astral character (every quad appears in the output, so without one
    the orders cannot differ). Errors as ``canonicalize``.
    """
    quads, parts = _quads_and_parts(doc, loader)
    limits: dict[str, Any] = {
        "max_work": max_work,
        "timeout_s": timeout_s,
        "ascii_labels": True,
        "known_parts": parts,
    }
    first = _canonicalize_quads(quads, order="utf16", **limits)[0]
    if not reaches(first, _ASTRAL):
        return [first]
    second = _canonicalize_quads(quads, order="codepoint", **limits)[0]
    return [first] if second == first else [first, second]
