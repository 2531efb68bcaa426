"""Glue between microcred and pyld: processing options and error translation.

pyld wraps every failure (including our loader's refusals) in its own JsonLdError chain; the
user needs the innermost reason, named in microcred's terms.
"""

from __future__ import annotations

import contextlib
from numbers import Real
from typing import Any

from frozendict import frozendict

from microcred.errors import JsonLdError
from microcred.jsonld import memo
from microcred.jsonld._pyld_import import pyld_jsonld
from microcred.jsonld.ecma import parse_float, xsd_double
from microcred.jsonld.loader import OfflineLoader

XSD_DOUBLE = "http://www.w3.org/2001/XMLSchema#double"
I18N = "https://www.w3.org/ns/i18n#"

_CONTEXT_CODES = (
    "context",
    "protected term redefinition",
    "term definition",
    "keyword redefinition",
    "invalid @vocab mapping",
    "invalid base iri",
    "invalid container mapping",
    "invalid iri mapping",
    "cyclic iri mapping",
    "invalid reverse property",
    "invalid scoped context",
    "invalid @version value",
    "processing mode conflict",
    "invalid @import value",
    "invalid @propagate value",
    "invalid @prefix value",
    "invalid @nest value",
    "invalid @protected value",
    "invalid language mapping",
    "invalid type mapping",
)


class Processor(pyld_jsonld.JsonLdProcessor):  # type: ignore[misc]
    """pyld's processor plus a cache of processed scoped contexts (DESIGN section 8), and
    literals spelled as jsonld.js spells them (see ``_object_to_rdf``).

    pyld processes a type-scoped context against a fresh clone of the active context, whose
    new ``_uuid`` defeats its own cache, so OB's scoped contexts were rebuilt for every
    document (~65% of signing time). Here the result is remembered per (frozen active
    context, the very same scoped-context object, flags). Frozen contexts get a unique
    ``_uuid`` and are never mutated, and the cache entry keeps the scoped-context object
    alive, so an identity match cannot be a stale or recycled one.
    """

    def __init__(self, loader: OfflineLoader, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._memo = loader.processed_contexts
        self._loader = loader

    def _process_context(
        self,
        active_ctx: Any,
        local_ctx: Any,
        options: Any,
        override_protected: bool = False,
        propagate: bool = True,
        validate_scoped: bool = True,
        cycles: Any = None,
    ) -> Any:
        uuid = active_ctx.get("_uuid") if isinstance(active_ctx, frozendict) else None
        scoped = (not propagate or override_protected) and isinstance(local_ctx, dict | frozendict)
        if uuid is None or cycles is not None or not scoped:
            return super()._process_context(
                active_ctx,
                local_ctx,
                options,
                override_protected,
                propagate,
                validate_scoped,
                cycles,
            )
        key = (uuid, id(local_ctx), override_protected, propagate, validate_scoped)
        hit = self._memo.get(key)
        if hit is not None and hit[0] is local_ctx:
            return hit[1]
        result = super()._process_context(
            active_ctx, local_ctx, options, override_protected, propagate, validate_scoped
        )
        if isinstance(result, frozendict):
            self._memo[key] = (local_ctx, result)
        return result

    def _expand_iri(
        self,
        active_ctx: Any,
        value: Any,
        base: Any = None,
        vocab: bool = False,
        local_ctx: Any = None,
        defined: Any = None,
    ) -> Any:
        """pyld's IRI expansion, remembered for frozen (immutable) active contexts.

        Outside context processing (no ``local_ctx``) the result depends only on the active
        context, the value, ``base`` and ``vocab``; a frozen context's ``_uuid`` names exactly
        one immutable context, so the answer can be reused. About a fifth of expansion time.
        """
        if local_ctx is None and type(value) is str and isinstance(active_ctx, frozendict):
            uuid = active_ctx.get("_uuid")
            if uuid is not None and (base is None or type(base) is str):
                key = (uuid, value, base, vocab)
                hit = _IRIS.get(key, _MISSING)
                if hit is not _MISSING:
                    return hit
                result = super()._expand_iri(active_ctx, value, base, vocab)
                if len(_IRIS) >= _MAX_IRIS:
                    _IRIS.clear()
                _IRIS[key] = result
                return result
        return super()._expand_iri(active_ctx, value, base, vocab, local_ctx, defined)

    def expand(self, input_: Any, options: Any) -> Any:
        """pyld's expansion, remembered per loader under the input's exact JSON text.

        Verification expands each document twice (data-loss check, then RDF conversion for
        RDFC): the second is a memo hit. Subclasses (the data-loss tracker) always run their
        hooks, so they store but never read the memo; a hit returns a private copy.
        """
        key = _expansion_key(input_, options, self._loader)
        if key is None:
            return super().expand(input_, options)
        cache = memo.cache_for(self._loader, "expanded")
        if type(self) is Processor:
            hit = cache.get(key)
            if hit is not None:
                return memo.thawed(hit)
        result = None
        if (
            type(self) is Processor
            and _plain_options(options)
            and options.get("documentLoader") is self._loader
        ):
            from microcred.jsonld.fastexpand import fast_expand  # it builds on this module

            result = fast_expand(input_, self._loader)
        if result is None:
            result = super().expand(input_, options)
        with contextlib.suppress(ValueError):  # not plain JSON data: nothing to remember
            cache[key] = memo.frozen(result)
        return result

    def _object_to_rdf(
        self, item: Any, issuer: Any, triples: list[Any], options: dict[str, Any]
    ) -> Any:
        """pyld's conversion with two literals spelled as jsonld.js (the reference) does.

        * ``xsd:double``: ``toExponential(15)`` rounds 16-digit ties half up where pyld's
          ``'%.15E'`` rounds half to even, and strings are read with ``parseFloat``;
        * ``@direction`` as an i18n datatype: the language part is lower-cased.
        The branch conditions mirror pyld's own, so no other literal changes.
        """
        result = super()._object_to_rdf(item, issuer, triples, options)
        if not isinstance(result, dict) or result.get("type") != "literal":
            return result
        value = item["@value"]
        datatype = item.get("@type")
        if datatype == "@json" or isinstance(value, bool):
            return result
        if isinstance(value, Real):
            number = float(value)
            if datatype == XSD_DOUBLE or not number.is_integer() or abs(number) >= 1e21:
                result["value"] = xsd_double(number)
        elif datatype == XSD_DOUBLE:
            result["value"] = xsd_double(parse_float(str(value)))
        elif options.get("rdfDirection") == "i18n-datatype" and "@direction" in item:
            language = str(item.get("@language") or "").lower()
            result["datatype"] = f"{I18N}{language}_{item['@direction']}"
        return result


_IRIS: dict[tuple[str, str, str | None, bool], Any] = {}
_MAX_IRIS = 50_000  # about 10 MB at most; cleared when full (ids are mostly one-off)
_MISSING = object()

_EXPANSION_OPTIONS = ("base", "processingMode", "isFrame", "keepFreeFloatingNodes")


def _plain_options(options: dict[str, Any]) -> bool:
    """The options every microcred expansion uses (what the fast expander assumes)."""
    return (
        isinstance(options, dict)
        and "expandContext" not in options
        and options.get("base") is None
        and options.get("processingMode") == "json-ld-1.1"
        and not options.get("isFrame")
        and not options.get("keepFreeFloatingNodes")
    )


def _expansion_key(
    input_: Any, options: Any, loader: OfflineLoader, text: bytes | None = None
) -> tuple[bytes, bytes] | None:
    """Memo key of an expansion: the input's key (``memo.json_key``) and every option
    expansion reads."""
    if not isinstance(input_, dict) or not isinstance(options, dict):
        return None
    if options.get("documentLoader") is not loader or "expandContext" in options:
        return None
    text = memo.json_key(input_) if text is None else text
    if text is None:
        return None
    settings = memo.json_key([options.get(name) for name in _EXPANSION_OPTIONS])
    return None if settings is None else (settings, text)


def remember_expansion(
    doc: Any,
    text: bytes,
    loader: OfflineLoader,
    expanded: Any,
    frozen: bytes | None = None,
    *,
    shared: bool = False,
) -> None:
    """Keep an expansion made elsewhere (the fast path of the data-loss check) for the RDF
    conversion that follows; ``text`` is ``memo.json_key(doc)``, ``frozen`` (when the caller
    has it) ``memo.frozen(expanded)``. ``shared``: the caller only reads ``expanded`` (the
    signed view), so the RDF walk, which only reads too, may use that object itself
    (:func:`expansion_to_read`)."""
    # the settings of options() without a resolver: the key reads only these
    key = _expansion_key(doc, {"documentLoader": loader, **_SETTINGS}, loader, text)
    if key is not None:
        with contextlib.suppress(ValueError):
            kept = memo.frozen(expanded) if frozen is None else frozen
            memo.cache_for(loader, "expanded")[key] = kept
            if shared:
                memo.cache_for(loader, "expanded-shared", 8)[key] = expanded


def expansion_to_read(doc: Any, text: bytes, loader: OfflineLoader) -> Any:
    """The expansion a read-only caller kept for ``doc`` (``text``: ``memo.json_key(doc)``),
    to be read and never changed; None when there is none."""
    key = _expansion_key(doc, {"documentLoader": loader, **_SETTINGS}, loader, text)
    return None if key is None else memo.cache_for(loader, "expanded-shared", 8).get(key)


def options(loader: OfflineLoader) -> dict[str, Any]:
    """pyld options every microcred call uses: our loader, our resolver, base IRI null."""
    return {
        "documentLoader": loader,
        "contextResolver": loader.context_resolver(),
        **_SETTINGS,
    }


_SETTINGS = {
    # None (not ''): pyld resolves relative IRIs against http://example.org/base/ when
    # base is '', and against the file path when given one. RDF needs a null base.
    "base": None,
    "processingMode": "json-ld-1.1",
    "extractAllScripts": False,
}


def translate(exc: BaseException, action: str) -> JsonLdError:
    """Turn a pyld failure into a microcred JsonLdError naming the innermost reason."""
    chain: list[BaseException] = []
    cause: BaseException | None = exc
    while cause is not None and cause not in chain:
        if isinstance(cause, JsonLdError):
            return cause
        chain.append(cause)
        implicit = None if cause.__suppress_context__ else cause.__context__
        cause = cause.__cause__ or implicit
    if isinstance(exc, RecursionError):
        return JsonLdError(
            f"{action}: the document is nested too deeply",
            code="RESOURCE_LIMIT_ERROR",
        )
    innermost = chain[-1]
    for item in reversed(chain):
        if isinstance(item, pyld_jsonld.JsonLdError):
            innermost = item
            break
    pyld_code = getattr(innermost, "code", None)
    if isinstance(innermost, pyld_jsonld.JsonLdError) and innermost.args:
        message = str(innermost.args[0])
    else:  # a plain Python error inside pyld: the input hit a case pyld does not handle
        message = f"pyld could not process this input ({type(innermost).__name__}: {innermost})"
    details = getattr(innermost, "details", None)
    detail_text = ""
    if isinstance(details, dict):
        for key in ("url", "term", "context", "value"):
            if key in details:
                detail_text = f" ({key}: {str(details[key])[:200]})"
                break
    text = f"{action}: {message}{detail_text}"
    if pyld_code:
        text += f" [{pyld_code}]"
    code = "MALFORMED_VALUE_ERROR"
    if isinstance(pyld_code, str) and any(c in pyld_code for c in _CONTEXT_CODES):
        code = "INVALID_CONTEXT"
    return JsonLdError(text, code=code)
