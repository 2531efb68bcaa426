"""The school's CLR 2.0 transcript from the registry: gather, re-verify, build, sign, record.

Steps of :func:`issue_transcript` (fails closed; nothing is written before step 6):

1. the key must be the school's: the ``[school] did`` of the policy file, or (when none is
   configured) the DID that signed the school's earlier transcripts in this registry;
2. every credential the registry holds as *accepted* for the learner (one term or all);
   none -> an error, never an empty transcript;
3. each is verified again from the stored bytes (sha256 re-checked) with the same engine and
   the verifier inputs given (trust file, DID documents, status-list snapshots). One that no
   longer verifies (revoked since import, key withdrawn...) is left out and listed, and
   ``microcred registry reverify`` is suggested; an undecidable one (no status snapshot) stays,
   its verification line says so;
4. the ClrCredential is built (credential/clr.py), validated against the shipped CLR 2.0
   schema, and signed with the issuing signer's proof set (eddsa-rdfc-2022 + eddsa-jcs-2022);
5. with ``[school] status_list``, it carries a revocation entry at a fresh random index of the
   school's list (saved before signing, so an index is never handed out twice);
6. the registry records it (id, learner, sha256, when, by whom), and the school's status list
   is (re-)signed when it changed. :func:`revoke_transcript` flips its bit and re-signs.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select

from microcred._util import loads_strict
from microcred.credential.clr import Recognition, School, build_clr
from microcred.credential.clr_schemas import clr_errors
from microcred.errors import MicrocredError
from microcred.issue import dump_json, sign_document
from microcred.jsonld import check_data_loss, default_loader
from microcred.proof.keys import KeyPair
from microcred.proof.timestamps import format_datetimestamp
from microcred.registry import schema
from microcred.registry.school import SchoolConfig
from microcred.registry.store import AcceptedCredential, Registry
from microcred.registry.transcript_status import TranscriptStatus
from microcred.verify import VerificationReport, VerifyOptions, check_credential
from microcred.verify.checks.parse import size_problem


class TranscriptError(MicrocredError):
    """A transcript that cannot (or must not) be issued or revoked; the message says why."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message, code="TRANSCRIPT_ERROR", hint=hint)


@dataclass(frozen=True)
class Included:
    row: int
    recognition: Recognition
    report: VerificationReport

    @property
    def line(self) -> str:
        return verification_line(self.report)


@dataclass(frozen=True)
class LeftOut:
    row: int
    credential_id: str | None
    issuer: str | None
    achievement: str | None
    reason: str


@dataclass
class Transcript:
    signed: dict[str, Any]
    content: bytes
    row: int
    learner: str
    term: str | None
    included: list[Included]
    left_out: list[LeftOut] = field(default_factory=list)
    status_list: Path | None = None

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()

    @property
    def id(self) -> str:
        return str(self.signed["id"])


def verification_line(report: VerificationReport) -> str:
    """One sentence for people: what was checked, and what could not be, at issue time."""
    when = (report.checked_at or "")[:10]
    proof = report.check("proof")
    status = report.check("status")
    if report.result == "invalid":
        problem = report.first_problem()
        return f"NOT verified {when}: {problem.detail if problem else 'invalid'}"
    parts = [f"issuer's signature verified {when}"]
    if proof is not None and proof.outcome == "indeterminate":
        parts = [f"issuer's signature not checkable offline on {when} (key not available)"]
    if status is not None:
        if status.outcome == "passed":
            note = status.note or "not revoked"
            parts.append(
                "no status list" if "no credentialStatus" in note else "not revoked or suspended"
            )
        elif status.outcome == "indeterminate":
            parts.append("status not checked (no list snapshot)")
    text = "; ".join(parts)
    return text[:1].upper() + text[1:] + "."


def check_key(registry: Registry, config: SchoolConfig, key: KeyPair) -> str:
    """The school's DID, if ``key`` is its key; otherwise refused, naming both DIDs."""
    expected = config.configured_did or _earlier_issuer(registry)
    if expected is not None and key.controller != expected:
        where = (
            f"[school] did in {config.source}"
            if config.configured_did
            else "the school's earlier transcripts in this registry"
        )
        raise TranscriptError(
            f"the key {key.id} belongs to {key.controller}, not to the school's DID {expected} "
            f"({where}); refusing to sign a transcript with it",
            hint="pass the school's own key file with --key (or fix [school] did)",
        )
    return key.controller


def _earlier_issuer(registry: Registry) -> str | None:
    t = schema.transcripts
    with registry.read() as conn:
        content = conn.execute(select(t.c.content).order_by(t.c.id).limit(1)).scalar()
    if content is None:
        return None
    try:
        issuer = loads_strict(bytes(content)).get("issuer")
    except (MicrocredError, AttributeError):
        return None
    value = issuer.get("id") if isinstance(issuer, dict) else issuer
    return value if isinstance(value, str) else None


def _extras(registry: Registry, rows: Sequence[int]) -> dict[int, Any]:
    """Rule (the policy's grouping) and the issuer's own credits, which the API leaves out."""
    c = schema.credentials
    query = select(c.c.id, c.c.rule, c.c.issuer_credits, c.c.issuer_credit_unit).where(
        c.c.id.in_(list(rows))
    )
    with registry.read() as conn:
        return {int(r.id): r for r in conn.execute(query)}


def _group(rule: str | None) -> str | None:
    """The policy rule that credited a credential groups it (``(no policy)`` groups nothing)."""
    return rule if rule and not rule.startswith("(") else None


def _decimal(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _recheck(
    item: AcceptedCredential, options: VerifyOptions, now: dt.datetime
) -> tuple[Any, VerificationReport | None, str | None]:
    """(parsed credential, report, why it is left out or None)."""
    if hashlib.sha256(item.content).hexdigest() != item.sha256:
        return None, None, "the stored bytes no longer match their sha256 (registry damaged)"
    try:
        parsed = loads_strict(item.content)
    except MicrocredError as exc:
        return None, None, f"the stored credential does not parse: {exc.message}"
    # The recipient was matched at import (same bytes); the school re-checks the rest.
    report = check_credential(
        item.content, now=now, options=replace(options, recipient=None), path=f"row {item.row}"
    )
    if report.result == "invalid":
        problem = report.first_problem()
        failing = next((c.id for c in report.checks if c.outcome == "failed"), "verification")
        return parsed, report, f"{failing}: {problem.detail if problem else 'no longer verifies'}"
    return parsed, report, None


def _not_embeddable(recognition: Recognition, now: dt.datetime) -> str | None:
    """Why this credential cannot sit inside a CLR 2.0 transcript, or None.

    Its own ``@context`` is processed inside the transcript's: a credential on VC 1.1 or an
    older OB context redefines terms the transcript's contexts protect, which JSON-LD forbids
    (every implementation refuses it), so it could never be signed or verified in place.
    """
    probe = build_clr(School(did="did:key:probe", name="probe"), [recognition], learner="-",
                      issued=now)  # fmt: skip
    try:
        check_data_loss(probe, default_loader())
    except MicrocredError as exc:
        first = exc.message.split("(context:", 1)[0].strip().rstrip(".;")
        return (
            f"cannot be embedded in a CLR 2.0 transcript ({first}): its @context conflicts with "
            "the transcript's VC 2.0 / OB 3.0.3 terms; ask the issuer for a VC 2.0 + OB 3.0.3 "
            "credential"
        )
    return None


def issue_transcript(
    registry: Registry,
    config: SchoolConfig,
    key: KeyPair,
    *,
    learner: str,
    term: str | None = None,
    now: dt.datetime,
    options: VerifyOptions | None = None,
    by: str | None = None,
) -> Transcript:
    """Build, sign and record the learner's transcript (see the module docstring)."""
    did = check_key(registry, config, key)
    accepted = registry.accepted_credentials(learner, term)
    scope = f"{learner!r}" + (f" in term {term!r}" if term else "")
    if not accepted:
        raise TranscriptError(
            f"the registry {registry.shown} holds no accepted credential for {scope}; "
            "no transcript was written",
            hint="check `microcred registry summary`, import the learner's credentials, or "
            "decide pending ones with `microcred registry review`",
        )
    options = options or VerifyOptions()
    extras = _extras(registry, [a.row for a in accepted])
    included: list[Included] = []
    left_out: list[LeftOut] = []
    for item in accepted:
        parsed, report, why = _recheck(item, options, now)
        if why is not None or report is None:
            left_out.append(
                LeftOut(item.row, item.credential_id, item.issuer, item.achievement, str(why))
            )
            continue
        extra = extras.get(item.row)
        recognition = Recognition(
            credential=parsed,
            sha256=item.sha256,
            # registry summary counts credits only with a unit; the transcript does the same
            credits=_decimal(item.credits) if item.credit_unit else None,
            unit=item.credit_unit,
            policy=item.policy_name or "(no policy)",
            group=_group(getattr(extra, "rule", None)),
            issuer_credits=_decimal(getattr(extra, "issuer_credits", None)),
            issuer_unit=getattr(extra, "issuer_credit_unit", None),
            term=item.term,
        )
        clash = _not_embeddable(recognition, now)
        if clash is not None:
            left_out.append(
                LeftOut(item.row, item.credential_id, item.issuer, item.achievement, clash)
            )
            continue
        included.append(Included(item.row, recognition, report))
    if not included:
        listed = "; ".join(f"row {x.row}: {x.reason}" for x in left_out)
        raise TranscriptError(
            f"none of the accepted credentials of {scope} verifies any more ({listed}); "
            "no transcript was written",
            hint="run `microcred registry reverify` (with fresh status lists) to update the "
            "registry",
        )
    transcript_id = f"urn:uuid:{uuid.uuid4()}"
    status = TranscriptStatus.for_school(config)
    entries = [status.entry_for(transcript_id)] if status is not None else []
    school = replace(config.school, did=did, name=config.school.name or did)
    mode = config.learner_mode
    if mode == "id" and "@" in learner:
        mode = "email-hash"  # never a plain e-mail unless [school] learner = "email" asks
    unsigned = build_clr(
        school,
        [i.recognition for i in included],
        learner=learner,
        learner_mode=mode,
        issued=now,
        transcript_id=transcript_id,
        partial=bool(term) or bool(left_out),
        status=entries,
        title=None if config.school.name else "Transcript of recognised micro-internships",
    )
    too_big = size_problem(unsigned)
    if too_big is not None:
        raise TranscriptError(
            f"a transcript of {len(included)} credentials would be too large for `microcred "
            f"verify` to accept ({too_big}); no transcript was written",
            hint="issue one transcript per term with --term",
        )
    problems = clr_errors(unsigned)
    if problems:
        raise TranscriptError(
            "the transcript would not validate against the CLR 2.0 schema: " + "; ".join(problems),
            hint="this is a microcred bug; please report it",
        )
    signed = sign_document(unsigned, key, created=now)
    content = dump_json(signed).encode("utf-8")
    row = registry.record_transcript(
        learner=learner,
        content=content,
        issued_at=format_datetimestamp(now),
        issued_by=by,
        credential_id=transcript_id,
        term=term,
    )
    published = status.publish(key, now) if status is not None else None
    return Transcript(signed, content, row, learner, term, included, left_out, published)


def find_transcript(registry: Registry, ref: str) -> dict[str, Any]:
    """A recorded transcript by registry row number or credential id (urn:uuid:…)."""
    for entry in registry.transcripts():
        if str(entry["id"]) == ref or entry["credential_id"] == ref:
            return entry
    raise TranscriptError(
        f"no transcript {ref!r} in the registry {registry.shown}",
        hint="list them with `microcred registry transcript --list`",
    )


def revoke_transcript(
    registry: Registry,
    config: SchoolConfig,
    key: KeyPair,
    ref: str,
    *,
    now: dt.datetime,
    by: str,
    reason: str | None = None,
) -> tuple[dict[str, Any], Path]:
    """Set the transcript's revocation bit in the school's list and re-sign the list."""
    check_key(registry, config, key)
    entry = find_transcript(registry, ref)
    status = TranscriptStatus.for_school(config)
    if status is None:
        raise TranscriptError(
            f"transcript {ref} cannot be revoked: the policy file {config.source} names no "
            "[school] status_list, so transcripts carry no status entry",
            hint='add status_list = "https://…/transcripts-1.json" to [school] for new ones',
        )
    status.revoke(str(entry["credential_id"]), who=by, when=now, reason=reason)
    path = status.publish(key, now)
    registry.set_transcript_status(int(entry["id"]), "revoked")
    return {**entry, "status": "revoked"}, path
