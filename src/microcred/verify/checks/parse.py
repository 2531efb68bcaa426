"""Check 1, ``parse``: one strict JSON object within size, depth and count caps.

Everything later trusts that the document is I-JSON (no duplicate keys, NaN or lone
surrogates) and small enough to process: the caps run before any JSON-LD work (MC-19, MC-61).
JSON-LD work is not linear in the input: pyld 3.3.0 builds its node map with a linear duplicate
scan per value, so one array of N objects costs O(N^2) to canonicalize (4,000 objects: 13 s
measured). Capping every array at a size no genuine credential reaches, and the whole document
at a node count, bounds that cost before it is paid.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from microcred._util import JSON_SCALARS, is_mapping, spelled
from microcred.errors import MicrocredError
from microcred.jsonld.strictjson import loads_strict
from microcred.verify.context import Ctx, result, types_of
from microcred.verify.report import (
    MALFORMED_VALUE_ERROR,
    PARSING_ERROR,
    UNSUPPORTED_VERSION,
    CheckResult,
    Finding,
)

MAX_BYTES = 5_000_000
MAX_DEPTH = 64
MAX_NODES = 10_000
"""The most complete OB 3.0 sample has about 550 JSON values; 10,000 leaves room for a CLR."""
MAX_CLR_NODES = 40_000
"""A CLR 2.0 transcript embeds up to 64 credentials (contexts.MAX_EMBEDDED), each held to
MAX_NODES again when it is verified on its own: 64 microcred credentials are ~18,000 values
and verify in about a second."""
MAX_ARRAY = 256
"""Longest array accepted anywhere (alignments, results, evidence, a CLR's credentials)."""
MAX_PROOFS = 16
MAX_STATUS_ENTRIES = 16
MAX_ENDORSEMENTS = 16
"""Embedded EndorsementCredentials per credential; each costs a full verification."""

_JWS_RE = re.compile(rb"\s*[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*\s*")


def size_problem(value: Any) -> str | None:
    """Why the document is too big to process safely, or None. Walks without recursion, once:
    counting values and, as :func:`embedded_endorsements` finds them, endorsements.

    A quick walk (leaves counted where they are met, not pushed) first: when it finds nothing
    wrong, nothing is; else the full walk says what it meets first, as it always has."""
    limit = MAX_CLR_NODES if isinstance(value, Mapping) and names_clr(value) else MAX_NODES
    if _within_limits(value, limit):
        return None
    return _size_problem(value, limit)


def _within_limits(value: Any, limit: int) -> bool:
    """No more than ``limit`` values, no array over MAX_ARRAY, and the proof, status and
    endorsement counts within theirs (what :func:`_size_problem` checks, all of it)."""
    if type(value) in JSON_SCALARS:
        return True
    count, endorsements = 1, 0
    stack: list[tuple[Any, bool]] = [(value, True)]
    while stack:
        item, looking = stack.pop()
        if type(item) is dict:
            children: Any = item.items()
        elif type(item) is list:
            if len(item) > MAX_ARRAY:
                return False
            children = ((None, child) for child in item)
        else:
            return False  # anything unusual: the full walk decides
        for key, child in children:
            count += 1
            if looking and key == "endorsement":
                endorsements += len(child) if isinstance(child, list) else 1
                if type(child) not in JSON_SCALARS:
                    stack.append((child, False))
            elif type(child) not in JSON_SCALARS:
                stack.append((child, looking and key not in _NOT_SEARCHED))
        if count > limit:
            return False
    if endorsements > MAX_ENDORSEMENTS:
        return False
    if isinstance(value, Mapping):
        for key, most in (("proof", MAX_PROOFS), ("credentialStatus", MAX_STATUS_ENTRIES)):
            items = value.get(key)
            if isinstance(items, list) and len(items) > most:
                return False
    return True


def _size_problem(value: Any, limit: int) -> str | None:
    count = endorsements = 0
    stack: list[tuple[Any, bool]] = [(value, True)]  # (value, still looking for endorsements)
    while stack:
        item, looking = stack.pop()
        count += 1
        if count > limit:
            return f"the document has more than {limit} JSON values"
        if is_mapping(item):
            for key, child in item.items():
                if looking and key == "endorsement":
                    endorsements += len(child) if isinstance(child, list) else 1
                    stack.append((child, False))
                else:
                    stack.append((child, looking and key not in _NOT_SEARCHED))
        elif isinstance(item, list):
            if len(item) > MAX_ARRAY:
                return f"an array has {len(item)} items; at most {MAX_ARRAY} are accepted"
            stack.extend((child, looking) for child in item)
    for key, most in (("proof", MAX_PROOFS), ("credentialStatus", MAX_STATUS_ENTRIES)):
        items = value.get(key) if isinstance(value, Mapping) else None
        if isinstance(items, list) and len(items) > most:
            return f"'{key}' has {len(items)} entries; at most {most} are accepted"
    if endorsements > MAX_ENDORSEMENTS:
        return (
            f"the credential embeds {endorsements} endorsements; at most {MAX_ENDORSEMENTS} "
            "are accepted"
        )
    return None


_NOT_SEARCHED = ("@context", "proof", "verifiableCredential")


def names_clr(doc: Mapping[str, Any]) -> bool:
    """Whether ``doc`` calls itself a CLR transcript (its ``type`` names ClrCredential)."""
    kinds = doc.get("type")
    return "ClrCredential" in (kinds if isinstance(kinds, list) else [kinds])


def embedded_endorsements(doc: Any) -> list[tuple[str, Any]]:
    """Every item of every ``endorsement`` array (credential, issuer, achievement, creator...)
    with its JSON path, shallowest first. Depth 1: nothing inside an endorsement, nor inside a
    CLR's embedded credentials (those carry their own endorsements), is collected."""
    found: list[tuple[str, Any]] = []
    # paths as linked (parent, step) pairs, spelled out only for what is found: most
    # documents have no endorsement, and the walk runs three times per verification
    stack: list[tuple[Any, Any]] = [(doc, None)]
    while stack:
        node, path = stack.pop()
        children: list[tuple[Any, Any]] = []
        if is_mapping(node):
            for key, value in node.items():
                if key in _NOT_SEARCHED:
                    continue
                if key == "endorsement":
                    child = spelled("$", (path, key))
                    if isinstance(value, list):
                        found.extend((f"{child}[{n}]", item) for n, item in enumerate(value))
                    else:
                        found.append((child, value))
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


OB2_HINT = (
    "verify it with an Open Badges 2.0 verifier (the 1EdTech Open Badges validator or badgecheck)"
)


def is_ob2(value: Mapping[str, Any]) -> bool:
    """An Open Badges 2.0 Assertion (or BadgeClass/Issuer), not a verifiable credential."""
    if "VerifiableCredential" in types_of(value.get("type")):
        return False
    ctx = value.get("@context")
    contexts = ctx if isinstance(ctx, list) else [ctx]
    if any(isinstance(c, str) and "openbadges" in c and "v2" in c for c in contexts):
        return True
    return "Assertion" in types_of(value.get("type")) and "badge" in value


def _fail(detail: str) -> CheckResult:
    return result("parse", [Finding(PARSING_ERROR, detail)])


def check_parse(ctx: Ctx) -> CheckResult:
    if ctx.read_error is not None:
        if ctx.read_error.code == UNSUPPORTED_VERSION:  # an OB 2.0 baked image: not a defect
            detail = f"{ctx.read_error.detail}; microcred does not check it — {OB2_HINT}"
            return result("parse", indeterminate=[Finding(UNSUPPORTED_VERSION, detail)])
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
            from microcred.verify.checks.jwt import open_jwt  # VC-JWTs only

            opened = open_jwt(ctx, raw_bytes.decode("ascii").strip())
            if opened.outcome != "passed":
                return opened
            too_big = size_problem(ctx.doc)
            if too_big is not None:
                ctx.doc = None
                detail = f"{too_big}; refusing to process it (MC-61)"
                return result("parse", [Finding(MALFORMED_VALUE_ERROR, detail)])
            return opened
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
    too_big = size_problem(value)
    if too_big is not None:
        return result(
            "parse", [Finding(MALFORMED_VALUE_ERROR, f"{too_big}; refusing to process it (MC-61)")]
        )
    if is_ob2(value):
        detail = f"this is an Open Badges 2.0 document; microcred does not check it — {OB2_HINT}"
        return result("parse", indeterminate=[Finding(UNSUPPORTED_VERSION, detail)])
    ctx.doc = value
    return result("parse")
