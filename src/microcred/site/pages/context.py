"""The renderer's shared state (:class:`_Ctx`) and helpers more than one page view uses."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from microcred.layout import credential_page
from microcred.model import Record
from microcred.proof.didweb import did_web_to_url
from microcred.site.badges import BadgeArt
from microcred.site.carry import SourceCarry, Timed
from microcred.site.common import (
    BuildCheck,
    PublicationLike,
    SourceReport,
    stamp,
)
from microcred.site.pagination import Page
from microcred.site.people import Person
from microcred.site.templates import render
from microcred.site.tree import Tree


def _issuer_did(pub: PublicationLike) -> str:
    for cred in pub.credentials.values():
        issuer = cred.get("issuer")
        if isinstance(issuer, Mapping) and isinstance(issuer.get("id"), str):
            return str(issuer["id"])
        if isinstance(issuer, str):
            return issuer
    if pub.did_documents:
        return next(iter(pub.did_documents))
    return pub.program.issuer.identity.did or ""


def trust_anchor(did: str, did_paths: Mapping[str, str]) -> dict[str, Any]:
    """How a reader can tell the issuer DID really belongs to the issuer, in words."""
    if did.startswith("did:web:"):
        url = did_web_to_url(did)
        host = url.split("/")[2]
        return {
            "kind": "did:web",
            "text": f"anchored to the web domain {host}: the DID document is served at {url}",
            "url": url,
            "path": did_paths.get(did),
        }
    if did.startswith("did:key:"):
        return {
            "kind": "did:key",
            "text": "a self-certifying key identifier: it is trustworthy as far as this site, "
            "published by the issuer, lists it as theirs",
            "url": None,
            "path": None,
        }
    return {
        "kind": "other",
        "text": "an identifier microcred cannot anchor",
        "url": None,
        "path": None,
    }


@dataclass
class _Ctx:
    pub: PublicationLike
    tree: Tree
    now: dt.datetime
    checks: Mapping[str, BuildCheck]
    report: SourceReport
    base_url: str = ""
    issuer_did: str = ""
    did_paths: dict[str, str] = field(default_factory=dict)
    list_paths: dict[str, str] = field(default_factory=dict)
    people: list[Person] = field(default_factory=list)
    owner: dict[str, str] = field(default_factory=dict)
    art: dict[str, BadgeArt] = field(default_factory=dict)
    site_title: str = ""
    nav: list[tuple[str, str]] = field(default_factory=list)
    # page URL -> endorsements of what that page shows (site-relative links; pages/endorsements)
    endorsements: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    carry: SourceCarry | None = None  # the previous build's source, to take unchanged units

    def page(self, url: str, template: str, **context: Any) -> None:
        page = Page(url)
        endorsements = [
            {**e, "href": page.link(e["path"]), "json_href": page.link(e["json"])}
            for e in self.endorsements.get(url, [])
        ]
        values = self.site_context(page)
        moments = {name: values.pop(name) for name in ("built_at", "built_date")}
        rel, carry = page.source_path, self.carry
        key = None
        if carry is not None:  # the previous build's page, if made from the same values
            key = carry.key("page", template, url, endorsements, values, context)
            if carry.take(rel, key, moments["built_at"], self.tree.place):
                self.report.pages.append(url)
                return
        site = Timed(values, moments)
        text = render(
            f"pages/{template}", page=page, site=site, endorsements=endorsements, **context
        )
        self.tree.write(rel, text)
        self.report.pages.append(url)
        if carry is not None:
            carry.note(rel, key, moments["built_at"] if site.asked else None, [rel])

    def site_context(self, page: Page) -> dict[str, Any]:
        program = self.pub.program
        return {
            "title": self.site_title,
            "issuer": program.issuer,
            "issuer_did": self.issuer_did,
            "base_url": self.base_url,
            "built_at": stamp(self.now),
            "built_date": stamp(self.now)[:10],
            "verify_href": page.link("verify.html"),
            "home_href": page.link(""),
        }


def _credential_link(ctx: _Ctx, page: Page, record: Record) -> dict[str, Any]:
    return {
        "href": page.link(credential_page(record.slug)),
        "name": record.candidate.name if record.candidate.consent_publish else None,
        "date": record.awarded_at.date().isoformat(),
        "status": ctx.pub.statuses.get(record.slug, "active"),
    }
