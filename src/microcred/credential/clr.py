"""A school's CLR 2.0 transcript (``ClrCredential``, unsigned) of recognised credentials.

Shape (1EdTech CLR 2.0 on VC 2.0, contexts credentials v2 + CLR 2.0.1 + OB 3.0.3):

* ``issuer`` is the school's Profile (its DID as ``id``);
* ``credentialSubject`` is a ``ClrSubject`` naming the learner as the school knows them (its
  own student id, or a salted hash of the e-mail; a plain e-mail only when asked for);
* ``credentialSubject.verifiableCredential`` holds every recognised credential exactly as it
  was accepted (parsed JSON, not re-serialised by hand), so each keeps its issuer's proof;
* ``credentialSubject.achievement`` holds one Achievement **created by the school** per
  recognised credential. CLR 2.0 has no ``creditsEarned`` outside an AchievementSubject, so the
  credits the school recognised are that Achievement's ``creditsAvailable`` (in the school's
  unit, also stated in ``tag``), and the policy that converted them is named in its
  ``resultDescription`` and criteria. Its ``otherIdentifier`` carries the sha256 of the
  credential bytes the registry holds. Copies of the issuers' own achievements are not
  repeated: the same ``id`` with other credits would merge into one RDF node.
* no ``credentialSchema``: its validator type is defined only by the OB extensions context,
  which the transcript does not carry; microcred validates against the CLR schema itself
  before signing.
* ``association``: each school Achievement is an ``exactMatchOf`` the issuer's achievement;
  where the policy groups recognitions, a group Achievement (no credits of its own, so sums
  never double count) is the target of ``isPartOf``.

Every term used is defined by those contexts; the signer's data-loss check enforces it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from microcred.credential.build import OB_303, VC_V2, number, timestamp
from microcred.credential.identity import email_identity, new_salt, normalise_email

CLR_201 = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"
CLR_CONTEXT = (VC_V2, CLR_201, OB_303)
CLR_TYPE = ("VerifiableCredential", "ClrCredential")
CLR_SCHEMA_URL = (
    "https://purl.imsglobal.org/spec/clr/v2p0/schema/json/clr_v2p0_clrcredential_schema.json"
)
RESULT_TYPE = "ext:RecognisedCredits"
LearnerMode = Literal["id", "email-hash", "email"]
LEARNER_MODES: tuple[str, ...] = ("id", "email-hash", "email")

# Fixed namespace: the school's Achievement for one credential has the same id in every
# transcript, so two transcripts of the same learner can be compared.
_NS = uuid.UUID("0b7f6f5e-8d3c-5a61-9f1e-4c2a7d9e3b10")


@dataclass(frozen=True)
class School:
    """The issuing school, from the ``[school]`` section of the policy file."""

    did: str
    name: str
    url: str | None = None
    description: str | None = None

    def profile(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.did, "type": ["Profile"], "name": self.name}
        if self.url:
            out["url"] = self.url
        if self.description:
            out["description"] = self.description
        return out


@dataclass(frozen=True)
class Recognition:
    """One accepted credential and what the school recognised it for."""

    credential: Mapping[str, Any]
    sha256: str
    credits: Decimal | None
    unit: str | None
    policy: str
    group: str | None = None
    issuer_credits: Decimal | None = None
    issuer_unit: str | None = None
    term: str | None = None

    @property
    def credential_id(self) -> str:
        value = self.credential.get("id")
        return value if isinstance(value, str) else f"sha256:{self.sha256}"


def _subject(credential: Mapping[str, Any]) -> Mapping[str, Any]:
    subject = credential.get("credentialSubject")
    if isinstance(subject, list):
        subject = subject[0] if subject else {}
    return subject if isinstance(subject, Mapping) else {}


def original_achievement(credential: Mapping[str, Any]) -> Mapping[str, Any]:
    """The issuer's Achievement in an AchievementCredential (empty when there is none)."""
    achievement = _subject(credential).get("achievement")
    if isinstance(achievement, list):
        achievement = achievement[0] if achievement else {}
    return achievement if isinstance(achievement, Mapping) else {}


def issuer_of(credential: Mapping[str, Any]) -> tuple[str, str]:
    """(issuer id, issuer name) as the credential states them ('' when absent)."""
    issuer = credential.get("issuer")
    if isinstance(issuer, str):
        return issuer, ""
    if isinstance(issuer, Mapping):
        name = issuer.get("name")
        return str(issuer.get("id") or ""), name if isinstance(name, str) else ""
    return "", ""


def _text(value: object) -> str:
    """A plain string from a string or a language map (first value)."""
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        for item in value.values():
            if isinstance(item, str):
                return item
    return ""


def recognition_id(school_did: str, sha256: str) -> str:
    return f"urn:uuid:{uuid.uuid5(_NS, f'{school_did}/recognition/{sha256}')}"


def group_id(school_did: str, group: str) -> str:
    return f"urn:uuid:{uuid.uuid5(_NS, f'{school_did}/group/{group}')}"


def amount_text(amount: Decimal | None, unit: str | None) -> str:
    if amount is None:
        return "no credits"
    return f"{number(amount)} {unit or 'credits'}".strip()


def learner_identity(learner: str, mode: LearnerMode) -> dict[str, Any]:
    """The ClrSubject ``identifier`` for the learner the school names.

    ``id``: the school's own student id, as the student information system knows it
    (``sisSourcedId``, not hashed: it is the school's identifier, not personal contact data).
    ``email-hash``: a salted SHA-256 of the e-mail (fresh salt per transcript).
    ``email``: the plain address, only when the school asks for it explicitly.
    """
    if mode == "email-hash":
        return email_identity(learner, new_salt())
    if mode == "email":
        return {
            "type": "IdentityObject",
            "identityHash": normalise_email(learner),
            "identityType": "emailAddress",
            "hashed": False,
        }
    return {
        "type": "IdentityObject",
        "identityHash": learner,
        "identityType": "sisSourcedId",
        "hashed": False,
    }


def _school_achievement(school: School, rec: Recognition, verified_on: str) -> dict[str, Any]:
    original = original_achievement(rec.credential)
    issuer_did, issuer_name = issuer_of(rec.credential)
    name = _text(original.get("name")) or _text(rec.credential.get("name")) or "Achievement"
    aid = recognition_id(school.did, rec.sha256)
    credits = amount_text(rec.credits, rec.unit)
    stated = (
        f" (the issuer states {amount_text(rec.issuer_credits, rec.issuer_unit)})"
        if rec.issuer_credits is not None
        else ""
    )
    who = issuer_name or issuer_did or "its issuer"
    achievement: dict[str, Any] = {
        "id": aid,
        "type": ["Achievement"],
        "name": name,
        "description": (
            f"{name}, issued by {who}: recognised by {school.name} for {credits} under the "
            f"credit policy '{rec.policy}'{stated}."
        ),
        "criteria": {
            "narrative": (
                f"Holds the credential {rec.credential_id} issued by {who}"
                f"{f' ({issuer_did})' if issuer_name and issuer_did else ''}, verified by "
                f"{school.name} on {verified_on} and accepted under the credit policy "
                f"'{rec.policy}'."
            )
        },
        "creator": school.profile(),
        "otherIdentifier": [
            {
                "type": "IdentifierEntry",
                "identifier": f"sha256:{rec.sha256}",
                "identifierType": "identifier",
            }
        ],
        "resultDescription": [
            {
                "id": f"urn:uuid:{uuid.uuid5(_NS, aid + '/credits')}",
                "type": ["ResultDescription"],
                "name": f"Credits recognised under the policy '{rec.policy}'",
                "resultType": RESULT_TYPE,
            }
        ],
    }
    kind = original.get("achievementType")
    if isinstance(kind, str):
        achievement["achievementType"] = kind
    tags = [f"policy: {rec.policy}"]
    if rec.credits is not None:
        achievement["creditsAvailable"] = number(rec.credits)
        tags.insert(0, f"credits: {number(rec.credits)} {rec.unit or ''}".strip())
    if rec.term:
        tags.append(f"term: {rec.term}")
    achievement["tag"] = tags
    return achievement


def totals(recognitions: Sequence[Recognition]) -> dict[str, Decimal]:
    """Recognised credits per unit (a policy normally yields one unit)."""
    out: dict[str, Decimal] = {}
    for rec in recognitions:
        if rec.credits is not None:
            unit = rec.unit or "credits"
            out[unit] = out.get(unit, Decimal(0)) + rec.credits
    return out


def build_clr(
    school: School,
    recognitions: Sequence[Recognition],
    *,
    learner: str,
    learner_mode: LearnerMode = "id",
    issued: dt.datetime,
    transcript_id: str | None = None,
    partial: bool = False,
    status: Sequence[Mapping[str, Any]] = (),
    title: str | None = None,
) -> dict[str, Any]:
    """The unsigned ClrCredential. Raises ValueError on an empty list (no empty transcripts)."""
    if not recognitions:
        raise ValueError("a transcript needs at least one recognised credential")
    seen: set[str] = set()
    for rec in recognitions:
        if rec.sha256 in seen:
            raise ValueError(f"credential {rec.credential_id} is listed twice")
        seen.add(rec.sha256)
    stamp = timestamp(issued)
    day = stamp[:10]
    achievements = [_school_achievement(school, rec, day) for rec in recognitions]
    associations: list[dict[str, Any]] = []
    groups: dict[str, str] = {}
    for rec, ach in zip(recognitions, achievements, strict=True):
        original_id = original_achievement(rec.credential).get("id")
        if isinstance(original_id, str) and original_id:
            associations.append(_association("exactMatchOf", ach["id"], original_id))
        if rec.group:
            gid = groups.setdefault(rec.group, group_id(school.did, rec.group))
            associations.append(_association("isPartOf", ach["id"], gid))
    for group, gid in groups.items():
        achievements.append(
            {
                "id": gid,
                "type": ["Achievement"],
                "name": group,
                "description": (
                    f"Credentials {school.name} recognises together as '{group}' under its "
                    "credit policy; the credits are those of its parts."
                ),
                "criteria": {"narrative": f"Recognised parts of '{group}' (see associations)."},
                "creator": school.profile(),
            }
        )
    total = "; ".join(amount_text(v, u) for u, v in totals(recognitions).items()) or "no credits"
    count = len(recognitions)
    subject: dict[str, Any] = {"type": ["ClrSubject"]}
    if learner_mode == "id" and learner.startswith("did:"):
        subject["id"] = learner  # a DID the learner controls: wallets can bind the record to it
    subject |= {
        "identifier": [learner_identity(learner, learner_mode)],
        "verifiableCredential": [dict(rec.credential) for rec in recognitions],
        "achievement": achievements,
    }
    if associations:
        subject["association"] = associations
    credential: dict[str, Any] = {
        "@context": list(CLR_CONTEXT),
        "id": transcript_id or f"urn:uuid:{uuid.uuid4()}",
        "type": list(CLR_TYPE),
        "name": title or f"{school.name}: transcript of recognised micro-internships",
        "description": (
            f"{count} credential{'s' if count != 1 else ''} recognised by {school.name}, "
            f"{total} in total."
        ),
        "issuer": school.profile(),
        "validFrom": stamp,
        "awardedDate": stamp,
        "credentialSubject": subject,
    }
    if partial:
        credential["partial"] = True
    if status:
        credential["credentialStatus"] = (
            dict(status[0]) if len(status) == 1 else [dict(s) for s in status]
        )
    return credential


def _association(kind: str, source: str, target: str) -> dict[str, Any]:
    return {"type": "Association", "associationType": kind, "sourceId": source, "targetId": target}


def embedded_credentials(clr: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """(JSON path, item) of every credential a ClrCredential embeds in its ClrSubject(s)."""
    subject = clr.get("credentialSubject")
    subjects = subject if isinstance(subject, list) else [subject]
    out: list[tuple[str, Any]] = []
    for n, item in enumerate(subjects):
        if not isinstance(item, Mapping):
            continue
        base = f"$.credentialSubject[{n}]" if isinstance(subject, list) else "$.credentialSubject"
        embedded = item.get("verifiableCredential")
        if isinstance(embedded, list):
            out.extend((f"{base}.verifiableCredential[{i}]", vc) for i, vc in enumerate(embedded))
        elif embedded is not None:
            out.append((f"{base}.verifiableCredential", embedded))
    return out


def is_clr(document: Mapping[str, Any]) -> bool:
    kinds = document.get("type")
    kinds = [kinds] if isinstance(kinds, str) else kinds
    return isinstance(kinds, list) and "ClrCredential" in kinds


def recognised_total(clr: Mapping[str, Any]) -> tuple[Decimal, str] | None:
    """The credits a transcript recognises in total: the sum of ``creditsAvailable`` of its
    ClrSubject Achievements tagged ``credits: N unit`` (the school's), when they share one
    unit; None for a CLR that does not follow this convention or mixes units."""
    subject = _subject(clr)
    achievements = subject.get("achievement")
    total, units = Decimal(0), set()
    for ach in achievements if isinstance(achievements, list) else [achievements]:
        if not isinstance(ach, Mapping):
            continue
        amount = ach.get("creditsAvailable")
        tags = ach.get("tag")
        unit = next(
            (
                t.split(" ", 2)[2]
                for t in (tags if isinstance(tags, list) else [tags])
                if isinstance(t, str) and t.startswith("credits: ") and t.count(" ") >= 2
            ),
            None,
        )
        if unit is None or isinstance(amount, bool) or not isinstance(amount, int | float):
            continue
        total += Decimal(str(amount))
        units.add(unit)
    return (total, units.pop()) if len(units) == 1 else None
