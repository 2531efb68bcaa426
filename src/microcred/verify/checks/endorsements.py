"""Embedded EndorsementCredentials (OB 3.0 section 9, step 6): each one is verified with the
same engine, options, loader and clock, and its outcome is carried into the outer report
without adding checks to it (DESIGN section 4 keeps the nine check ids):

* the endorsement's parse, data_model, contexts, proof and issuer_binding -> the outer
  ``proof`` check: failed stays failed (the endorsement's own code, its JSON path named),
  indeterminate stays indeterminate, so an endorsement that cannot be verified never lets the
  credential be valid;
* its validity_period and status -> *warnings* on the outer ``validity_period`` and ``status``
  checks: an expired or revoked endorsement is a third party withdrawing its opinion, not the
  issuer's claim failing. ``--strict`` turns them into failures; an undecidable one (no status
  snapshot) then makes the check indeterminate, never failed.

Depth 1: an endorsement's own endorsements are not followed (its role is ``endorsement``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from microcred._util import names_no_member
from microcred.verify.checks.parse import embedded_endorsements
from microcred.verify.context import Ctx
from microcred.verify.report import (
    PARSING_ERROR,
    CheckId,
    CheckResult,
    Finding,
    VerificationReport,
)

SIGNATURE_STEPS: tuple[CheckId, ...] = (
    "parse",
    "data_model",
    "contexts",
    "proof",
    "issuer_binding",
)


@dataclass
class Carried:
    """Findings of the endorsements, sorted into what the outer check does with them."""

    problems: list[Finding] = field(default_factory=list)
    unknown: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def endorsement_reports(ctx: Ctx) -> list[tuple[str, VerificationReport]]:
    """Verify every embedded endorsement once per credential (later checks reuse the reports)."""
    if ctx.endorsements is not None:
        return ctx.endorsements
    reports: list[tuple[str, VerificationReport]] = []
    text = ctx.raw if isinstance(ctx.raw, bytes) and ctx.jwt is None else None
    if names_no_member(text, ("endorsement",)):
        pass  # the JSON it was parsed from names no endorsement: nothing to walk for
    elif ctx.role == "credential" and ctx.doc is not None and ctx.verify_endorsement is not None:
        for where, item in embedded_endorsements(ctx.doc):
            if isinstance(item, Mapping):
                reports.append((where, ctx.verify_endorsement(ctx, item, where)))
                continue
            kind = type(item).__name__
            detail = f"an endorsement must be an embedded EndorsementCredential object, not {kind}"
            parse = CheckResult("parse", "failed", (Finding(PARSING_ERROR, detail),))
            reports.append((where, VerificationReport(where, None, None, (parse,))))
    ctx.endorsements = reports
    return reports


def signature_state(report: VerificationReport) -> str:
    """The signature steps of a nested report in a word (shared with CLR-embedded credentials)."""
    outcomes = {c.outcome for c in report.checks if c.id in SIGNATURE_STEPS}
    if "failed" in outcomes:
        return "NOT verified"
    return "undecided" if "indeterminate" in outcomes else "verified"


def carry(ctx: Ctx, steps: tuple[CheckId, ...], *, opinion: bool) -> Carried:
    """The endorsements' findings for ``steps``; ``opinion`` demotes failures to warnings."""
    out = Carried()
    for where, report in endorsement_reports(ctx):
        for check in report.checks:
            if check.id not in steps:
                continue

            prefix = f"{where}: {check.id}: "
            problems = [Finding(f.code, prefix + f.detail) for f in check.problems]
            if check.outcome == "failed":
                (out.warnings if opinion else out.problems).extend(problems)
            elif check.outcome == "indeterminate":
                undecided = out.unknown if not opinion or ctx.options.strict else out.warnings
                undecided.extend(problems)
            out.warnings.extend(Finding(f.code, prefix + f.detail) for f in check.warnings)
        if "proof" in steps:
            signer = report.issuer or "no issuer id"
            out.notes.append(f"{where} by {signer}: {signature_state(report)}")
    return out
