"""One page per issued credential, with its JSON and baked PNG/SVG next to it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from markupsafe import Markup

from microcred import bake
from microcred.distribution import install_source_once
from microcred.layout import (
    brief_page,
    credential_image,
    credential_json,
    credential_page,
    person_page,
)
from microcred.model import Achievement, Record
from microcred.site.ahead import credential_qr
from microcred.site.common import (
    BuildCheck,
    human_date,
    stamp,
)
from microcred.site.pages.context import _Ctx, trust_anchor
from microcred.site.pagination import Page
from microcred.site.safety import (
    clean_text,
    safe_href,
    short_hash,
)
from microcred.site.verdict import page_verdict


def linkedin_url(
    *, name: str, organisation: str, issued: dt.datetime, cert_url: str, cert_id: str
) -> str:
    query = urlencode(
        [
            ("startTask", "CERTIFICATION_NAME"),
            ("name", clean_text(name)),
            ("organizationName", clean_text(organisation)),
            ("issueYear", str(issued.year)),
            ("issueMonth", str(issued.month)),
            ("certUrl", cert_url),
            ("certId", cert_id),
        ]
    )
    return f"https://www.linkedin.com/profile/add?{query}"


def _status_words(state: str, change: Mapping[str, Any] | None = None) -> str:
    words = {
        "active": "active (not revoked)",
        "revoked": "revoked by the issuer",
        "suspended": "suspended by the issuer",
    }.get(state, state)
    if change and state != "active":
        date = str(change.get("date") or "")[:10]
        if date:
            words += f" on {date}"
        reason = change.get("reason")
        if isinstance(reason, str) and reason.strip():
            words += f" (reason: {clean_text(reason)})"
    return words


def _rubric_rows(achievement: Achievement, record: Record) -> list[dict[str, Any]]:
    rows = []
    for result in record.results:
        criterion = achievement.rubric.criterion(result.criterion)
        level = criterion.level(result.level) if criterion else None
        if criterion is None or level is None:
            continue
        rows.append(
            {
                "criterion": criterion.name,
                "criterion_id": criterion.id,
                "level": level.name,
                "level_description": level.description,
                "points": level.points,
                "max_points": criterion.max_points,
                "comment": result.comment,
            }
        )
    return rows


def _bake(kind: str, image: bytes | str, credential_json: str) -> bytes:
    if kind == "png":
        assert isinstance(image, bytes)
        return bake.bake_png(image, credential_json)
    assert isinstance(image, str)
    return bake.bake_svg(image, credential_json).encode("utf-8")


def _credential(ctx: _Ctx, record: Record, credential: Mapping[str, Any]) -> str:
    """Write one credential's JSON, baked images and page; returns the JSON's site path."""
    program = ctx.pub.program
    achievement = program.achievement(record.achievement)
    slug = record.slug
    json_rel = credential_json(slug)
    art = ctx.art[achievement.slug]
    files = [f"static/{json_rel}", *(f"static/{credential_image(slug, k)}" for k in ("png", "svg"))]
    carry = ctx.carry  # the JSON and baked images are made of the credential and the art only
    key = carry.key("credential files", credential, art.png, art.svg) if carry else None
    if carry is None or not carry.take(files[0], key, "", ctx.tree.place):
        text = bake.credential_text(credential)  # dump_json's text, baked twice, no parse
        ctx.tree.write(files[0], text)
        ctx.tree.write(files[1], _bake("png", art.png, text))
        ctx.tree.write(files[2], _bake("svg", art.svg, text))
        if carry is not None:
            carry.note(files[0], key, None, files)

    page_url = credential_page(slug)
    page = Page(page_url)
    absolute = f"{ctx.base_url}{page_url}"
    consent = record.candidate.consent_publish
    check = ctx.checks.get(slug, BuildCheck("not-checked", "not verified at build time"))
    report = getattr(check, "report", None)
    # The moment of the check the page shows, not of the build: a verdict kept from an
    # earlier build or from `microcred issue` (same bytes, same keys and lists, no date
    # between) names its own. A page then stays the same from build to build while nothing
    # it shows changed, and the engine carries it over (site/carry.py, issue 12).
    checked_at = str(getattr(report, "checked_at", "") or "") or stamp(ctx.now)
    statuses = {}
    for entry in _as_list(credential.get("credentialStatus")):
        url = entry.get("statusListCredential") if isinstance(entry, Mapping) else None
        if isinstance(url, str) and url in ctx.pub.status_lists:
            statuses[url] = {"credential": ctx.pub.status_lists[url], "retrieved": checked_at}
    issuer_did = _credential_issuer(credential) or ctx.issuer_did
    data = {
        "credential": credential,
        "didDocuments": {d: doc for d, doc in ctx.pub.did_documents.items() if d == issuer_did},
        "statusLists": statuses,
        "checkedAt": checked_at,
    }
    recipient = (
        clean_text(record.candidate.name)
        if consent
        else "a recipient identified by a salted hash (not named here, at their request)"
    )
    verdict = page_verdict(report, recipient=recipient, own_site=True) if report else None
    cred_id = str(credential.get("id", ""))
    anchor = trust_anchor(issuer_did, ctx.did_paths)
    status_paths = [ctx.list_paths[u] for u in statuses if u in ctx.list_paths]
    verify_cmd = ["microcred", "verify"]
    if anchor["path"]:
        verify_cmd += ["--did-doc", anchor["path"].rsplit("/", 1)[-1]]
    for rel in status_paths:
        verify_cmd += ["--status-list", rel.rsplit("/", 1)[-1]]
    verify_cmd.append(f"{slug}.json")
    downloads = {
        "json": page.link(json_rel),
        "png": page.link(credential_image(slug, "png")),
        "svg": page.link(credential_image(slug, "svg")),
    }
    evidence = []
    for ev in record.evidence:
        evidence.append(
            {
                "name": ev.name,
                "href": safe_href(ev.url),
                "url": ev.url,
                "genre": ev.genre,
                "narrative": ev.narrative,
            }
        )
    ctx.page(
        page_url,
        "credential.md.j2",
        title=f"{achievement.name} — credential",
        record=record,
        achievement=achievement,
        consent=consent,
        person_href=page.link(person_page(ctx.owner[slug])) if slug in ctx.owner else None,
        rubric=_rubric_rows(achievement, record),
        rubric_total=sum(r["points"] for r in _rubric_rows(achievement, record)),
        rubric_max=achievement.rubric.max_points,
        evidence=evidence,
        credential=credential,
        cred_id=cred_id,
        awarded=human_date(credential.get("awardedDate") or credential.get("validFrom")),
        valid_from=clean_text(credential.get("validFrom", "")),
        valid_until=clean_text(credential.get("validUntil", "")),
        status=_status_words(
            ctx.pub.statuses.get(slug, "active"),
            getattr(ctx.pub, "status_changes", {}).get(slug),
        ),
        status_state=ctx.pub.statuses.get(slug, "active"),
        check=check,
        verdict=verdict,
        install=install_source_once().requirement,
        issuer_did=issuer_did,
        anchor=anchor,
        did_href=page.link(anchor["path"]) if anchor["path"] else None,
        brief_href=page.link(brief_page(achievement.slug)),
        badge_src=downloads["svg"],
        downloads=downloads,
        linkedin=linkedin_url(
            name=achievement.name,
            organisation=program.issuer.name,
            issued=record.awarded_at,
            cert_url=absolute,
            cert_id=cred_id,
        ),
        page_absolute=absolute,
        qr=Markup(  # noqa: S704 - generated here from a module matrix; label escaped
            credential_qr(ctx.base_url, slug)
        ),
        verify_cmd=" ".join(verify_cmd),
        data=data,
        checked_at=checked_at,
        scope=short_hash(slug, 6),
    )
    return json_rel


def _credential_issuer(credential: Mapping[str, Any]) -> str | None:
    issuer = credential.get("issuer")
    if isinstance(issuer, Mapping) and isinstance(issuer.get("id"), str):
        return str(issuer["id"])
    return issuer if isinstance(issuer, str) else None


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]
