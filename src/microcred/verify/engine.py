"""The verifier: one engine that yields check results, two doors onto it.

* :func:`iter_checks` yields the nine :class:`CheckResult` in order (the engine);
* :func:`check_credential` collects them into a :class:`VerificationReport` (never raises on
  bad input);
* :func:`verify_credential` fails closed: it returns the report only when the credential is
  valid (and trusted, when a trust file is given) and raises :class:`VerificationFailed`
  otherwise.

Steps, in order (DESIGN section 4; a failure of 1, 3, 4 or 5 skips everything after it):
1 parse, 2 data_model, 3 contexts, 4 proof, 5 issuer_binding, 6 validity_period, 7 status,
8 issuer_trust, 9 recipient. Embedded EndorsementCredentials run through the same engine and
land in ``proof``, ``validity_period`` and ``status`` (checks/endorsements.py). The clock is a
parameter; nothing here reads the time or the network.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from microcred.errors import ConfigError, MicrocredError
from microcred.jsonld.loader import OfflineLoader, default_loader
from microcred.proof.timestamps import format_datetimestamp
from microcred.verify.checks.contexts import check_contexts
from microcred.verify.checks.data_model import check_data_model
from microcred.verify.checks.parse import check_parse
from microcred.verify.checks.proofs import check_issuer_binding, check_proof
from microcred.verify.checks.status import check_status
from microcred.verify.checks.trust_recipient import (
    check_issuer_trust,
    check_recipient,
    self_declared_name,
)
from microcred.verify.checks.validity import check_validity_period
from microcred.verify.context import Ctx, Role
from microcred.verify.options import VerifyOptions
from microcred.verify.report import (
    CHECK_IDS,
    FATAL_CHECKS,
    VERIFIER_ERROR,
    CheckId,
    CheckResult,
    Finding,
    VerificationReport,
)
from microcred.verify.signed import prepare_signed_view, view_problem
from microcred.verify.summary import summarize

CheckFn = Callable[[Ctx], CheckResult]
CHECKS: tuple[tuple[CheckId, CheckFn], ...] = (
    ("parse", check_parse),
    ("data_model", check_data_model),
    ("contexts", check_contexts),
    ("proof", check_proof),
    ("issuer_binding", check_issuer_binding),
    ("validity_period", check_validity_period),
    ("status", check_status),
    ("issuer_trust", check_issuer_trust),
    ("recipient", check_recipient),
)
assert tuple(c for c, _ in CHECKS) == CHECK_IDS
MAX_NESTING = 2
"""A status list is verified with the engine too; its own status is never followed."""


class VerificationFailed(MicrocredError):
    """Raised by :func:`verify_credential`; ``report`` holds every check's outcome."""

    def __init__(self, report: VerificationReport) -> None:
        self.report = report
        problem = report.first_problem()
        failing = next((c for c in report.checks if c.outcome in ("failed", "indeterminate")), None)
        if report.result == "valid":  # valid but not trusted
            trust = report.check("issuer_trust")
            problem = trust.problems[0] if trust and trust.problems else problem
            failing = trust
        what = report.path or report.id or "credential"
        detail = f"{failing.id}: {problem.detail}" if failing and problem else "not verified"
        super().__init__(
            f"{what} is {report.result if report.result != 'valid' else 'untrusted'}: {detail}",
            code=problem.code if problem else "VERIFICATION_FAILED",
        )


def _not_run(check_id: CheckId, ctx: Ctx, fatal: bool) -> CheckResult | None:
    """The outcome of a check that is not run, or None when it should run."""
    if ctx.role == "status_list" and check_id in (
        "validity_period",
        "status",
        "issuer_trust",
        "recipient",
    ):
        return CheckResult(check_id, "not_requested")
    if ctx.role == "endorsement" and check_id in ("issuer_trust", "recipient"):
        return CheckResult(check_id, "not_requested")
    if check_id == "issuer_trust" and ctx.options.trust is None:
        return CheckResult(check_id, "not_requested")
    if check_id == "recipient" and ctx.options.recipient is None:
        return CheckResult(check_id, "not_requested")
    if fatal:
        return CheckResult(check_id, "skipped")
    return None


def _strictly(res: CheckResult) -> CheckResult:
    """--strict: a warning is a failure (schema not checked, legacy suite, stale list...)."""
    if not res.warnings or res.outcome not in ("passed", "indeterminate", "failed"):
        return res
    if res.outcome == "failed":
        return replace(res, problems=res.problems + res.warnings, warnings=())
    return replace(res, outcome="failed", problems=res.warnings + res.problems, warnings=())


def _run(check_id: CheckId, fn: CheckFn, ctx: Ctx) -> CheckResult:
    try:
        return fn(ctx)
    except Exception as exc:
        detail = (
            f"internal error in the {check_id} check ({type(exc).__name__}: {exc}); "
            "please report it"
        )
        return CheckResult(check_id, "failed", (Finding(VERIFIER_ERROR, detail),))


def _engine(ctx: Ctx) -> Iterator[CheckResult]:
    fatal = False
    for check_id, fn in CHECKS:
        res = _not_run(check_id, ctx, fatal)
        if res is None:
            res = _run(check_id, fn, ctx)
            if ctx.options.strict:
                res = _strictly(res)
        if check_id == "parse" and res.outcome == "passed":
            prepare_signed_view(ctx)  # every later check reads what the proof covers
        elif check_id == "contexts" and res.outcome == "passed":
            problem = view_problem(ctx)
            if problem is not None:
                res = CheckResult("contexts", "failed", (problem,))
        yield res
        if res.outcome == "failed" and check_id in FATAL_CHECKS:
            fatal = True
        elif res.outcome == "indeterminate" and check_id in ("parse", "contexts"):
            fatal = True  # a format microcred does not check: nothing after it can be decided


def _verify_list(ctx: Ctx, document: Mapping[str, Any], source: str) -> VerificationReport:
    if ctx.depth >= MAX_NESTING:
        return VerificationReport(
            source,
            None,
            None,
            (
                CheckResult(
                    "parse", "failed", (Finding(VERIFIER_ERROR, "status lists nest too deeply"),)
                ),
            ),
        )
    return _nested(ctx, document, source, "status_list", replace(ctx.options, recipient=None))


def _verify_endorsement(ctx: Ctx, document: Mapping[str, Any], where: str) -> VerificationReport:
    """An embedded EndorsementCredential, through the same engine with the same keys, snapshots
    and clock. Not strict (the outer check applies --strict to what it carries), no recipient,
    and its own endorsements are not followed (role ``endorsement``)."""
    options = replace(ctx.options, recipient=None, strict=False)
    return _nested(ctx, document, where, "endorsement", options)


def _nested(
    ctx: Ctx, document: Mapping[str, Any], path: str, role: Role, options: VerifyOptions
) -> VerificationReport:
    """A document carried by the one being verified, through the same engine, clock and loader."""
    inner = Ctx(
        path=path,
        now=ctx.now,
        options=options,
        loader=ctx.loader,
        raw=document,
        role=role,
        depth=ctx.depth + 1,
        verify_list=_verify_list,
    )
    return _report(inner, list(_engine(inner)))


def _report(ctx: Ctx, checks: list[CheckResult]) -> VerificationReport:
    doc = ctx.view or {}
    cred_id = doc.get("id") if isinstance(doc.get("id"), str) else None
    trust = ctx.options.trust
    entry = trust.lookup(ctx.issuer_id) if trust is not None else None
    return VerificationReport(
        path=ctx.path,
        id=cred_id,
        issuer=ctx.issuer_id,
        checks=tuple(checks),
        checked_at=format_datetimestamp(ctx.now),
        issuer_name=self_declared_name(doc),
        trusted_name=entry.name if entry is not None else None,
        summary=summarize(
            ctx.view, next((c for c in checks if c.id == "recipient"), None), ctx.options.recipient
        ),
    )


def _options_loader(options: VerifyOptions | None) -> OfflineLoader:
    """The pinned contexts, plus the user's ``--context`` ones (one loader per options)."""
    if options is None or not options.contexts:
        return default_loader()
    loader = options.cache.get("loader")
    if not isinstance(loader, OfflineLoader):
        loader = options.cache["loader"] = OfflineLoader(extra=options.contexts)
    return loader


def _context(
    credential: Any,
    now: datetime,
    options: VerifyOptions | None,
    path: str,
    read_error: Finding | None,
    loader: OfflineLoader | None,
    role: Role = "credential",
) -> Ctx:
    if not isinstance(now, datetime) or now.tzinfo is None or now.utcoffset() is None:
        raise ConfigError("the verification time must be a timezone-aware datetime")
    return Ctx(
        path=path,
        now=now,
        options=options or VerifyOptions(),
        loader=loader or _options_loader(options),
        raw=credential,
        read_error=read_error,
        role=role,
        verify_list=_verify_list,
        verify_endorsement=_verify_endorsement,
    )


def iter_checks(
    credential: Mapping[str, Any] | str | bytes,
    *,
    now: datetime,
    options: VerifyOptions | None = None,
    path: str = "",
    read_error: Finding | None = None,
    loader: OfflineLoader | None = None,
) -> Iterator[CheckResult]:
    """Yield the nine check results in order for one credential (JSON text, bytes or a dict)."""
    yield from _engine(_context(credential, now, options, path, read_error, loader))


def check_credential(
    credential: Mapping[str, Any] | str | bytes,
    *,
    now: datetime,
    options: VerifyOptions | None = None,
    path: str = "",
    read_error: Finding | None = None,
    loader: OfflineLoader | None = None,
) -> VerificationReport:
    """The full report for one credential; bad input gives failed checks, never an exception."""
    ctx = _context(credential, now, options, path, read_error, loader)
    return _report(ctx, list(_engine(ctx)))


def verify_credential(
    credential: Mapping[str, Any] | str | bytes,
    *,
    now: datetime,
    options: VerifyOptions | None = None,
    path: str = "",
    loader: OfflineLoader | None = None,
) -> VerificationReport:
    """Fail closed: the report if valid (and trusted when ``options.trust`` is set), else raise
    :class:`VerificationFailed` carrying the report."""
    report = check_credential(credential, now=now, options=options, path=path, loader=loader)
    if not report.ok:
        raise VerificationFailed(report)
    return report
