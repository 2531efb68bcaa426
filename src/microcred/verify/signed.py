"""What the proof covers, as the JSON the checks read: the *signed view* of a document.

An eddsa-rdfc-2022 proof signs the RDF, not the JSON keys. Many JSON spellings give the same
RDF: a term written as its full IRI, a compact IRI through a prefix, ``@nest``, keyword
aliases, value objects, ``@type`` variants. A check that looked for ``"validUntil"`` or
``"credentialStatus"`` in the raw JSON could be talked out of finding it while the signature
still verifies. So every check that reads a value reads it from this view instead: the
document is expanded (the same expansion the data-loss check runs, which RDF conversion
starts from), then compacted again with the document's own, allow-listed ``@context``. Two
documents with the same RDF get the same view, so their verdicts cannot differ.

The proof check alone reads the JSON as written (eddsa-jcs-2022 signs the JSON itself);
embedded endorsements are verified from the JSON as written too (their signature covers them
standalone), and their positions in the JSON must be the positions in the view, or the
document is refused: an endorsement moved out of sight could not be checked.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from frozendict import frozendict

from microcred._util import JSON_SCALARS, is_mapping, names_no_member, unlinked
from microcred.errors import MicrocredError
from microcred.jsonld import _pyld
from microcred.jsonld.fastcompact import fast_compact
from microcred.jsonld.loader import OfflineLoader
from microcred.jsonld.safe import expand_checked
from microcred.verify.checks.parse import size_problem
from microcred.verify.context import Ctx
from microcred.verify.report import MALFORMED_VALUE_ERROR, VERIFIER_ERROR, Finding

NON_COMPACT_FORM = MALFORMED_VALUE_ERROR


class SignedView:
    """The view of one document and what building it found (shared with the contexts check)."""

    def __init__(
        self,
        view: dict[str, Any] | None,
        loss: dict[str, str],
        error: Finding | None,
    ) -> None:
        self.view = view
        self.loss = loss
        self.error = error


class _ViewProcessor(_pyld.Processor):
    """pyld's compaction, naming a property by its lower-case term when a context defines a
    property and a class with one IRI (OB 3.0.0 maps both ``achievement`` and ``Achievement``
    to ``#Achievement``; JSON-LD's shortest-then-least rule picks the class name)."""

    remember = True
    """Reuse answers for frozen contexts (switched off only to test that reuse changes nothing)."""

    def _compact_iri(
        self,
        active_ctx: Any,
        iri: Any,
        value: Any = None,
        vocab: bool = False,
        base: Any = None,
        reverse: bool = False,
    ) -> Any:
        if not vocab and value is None and not reverse and base is None and type(iri) is str:
            prefixes = _id_prefixes(active_ctx) if iri[:1] != "@" else None
            if prefixes is not None and not iri.startswith(prefixes):
                return iri  # an id no term or prefix could shorten (most ids: unique, unmemoized)
        key = _memo_key(active_ctx, iri, value, vocab, base, reverse) if self.remember else None
        if key is None:
            return self._choose(active_ctx, iri, value, vocab, base, reverse)
        hit = _TERMS.get(key, _MISSING)
        if hit is _MISSING:
            hit = self._choose(active_ctx, iri, value, vocab, base, reverse)
            if len(_TERMS) >= _MAX_TERMS:
                _TERMS.clear()
            _TERMS[key] = hit
        return hit

    def _choose(
        self, active_ctx: Any, iri: Any, value: Any, vocab: bool, base: Any, reverse: bool
    ) -> Any:
        term = super()._compact_iri(active_ctx, iri, value, vocab, base, reverse)
        if not vocab or not isinstance(term, str):
            return term
        mappings = active_ctx.get("mappings", {})
        if value is None:
            return _class_term(mappings, iri, term) if not reverse else term
        if term == iri and not reverse:
            return _plain_term(mappings, iri) or term
        if not term[:1].isupper():
            return term
        alternative = term[:1].lower() + term[1:]
        chosen, other = mappings.get(term), mappings.get(alternative)
        if (
            isinstance(chosen, Mapping)
            and isinstance(other, Mapping)
            and other.get("@id") == chosen.get("@id")
            and other.get("@container") == chosen.get("@container")
            and other.get("@type") == chosen.get("@type")
            and not other.get("reverse")
        ):
            return alternative
        return term


_TERMS: dict[tuple[Any, ...], Any] = {}
_LONE_VALUE = ("value", frozenset({"@value"}), None, None, None)
_MAX_TERMS = 50_000
_MISSING = object()


def _memo_key(
    active_ctx: Any, iri: Any, value: Any, vocab: bool, base: Any, reverse: bool
) -> tuple[Any, ...] | None:
    """What pyld's term selection reads (JSON-LD 1.1 IRI compaction, pyld 3.3): the frozen
    context, the IRI and flags, and of the value only its shape: which keywords a value object
    has with its @type/@language/@direction, or a node object's @id and whether it has an
    @index. Lists, graphs and anything unusual are not remembered (None)."""
    uuid = active_ctx.get("_uuid") if isinstance(active_ctx, frozendict) else None
    if uuid is None or not isinstance(iri, str) or not isinstance(base, str | None):
        return None
    if value is None:
        shape: tuple[Any, ...] = ()
    elif not isinstance(value, dict):
        return None
    elif len(value) == 1 and "@value" in value:
        shape = _LONE_VALUE  # the commonest value: a plain string
    elif "@value" in value:
        kind, language, direction = (
            value.get("@type"),
            value.get("@language"),
            value.get("@direction"),
        )
        if not (
            (kind is None or isinstance(kind, str))
            and (language is None or isinstance(language, str))
            and (direction is None or isinstance(direction, str))
        ):
            return None
        shape = ("value", frozenset(value), kind, language, direction)
    elif value.keys() & {"@list", "@graph", "@preserve", "@set"}:
        return None
    else:
        node_id = value.get("@id")
        if not isinstance(node_id, str | None):
            return None
        # pyld reads the id only to ask whether a term maps to exactly that IRI (then @vocab
        # is preferred to @id); any other id gives the same answer, so it is not part of the key
        if node_id is not None and node_id not in _term_iris(uuid, active_ctx):
            node_id = _OTHER_ID
        shape = ("node", "@index" in value, "@id" in value, node_id)
    return (uuid, iri, bool(vocab), base, bool(reverse), shape)


_PREFIXES: dict[str, tuple[str, ...] | None] = {}


def _id_prefixes(active_ctx: Any) -> tuple[str, ...] | None:
    """What pyld's IRI compaction (not vocab-relative, no value, null base) compares an IRI
    with: every term's IRI (a compact IRI candidate) and every prefix followed by a colon (an
    IRI confused with a prefix). An IRI starting with none of them comes back unchanged, as
    pyld returns it. None (ask pyld) for a context with a base IRI or one that is not frozen."""
    uuid = active_ctx.get("_uuid") if isinstance(active_ctx, frozendict) else None
    if uuid is None:
        return None
    if uuid in _PREFIXES:
        return _PREFIXES[uuid]
    found: tuple[str, ...] | None = None
    if active_ctx.get("@base") is None:
        starts: set[str] = set()
        for term, definition in active_ctx.get("mappings", {}).items():
            if not isinstance(definition, Mapping):
                continue
            if ":" not in term and definition.get("@id"):
                starts.add(str(definition["@id"]))
            if definition.get("_prefix"):
                starts.add(term + ":")
        found = tuple(sorted(starts))
    if len(_PREFIXES) >= 1024:
        _PREFIXES.clear()
    _PREFIXES[uuid] = found
    return found


_OTHER_ID = "\x00not a term IRI"
_TERM_IRIS: dict[str, frozenset[str]] = {}


def _term_iris(uuid: str, active_ctx: Any) -> frozenset[str]:
    """Every IRI a term of the (frozen) context maps to."""
    found = _TERM_IRIS.get(uuid)
    if found is None:
        mappings = active_ctx.get("mappings", {})
        found = frozenset(
            m["@id"]
            for m in mappings.values()
            if isinstance(m, Mapping) and isinstance(m.get("@id"), str)
        )
        if len(_TERM_IRIS) >= 1024:
            _TERM_IRIS.clear()
        _TERM_IRIS[uuid] = found
    return found


def _class_term(mappings: Mapping[str, Any], iri: str, term: str) -> str:
    """A type value by its class name when a context also names the class's IRI with a
    property-like term (OB 3.0 maps both ``geo`` and ``GeoCoordinates`` to ``#GeoCoordinates``;
    the shortest-term rule would write the type as ``geo``, which the 1EdTech schema refuses)."""
    if not term[:1].islower() or ":" in term:
        return term
    names = [
        name
        for name, mapping in mappings.items()
        if name[:1].isupper()
        and isinstance(mapping, Mapping)
        and mapping.get("@id") == iri
        and not mapping.get("reverse")
    ]
    return min(names, key=lambda name: (len(name), name)) if names else term


def _plain_term(mappings: Mapping[str, Any], iri: str) -> str | None:
    """A term for property ``iri`` whose value coercion does not fit the value (CLR 2.0 coerces
    node-valued ``achievement`` to the type ``obi:Achievement``, so JSON-LD compaction writes the
    full IRI). The checks read by term, so use it when its container adds no structure."""
    names = [
        name
        for name, mapping in mappings.items()
        if isinstance(mapping, Mapping)
        and mapping.get("@id") == iri
        and not mapping.get("reverse")
        and list(mapping.get("@container") or []) in ([], ["@set"])
    ]
    names.sort(key=lambda name: (name[:1].isupper(), len(name), name))
    return names[0] if names else None


CRED = "https://www.w3.org/2018/credentials#"
_EMBEDDING_IRIS = frozenset(
    {
        "https://purl.imsglobal.org/spec/vc/ob/vocab.html#endorsement",
        "https://purl.imsglobal.org/spec/vc/clr/vocab.html#verifiableCredential",
        CRED + "verifiableCredential",
    }
)
_ELSEWHERE = ("@included", "@reverse")
_LIST_TYPES = frozenset(
    {
        "https://www.w3.org/ns/credentials/status#BitstringStatusListCredential",
        "https://w3id.org/vc/status-list#StatusList2021Credential",
    }
)


def _shape_problem(expanded: Any) -> str | None:
    """Why the expanded document does not describe the credential in one place: ``@included``
    or ``@reverse``, or the credential (its status entries, a status list's subject) described
    by a second node object with the same ``@id``. RDF merges such nodes, so a property moved
    there stays signed while a reader of the credential's own node would miss it (a hidden
    validUntil or credentialStatus). Embedded credentials are verified on their own and are
    not searched."""
    top = expanded[0] if isinstance(expanded, list) and len(expanded) == 1 else None
    if not isinstance(top, dict):
        return None  # several top-level nodes: the view has no credential shape; data_model fails
    protected = {top.get("@id")}
    keys = [CRED + "credentialStatus"]
    if set(top.get("@type", [])) & _LIST_TYPES:
        keys.append(CRED + "credentialSubject")  # a list's encodedList, ttl, statusPurpose
    for key in keys:
        for node in top.get(key, []):
            if isinstance(node, dict):
                protected.add(node.get("@id"))
    protected.discard(None)
    seen: dict[str, int] = {}
    stack: list[Any] = [top]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
            continue
        if not isinstance(item, dict):
            continue
        for key in _ELSEWHERE:
            if key in item:
                return (
                    f"the document uses {key}, which describes nodes away from where they are read"
                )
        node_id = item.get("@id")
        # A second node that only adds a type (the 1EdTech sample's refreshService names the
        # credential's own id) moves nothing a check reads.
        if isinstance(node_id, str) and node_id in protected and set(item) - {"@id", "@type"}:
            seen[node_id] = seen.get(node_id, 0) + 1
            if seen[node_id] > 1:
                return f"{node_id} is described in two places"
        for key, value in item.items():
            if (
                key not in _EMBEDDING_IRIS
                and key not in ("@value", "@context")
                and type(value) not in JSON_SCALARS
            ):
                stack.append(value)
    return None


def _proof_option_problem(proofs: Any) -> str | None:
    """The proof check reads options by their terms (``expires``, ``created``...); RDFC signs
    them through RDF, so ``expires`` written as its IRI would still verify while the check
    missed it. Every proof option must be written as its term."""
    for number, proof in enumerate(proofs if isinstance(proofs, list) else [proofs]):
        if not isinstance(proof, Mapping):
            continue
        for key in proof:
            if key != "@context" and (":" in key or key.startswith("@")):
                return (
                    f"proof[{number}] writes the option {key!r} other than by its term; "
                    "microcred reads proof options (expires, created...) only by their terms"
                )
    return None


def _compact(expanded: Any, context: Any, loader: OfflineLoader) -> Any:
    processor = _ViewProcessor(loader)
    # The input is already the expanded form: expanding it again changes nothing (checked on
    # random credentials and the standards pack, tests/verify/test_signed_view_speed.py) and
    # cost about half of the compaction.
    options = {**_pyld.options(loader), "skipExpansion": True}
    fast = fast_compact(processor, expanded, context, options)
    if fast is not None:  # a plain credential: the same result without pyld's general walk
        return fast
    try:
        return processor.compact(expanded, {"@context": context}, options)
    except MicrocredError:
        raise
    except Exception as exc:  # pyld raises its own and plain Python errors on bad input
        raise _pyld.translate(exc, "JSON-LD compaction failed") from None


EMBEDDING_KEYS = ("endorsement", "verifiableCredential")
Step = str | int


def _embedded(doc: Any) -> list[tuple[tuple[Step, ...], Any]]:
    """(path, item) of every credential embedded under an OB/CLR embedding key, in document
    order; not descending into them (each is verified as its own document)."""
    found: list[tuple[tuple[Step, ...], Any]] = []
    # paths as linked (parent, step) pairs, made tuples only for what is found
    stack: list[tuple[Any, Any]] = [(doc, None)]
    while stack:
        node, path = stack.pop()
        children: list[tuple[Any, Any]] = []
        if is_mapping(node):
            for key, value in node.items():
                if key in ("@context", "proof"):
                    continue
                if key in EMBEDDING_KEYS:
                    here = _steps((path, key))
                    if isinstance(value, list):
                        found.extend(((*here, n), item) for n, item in enumerate(value))
                    else:
                        found.append((here, value))
                elif isinstance(value, list) or is_mapping(value):
                    children.append((value, (path, key)))
        elif isinstance(node, list):
            children = [
                (item, (path, n))
                for n, item in enumerate(node)
                if isinstance(item, list) or is_mapping(item)
            ]
        stack.extend(reversed(children))
    return found


def _steps(path: Any) -> tuple[Step, ...]:
    return tuple(unlinked(path)[1])


def _shape(path: tuple[Step, ...]) -> tuple[str, ...]:
    return tuple(step for step in path if isinstance(step, str))


def _put(view: Any, path: tuple[Step, ...], item: Any) -> None:
    node = view
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = item


def _restore_embedded(
    raw: Mapping[str, Any], view: dict[str, Any], *, none_written: bool = False
) -> bool:
    """Put every embedded credential back as written (its signature covers it standalone, with
    its own @context, which compaction against the outer context drops). False when the
    embedded credentials do not sit in the view where they sit in the JSON. ``none_written``:
    the caller knows the JSON embeds none (its text names no embedding key)."""
    written = [] if none_written else _embedded(raw)
    compacted = _embedded(view)
    if sorted(_shape(p) for p, _ in written) != sorted(_shape(p) for p, _ in compacted):
        return False
    by_shape: dict[tuple[str, ...], list[Any]] = {}
    for path, item in written:
        by_shape.setdefault(_shape(path), []).append(item)
    for path, _ in compacted:
        _put(view, path, by_shape[_shape(path)].pop(0))
    return True


def _subjects_as_objects(compacted: dict[str, Any]) -> None:
    """A subject with nothing but an id compacts to a bare IRI (the VC context coerces
    ``credentialSubject`` to ``@id``); write it as the object ``{"id": ...}`` it means, so the
    checks read one shape whatever the spelling."""
    subjects = compacted.get("credentialSubject")
    if isinstance(subjects, str):
        compacted["credentialSubject"] = {"id": subjects}
    elif isinstance(subjects, list):
        compacted["credentialSubject"] = [
            {"id": item} if isinstance(item, str) else item for item in subjects
        ]


def build_signed_view(
    doc: Mapping[str, Any], loader: OfflineLoader, *, text: bytes | None = None
) -> SignedView:
    """Expand ``doc`` (without its proofs) and compact it with its own ``@context``.

    ``view`` is None when the data-loss check found something (the contexts check fails then)
    or when the document cannot be processed (``error``, which the contexts check reports).
    ``text``: the JSON ``doc`` was parsed from, when the caller has it (it can show at once
    that no embedded credential is written in it).
    """
    unsecured = {k: v for k, v in doc.items() if k != "proof"}
    try:
        expanded, loss = expand_checked(unsecured, loader, read_only=True)  # never changed
        if loss:
            return SignedView(None, loss, None)
        shape = _shape_problem(expanded)
        if shape is not None:
            detail = (
                f"{shape}; microcred reads a credential only with each of its nodes described "
                "once, where it is used"
            )
            return SignedView(None, {}, Finding(NON_COMPACT_FORM, detail))
        compacted = _compact(expanded, doc.get("@context"), loader)
    except MicrocredError as exc:
        return SignedView(None, {}, Finding(exc.code, exc.diagnostics()))
    if not isinstance(compacted, dict):
        detail = "the document does not compact to one JSON object"
        return SignedView(None, {}, Finding(MALFORMED_VALUE_ERROR, detail))
    odd = _proof_option_problem(doc.get("proof"))
    if odd is not None:
        return SignedView(None, {}, Finding(NON_COMPACT_FORM, odd))
    compacted.pop("@context", None)
    _subjects_as_objects(compacted)
    view: dict[str, Any] = {"@context": doc.get("@context"), **compacted}
    if "proof" in doc:
        view["proof"] = doc["proof"]
    too_big = size_problem(view)
    if too_big is not None:
        return SignedView(None, {}, Finding(MALFORMED_VALUE_ERROR, f"{too_big} (signed form)"))
    if not _restore_embedded(doc, view, none_written=names_no_member(text, EMBEDDING_KEYS)):
        detail = (
            "an embedded credential (endorsement, verifiableCredential) is not written under "
            "its term where the contexts put it (full IRI, @nest or another spelling); "
            "microcred verifies embedded credentials only in the compact form"
        )
        return SignedView(None, {}, Finding(NON_COMPACT_FORM, detail))
    return SignedView(view, {}, None)


def prepare_signed_view(ctx: Ctx) -> None:
    """After ``parse``: build the signed view every value-reading check reads (``ctx.view``);
    ``ctx.doc`` stays the JSON as written, for the contexts and proof checks. A document that
    fails the contexts check has no view worth having; nothing after that check runs."""
    if ctx.doc is not None and ctx.signed is None:
        try:
            text = ctx.raw if isinstance(ctx.raw, bytes) and ctx.jwt is None else None
            ctx.signed = build_signed_view(ctx.doc, ctx.loader, text=text)
        except Exception as exc:  # a bug must fail closed (contexts fails), never crash
            detail = f"the signed view could not be built ({type(exc).__name__}: {exc})"
            ctx.signed = SignedView(None, {}, Finding(VERIFIER_ERROR, detail))


def view_problem(ctx: Ctx) -> Finding | None:
    """Why a document whose JSON-LD processing loses nothing still has no signed view (the
    data_model check reports it: without the view no value could be read safely)."""
    signed = ctx.signed
    if isinstance(signed, SignedView) and signed.view is None and not signed.loss:
        return signed.error
    return None
