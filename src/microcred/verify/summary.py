"""What the credential claims: achievement, issuer name, dates, credits, recipient outcome.

The summary is read from the *signed view* (verify/signed.py: what the proof covers, the same
values every check reads), never from JSON the signature does not cover. It is a claim, not a
verdict: the report's ``result`` says whether the claim holds, and the issuer name is the
issuer's own (self-declared) unless the trust file names it.

OB 3.0 has no field for a credit *unit*: microcred (and the registry) read it from an
achievement tag of the form ``credits: 2 ECTS``; ``creditsEarned`` (the subject's) is preferred
to ``creditsAvailable`` (the achievement's).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from microcred.verify.report import CheckResult, printable

RecipientOutcome = Literal[
    "matches the given e-mail", "matches the given id", "does not match", "not checked"
]
_CREDIT_TAG = re.compile(r"\s*credits?\s*:\s*([0-9]+(?:\.[0-9]+)?)\s+(.+?)\s*\Z", re.IGNORECASE)
MAX_TEXT = 500
"""Longest claim text kept (names are shown to people; the rest is in the credential)."""


@dataclass(frozen=True)
class Credits:
    amount: float | int
    unit: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"amount": self.amount, "unit": self.unit}


@dataclass(frozen=True)
class Achievement:
    id: str | None = None
    name: str | None = None
    type: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "type": self.type}


@dataclass(frozen=True)
class CredentialSummary:
    """DESIGN section 4 ``summary``: what the (signed) credential says it is."""

    achievement: Achievement
    issuer_name: str | None = None
    valid_from: str | None = None
    valid_until: str | None = None
    awarded: str | None = None
    credits: Credits | None = None
    recipient: RecipientOutcome = "not checked"

    def to_json(self) -> dict[str, Any]:
        return {
            "achievement": self.achievement.to_json(),
            "issuer_name": self.issuer_name,
            "valid_from": self.valid_from,
            "valid_until": self.valid_until,
            "awarded": self.awarded,
            "credits": self.credits.to_json() if self.credits is not None else None,
            "recipient": self.recipient,
        }


def _text(value: Any) -> str | None:
    """A plain string, or the first string of a language value object / language map."""
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str | Mapping)), None)
    if isinstance(value, Mapping):
        inner = value.get("@value")
        value = inner if isinstance(inner, str) else None
    if isinstance(value, str) and value.strip():
        return value.strip()[:MAX_TEXT]
    return None


def _first_map(value: Any) -> Mapping[str, Any]:
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, Mapping)), None)
    return value if isinstance(value, Mapping) else {}


def _number(value: Any) -> float | int | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value


def _type_name(value: Any) -> str | None:
    if isinstance(value, str):
        return value or None
    if isinstance(value, list):
        names = [v for v in value if isinstance(v, str)]
        return next((n for n in names if n != "Achievement"), names[0] if names else None)
    return None


def _types(value: Any) -> frozenset[str]:
    """The type names a credential states (a string or a list); anything else names none (the
    data_model check reports it; the summary must still be built, never crash)."""
    if isinstance(value, str):
        return frozenset((value,))
    if isinstance(value, list):
        return frozenset(v for v in value if isinstance(v, str))
    return frozenset()


def _credits(subject: Mapping[str, Any], achievement: Mapping[str, Any]) -> Credits | None:
    amount = _number(subject.get("creditsEarned"))
    if amount is None:
        amount = _number(achievement.get("creditsAvailable"))
    unit = None
    tags = achievement.get("tag")
    for tag in tags if isinstance(tags, list) else [tags]:
        match = _CREDIT_TAG.match(tag) if isinstance(tag, str) else None
        if match is not None:
            unit = match.group(2)[:MAX_TEXT]
            number = float(match.group(1))
            if amount is None and math.isfinite(number):  # 400 nines overflow to inf
                amount = int(number) if number.is_integer() else number
            break
    return Credits(amount, unit) if amount is not None else None


def recipient_outcome(check: CheckResult | None, given: str | None) -> RecipientOutcome:
    """The ``recipient`` check in words: matched (e-mail or id), not matched, not checked."""
    if check is None or check.outcome in ("not_requested", "skipped", "indeterminate"):
        return "not checked"
    if check.outcome == "failed":
        return "does not match"
    value = (given or "").strip()
    is_email = "@" in value and not value.lower().startswith(("did:", "http", "urn:"))
    return "matches the given e-mail" if is_email else "matches the given id"


def summarize(
    doc: Mapping[str, Any] | None, recipient: CheckResult | None = None, given: str | None = None
) -> CredentialSummary | None:
    """The summary of a parsed credential (read from its signed view); None without one."""
    if not isinstance(doc, Mapping):
        return None
    subject = _first_map(doc.get("credentialSubject"))
    achievement = _first_map(subject.get("achievement"))
    issuer = doc.get("issuer")
    vcdm1_from = _text(doc.get("issuanceDate"))
    valid_from = _text(doc.get("validFrom")) or vcdm1_from
    kind = _text(achievement.get("achievementType")) or _type_name(achievement.get("type"))
    credits = _credits(subject, achievement)
    types = _types(doc.get("type"))
    if "ClrCredential" in types:
        # A CLR transcript claims itself, and the credits it recognises in total.
        from microcred.credential.clr import recognised_total  # only for CLRs (start-up)

        achievement, kind = {"id": doc.get("id"), "name": doc.get("name")}, "ClrCredential"
        total = recognised_total(doc)
        amount = float(total[0]) if total else 0.0
        credits = (
            Credits(int(amount) if amount.is_integer() else amount, total[1])
            if total and math.isfinite(amount)
            else None
        )
    if "EndorsementCredential" in types:
        # An endorsement claims its own statement about what its subject id names.
        achievement = {"id": subject.get("id"), "name": doc.get("name")}
        kind = "EndorsementCredential"
    return CredentialSummary(
        achievement=Achievement(
            id=_text(achievement.get("id")), name=_text(achievement.get("name")), type=kind
        ),
        issuer_name=_text(issuer.get("name")) if isinstance(issuer, Mapping) else None,
        valid_from=valid_from,
        valid_until=_text(doc.get("validUntil")) or _text(doc.get("expirationDate")),
        awarded=_text(doc.get("awardedDate")) or valid_from,
        credits=credits,
        recipient=recipient_outcome(recipient, given),
    )


def claims_line(summary: CredentialSummary, trusted: bool | None, trusted_name: str | None) -> str:
    """The human output's line: what the credential claims (names are the issuer's words)."""
    name = summary.achievement.name
    what = f"'{printable(name)}'" if name else "an achievement with no name"
    if trusted is True and trusted_name:
        who = f"issued by '{printable(trusted_name)}' (trust file)"
    elif summary.issuer_name:
        who = f"issued by '{printable(summary.issuer_name)}' (self-declared)"
    else:
        who = "the issuer gives no name"
    parts = [f"claims: {what}, {who}"]
    if summary.awarded or summary.valid_from:
        label = "awarded" if summary.awarded else "valid from"
        parts.append(f"{label} {printable(summary.awarded or summary.valid_from or '')}")
    if summary.credits is not None:
        unit = f" {printable(summary.credits.unit)}" if summary.credits.unit else ""
        parts.append(f"{summary.credits.amount:g}{unit} credits")
    parts.append(f"recipient: {summary.recipient}")
    return "; ".join(parts)
