"""Check 7, ``status``: every status entry against a local, verified snapshot.

In the order of Bitstring Status List section 3.2 (and the 2021 StatusList2021Entry): the list
is a credential too, run through the same engine (parse, contexts, proof, binding) and read
through its signed view; it counts only when signed by the credential's issuer or by a list
issuer the trust file names for that issuer (MC-45). Then its type, id and dates, the purpose,
the length (at least 131,072 entries) and the bit, each failure with its own code. A list
microcred cannot process (unknown context), one signed by somebody else, one newer than the
time of verification, or no snapshot at all leave the status *unknown*: indeterminate, never
"not revoked" (MC-53). Freshness comes from the list's signed validFrom and ttl only.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from microcred.errors import StatusError
from microcred.proof.timestamps import format_datetimestamp
from microcred.verify.checks.clr import carry_embedded
from microcred.verify.checks.endorsements import carry
from microcred.verify.context import Ctx, issuer_id, result
from microcred.verify.pinned import StatusSnapshot
from microcred.verify.report import (
    CONTEXT_NOT_ALLOWED,
    INVALID_CONTEXT,
    NONSTANDARD_VALUE,
    REVOKED,
    STATUS_LIST_STALE,
    STATUS_RETRIEVAL_ERROR,
    STATUS_VERIFICATION_ERROR,
    SUSPENDED,
    CheckResult,
    Finding,
)
from microcred.verify.signed import build_signed_view

Verdict = tuple[str, str]  # ("ok" | "failed" | "indeterminate", detail)
_UNPROCESSABLE = frozenset({CONTEXT_NOT_ALLOWED, INVALID_CONTEXT})
"""A list failing ``contexts`` with these is one microcred cannot read (an unknown context): its
status is unknown. A list that is broken (data loss, bad signature) fails the status check."""


def list_view(ctx: Ctx, snap: StatusSnapshot) -> Mapping[str, Any]:
    """What the list's proof covers, read like a credential's (verify/signed.py); cached."""
    key = ("status-list-view", id(snap))
    hit = ctx.options.cache.get(key)
    if hit is not None and hit[0] is snap:
        view: Mapping[str, Any] = hit[1]
        return view
    built = build_signed_view(snap.document, ctx.loader).view
    view = built if built is not None else snap.document
    ctx.options.cache[key] = (snap, view)
    return view


def _may_speak_for(ctx: Ctx, list_issuer: str | None) -> bool:
    """The list's signer is the credential's issuer, or one the verifier's trust file names
    under that issuer's ``status_list_issuers`` (never merely another trusted issuer)."""
    if list_issuer is not None and list_issuer == ctx.issuer_id:
        return True
    trust = ctx.options.trust
    entry = trust.lookup(ctx.issuer_id) if trust is not None else None
    return entry is not None and list_issuer in entry.status_list_issuers


def _list_verdict(ctx: Ctx, url: str, snap: StatusSnapshot) -> Verdict:
    """Is this snapshot a list the credential's issuer (or its delegate) signed? Cached per URL."""
    cached: Verdict | None = ctx.list_cache.get(url)
    if cached is not None:
        return cached
    assert ctx.verify_list is not None
    options = ctx.options
    key = (
        "status-list",
        id(snap),
        ctx.now,
        options.strict,
        options.skew,
        id(options.did_documents),
    )
    hit = options.cache.get(key)
    if hit is not None and hit[0] is snap and hit[1] is options.did_documents:
        report = hit[2]
    else:
        report = ctx.verify_list(ctx, snap.document, snap.source)
        options.cache[key] = (snap, options.did_documents, report)
    view = list_view(ctx, snap)
    list_issuer = issuer_id(view)
    list_id = view.get("id")
    verdict: Verdict = ("ok", "")
    if report.result == "invalid":
        failed = next(c for c in report.checks if c.outcome == "failed")
        first = failed.problems[0] if failed.problems else None
        why = f"{first.code}: {first.detail}" if first else failed.outcome
        if failed.id == "contexts" and first is not None and first.code in _UNPROCESSABLE:
            verdict = (
                "indeterminate",
                f"microcred cannot process the status list {snap.source} ({failed.id}: {why}); "
                "the status is unknown",
            )
        else:
            verdict = (
                "failed",
                f"the status list {snap.source} does not verify ({failed.id}: {why})",
            )
    elif report.result == "indeterminate":
        problem = report.first_problem()
        why = problem.detail if problem else "undecided"
        verdict = ("indeterminate", f"the status list {snap.source} could not be verified: {why}")
    elif list_id is not None and list_id != url:
        verdict = (
            "failed",
            f"the status list {snap.source} is {list_id!r}, but the entry names {url!r}",
        )
    elif not _may_speak_for(ctx, list_issuer):
        verdict = (
            "indeterminate",
            f"the status list {snap.source} is signed by {list_issuer}, not by the credential's "
            f"issuer {ctx.issuer_id}; it is not used (if that issuer keeps {ctx.issuer_id}'s "
            f"lists, name it under status_list_issuers of {ctx.issuer_id} in your trust file)",
        )
    ctx.list_cache[url] = verdict
    return verdict


def _stale(snap: StatusSnapshot, valid_from: Any, ttl_ms: int | None, ctx: Ctx) -> str | None:
    """Freshness from signed data only: the list's own validFrom plus its ttl, against the
    verifier's clock (never a date a site or manifest writes about itself)."""
    if ttl_ms is None or valid_from is None:
        return None
    try:
        fresh_until = valid_from + timedelta(milliseconds=ttl_ms)
    except OverflowError:
        return None
    if fresh_until >= ctx.now:
        return None
    return (
        f"the list snapshot {snap.source} (signed {format_datetimestamp(valid_from)}) is older "
        f"than its ttl of {ttl_ms} ms"
    )


def check_status(ctx: Ctx) -> CheckResult:
    own = _own_status(ctx)
    # A revoked endorsement is a warning (a failure under --strict): see checks/endorsements.py.
    carried = carry(ctx, ("status",), opinion=True)
    # A revoked credential inside a CLR transcript fails it: see checks/clr.py.
    embedded = carry_embedded(ctx, ("status",))
    carried.warnings += embedded.warnings
    carried.unknown += embedded.unknown
    if not carried.warnings and not carried.unknown and not embedded.problems:
        return own
    return result(
        "status",
        (list(own.problems) if own.outcome == "failed" else []) + embedded.problems,
        warnings=_dedupe(list(own.warnings) + carried.warnings),
        indeterminate=(list(own.problems) if own.outcome == "indeterminate" else [])
        + carried.unknown,
        note=own.note,
    )


def _own_status(ctx: Ctx) -> CheckResult:
    doc = ctx.view
    assert doc is not None
    if "credentialStatus" not in doc:
        return result(
            "status", note="no credentialStatus: the issuer cannot revoke this credential"
        )
    # imported here: a credential without status never loads the list machinery (start-up)
    from microcred.status.check import check_entry_against_list
    from microcred.status.entry import UnsupportedStatusTypeError, status_entries, validate_entry

    try:
        entries = status_entries(doc["credentialStatus"])
    except StatusError as exc:
        return result("status", [Finding(exc.code, exc.diagnostics())])
    problems: list[Finding] = []
    unknown: list[Finding] = []
    warnings: list[Finding] = []
    notes: list[str] = []
    for n, entry in enumerate(entries):
        where = (
            f"credentialStatus[{n}]"
            if isinstance(doc["credentialStatus"], list)
            else "credentialStatus"
        )
        try:
            parsed = validate_entry(entry, where=where)
        except UnsupportedStatusTypeError as exc:
            unknown.append(Finding(exc.code, exc.diagnostics()))
            continue
        except StatusError as exc:
            problems.append(Finding(exc.code, exc.diagnostics()))
            continue
        warnings.extend(Finding(NONSTANDARD_VALUE, f"{where}: {w}") for w in parsed.warnings)
        label = f"{where} ({parsed.purpose}, index {parsed.index})"
        snap = ctx.options.status_lists.get(parsed.list_url)
        if snap is None:
            unknown.append(
                Finding(
                    STATUS_RETRIEVAL_ERROR,
                    f"{label}: no local snapshot of {parsed.list_url}; the status is unknown "
                    "(not 'not revoked')",
                )
            )
            continue
        state, why = _list_verdict(ctx, parsed.list_url, snap)
        if state == "failed":
            problems.append(Finding(STATUS_VERIFICATION_ERROR, f"{label}: {why}"))
            continue
        if state == "indeterminate":
            unknown.append(Finding(STATUS_VERIFICATION_ERROR, f"{label}: {why}"))
            continue
        outcome = check_entry_against_list(
            parsed, list_view(ctx, snap), list_issuer_ok=True, now=ctx.now
        )
        as_of = outcome.as_of
        dated = f"as of {format_datetimestamp(as_of)}" if as_of else "undated"
        source = f"{snap.source}, {dated}"
        if outcome.state == "ok":
            notes.append(f"{label}: clear ({source})")
        elif outcome.state == "revoked":
            problems.append(Finding(REVOKED, f"{label}: the credential is revoked ({source})"))
        elif outcome.state == "suspended":
            problems.append(Finding(SUSPENDED, f"{label}: the credential is suspended ({source})"))
        elif outcome.state == "set":
            message = f": {outcome.message}" if outcome.message else ""
            notes.append(f"{label}: value {outcome.value}{message} ({source})")
        elif outcome.state == "failed":
            problems.append(
                Finding(outcome.code or STATUS_VERIFICATION_ERROR, f"{label}: {outcome.detail}")
            )
            continue
        else:
            unknown.append(
                Finding(outcome.code or STATUS_RETRIEVAL_ERROR, f"{label}: {outcome.detail}")
            )
            continue
        warnings.extend(Finding(NONSTANDARD_VALUE, f"{label}: {w}") for w in outcome.warnings)
        stale = _stale(snap, outcome.valid_from, outcome.ttl_ms, ctx)
        if stale:
            warnings.append(Finding(STATUS_LIST_STALE, f"{label}: {stale}"))
    return result(
        "status", problems, warnings=_dedupe(warnings), indeterminate=unknown, note="; ".join(notes)
    )


def _dedupe(findings: list[Finding]) -> list[Finding]:
    out: list[Finding] = []
    for f in findings:
        if f not in out:
            out.append(f)
    return out
