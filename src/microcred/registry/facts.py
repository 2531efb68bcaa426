"""What the registry records about a credential, read from the verified document.

Only facts the proof covers are used (the engine refuses content outside the signature). The
verify report's ``summary`` is preferred when the verifier provides one; otherwise the same
facts are derived here. OB 3.0 has no field for the credit *unit*: microcred states it as an
achievement tag ``credits: 2 ECTS``; other issuers' units come from the same tag form, or the
policy rule's ``issuer_unit``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from microcred.errors import MicrocredError
from microcred.jsonld.strictjson import loads_strict
from microcred.verify.checks.parse import MAX_BYTES

_CREDIT_TAG = re.compile(r"\s*credits?\s*:\s*([0-9]+(?:\.[0-9]+)?)\s+(.+?)\s*\Z", re.IGNORECASE)


@dataclass(frozen=True)
class Facts:
    credential_id: str | None = None
    issuer: str | None = None
    issuer_name: str | None = None
    achievement_id: str | None = None
    achievement: str | None = None
    achievement_type: str | None = None
    alignments: tuple[str, ...] = ()
    valid_from: str | None = None
    valid_until: str | None = None
    awarded: str | None = None
    credits: float | None = None
    credit_unit: str | None = None
    is_credential: bool = False


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, list) and value else value


def _name(value: Any) -> str | None:
    """A plain string, or the first string of a language map / value object."""
    if isinstance(value, str):
        return value or None
    if isinstance(value, Mapping):
        inner = value.get("@value")
        if isinstance(inner, str):
            return inner
        return next((v for v in value.values() if isinstance(v, str)), None)
    return None


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _items(value: Any) -> list[Any]:
    """A JSON-LD set as a list: one value stands for itself; null, a number or a boolean where
    an array belongs names nothing (the credential is hostile or malformed, never a crash)."""
    if isinstance(value, list):
        return value
    return [value] if isinstance(value, str | Mapping) else []


def _types(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [t for t in items if isinstance(t, str)]


def facts_from_document(doc: Any) -> Facts:
    """Facts of a parsed credential (tolerant: whatever is missing stays None)."""
    if not isinstance(doc, Mapping):
        return Facts()
    issuer = doc.get("issuer")
    issuer_id = _str(issuer) or (_str(issuer.get("id")) if isinstance(issuer, Mapping) else None)
    issuer_name = _name(issuer.get("name")) if isinstance(issuer, Mapping) else None
    subject = _first(doc.get("credentialSubject"))
    subject = subject if isinstance(subject, Mapping) else {}
    achievement = subject.get("achievement")
    achievement = _first(achievement)
    achievement = achievement if isinstance(achievement, Mapping) else {}
    alignments: list[str] = []
    for item in _items(achievement.get("alignment")):
        if isinstance(item, Mapping):
            for key in ("targetUrl", "targetCode"):
                if _str(item.get(key)):
                    alignments.append(item[key])
    credits = _number(subject.get("creditsEarned"))
    if credits is None:
        credits = _number(achievement.get("creditsAvailable"))
    unit = None
    for tag in _items(achievement.get("tag")):
        match = _CREDIT_TAG.match(tag) if isinstance(tag, str) else None
        if match is not None:
            unit = match.group(2)
            number = float(match.group(1))
            if credits is None and math.isfinite(number):  # 400 nines overflow to inf
                credits = number
            break
    kind = achievement.get("achievementType")
    return Facts(
        credential_id=_str(doc.get("id")),
        issuer=issuer_id,
        issuer_name=issuer_name,
        achievement_id=_str(achievement.get("id")),
        achievement=_name(achievement.get("name")),
        achievement_type=_str(kind),
        alignments=tuple(alignments),
        valid_from=_str(doc.get("validFrom")) or _str(doc.get("issuanceDate")),
        valid_until=_str(doc.get("validUntil")) or _str(doc.get("expirationDate")),
        awarded=_str(doc.get("awardedDate")) or _str(doc.get("validFrom")),
        credits=credits,
        credit_unit=unit,
        is_credential="VerifiableCredential" in _types(doc.get("type")) or "@context" in doc,
    )


def with_summary(facts: Facts, summary: Any) -> Facts:
    """Prefer the verifier's summary (DESIGN section 4 ``summary``) where it has a value."""
    if callable(getattr(summary, "to_json", None)):
        summary = summary.to_json()
    if not isinstance(summary, Mapping):
        return facts
    achievement = summary.get("achievement")
    achievement = achievement if isinstance(achievement, Mapping) else {}
    credits = summary.get("credits")
    credits = credits if isinstance(credits, Mapping) else {}
    amount = _number(credits.get("amount"))
    return Facts(
        credential_id=facts.credential_id,
        issuer=facts.issuer,
        issuer_name=_str(summary.get("issuer_name")) or facts.issuer_name,
        achievement_id=_str(achievement.get("id")) or facts.achievement_id,
        achievement=_str(achievement.get("name")) or facts.achievement,
        achievement_type=_str(achievement.get("type")) or facts.achievement_type,
        alignments=facts.alignments,
        valid_from=_str(summary.get("valid_from")) or facts.valid_from,
        valid_until=_str(summary.get("valid_until")) or facts.valid_until,
        awarded=_str(summary.get("awarded")) or facts.awarded,
        credits=amount if amount is not None else facts.credits,
        credit_unit=_str(credits.get("unit")) or facts.credit_unit,
        is_credential=facts.is_credential,
    )


def read_facts(raw: bytes | str | None) -> Facts:
    if raw is None:
        return Facts()
    try:
        return facts_from_document(loads_strict(raw, max_bytes=MAX_BYTES))
    except MicrocredError:
        return Facts(is_credential=b"VerifiableCredential" in _bytes(raw))


def _bytes(raw: bytes | str) -> bytes:
    return raw if isinstance(raw, bytes) else raw.encode("utf-8", "surrogatepass")
