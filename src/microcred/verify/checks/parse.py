"""Check 1, ``parse``: one strict JSON object within size, depth and node caps.

Everything later trusts that the document is I-JSON (no duplicate keys, NaN or lone
surrogates) and small enough to process: the caps run before any JSON-LD work (MC-19, MC-61).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from microcred.errors import MicrocredError
from microcred.jsonld.strictjson import loads_strict
from microcred.verify.context import Ctx, result
from microcred.verify.report import PARSING_ERROR, CheckResult, Finding

MAX_BYTES = 5_000_000
MAX_DEPTH = 64
MAX_NODES = 50_000
"""A genuine credential has a few hundred JSON values; a CLR with many badges a few thousand."""

_JWS_RE = re.compile(rb"\s*[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*\s*")


def count_nodes(value: Any, limit: int) -> int:
    """Number of JSON values, counted without recursion; stops once over ``limit``."""
    count = 0
    stack = [value]
    while stack and count <= limit:
        item = stack.pop()
        count += 1
        if isinstance(item, Mapping):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return count


def _fail(detail: str) -> CheckResult:
    return result("parse", [Finding(PARSING_ERROR, detail)])


def check_parse(ctx: Ctx) -> CheckResult:
    if ctx.read_error is not None:
        return result("parse", [ctx.read_error])
    raw = ctx.raw
    if isinstance(raw, Mapping):
        value: Any = dict(raw)
    else:
        if isinstance(raw, str):
            raw_bytes = raw.encode("utf-8", "surrogatepass")
        elif isinstance(raw, bytes | bytearray):
            raw_bytes = bytes(raw)
        else:
            return _fail(f"expected JSON text or an object, got {type(raw).__name__}")
        if _JWS_RE.fullmatch(raw_bytes[:MAX_BYTES]):
            return _fail(
                "this is a compact JWS (VC-JWT); microcred verifies credentials with embedded "
                "Data Integrity proofs only (unsupported securing mechanism)"
            )
        try:
            value = loads_strict(raw_bytes, max_bytes=MAX_BYTES, max_depth=MAX_DEPTH)
        except MicrocredError as exc:
            return _fail(exc.diagnostics())
        except Exception as exc:  # a parser bug must still read as "not parseable", never pass
            return _fail(f"the JSON could not be parsed ({type(exc).__name__}: {exc})")
    if not isinstance(value, dict):
        kind = "a JSON string" if isinstance(value, str) else f"JSON {type(value).__name__}"
        hint = (
            " (it may be an encoded credential: decode it first)" if isinstance(value, str) else ""
        )
        return _fail(f"the document is {kind}, not a JSON object{hint}")
    nodes = count_nodes(value, MAX_NODES)
    if nodes > MAX_NODES:
        return _fail(f"the document has more than {MAX_NODES} JSON values; refusing to process it")
    ctx.doc = value
    return result("parse")
