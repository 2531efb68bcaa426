"""What a portfolio page shows from a received (untrusted) credential, and the totals.

Imported credentials are untrusted text even when validly signed (MC-64): only strings come
out of here, links are checked, and everything still goes through the templates' escaping.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from microcred.site.safety import clean_text, safe_href, safe_image_src
from microcred.site.source import human_date

_CREDIT_TAG = re.compile(r"\s*credits?\s*:\s*([0-9]+(?:\.[0-9]+)?)\s+(.{1,40}?)\s*\Z", re.I)
_HOURS = re.compile(r"\A\s*([0-9]{1,5}(?:\.[0-9]{1,2})?) hours of work\b")
CHIPS = {
    "valid": "Verified",
    "invalid": "Not valid",
    "indeterminate": "Not fully checked",
    "revoked": "Revoked",
    "suspended": "Suspended",
}


def state_of(result: str, problems: Iterable[str]) -> str:
    """The chip's state: the report's result, or revoked / suspended when that is why."""
    text = " ".join(problems)
    if result == "invalid" and ": REVOKED:" in text:
        return "revoked"
    if result == "invalid" and ": SUSPENDED:" in text:
        return "suspended"
    return result if result in CHIPS else "invalid"


def _text(value: Any) -> str:
    return clean_text(value) if isinstance(value, str) else ""


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, list) and value else value


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def view(credential: Mapping[str, Any]) -> dict[str, Any]:
    """What a page shows from an untrusted credential: strings only, links checked."""
    subject = _first(credential.get("credentialSubject"))
    subject = subject if isinstance(subject, Mapping) else {}
    achievement = subject.get("achievement")
    achievement = achievement if isinstance(achievement, Mapping) else {}
    issuer = credential.get("issuer")
    issuer_map = issuer if isinstance(issuer, Mapping) else {}
    issuer_id = issuer if isinstance(issuer, str) else _text(issuer_map.get("id"))
    criteria = achievement.get("criteria")
    criteria = criteria if isinstance(criteria, Mapping) else {}
    image = achievement.get("image")
    image_id = image.get("id") if isinstance(image, Mapping) else image
    image_src = safe_image_src(image_id) if isinstance(image_id, str) else None
    if image_src and not image_src.startswith("data:image/"):
        # Images on the issuer's host are not hotlinked: a portfolio works offline and does
        # not tell a third party who looks at it. Relative paths mean nothing here anyway.
        image_src = None
    evidence = []
    for item in as_list(credential.get("evidence")) + as_list(subject.get("evidence")):
        if not isinstance(item, Mapping):
            continue
        evidence.append(
            {
                "name": _text(item.get("name")) or "Evidence",
                "href": safe_href(item.get("id")) if isinstance(item.get("id"), str) else None,
                "description": _text(item.get("description")),
                "narrative": _text(item.get("narrative")),
                "genre": _text(item.get("genre")),
            }
        )
    results = []
    descriptions = {
        d.get("id"): d
        for d in as_list(achievement.get("resultDescription"))
        if isinstance(d, Mapping)
    }
    for result in as_list(subject.get("result")):
        if not isinstance(result, Mapping):
            continue
        desc = descriptions.get(result.get("resultDescription"), {})
        level_name = ""
        for level in as_list(
            desc.get("rubricCriterionLevel") if isinstance(desc, Mapping) else None
        ):
            if isinstance(level, Mapping) and level.get("id") == result.get("achievedLevel"):
                level_name = _text(level.get("name"))
        results.append(
            {
                "name": _text(desc.get("name")) if isinstance(desc, Mapping) else "",
                "level": level_name,
                "value": _text(result.get("value")),
            }
        )
    skills = []
    for align in as_list(achievement.get("alignment")):
        if isinstance(align, Mapping):
            skills.append(
                {
                    "name": _text(align.get("targetName")),
                    "href": safe_href(align.get("targetUrl")),
                    "framework": _text(align.get("targetFramework")),
                }
            )
    credits = subject.get("creditsEarned")
    if not isinstance(credits, int | float) or isinstance(credits, bool):
        credits = achievement.get("creditsAvailable")
    unit = ""
    for tag in as_list(achievement.get("tag")):
        match = _CREDIT_TAG.match(tag) if isinstance(tag, str) else None
        if match:
            unit = clean_text(match.group(2))
            break
    hours = None
    for item in evidence:
        found = _HOURS.match(item["description"] or "")
        if found:
            hours = found.group(1)
            break
    return {
        "name": _text(achievement.get("name")) or _text(credential.get("name")) or "Credential",
        "type": _text(achievement.get("achievementType")),
        "description": _text(achievement.get("description")),
        "criteria": _text(criteria.get("narrative")),
        "issuer_name": _text(issuer_map.get("name")) or issuer_id or "unknown issuer",
        "issuer_id": issuer_id,
        "issuer_url": safe_href(issuer_map.get("url")),
        "id": _text(credential.get("id")),
        "valid_from": _text(credential.get("validFrom") or credential.get("issuanceDate")),
        "valid_until": _text(credential.get("validUntil") or credential.get("expirationDate")),
        "awarded": human_date(credential.get("awardedDate") or credential.get("validFrom")),
        "narrative": _text(subject.get("narrative")),
        "evidence": evidence,
        "results": results,
        "skills": skills,
        "credits": f"{credits}"
        if isinstance(credits, int | float) and not isinstance(credits, bool)
        else "",
        "credits_unit": unit,
        "hours": hours,
        "achievement_id": _text(achievement.get("id")),
        "image": image_src,
    }


def _decimal(text: str | None) -> Decimal | None:
    try:
        return Decimal(text) if text else None
    except InvalidOperation:
        return None


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f") if value == value.to_integral() else str(value)


def totals(views: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Credits per unit, hours and distinct skills over the badges shown."""
    credits: dict[str, Decimal] = {}
    hours = Decimal(0)
    skills: dict[str, None] = {}
    count = 0
    for shown in views:
        count += 1
        amount = _decimal(shown.get("credits"))
        if amount is not None:
            unit = shown.get("credits_unit") or "credits"
            credits[unit] = credits.get(unit, Decimal(0)) + amount
        hours += _decimal(shown.get("hours")) or 0
        for skill in shown.get("skills", []):
            if skill["name"]:
                skills.setdefault(skill["name"], None)
    return {
        "badges": count,
        "credits": [f"{_plain(v)} {u}" for u, v in sorted(credits.items())],
        "hours": _plain(hours) if hours else "",
        "skills": list(skills),
    }
