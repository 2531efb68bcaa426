"""What a 1EdTech JSON Schema is applied to: the JSON as written *and* the signed data.

A JSON Schema constrains spelling, so it cannot read the expanded data; but applied only to the
JSON as written it could be talked out of seeing a value: a property with a bad value written
as its full IRI, a compact IRI, under ``@nest`` or through a keyword keeps the signed RDF (the
proof verifies) while the schema no longer finds it (issue 8). So the schema is applied twice
and the worse outcome wins:

* to the JSON as written: spelling the schema refuses stays an error (a date written as a value
  object where the schema wants a string), as the 1EdTech validator would say;
* to the *signed shape*: the signed view (each embedded credential replaced by its own signed
  view) laid over the JSON as written. Every property the proof covers sits under its term, with
  its signed value; where the written JSON has the same property at the same place, its JSON
  shape choices that carry no RDF are kept (``{"id": X}`` or ``X`` for a node reference, a
  one-element array or a single value), so a genuine credential meets the schema exactly as
  written, and only what the written JSON hides is read from the view.

In both, a one-element ``type`` array is read as its one string (what compaction writes): the
1EdTech schemas accept a type as a string or an array, so ``["X"]`` and ``"X"`` (one RDF) must
not get two outcomes. The hand-written data_model rules check the types that matter on the view.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from microcred.verify.context import Ctx
from microcred.verify.signed import _embedded, _put, build_signed_view

_MAX_DEPTH = 8
_SIGNED_NOTE = "in the signed data, which the JSON as written spells otherwise"


def one_type_as_string(value: Any) -> Any:
    """A copy of ``value`` with every one-element ``type`` array written as its string
    (``@context`` values are left alone)."""
    if isinstance(value, list):
        return [one_type_as_string(item) for item in value]
    if not isinstance(value, Mapping):
        return value
    out: dict[str, Any] = {}
    for key, item in value.items():
        if key == "@context":
            out[key] = item
        elif key == "type" and isinstance(item, list) and len(item) == 1:
            out[key] = item[0]
        else:
            out[key] = one_type_as_string(item)
    return out


def _embedded_views(view: dict[str, Any], loader: Any, depth: int) -> dict[str, Any]:
    """``view`` with each embedded credential replaced by its own signed view (kept as written
    when it has none: the endorsement/CLR checks fail it then)."""
    out = copy.deepcopy(view)
    for path, item in _embedded(out):
        if not isinstance(item, Mapping) or depth >= _MAX_DEPTH:
            continue
        try:
            inner = build_signed_view(item, loader).view
        except Exception:  # the embedded check reports it; keep the JSON
            inner = None
        if inner is not None:
            _put(out, path, _embedded_views(inner, loader, depth + 1))
    return out


def signed_shape(written: Any, view: Any) -> Any:
    """``view`` with the JSON shape of ``written`` where both have the same property at the
    same place (see the module docstring); keys only the written JSON has are left out."""
    if isinstance(view, Mapping):
        if isinstance(written, list) and len(written) == 1:
            return [signed_shape(written[0], view)]
        if not isinstance(written, Mapping):
            return {key: signed_shape(None, item) for key, item in view.items()}
        return {key: signed_shape(written.get(key), item) for key, item in view.items()}
    if isinstance(view, list):
        if isinstance(written, list) and len(written) == len(view):
            return [signed_shape(w, v) for w, v in zip(written, view, strict=True)]
        return [signed_shape(None, item) for item in view]
    if isinstance(written, list) and len(written) == 1:
        return [signed_shape(written[0], view)]
    if isinstance(view, str) and isinstance(written, Mapping) and set(written) == {"id"}:
        return {"id": view}  # a node reference written as an object
    return view


def schema_inputs(ctx: Ctx) -> tuple[Any, Any]:
    """(JSON as written, signed shape) as the schema reads them; the second is None when the
    document has no signed view (data_model then reads the JSON as written only)."""
    written = ctx.doc
    view = ctx.view
    signed = None
    if isinstance(view, dict) and view is not written:
        embedded = _embedded_views(view, ctx.loader, ctx.depth)
        signed = one_type_as_string(signed_shape(written, embedded))
    return one_type_as_string(written if written is not None else view), signed


def schema_problems(written: Any, signed: Any, schema: Mapping[str, Any]) -> list[str]:
    """Every violation as ``$.path: message``: the JSON as written's, then the signed view's
    at places the written JSON has none (the worse outcome of the two)."""
    from microcred.credential.schemas import schema_violations

    found = schema_violations(written, schema)
    places = {path for path, _ in found}
    out = sorted(f"{path}: {message}" for path, message in found)
    if signed is not None:
        for path, message in schema_violations(signed, schema):
            if path not in places:
                places.add(path)
                out.append(f"{path}: {message} ({_SIGNED_NOTE})")
    return out
