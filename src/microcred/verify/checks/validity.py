"""Check 6, ``validity_period``: validFrom / validUntil (VC 1.1: issuanceDate / expirationDate)
against the injected clock, with 300 s of skew either way (MC-55).

Malformed dates are a data-model failure already; here an unparseable date simply cannot be
compared, so it is reported as indeterminate rather than guessed.
"""

from __future__ import annotations

from microcred.errors import MicrocredError
from microcred.proof.timestamps import format_datetimestamp, parse_datetimestamp
from microcred.verify.checks.clr import carry_embedded
from microcred.verify.checks.endorsements import carry
from microcred.verify.context import Ctx, result
from microcred.verify.report import (
    EXPIRED,
    MALFORMED_VALUE_ERROR,
    NOT_YET_VALID,
    CheckResult,
    Finding,
)


def check_validity_period(ctx: Ctx) -> CheckResult:
    doc = ctx.view
    assert doc is not None
    start_key, end_key = (
        ("issuanceDate", "expirationDate") if ctx.vcdm1 else ("validFrom", "validUntil")
    )
    now = ctx.now
    skew = ctx.options.skew
    problems: list[Finding] = []
    unknown: list[Finding] = []
    parts = [f"checked at {format_datetimestamp(now)}"]
    for key in (start_key, end_key):
        if key not in doc:
            continue
        try:
            moment = parse_datetimestamp(doc[key], field=key)
        except MicrocredError as exc:
            unknown.append(
                Finding(MALFORMED_VALUE_ERROR, f"{key} cannot be compared: {exc.message}")
            )
            continue
        parts.append(f"{key} {doc[key]}")
        if key == start_key and moment - now > skew:  # differences never overflow
            problems.append(
                Finding(NOT_YET_VALID, f"the credential is not valid before {doc[key]} ({key})")
            )
        if key == end_key and now - moment > skew:
            problems.append(Finding(EXPIRED, f"the credential expired at {doc[key]} ({key})"))
    if end_key not in doc:
        parts.append(f"no {end_key} (does not expire)")
    # An expired endorsement is a warning (a failure under --strict): see checks/endorsements.py.
    carried = carry(ctx, ("validity_period",), opinion=True)
    # So is an expired credential inside a CLR transcript (it was earned): see checks/clr.py.
    embedded = carry_embedded(ctx, ("validity_period",))
    return result(
        "validity_period",
        problems,
        warnings=carried.warnings + embedded.warnings,
        indeterminate=unknown + carried.unknown + embedded.unknown,
        note="; ".join(parts),
    )
