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

import re
from collections.abc import Mapping
from typing import Any

from microcred.errors import MicrocredError
from microcred.jsonld import _pyld
from microcred.jsonld.loader import OfflineLoader
from microcred.jsonld.safe import expand_checked
from microcred.verify.checks.parse import embedded_endorsements, size_problem
from microcred.verify.context import Ctx
from microcred.verify.report import MALFORMED_VALUE_ERROR, Finding

NON_COMPACT_FORM = MALFORMED_VALUE_ERROR
_INDEX = re.compile(r"\[\d+\]")


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

    def _compact_iri(
        self,
        active_ctx: Any,
        iri: Any,
        value: Any = None,
        vocab: bool = False,
        base: Any = None,
        reverse: bool = False,
    ) -> Any:
        term = super()._compact_iri(active_ctx, iri, value, vocab, base, reverse)
        if value is None or not vocab or not isinstance(term, str) or not term[:1].isupper():
            return term
        mappings = active_ctx.get("mappings", {})
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


def _compact(expanded: Any, context: Any, loader: OfflineLoader) -> Any:
    processor = _ViewProcessor(loader)
    try:
        return processor.compact(expanded, {"@context": context}, _pyld.options(loader))
    except MicrocredError:
        raise
    except Exception as exc:  # pyld raises its own and plain Python errors on bad input
        raise _pyld.translate(exc, "JSON-LD compaction failed") from None


def _endorsement_places(doc: Any) -> list[str]:
    return sorted(_INDEX.sub("", where) for where, _ in embedded_endorsements(doc))


def build_signed_view(doc: Mapping[str, Any], loader: OfflineLoader) -> SignedView:
    """Expand ``doc`` (without its proofs) and compact it with its own ``@context``.

    ``view`` is None when the data-loss check found something (the contexts check fails then)
    or when the document cannot be processed (``error``, which the contexts check reports).
    """
    unsecured = {k: v for k, v in doc.items() if k != "proof"}
    try:
        expanded, loss = expand_checked(unsecured, loader)
        if loss:
            return SignedView(None, loss, None)
        compacted = _compact(expanded, doc.get("@context"), loader)
    except MicrocredError as exc:
        return SignedView(None, {}, Finding(exc.code, exc.diagnostics()))
    if not isinstance(compacted, dict):
        detail = "the document does not compact to one JSON object"
        return SignedView(None, {}, Finding(MALFORMED_VALUE_ERROR, detail))
    compacted.pop("@context", None)
    view: dict[str, Any] = {"@context": doc.get("@context"), **compacted}
    if "proof" in doc:
        view["proof"] = doc["proof"]
    too_big = size_problem(view)
    if too_big is not None:
        return SignedView(None, {}, Finding(MALFORMED_VALUE_ERROR, f"{too_big} (signed form)"))
    if _endorsement_places(doc) != _endorsement_places(view):
        detail = (
            "an embedded endorsement is not written under the 'endorsement' term where the "
            "contexts put it (full IRI, @nest or another spelling); microcred verifies "
            "endorsements only in the compact form"
        )
        return SignedView(None, {}, Finding(NON_COMPACT_FORM, detail))
    return SignedView(view, {}, None)


def prepare_signed_view(ctx: Ctx) -> None:
    """After ``parse``: build the signed view every value-reading check reads (``ctx.view``);
    ``ctx.doc`` stays the JSON as written, for the contexts and proof checks. A document that
    fails the contexts check has no view worth having; nothing after that check runs."""
    if ctx.doc is not None and ctx.signed is None:
        ctx.signed = build_signed_view(ctx.doc, ctx.loader)


def view_problem(ctx: Ctx) -> Finding | None:
    """Why a document whose JSON-LD processing loses nothing still has no signed view (the
    data_model check reports it: without the view no value could be read safely)."""
    signed = ctx.signed
    if isinstance(signed, SignedView) and signed.view is None and not signed.loss:
        return signed.error
    return None
