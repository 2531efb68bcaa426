"""A one-page HTML rendering of a school's CLR 2.0 transcript, for people and for print.

The page is a reading aid, not the credential: it names the learner, the school, each
recognised achievement with its issuer, dates, the issuer's and the school's credits and a
verification line, and the total; a print stylesheet makes "Save as PDF" give one clean page.
It runs no script (CSP ``script-src 'none'``) and loads nothing: styles and the QR code (SVG)
are inline. The QR opens ``verify.html#vc=…`` (the transcript itself in the URL fragment, which
never leaves the browser) when that fits in a QR code; otherwise it opens the school's
``verify.html``, and the page says how to check the JSON file there or with ``microcred verify``.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from microcred.credential.clr import embedded_credentials, issuer_of, original_achievement
from microcred.site.images import qr_svg
from microcred.site.templates import render

QR_MAX_URL = 2000
"""Longest URL put in a QR code (version 40-M holds about 2,300 bytes; phones need margin)."""
LINK_MAX_URL = 1_500_000
"""Longest verify link offered on the page (browsers accept URLs of a few MB)."""


def _text(value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        return next((v for v in value.values() if isinstance(v, str)), "")
    return ""


def _day(value: object) -> str:
    return value[:10] if isinstance(value, str) else ""


def _subject(doc: Mapping[str, Any]) -> Mapping[str, Any]:
    subject = doc.get("credentialSubject")
    if isinstance(subject, list):
        subject = subject[0] if subject else {}
    return subject if isinstance(subject, Mapping) else {}


def _amount(value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return ""
    return format(Decimal(str(value)).normalize(), "f")


def _learner(subject: Mapping[str, Any]) -> str:
    for ident in subject.get("identifier") or []:
        if not isinstance(ident, Mapping):
            continue
        if ident.get("hashed") is True:
            return "identified by a salted hash of their e-mail address"
        kind = ident.get("identityType")
        label = "student id" if kind == "sisSourcedId" else str(kind or "identifier")
        return f"{_text(ident.get('identityHash'))} ({label})"
    return _text(subject.get("id")) or "not named"


def _unit(achievement: Mapping[str, Any]) -> str:
    for tag in achievement.get("tag") or []:
        if isinstance(tag, str) and tag.startswith("credits: "):
            parts = tag.split(" ", 2)
            return parts[2] if len(parts) == 3 else ""
    return ""


def _policy(achievement: Mapping[str, Any]) -> str:
    for tag in achievement.get("tag") or []:
        if isinstance(tag, str) and tag.startswith("policy: "):
            return tag[len("policy: ") :]
    return ""


def _issuer_credits(subject: Mapping[str, Any], achievement: Mapping[str, Any]) -> str:
    """What the issuer states: creditsEarned (else creditsAvailable) and the unit of its tag."""
    amount = _amount(subject.get("creditsEarned")) or _amount(achievement.get("creditsAvailable"))
    return f"{amount} {_unit(achievement)}".strip() if amount else ""


def short_did(value: str) -> str:
    """``did:key:z6MkmRLQ…N5DB`` for the table (the full DID is in the signed file and in the
    cell's title); anything short stays as it is."""
    if len(value) <= 32:
        return value
    head, _, rest = value.partition(":")
    method, _, ident = rest.partition(":")
    return f"{head}:{method}:{ident[:8]}…{ident[-4:]}" if ident else f"{value[:24]}…{value[-4:]}"


def transcript_rows(
    transcript: Mapping[str, Any], lines: Mapping[str, str] | None = None
) -> list[dict[str, Any]]:
    """One row per embedded credential, with the school's recognition of it.

    ``lines`` maps a credential's sha256 (as the school's Achievement names it) to its
    verification line; without one the row says the transcript's signature covers it.
    """
    subject = _subject(transcript)
    recognitions: dict[object, tuple[Mapping[str, Any], str]] = {}
    for ach in subject.get("achievement") or []:
        if not isinstance(ach, Mapping):
            continue
        for other in ach.get("otherIdentifier") or []:
            ident = str(other.get("identifier", "")) if isinstance(other, Mapping) else ""
            if ident.startswith("sha256:"):
                recognitions[ach.get("id")] = (ach, ident[7:])
    # The school's Achievement for each credential, through its exactMatchOf association, in
    # order: the same achievement earned twice has two recognitions, used one after the other.
    by_original: dict[str, list[tuple[Mapping[str, Any], str]]] = {}
    for assoc in subject.get("association") or []:
        if isinstance(assoc, Mapping) and assoc.get("associationType") == "exactMatchOf":
            found = recognitions.get(assoc.get("sourceId"))
            if found is not None:
                by_original.setdefault(str(assoc.get("targetId")), []).append(found)
    rows = []
    for _, credential in embedded_credentials(transcript):
        if not isinstance(credential, Mapping):
            continue
        original = original_achievement(credential)
        issuer_id, issuer_name = issuer_of(credential)
        queue = by_original.get(str(original.get("id"))) or [({}, "")]
        ach, digest = queue.pop(0) if len(queue) > 1 else queue[0]
        cred_subject = _subject(credential)
        start, end = (
            _day(cred_subject.get("activityStartDate")),
            _day(cred_subject.get("activityEndDate")),
        )
        rows.append(
            {
                "name": _text(original.get("name")) or _text(credential.get("name")),
                "issuer_name": issuer_name,
                "issuer_id": issuer_id,
                "issuer_short": short_did(issuer_id),
                "awarded": _day(credential.get("awardedDate") or credential.get("validFrom")),
                "activity": f"{start} – {end}" if start and end else "",
                "issuer_credits": _issuer_credits(cred_subject, original),
                "credits": _amount(ach.get("creditsAvailable")),
                "unit": _unit(ach),
                "policy": _policy(ach),
                "verification": (lines or {}).get(digest, "")
                or "Covered by the school's signature on this transcript.",
            }
        )
    rows.sort(key=lambda r: (r["awarded"], r["name"]))
    return rows


def totals(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    sums: dict[str, Decimal] = {}
    for row in rows:
        if row["credits"]:
            sums[row["unit"]] = sums.get(row["unit"], Decimal(0)) + Decimal(row["credits"])
    return [f"{format(v.normalize(), 'f')} {u}".strip() for u, v in sums.items()]


def verify_link(transcript: Mapping[str, Any], verify_page: str) -> str:
    data = json.dumps(transcript, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    fragment = base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")
    return f"{verify_page.split('#', 1)[0]}#vc={fragment}"


def render_transcript_html(
    transcript: Mapping[str, Any],
    *,
    lines: Mapping[str, str] | None = None,
    verify_page: str | None = None,
    file_name: str = "transcript.json",
    content: bytes | None = None,
) -> str:
    """The page for ``transcript`` (a signed ClrCredential); ``content`` is the file's bytes."""
    rows = transcript_rows(transcript, lines)
    issuer_id, issuer_name = issuer_of(transcript)
    issuer = transcript.get("issuer")
    url = issuer.get("url") if isinstance(issuer, Mapping) else None
    link = verify_link(transcript, verify_page) if verify_page else None
    in_qr = link is not None and len(link) <= QR_MAX_URL
    qr = None
    if in_qr and link is not None:
        try:
            qr = qr_svg(link, label="QR code: verify this transcript")
        except ValueError:  # more than a QR code holds at this error-correction level
            in_qr = False
    if qr is None and verify_page:
        qr = qr_svg(verify_page, label="QR code: the school's verification page")
    raw = content if content is not None else json.dumps(transcript).encode("utf-8")
    return render(
        "transcript.html.j2",
        school=issuer_name or issuer_id,
        school_id=issuer_id,
        school_url=url if isinstance(url, str) and url.startswith("https://") else None,
        title=_text(transcript.get("name")),
        transcript_id=_text(transcript.get("id")),
        issued=_day(transcript.get("validFrom")),
        learner=_learner(_subject(transcript)),
        rows=rows,
        totals=totals(rows) or ["0"],
        partial=transcript.get("partial") is True,
        revocable="credentialStatus" in transcript,
        verify_page=verify_page,
        link=link if link is not None and len(link) <= LINK_MAX_URL else None,
        qr=qr,
        qr_has_transcript=in_qr,
        file_name=file_name,
        sha256=hashlib.sha256(raw).hexdigest(),
    )
