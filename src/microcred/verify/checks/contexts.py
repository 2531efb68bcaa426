"""Check 3, ``contexts``: the credential means what its pinned contexts say, and nothing else.

Three layers, cheapest first (VC-DI "Context Validation"; MC-35..42, MC-62, MC-04..07):

1. ``@context`` is one of the allow-listed combinations of pinned context URLs — no inline
   context objects, no unknown URL (refused, never fetched), base context first;
2. no subtree carries its own ``@context``, except whole credentials embedded where OB/CLR
   put them (``endorsement``, a CLR's ``verifiableCredential``), which must pass rule 1 too;
3. JSON-LD processing drops nothing: an undefined term or relative IRI would ride along
   unsigned (``DATA_LOSS_DETECTION_ERROR``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from microcred._util import JSON_SCALARS, is_mapping, member_at_most_once, spelled
from microcred.errors import MicrocredError
from microcred.jsonld.safe import check_data_loss
from microcred.verify.checks.data_model import KNOWN_TYPES, not_open_badges
from microcred.verify.context import V1_CONTEXT, V2_CONTEXT, Ctx, result
from microcred.verify.report import (
    CONTEXT_NOT_ALLOWED,
    MALFORMED_VALUE_ERROR,
    CheckResult,
    Finding,
)

OB = "https://purl.imsglobal.org/spec/ob/v3p0/"
OB_300 = OB + "context.json"
OB_301 = OB + "context-3.0.1.json"
OB_302 = OB + "context-3.0.2.json"
OB_303 = OB + "context-3.0.3.json"
OB_EXTENSIONS = OB + "extensions.json"
CLR = "https://purl.imsglobal.org/spec/clr/v2p0/"
CLR_200 = CLR + "context.json"  # what real CLR 2.0 credentials name; the same file as 2.0.0
CLR_2000 = CLR + "context-2.0.0.json"
CLR_201 = CLR + "context-2.0.1.json"
ED25519_2020 = "https://w3id.org/security/suites/ed25519-2020/v1"
ED25519_2018 = "https://w3id.org/security/suites/ed25519-2018/v1"
SECURITY_V1 = "https://w3id.org/security/v1"
SECURITY_V2 = "https://w3id.org/security/v2"
DI_V1 = "https://w3id.org/security/data-integrity/v1"
DI_V2 = "https://w3id.org/security/data-integrity/v2"
STATUS_V1 = "https://www.w3.org/ns/credentials/status/v1"
STATUS_2021 = "https://w3id.org/vc/status-list/2021/v1"
DCC_V1 = "https://w3id.org/dcc/v1"
JFF_1 = "https://w3c-ccg.github.io/vc-ed/plugfest-1-2022/jff-vc-edu-plugfest-1-context.json"
"""The OB 3.0 beta context JFF Plugfest 1 (VC 1.1) badges name (as DCC's package publishes it)."""


def _with_clr(clrs: tuple[str, ...], obs: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    """OB alone, CLR alone, or a CLR context next to an OB one (either order)."""
    out: list[tuple[str, ...]] = [(), *((ob,) for ob in obs), *((clr,) for clr in clrs)]
    for clr in clrs:
        for ob in obs:
            out += [(clr, ob), (ob, clr)]
    return tuple(out)


# The second (and third) position: which vocabulary family, per base context. VC 2.0's
# protected terms cannot be combined with the unprotected OB 3.0.0/3.0.1 and CLR 2.0.0 contexts.
FAMILIES: Mapping[str, tuple[tuple[str, ...], ...]] = {
    V2_CONTEXT: _with_clr((CLR_201,), (OB_303, OB_302)),
    V1_CONTEXT: _with_clr((CLR_201, CLR_200, CLR_2000), (OB_303, OB_302, OB_301, OB_300, JFF_1)),
}
# Optional extras after the family, each at most once: all pinned and only adding terms for
# proofs, status or OB extensions. Deliberately absent: contexts with @vocab (undefined-terms),
# example and DID contexts, which would change or blur what a credential means. Contexts the
# user pinned with --context URL=FILE are accepted here too (their choice, never fetched).
EXTRAS: Mapping[str, frozenset[str]] = {
    V2_CONTEXT: frozenset(
        {OB_EXTENSIONS, ED25519_2020, ED25519_2018, DI_V2, STATUS_V1, STATUS_2021}
    ),
    V1_CONTEXT: frozenset(
        {
            OB_EXTENSIONS,
            ED25519_2020,
            ED25519_2018,
            SECURITY_V1,
            SECURITY_V2,
            DI_V1,
            DI_V2,
            STATUS_V1,
            STATUS_2021,
            DCC_V1,
        }
    ),
}
EMBEDDING_KEYS = frozenset({"endorsement", "verifiableCredential"})
"""Keys under which OB 3.0 / CLR 2.0 embed whole credentials, each with its own @context."""
MAX_EMBEDDED = 64


def _not_allowed(detail: str) -> Finding:
    return Finding(CONTEXT_NOT_ALLOWED, detail)


def check_context_value(
    value: Any, where: str, known: frozenset[str], user: frozenset[str] = frozenset()
) -> list[Finding]:
    """Rule 1 for one ``@context`` value; empty when it is an allow-listed combination.

    ``known`` is every URL the loader serves; ``user`` those of them the user pinned.
    """
    if value is None:
        return [Finding(MALFORMED_VALUE_ERROR, f"{where}: @context is missing")]
    items: Sequence[Any] = value if isinstance(value, list) else [value]
    if not items:
        return [Finding(MALFORMED_VALUE_ERROR, f"{where}: @context is empty")]
    problems: list[Finding] = []
    for n, item in enumerate(items):
        if isinstance(item, Mapping):
            problems.append(
                _not_allowed(
                    f"{where}[{n}]: an inline context object is not allowed (it could redefine "
                    "what signed terms mean); use only the published context URLs"
                )
            )
        elif not isinstance(item, str):
            problems.append(
                Finding(MALFORMED_VALUE_ERROR, f"{where}[{n}]: {item!r} is not a context URL")
            )
        elif item not in known:
            problems.append(
                _not_allowed(
                    f"{where}[{n}]: {item!r} is not a context microcred knows; unknown "
                    "contexts are refused, never fetched. If you trust this context, save it "
                    f"and pin it: --context {item}=FILE"
                )
            )
    if problems:
        return problems
    urls: list[str] = list(items)
    base = urls[0]
    if base not in FAMILIES:
        return [
            Finding(
                MALFORMED_VALUE_ERROR,
                f"{where}[0]: the first context must be {V2_CONTEXT} (or {V1_CONTEXT} for VC "
                f"1.1), found {base!r}",
            )
        ]
    # After the base: the vocabulary family (OB and/or CLR, at most one of each) and extras,
    # each once. Real issuers order them freely (a suite context before the OB one); the
    # meaning cannot change with the order here, because pinned contexts that conflict are
    # refused by JSON-LD processing itself (protected terms) and nothing may be dropped.
    family_urls = {url for combo in FAMILIES[base] for url in combo}
    family = tuple(url for url in urls[1:] if url in family_urls)
    seen: set[str] = set()
    for offset, url in enumerate(urls[1:]):
        place = f"{where}[{1 + offset}]"
        if url in seen:
            problems.append(_not_allowed(f"{place}: {url} appears twice"))
        elif url not in family_urls and url not in EXTRAS[base] and url not in user:
            problems.append(
                _not_allowed(
                    f"{place}: {url} is not allowed with {base} "
                    "(allowed combinations: docs/verify.md)"
                )
            )
        seen.add(url)
    if not problems and family not in FAMILIES[base]:
        shown = ", ".join(family)
        problems.append(
            _not_allowed(f"{where}: {shown} cannot be combined with {base} (docs/verify.md)")
        )
    return problems


def _nested(
    node: Any,
    where: str,
    known: frozenset[str],
    out: list[Finding],
    count: list[int],
    user: frozenset[str] = frozenset(),
) -> None:
    """Rule 2: walk the document without recursion limits surprises (depth is capped at parse).
    Paths are linked pairs after ``where``, spelled only for a finding."""
    stack: list[tuple[Any, Any, bool]] = [(node, None, True)]
    while stack:
        item, path, top = stack.pop()
        if is_mapping(item):
            if "@context" in item and not top:
                out.append(
                    _not_allowed(
                        f"{spelled(where, path)}: an embedded @context is not allowed here (it "
                        "would change the meaning of this part of the credential)"
                    )
                )
            for key, value in item.items():
                if key in ("@context", "proof"):
                    continue  # proofs are not document content; the proof check handles them
                child = (path, key)
                if key in EMBEDDING_KEYS:
                    for n, sub in enumerate(value if isinstance(value, list) else [value]):
                        sub_path = (child, n) if isinstance(value, list) else child
                        if is_mapping(sub) and "@context" in sub:
                            sub_place = spelled(where, sub_path)
                            count[0] += 1
                            if count[0] > MAX_EMBEDDED:
                                too_many = f"more than {MAX_EMBEDDED} embedded credentials"
                                out.append(_not_allowed(f"{sub_place}: {too_many}"))
                                return
                            out.extend(
                                check_context_value(
                                    sub["@context"], f"{sub_place}.@context", known, user
                                )
                            )
                            stack.append((sub, sub_path, True))
                        else:
                            stack.append((sub, sub_path, False))
                elif type(value) not in JSON_SCALARS:  # a leaf holds no @context
                    stack.append((value, child, False))
        elif isinstance(item, list):
            for i, v in enumerate(item):
                if type(v) not in JSON_SCALARS:
                    stack.append((v, (path, i), False))


def check_contexts(ctx: Ctx) -> CheckResult:
    doc = ctx.doc
    assert doc is not None
    known: frozenset[str] = ctx.loader.urls()
    user = frozenset(url for url in known if not ctx.loader.is_pinned(url))
    problems = check_context_value(doc.get("@context"), "$.@context", known, user)
    types = set(ctx.types())
    if problems and ctx.role == "credential" and not types & KNOWN_TYPES:
        # Not an Open Badge (data_model said so): its vocabulary is none of microcred's
        # business, so an unknown context leaves it undecided, not invalid.
        return result("contexts", indeterminate=[*problems, not_open_badges(types)])
    if problems:
        return result("contexts", problems)
    text = ctx.raw if isinstance(ctx.raw, bytes) and ctx.jwt is None else None
    if not member_at_most_once(text, "@context"):  # else only the top names a context
        _nested(doc, "$", known, problems, [0], user)
    if problems:
        return result("contexts", problems)
    # 3. Nothing is silently dropped from what the proofs sign (the document without proofs;
    # each proof's own options are checked by the proof check).
    if getattr(ctx.signed, "view", None) is not None:
        return result("contexts")  # the signed view expanded this document and lost nothing
    unsecured = {k: v for k, v in doc.items() if k != "proof"}
    try:
        check_data_loss(unsecured, ctx.loader)
    except MicrocredError as exc:
        return result("contexts", [Finding(exc.code, exc.diagnostics())])
    return result("contexts")
