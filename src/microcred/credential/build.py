"""Model -> OB 3.0 ``OpenBadgeCredential`` (unsigned), exactly the shape of DESIGN section 5.

Every value placed here is a term the VC 2.0 or OB 3.0.3 context defines: the issue layer runs
the data-loss check on the result and refuses to sign anything that would be silently dropped.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from microcred._util import format_timestamp
from microcred.credential.identity import email_identity
from microcred.layout import badge_image, brief_page, credential_page

if TYPE_CHECKING:  # annotations only: verifying a CLR must not load the records model
    from microcred.model import Achievement, Issuer, Program, Record, SiteSettings

VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_303 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
CONTEXT = (VC_V2, OB_303)
CREDENTIAL_TYPE = ("VerifiableCredential", "OpenBadgeCredential")

# Fixed namespace so ids are stable per (issuer, record) across machines and runs.
_ID_NAMESPACE = uuid.UUID("6b1f3c1e-4d0a-5b8e-9a57-1c1f0c2d3e4f")


def credential_id(issuer_did: str, record_slug: str) -> str:
    """Stable ``urn:uuid`` per issuer and record: re-issuing never mints a second credential."""
    return f"urn:uuid:{uuid.uuid5(_ID_NAMESPACE, f'{issuer_did}/records/{record_slug}')}"


def timestamp(value: dt.datetime) -> str:
    """XSD dateTimeStamp in UTC with ``Z``; refuses naive values rather than guessing."""
    if value.tzinfo is None:
        raise ValueError("timestamps need a time zone")
    return format_timestamp(value)


def date_start(value: dt.date) -> str:
    return timestamp(dt.datetime.combine(value, dt.time(0, 0), tzinfo=dt.UTC))


def number(value: Decimal) -> int | float:
    """Integral amounts as JSON integers: a float 2.0 canonicalizes as "2.0E0" in Python but
    "2" in JavaScript, which would break signatures across implementations."""
    return int(value) if value == value.to_integral_value() else float(value)


def achievement_url(site: SiteSettings, achievement: Achievement) -> str:
    return f"{site.base_url}{brief_page(achievement.slug)}"


def credential_page_url(site: SiteSettings, record: Record) -> str:
    return f"{site.base_url}{credential_page(record.slug)}"


def badge_image_url(site: SiteSettings, achievement: Achievement) -> str:
    return f"{site.base_url}{badge_image(achievement.slug, 'svg')}"


def result_description_id(site: SiteSettings, achievement: Achievement, criterion: str) -> str:
    return f"{achievement_url(site, achievement)}#criterion-{criterion}"


def level_id(site: SiteSettings, achievement: Achievement, criterion: str, level: str) -> str:
    return f"{achievement_url(site, achievement)}#criterion-{criterion}-level-{level}"


def issuer_profile(issuer: Issuer, issuer_did: str) -> dict[str, Any]:
    """The issuer Profile. The issuer's e-mail is deliberately left out: no e-mail address
    appears in any issued file (contact details live on the site's home page)."""
    profile: dict[str, Any] = {
        "id": issuer_did,
        "type": ["Profile"],
        "name": issuer.name,
        "url": issuer.url,
    }
    if issuer.description:
        profile["description"] = issuer.description
    if issuer.image and issuer.image.startswith("https://"):
        profile["image"] = {"id": issuer.image, "type": "Image"}
    return profile


def achievement_object(
    site: SiteSettings, achievement: Achievement, issuer: dict[str, Any]
) -> dict[str, Any]:
    aid = achievement_url(site, achievement)
    obj: dict[str, Any] = {
        "id": aid,
        "type": ["Achievement"],
        "achievementType": achievement.achievement_type,
        "name": achievement.name,
        "description": achievement.description,
        "criteria": {"id": aid, "narrative": achievement.criteria},
        "image": {
            "id": badge_image_url(site, achievement),
            "type": "Image",
            "caption": f"{achievement.name} badge",
        },
        "creator": issuer,
        "version": achievement.version,
    }
    if achievement.credits is not None:
        obj["creditsAvailable"] = number(achievement.credits.amount)
    alignments = []
    for skill in achievement.skills:
        if skill.url is None:
            continue
        alignment: dict[str, Any] = {
            "type": ["Alignment"],
            "targetName": skill.name,
            "targetUrl": skill.url,
        }
        if skill.framework:
            alignment["targetFramework"] = skill.framework
        if skill.code:
            alignment["targetCode"] = skill.code
        alignments.append(alignment)
    if alignments:
        obj["alignment"] = alignments
    tags = list(achievement.tags) + [s.name for s in achievement.skills if s.url is None]
    if achievement.credits is not None:
        # OB has no field for the credit unit: state it where every reader sees it.
        tags.append(f"credits: {achievement.credits.amount} {achievement.credits.unit}")
    if tags:
        obj["tag"] = tags
    obj["resultDescription"] = [
        {
            "id": result_description_id(site, achievement, c.id),
            "type": ["ResultDescription"],
            "name": c.name,
            "resultType": "RubricCriterionLevel",
            "rubricCriterionLevel": [
                {
                    "id": level_id(site, achievement, c.id, lvl.id),
                    "type": ["RubricCriterionLevel"],
                    "name": lvl.name,
                    **({"description": lvl.description} if lvl.description else {}),
                    "points": str(lvl.points),
                }
                for lvl in c.levels
            ],
        }
        for c in achievement.rubric.criteria
    ]
    return obj


def _results(site: SiteSettings, achievement: Achievement, record: Record) -> list[dict[str, Any]]:
    out = []
    for result in record.results:
        criterion = achievement.rubric.criterion(result.criterion)
        level = criterion.level(result.level) if criterion else None
        if criterion is None or level is None:
            raise ValueError(f"record {record.slug}: unknown rubric result {result}")
        entry: dict[str, Any] = {
            "type": ["Result"],
            "resultDescription": result_description_id(site, achievement, criterion.id),
            "achievedLevel": level_id(site, achievement, criterion.id, level.id),
            "value": f"{level.points}/{criterion.max_points}",
            "status": "Completed",
        }
        out.append(entry)
    return out


def _evidence(record: Record) -> list[dict[str, Any]]:
    role = f" ({record.mentor.role})" if record.mentor.role else ""
    supervised: dict[str, Any] = {
        "type": ["Evidence"],
        "name": "Supervised micro-internship",
        "description": (
            f"{number(record.hours)} hours of work from {record.start_date.isoformat()} to "
            f"{record.end_date.isoformat()}, mentored by {record.mentor.name}{role}."
        ),
        "genre": "Supervised work",
    }
    items = [supervised]
    for ev in record.evidence:
        item: dict[str, Any] = {"id": ev.url, "type": ["Evidence"], "name": ev.name}
        if ev.narrative:
            item["narrative"] = ev.narrative
        if ev.genre:
            item["genre"] = ev.genre
        items.append(item)
    return items


def build_credential(
    program: Program,
    record: Record,
    *,
    issuer_did: str,
    salt: str,
    status: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The unsigned credential for one completed record.

    ``salt`` is passed in so that re-issuing an unchanged record reuses the salt already
    published (byte-identical output); a new credential gets a fresh one from the caller.
    """
    if record.status != "completed":
        raise ValueError(
            f"record {record.slug} is {record.status}; only completed records are issued"
        )
    achievement = program.achievement(record.achievement)
    issuer = issuer_profile(program.issuer, issuer_did)
    subject: dict[str, Any] = {"type": ["AchievementSubject"]}
    if record.candidate.id:
        subject["id"] = record.candidate.id
    subject["identifier"] = [email_identity(record.candidate.email, salt)]
    subject["achievement"] = achievement_object(program.site, achievement, issuer)
    subject["result"] = _results(program.site, achievement, record)
    if achievement.credits is not None:
        subject["creditsEarned"] = number(achievement.credits.amount)
    subject["activityStartDate"] = date_start(record.start_date)
    subject["activityEndDate"] = date_start(record.end_date)
    subject["role"] = "Micro-intern"
    if record.narrative.strip():
        subject["narrative"] = record.narrative.strip()

    credential: dict[str, Any] = {
        "@context": list(CONTEXT),
        "id": credential_id(issuer_did, record.slug),
        "type": list(CREDENTIAL_TYPE),
        "name": achievement.name,
        "description": achievement.description,
        "issuer": issuer,
        "validFrom": timestamp(record.awarded_at),
        "awardedDate": timestamp(record.awarded_at),
        "credentialSubject": subject,
        "evidence": _evidence(record),
    }
    if status:
        credential["credentialStatus"] = status[0] if len(status) == 1 else list(status)
    return credential
