"""Credentials embedded in a CLR 2.0 ``ClrCredential`` (``ClrSubject.verifiableCredential``).

A transcript is only as good as what it carries: each embedded credential keeps its own
issuer's proof and is verified with the same engine, keys, status snapshots, loader and clock
as the transcript (through the nested runner the engine gives endorsements: no trust or
recipient check of its own, not strict). Its outcome is carried into the transcript's report
under its JSON path, without adding check ids (DESIGN section 4 keeps nine):

* parse, data_model, contexts, proof, issuer_binding -> the transcript's ``proof``: a forged,
  tampered or unverifiable credential makes the transcript invalid (or indeterminate);
* status -> the transcript's ``status``: a revoked or suspended credential fails it (the school
  should issue a new transcript); one undecidable offline (no snapshot of its issuer's list) is
  a warning, since the school checked it when it signed and the transcript's own status says
  whether the school still stands by it (``--strict``: indeterminate);
* validity_period -> a *warning* on ``validity_period``: an expired badge was still earned,
  so it does not withdraw the record (``--strict`` makes it a failure).

Depth 1: the embedded credentials' own endorsements and a CLR inside a CLR are not followed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from microcred.verify.checks.endorsements import Carried, signature_state
from microcred.verify.checks.parse import names_clr
from microcred.verify.context import Ctx
from microcred.verify.report import (
    MALFORMED_VALUE_ERROR,
    PARSING_ERROR,
    CheckId,
    CheckResult,
    Finding,
    VerificationReport,
)

CLR_VC_IRI = "https://purl.imsglobal.org/spec/vc/clr/vocab.html#verifiableCredential"
_CACHE_KEY = "\x00clr-embedded"
"""Where the reports live in ``ctx.list_cache`` (no URL can collide with a NUL byte)."""


def embedded_reports(ctx: Ctx) -> list[tuple[str, VerificationReport]]:
    """Verify every embedded credential once per transcript (later checks reuse the reports)."""
    cached = ctx.list_cache.get(_CACHE_KEY)
    if cached is not None:
        reports: list[tuple[str, VerificationReport]] = cached
        return reports
    reports = []
    doc = ctx.doc
    run = ctx.verify_endorsement
    if ctx.role == "credential" and isinstance(doc, Mapping) and names_clr(doc) and run is not None:
        from microcred.credential.clr import embedded_credentials  # transcripts only (start-up)

        found = embedded_credentials(doc)
        view = ctx.view
        if isinstance(view, Mapping) and view is not doc and _count(view) != len(found):
            # Like endorsements (verify/signed.py): a credential the signature covers but the
            # JSON hides from ClrSubject.verifiableCredential could not be checked: refuse.
            detail = (
                "an embedded credential is not written under ClrSubject.verifiableCredential "
                "where the CLR context puts it (full IRI or another place); microcred verifies "
                "embedded credentials only in the compact form"
            )
            parse = CheckResult("parse", "failed", (Finding(MALFORMED_VALUE_ERROR, detail),))
            reports.append(("$.credentialSubject", VerificationReport("$", None, None, (parse,))))
        for where, item in found:
            if isinstance(item, Mapping):
                reports.append((where, run(ctx, item, where)))
                continue
            detail = (
                "an embedded credential must be a credential object (an enveloped or "
                f"JWT-secured credential is not supported here), not {type(item).__name__}"
            )
            parse = CheckResult("parse", "failed", (Finding(PARSING_ERROR, detail),))
            reports.append((where, VerificationReport(where, None, None, (parse,))))
    ctx.list_cache[_CACHE_KEY] = reports
    return reports


def _count(node: Any) -> int:
    """Embedded credentials anywhere in the signed view (not looking inside them)."""
    if isinstance(node, list):
        return sum(_count(item) for item in node)
    if not isinstance(node, Mapping):
        return 0
    total = 0
    for key, value in node.items():
        if key in ("verifiableCredential", CLR_VC_IRI):
            total += len(value) if isinstance(value, list) else 1
        elif key not in ("@context", "proof"):
            total += _count(value)
    return total


def carry_embedded(ctx: Ctx, steps: tuple[CheckId, ...]) -> Carried:
    """The embedded credentials' findings for ``steps`` (see the module docstring)."""
    out = Carried()
    opinion = "validity_period" in steps
    for where, report in embedded_reports(ctx):
        for check in report.checks:
            if check.id not in steps:
                continue
            prefix = f"{where}: {check.id}: "
            found = [Finding(f.code, prefix + f.detail) for f in check.problems]
            if check.outcome == "failed":
                (out.warnings if opinion else out.problems).extend(found)
            elif check.outcome == "indeterminate":
                # Status or dates not decidable offline (no snapshot of the issuer's list): the
                # school checked them when it signed, so a warning; --strict keeps it undecided.
                soft = check.id in ("status", "validity_period") and not ctx.options.strict
                (out.warnings if soft else out.unknown).extend(found)
            out.warnings.extend(Finding(f.code, prefix + f.detail) for f in check.warnings)
        if "proof" in steps:
            name, signer = report.id or "no id", report.issuer or "no issuer id"
            out.notes.append(f"{where} ({name}) by {signer}: signature {signature_state(report)}")
    return out
