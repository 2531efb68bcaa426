"""Endorsements on the issuer site: each at its own URL, and listed where the endorsed thing is.

Every signed EndorsementCredential is published as ``endorsements/<slug>.json`` with a page
``endorsements/<slug>/`` that verifies it in the browser like a credential page does. The
page that shows what it endorses (a credential page, a brief page, or the home page for the
issuer) lists it; an endorsement of a credential the issuer has since revoked says so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from microcred.credential.build import achievement_url
from microcred.layout import brief_page, credential_page
from microcred.site.cache import ENDORSEMENT_VERDICTS_FILE, KeptVerdicts
from microcred.site.common import BuildCheck, dump_json, human_date, stamp
from microcred.site.pages.context import _Ctx
from microcred.site.pagination import Page
from microcred.site.safety import clean_text, safe_href, short_hash
from microcred.verify.options import VerifyOptions

ENDORSEMENTS_URL = "endorsements"


def endorsement_json(slug: str) -> str:
    return f"{ENDORSEMENTS_URL}/{slug}.json"


def endorsement_page(slug: str) -> str:
    return f"{ENDORSEMENTS_URL}/{slug}/"


def _kept_check(
    kept: KeptVerdicts, document: Mapping[str, Any], slug: str, now: dt.datetime
) -> BuildCheck:
    """The check of an endorsement, kept from the last build that checked the same bytes
    with the same code when no date in it lay between (site/cache.py), else made now."""
    value = kept.get(slug, now, document)
    if value is not None:
        result, summary, problems = value.get("result"), value.get("summary"), value.get("problems")
        if (
            isinstance(result, str)
            and isinstance(summary, str)
            and isinstance(problems, list)
            and all(isinstance(p, str) for p in problems)
        ):
            return BuildCheck(result, summary, tuple(problems))
    check = _check(document, slug, now)
    value = {"result": check.result, "summary": check.summary, "problems": list(check.problems)}
    kept.put(slug, now, value, document)
    return check


def _check(document: Mapping[str, Any], slug: str, now: dt.datetime) -> BuildCheck:
    from microcred.verify.engine import check_credential  # the checks: only when one runs

    report = check_credential(
        dict(document), now=now, options=VerifyOptions(), path=endorsement_json(slug)
    )
    problems = tuple(
        f"{check.id}: {p.code}: {p.detail}" for check in report.failures() for p in check.problems
    )
    result = str(report.result)
    if result == "valid":
        summary = "both proofs, made by the endorser's own key, check out"
    else:
        summary = problems[0] if problems else "a check could not be completed"
    return BuildCheck(result, summary, problems)


def _target(ctx: _Ctx, subject_id: str) -> dict[str, Any]:
    """Which page shows what the endorsement is about, and in words."""
    program = ctx.pub.program
    for slug, credential in ctx.pub.credentials.items():
        if credential.get("id") == subject_id:
            state = ctx.pub.statuses.get(slug, "active")
            return {
                "page": credential_page(slug),
                "what": f"a {clean_text(credential.get('name', 'credential'))} credential",
                "state": state,
            }
    for achievement in program.achievements:
        if achievement_url(program.site, achievement) == subject_id:
            return {"page": brief_page(achievement.slug), "what": achievement.name, "state": None}
    if subject_id == ctx.issuer_did:
        return {"page": "", "what": program.issuer.name, "state": None}
    return {"page": None, "what": subject_id, "state": None}


def render_endorsements(ctx: _Ctx) -> list[str]:
    """Write every endorsement's JSON and page; fill ``ctx.endorsements``; return JSON paths."""
    documents: Mapping[str, Mapping[str, Any]] = getattr(ctx.pub, "endorsements", {})
    kept = KeptVerdicts(Path(ctx.pub.program.root), ENDORSEMENT_VERDICTS_FILE)
    paths = []
    for slug, document in sorted(documents.items()):
        json_rel = endorsement_json(slug)
        ctx.tree.write(f"static/{json_rel}", dump_json(document))
        paths.append(json_rel)
        subject = document.get("credentialSubject")
        subject = subject if isinstance(subject, Mapping) else {}
        issuer = document.get("issuer")
        issuer = issuer if isinstance(issuer, Mapping) else {}
        target = _target(ctx, str(subject.get("id", "")))
        item = {
            "slug": slug,
            "name": clean_text(issuer.get("name", "")),
            "capacity": clean_text(issuer.get("description", "")),
            "url": safe_href(str(issuer.get("url"))) if issuer.get("url") else None,
            "did": str(issuer.get("id", "")),
            "date": human_date(document.get("validFrom", "")),
            "comment": clean_text(subject.get("endorsementComment", "")),
            "what": target["what"],
            "state": target["state"],
            "path": endorsement_page(slug),
            "json": json_rel,
            "scope": short_hash(f"endorsement {slug}", 6),
        }
        if target["page"] is not None:
            ctx.endorsements.setdefault(target["page"], []).append(item)
        page = Page(endorsement_page(slug))
        ctx.page(
            endorsement_page(slug),
            "endorsement.md.j2",
            title=f"Endorsement by {item['name']}",
            e=item,
            document=document,
            target_href=page.link(target["page"]) if target["page"] is not None else None,
            check=_kept_check(kept, document, slug, ctx.now),
            download=page.link(json_rel),
            data={
                "credential": document,
                "didDocuments": {},
                "statusLists": {},
                "builtAt": stamp(ctx.now),
            },
        )
    if documents:
        kept.save()
    return paths
