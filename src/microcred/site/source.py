"""Publication -> site source: Markdown pages + ``mkdocs.yml`` + assets, and machine files.

The source folder has three parts:

* ``mkdocs.yml`` and ``docs/`` - what the engine (mkdocs-material or Zensical) renders;
  every page is front matter with a sanitised title plus ONE raw HTML block rendered here
  with Jinja2 (autoescape on), so the engine never interprets user text as Markdown;
* ``static/`` - files copied byte for byte next to the engine's output: credentials,
  baked images, badge images, status lists, the DID document, ``verify.html``,
  ``.nojekyll`` and ``microcred-site.json`` (hidden folders such as ``.well-known`` would
  be skipped by MkDocs, and these files must keep their exact bytes anyway).

Navigation is bounded (home, catalog, people, analytics); credential pages are reached from
the brief and portfolio pages, so the output grows linearly with the number of credentials.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
import shutil
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlencode

from markupsafe import Markup

from microcred import bake
from microcred.credential.identity import normalise_email
from microcred.errors import ConfigError
from microcred.model import Achievement, Program, Record
from microcred.proof.didweb import did_web_to_url
from microcred.site import images
from microcred.site.links import did_document_path, rel_link, site_path
from microcred.site.safety import (
    clean_text,
    plain_title,
    safe_href,
    safe_image_src,
    short_hash,
)
from microcred.site.templates import render, template_dir
from microcred.site.tree import Tree

CATALOG_PAGE_SIZE = 50
PEOPLE_PAGE_SIZE = 100
LIST_PAGE_SIZE = 100
SITE_MANIFEST = "microcred-site.json"
ASSETS = ("microcred.css", "verify.js", "verify-page.js")


class PublicationLike(Protocol):
    """What :func:`microcred.publish.prepare_publication` returns (only what the site reads)."""

    @property
    def program(self) -> Program: ...
    @property
    def credentials(self) -> Mapping[str, Mapping[str, Any]]: ...
    @property
    def status_lists(self) -> Mapping[str, Mapping[str, Any]]: ...
    @property
    def did_documents(self) -> Mapping[str, Mapping[str, Any]]: ...
    @property
    def statuses(self) -> Mapping[str, str]: ...


@dataclass(frozen=True)
class BuildCheck:
    """The build-time verification of one credential, in words."""

    result: str  # valid | invalid | indeterminate | not-checked
    summary: str
    problems: tuple[str, ...] = ()


@dataclass
class SourceReport:
    root: Path
    kind: str
    pages: list[str] = field(default_factory=list)  # page URL paths ('' = home)
    manifest: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def stamp(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def write_root_files(tree: Tree, title: str, data: Mapping[str, Any], now: dt.datetime) -> None:
    """Files every site has at its root: the standalone verifier page and ``.nojekyll``."""
    tree.write(
        "static/verify.html",
        render(
            "verify.html.j2", title=title, data=data, built_at=stamp(now), home_href="index.html"
        ),
    )
    tree.write("static/.nojekyll", "")


def dump_json(document: Mapping[str, Any]) -> str:
    """Same serialisation as ``microcred issue`` writes."""
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def human_date(value: object) -> str:
    """'2026-05-01' from a dateTimeStamp string (display only; never parsed for decisions)."""
    text = clean_text(value)
    return text[:10] if re.match(r"^\d{4}-\d\d-\d\d", text) else text


# --------------------------------------------------------------------------- page helpers


@dataclass
class Page:
    """One page being rendered: its URL path and a relative-link maker."""

    url: str  # '' for home, else 'a/b/'

    def link(self, target: str) -> str:
        return rel_link(self.url, target)

    @property
    def source_path(self) -> str:
        return f"docs/{self.url}index.md"


@dataclass(frozen=True)
class Pager:
    number: int
    pages: list[dict[str, Any]]


def paginate(items: Sequence[Any], size: int, base: str) -> list[tuple[str, list[Any], int]]:
    """Split ``items``; page 1 lives at ``base``, page n at ``base + '_page-n/'``.

    The underscore cannot appear in a slug, so page folders never collide with records.
    """
    chunks = [list(items[i : i + size]) for i in range(0, len(items), size)] or [[]]
    return [
        (base if n == 1 else f"{base}_page-{n}/", chunk, n) for n, chunk in enumerate(chunks, 1)
    ]


def pager_for(page: Page, urls: list[str], current: int) -> Pager:
    return Pager(
        current,
        [
            {"number": n, "href": page.link(u), "current": n == current}
            for n, u in enumerate(urls, 1)
        ],
    )


# --------------------------------------------------------------------------- people


@dataclass
class Person:
    slug: str
    name: str
    candidate_id: str | None
    records: list[Record]


def _ascii_slug(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")
    return slug[:60].strip("-")


def group_people(program: Program, published: set[str]) -> tuple[list[Person], dict[str, str]]:
    """Consenting candidates (by normalised e-mail) -> portfolio; record slug -> person slug.

    Consent is per record: a portfolio lists only the records whose candidate agreed to
    publication, and a person appears at all only if at least one record did.
    """
    groups: dict[str, list[Record]] = {}
    for record in program.records:
        if record.slug in published and record.candidate.consent_publish:
            groups.setdefault(normalise_email(record.candidate.email), []).append(record)
    people: list[Person] = []
    taken: set[str] = set()
    for records in groups.values():
        chosen = next((r.candidate.slug for r in records if r.candidate.slug), None)
        base = chosen or _ascii_slug(records[0].candidate.name) or "person"
        slug, n = base, 2
        while slug in taken:
            slug = f"{base}-{n}"
            n += 1
        taken.add(slug)
        cid = next((r.candidate.id for r in records if r.candidate.id), None)
        people.append(Person(slug, records[-1].candidate.name, cid, records))
    people.sort(key=lambda p: (clean_text(p.name).casefold(), p.slug))
    owner = {r.slug: p.slug for p in people for r in p.records}
    return people, owner


def slug_leak_warnings(program: Program, published: set[str]) -> list[str]:
    """Record slugs are public URLs: warn when one spells a non-consenting candidate's name."""
    out = []
    for record in program.records:
        if record.slug not in published or record.candidate.consent_publish:
            continue
        tokens = [t for t in _ascii_slug(record.candidate.name).split("-") if len(t) >= 3]
        parts = record.slug.split("-")
        if any(t in parts for t in tokens):
            out.append(
                f"records/{record.slug}.md: the record slug appears in public URLs and seems to "
                f"contain the name of a candidate who did not consent to publication; rename it"
            )
    return out


# --------------------------------------------------------------------------- badges


@dataclass
class BadgeArt:
    svg: str  # SVG text (generated, or the issuer's checked file)
    png: bytes


def _svg_from_png(png: bytes, caption: str) -> str:

    data = base64.b64encode(png).decode("ascii")
    return render("badge-png.svg.j2", caption=caption, data=data)


def badge_art(program: Program, achievement: Achievement, root: Path) -> BadgeArt:
    """Issuer-provided picture when given (checked), otherwise one generated from the template."""
    main, dark = images.badge_colours(achievement.slug)
    generated_svg = render(
        "badge.svg.j2",
        lines=images.wrap_words(clean_text(achievement.name)),
        issuer=clean_text(program.issuer.name)[:40],
        kind=achievement.achievement_type.removeprefix("ext:"),
        main=main,
        dark=dark,
    )
    provided = (
        images.read_issuer_image(root, achievement.image, f"achievements/{achievement.slug}.md")
        if achievement.image
        else None
    )
    if provided is None:
        return BadgeArt(generated_svg, images.badge_png(achievement.slug))
    kind, data = provided
    if kind == "png":
        return BadgeArt(_svg_from_png(data, achievement.name), data)
    return BadgeArt(data.decode("utf-8"), images.badge_png(achievement.slug))


# --------------------------------------------------------------------------- views


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


# --------------------------------------------------------------------------- the renderer


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

    def page(self, url: str, template: str, **context: Any) -> None:
        page = Page(url)
        text = render(
            f"pages/{template}",
            page=page,
            site=self.site_context(page),
            **context,
        )
        self.tree.write(page.source_path, text)
        self.report.pages.append(url)

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


def _copy_assets(tree: Tree) -> None:
    folder = template_dir() / "assets"
    for name in ASSETS:
        tree.write(f"docs/assets/{name}", (folder / name).read_bytes())


def _bake(kind: str, image: bytes | str, credential_json: str) -> bytes:
    if kind == "png":
        assert isinstance(image, bytes)
        return bake.bake_png(image, credential_json)
    assert isinstance(image, str)
    return bake.bake_svg(image, credential_json).encode("utf-8")


def render_issuer_source(
    pub: PublicationLike,
    dest: Path,
    *,
    now: dt.datetime,
    checks: Mapping[str, BuildCheck] | None = None,
    analytics: Mapping[str, Any] | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> SourceReport:
    """Write the whole site source for an issuer program into the empty folder ``dest``."""
    program = pub.program
    root = Path(program.root)
    tree = Tree(dest)
    report = SourceReport(dest, "issuer")
    ctx = _Ctx(pub, tree, now, checks or {}, report)
    ctx.base_url = program.site.base_url
    ctx.issuer_did = _issuer_did(pub)
    ctx.site_title = program.site.title or program.issuer.name
    published = set(pub.credentials)
    ctx.people, ctx.owner = group_people(program, published)
    report.warnings += slug_leak_warnings(program, published)

    # Machine files first: their paths are fixed by the URLs inside the credentials.
    for did, document in sorted(pub.did_documents.items()):
        if not did.startswith("did:web:"):
            continue
        rel = did_document_path(did, ctx.base_url, did_web_to_url(did))
        ctx.did_paths[did] = rel
        tree.write(f"static/{rel}", dump_json(document))
    for url, list_credential in sorted(pub.status_lists.items()):
        rel = site_path(url, ctx.base_url, "status list")
        ctx.list_paths[url] = rel
        tree.write(f"static/{rel}", dump_json(list_credential))

    for achievement in program.achievements:
        art = badge_art(program, achievement, root)
        ctx.art[achievement.slug] = art
        tree.write(f"static/badges/{achievement.slug}.svg", art.svg)
        tree.write(f"static/badges/{achievement.slug}.png", art.png)

    issuer_image = _issuer_image(ctx, root)
    by_achievement: dict[str, list[Record]] = {a.slug: [] for a in program.achievements}
    records = {r.slug: r for r in program.records}
    credential_files = []
    total = len(pub.credentials)
    for done, slug in enumerate(sorted(pub.credentials), 1):
        record = records.get(slug)
        if record is None:
            report.warnings.append(
                f"credentials/{slug}.json has no record any more; it is published as issued"
            )
            continue
        by_achievement.setdefault(record.achievement, []).append(record)
        credential_files.append(_credential(ctx, record, pub.credentials[slug]))
        if progress:
            progress(done, total, slug)

    _home(ctx, issuer_image, by_achievement)
    _catalog(ctx, by_achievement)
    _people(ctx)
    if analytics:
        ctx.page("analytics/", "analytics.md.j2", title="Analytics", analytics=analytics)

    ctx.nav = [("Home", "index.md"), ("Catalog", "catalog/index.md"), ("People", "people/index.md")]
    if analytics:
        ctx.nav.append(("Analytics", "analytics/index.md"))
    tree.write(
        "mkdocs.yml",
        render(
            "mkdocs.yml.j2",
            site_name=plain_title(ctx.site_title),
            site_url=ctx.base_url,
            site_description=plain_title(f"Verifiable credentials issued by {program.issuer.name}"),
            nav=ctx.nav,
        ),
    )
    _copy_assets(tree)

    verification_data = {
        "didDocuments": dict(pub.did_documents),
        "statusLists": {
            url: {"credential": doc, "retrieved": stamp(now)}
            for url, doc in sorted(pub.status_lists.items())
        },
        "builtAt": stamp(now),
    }
    write_root_files(tree, ctx.site_title, verification_data, now)
    report.manifest = {
        "microcred_site": 1,
        "kind": "issuer",
        "base_url": ctx.base_url,
        "issuer": ctx.issuer_did,
        "did_documents": dict(sorted(ctx.did_paths.items())),
        "status_lists": dict(sorted(ctx.list_paths.items())),
        "credentials": sorted(credential_files),
        "built_at": stamp(now),
    }
    tree.write(f"static/{SITE_MANIFEST}", json.dumps(report.manifest, indent=2) + "\n")
    return report


def _issuer_image(ctx: _Ctx, root: Path) -> dict[str, Any] | None:
    ref = ctx.pub.program.issuer.image
    if not ref:
        return None
    loaded = images.read_issuer_image(root, ref, "microcred.toml: [issuer] image")
    if loaded is None:
        src = safe_image_src(ref)
        return {"external": src} if src else None
    kind, data = loaded
    rel = f"assets/issuer.{kind}"
    ctx.tree.write(f"static/{rel}", data)
    return {"path": rel}


def _credential(ctx: _Ctx, record: Record, credential: Mapping[str, Any]) -> str:
    """Write one credential's JSON, baked images and page; returns the JSON's site path."""
    program = ctx.pub.program
    achievement = program.achievement(record.achievement)
    slug = record.slug
    text = dump_json(credential)
    json_rel = f"credentials/{slug}.json"
    ctx.tree.write(f"static/{json_rel}", text)
    art = ctx.art[achievement.slug]
    ctx.tree.write(f"static/credentials/{slug}.png", _bake("png", art.png, text))
    ctx.tree.write(f"static/credentials/{slug}.svg", _bake("svg", art.svg, text))

    page_url = f"credentials/{slug}/"
    page = Page(page_url)
    absolute = f"{ctx.base_url}{page_url}"
    consent = record.candidate.consent_publish
    statuses = {}
    for entry in _as_list(credential.get("credentialStatus")):
        url = entry.get("statusListCredential") if isinstance(entry, Mapping) else None
        if isinstance(url, str) and url in ctx.pub.status_lists:
            statuses[url] = {"credential": ctx.pub.status_lists[url], "retrieved": stamp(ctx.now)}
    issuer_did = _credential_issuer(credential) or ctx.issuer_did
    data = {
        "credential": credential,
        "didDocuments": {d: doc for d, doc in ctx.pub.did_documents.items() if d == issuer_did},
        "statusLists": statuses,
        "builtAt": stamp(ctx.now),
    }
    check = ctx.checks.get(slug, BuildCheck("not-checked", "not verified at build time"))
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
        "png": page.link(f"credentials/{slug}.png"),
        "svg": page.link(f"credentials/{slug}.svg"),
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
        person_href=page.link(f"people/{ctx.owner[slug]}/") if slug in ctx.owner else None,
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
        issuer_did=issuer_did,
        anchor=anchor,
        did_href=page.link(anchor["path"]) if anchor["path"] else None,
        brief_href=page.link(f"catalog/{achievement.slug}/"),
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
            images.qr_svg(absolute, label="QR code linking to this credential page")
        ),
        verify_cmd=" ".join(verify_cmd),
        data=data,
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


def _credential_link(ctx: _Ctx, page: Page, record: Record) -> dict[str, Any]:
    return {
        "href": page.link(f"credentials/{record.slug}/"),
        "name": record.candidate.name if record.candidate.consent_publish else None,
        "date": record.awarded_at.date().isoformat(),
        "status": ctx.pub.statuses.get(record.slug, "active"),
    }


def _home(
    ctx: _Ctx, issuer_image: dict[str, Any] | None, by_achievement: Mapping[str, list[Record]]
) -> None:
    program = ctx.pub.program
    page = Page("")
    image_src = None
    if issuer_image:
        image_src = issuer_image.get("external") or page.link(issuer_image["path"])
    anchor = trust_anchor(ctx.issuer_did, ctx.did_paths)
    ctx.page(
        "",
        "home.md.j2",
        title=ctx.site_title,
        issuer=program.issuer,
        issuer_url=safe_href(program.issuer.url),
        issuer_image=image_src,
        briefs=[
            {
                "a": a,
                "href": page.link(f"catalog/{a.slug}/"),
                "completed": len(by_achievement.get(a.slug, [])),
            }
            for a in program.achievements
        ],
        credential_count=len(ctx.pub.credentials),
        people_count=len(ctx.people),
        anchor=anchor,
        did_href=page.link(anchor["path"]) if anchor["path"] else None,
        status_links=[
            {"href": page.link(rel), "url": url} for url, rel in sorted(ctx.list_paths.items())
        ],
        catalog_href=page.link("catalog/"),
        people_href=page.link("people/"),
        manifest_href=page.link(SITE_MANIFEST),
    )


def _catalog(ctx: _Ctx, by_achievement: Mapping[str, list[Record]]) -> None:
    program = ctx.pub.program
    achievements = list(program.achievements)
    chunks = paginate(achievements, CATALOG_PAGE_SIZE, "catalog/")
    urls = [u for u, _, _ in chunks]
    for url, chunk, number in chunks:
        page = Page(url)
        ctx.page(
            url,
            "catalog.md.j2",
            title="Catalog" if number == 1 else f"Catalog, page {number}",
            briefs=[
                {
                    "a": a,
                    "href": page.link(f"catalog/{a.slug}/"),
                    "badge": page.link(f"badges/{a.slug}.svg"),
                    "completed": len(by_achievement.get(a.slug, [])),
                }
                for a in chunk
            ],
            pager=pager_for(page, urls, number),
        )
    for achievement in achievements:
        _brief(ctx, achievement, by_achievement.get(achievement.slug, []))


def _brief(ctx: _Ctx, achievement: Achievement, records: list[Record]) -> None:
    base = f"catalog/{achievement.slug}/"
    ordered = sorted(records, key=lambda r: (r.awarded_at, r.slug), reverse=True)
    chunks = paginate(ordered, LIST_PAGE_SIZE, base)
    urls = [u for u, _, _ in chunks]
    for url, chunk, number in chunks:
        page = Page(url)
        ctx.page(
            url,
            "brief.md.j2",
            title=achievement.name if number == 1 else f"{achievement.name}, page {number}",
            a=achievement,
            first=number == 1,
            brief_href=page.link(base),
            badge=page.link(f"badges/{achievement.slug}.svg"),
            skills=[
                {"s": s, "href": safe_href(s.url) if s.url else None} for s in achievement.skills
            ],
            completed=len(records),
            credentials=[_credential_link(ctx, page, r) for r in chunk],
            pager=pager_for(page, urls, number),
            scope=short_hash(achievement.slug, 6),
        )


def _people(ctx: _Ctx) -> None:
    chunks = paginate(ctx.people, PEOPLE_PAGE_SIZE, "people/")
    urls = [u for u, _, _ in chunks]
    for url, chunk, number in chunks:
        page = Page(url)
        ctx.page(
            url,
            "people.md.j2",
            title="People" if number == 1 else f"People, page {number}",
            people=[
                {"p": p, "href": page.link(f"people/{p.slug}/"), "count": len(p.records)}
                for p in chunk
            ],
            pager=pager_for(page, urls, number),
        )
    program = ctx.pub.program
    for person in ctx.people:
        url = f"people/{person.slug}/"
        page = Page(url)
        badges = []
        for record in sorted(person.records, key=lambda r: r.awarded_at, reverse=True):
            achievement = program.achievement(record.achievement)
            badges.append(
                {
                    "a": achievement,
                    "record": record,
                    "href": page.link(f"credentials/{record.slug}/"),
                    "brief_href": page.link(f"catalog/{achievement.slug}/"),
                    "badge": page.link(f"badges/{achievement.slug}.svg"),
                    "date": record.awarded_at.date().isoformat(),
                    "status": ctx.pub.statuses.get(record.slug, "active"),
                    "evidence": [
                        {
                            "name": ev.name,
                            "href": safe_href(ev.url),
                            "url": ev.url,
                            "genre": ev.genre,
                            "narrative": ev.narrative,
                        }
                        for ev in record.evidence
                    ],
                    "scope": short_hash(record.slug, 6),
                }
            )
        ctx.page(
            url,
            "person.md.j2",
            title=person.name,
            person=person,
            candidate_href=safe_href(person.candidate_id) if person.candidate_id else None,
            badges=badges,
            people_href=page.link("people/"),
        )


def copy_static(source: Path, out: Path) -> None:
    """Copy ``source/static`` into the built site (regular files only, never symlinks)."""
    static = source / "static"
    for path in sorted(static.rglob("*")):
        rel = path.relative_to(static)
        target = out / rel
        if path.is_symlink():
            raise ConfigError(f"refusing to publish the symlink {rel}")
        if path.is_dir():
            target.mkdir(parents=True, exist_ok=True)
        elif path.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
