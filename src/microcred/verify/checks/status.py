"""Check 7, ``status``: every BitstringStatusListEntry against a local, verified snapshot.

The list is a credential too: it is run through the same engine (parse, contexts, proof,
binding) and must be signed by the credential's issuer or by an issuer the trust file lists
(MC-45). Without a snapshot the status is *unknown* — indeterminate, never "not revoked"
(MC-53). When a snapshot is used, the report says which one and as of when.
"""

from __future__ import annotations

import contextlib
from datetime import timedelta
from typing import Any

from microcred.errors import MicrocredError, StatusError
from microcred.proof.timestamps import format_datetimestamp, parse_datetimestamp
from microcred.status.check import check_entry_against_list
from microcred.status.entry import UnsupportedStatusTypeError, status_entries, validate_entry
from microcred.verify.checks.endorsements import carry
from microcred.verify.context import Ctx, issuer_id, result
from microcred.verify.pinned import StatusSnapshot
from microcred.verify.report import (
    NONSTANDARD_VALUE,
    REVOKED,
    STATUS_LIST_STALE,
    STATUS_RETRIEVAL_ERROR,
    STATUS_VERIFICATION_ERROR,
    SUSPENDED,
    CheckResult,
    Finding,
)

Verdict = tuple[str, str]  # ("ok" | "failed" | "indeterminate", detail)


def _list_verdict(ctx: Ctx, url: str, snap: StatusSnapshot) -> Verdict:
    """Is this snapshot a list the credential's issuer signed? Cached per URL."""
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
    list_issuer = issuer_id(snap.document)
    trust = ctx.options.trust
    verdict: Verdict = ("ok", "")
    if report.result == "invalid":
        failed = next(c for c in report.checks if c.outcome == "failed")
        first = failed.problems[0] if failed.problems else None
        why = f"{first.code}: {first.detail}" if first else failed.outcome
        verdict = ("failed", f"the status list {snap.source} does not verify ({failed.id}: {why})")
    elif list_issuer != ctx.issuer_id and not (trust is not None and trust.lookup(list_issuer)):
        verdict = (
            "failed",
            f"the status list {snap.source} is issued by {list_issuer}, not by the credential's "
            f"issuer {ctx.issuer_id} (and that issuer is not in the trust file)",
        )
    elif report.result == "indeterminate":
        problem = report.first_problem()
        why = problem.detail if problem else "undecided"
        verdict = ("indeterminate", f"the status list {snap.source} could not be verified: {why}")
    ctx.list_cache[url] = verdict
    return verdict


def _stale(snap: StatusSnapshot, valid_from: Any, ttl_ms: int | None, ctx: Ctx) -> str | None:
    if ttl_ms is None:
        return None
    start = valid_from
    if snap.fetched_at:
        with contextlib.suppress(MicrocredError):
            start = parse_datetimestamp(snap.fetched_at, field="fetched_at")
    if start is None or start + timedelta(milliseconds=ttl_ms) >= ctx.now:
        return None
    return (
        f"the list snapshot {snap.source} (as of {format_datetimestamp(start)}) is older than "
        f"its ttl of {ttl_ms} ms"
    )


def check_status(ctx: Ctx) -> CheckResult:
    own = _own_status(ctx)
    # A revoked endorsement is a warning (a failure under --strict): see checks/endorsements.py.
    carried = carry(ctx, ("status",), opinion=True)
    if not carried.warnings and not carried.unknown:
        return own
    return result(
        "status",
        list(own.problems) if own.outcome == "failed" else [],
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
        outcome = check_entry_against_list(parsed, snap.document, list_issuer_ok=True, now=ctx.now)
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
