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
the brief and portfolio pages, so the output grows linearly with the number of credentia

Page views live in :mod:`microcred.site.pages` (one module each: home, catalog, brief,
credential, people, person); pagination, people rules and badge art have their own modules
(:mod:`.pagination`, :mod:`.people`, :mod:`.badges`); :mod:`.common` holds what issuer and
portfolio sites share. The names below stay importable from here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from microcred.layout import SiteManifest, badge_image, credential_file
from microcred.model import Record
from microcred.proof.didweb import did_web_to_url
from microcred.site.badges import BadgeArt, _svg_from_png, badge_art
from microcred.site.carry import SourceCarry
from microcred.site.common import (
    ASSETS,
    SITE_MANIFEST,
    BuildCheck,
    PublicationLike,
    SourceReport,
    _copy_assets,
    copy_static,
    dump_json,
    human_date,
    stamp,
    write_root_files,
)
from microcred.site.links import did_document_path, site_path
from microcred.site.pages.analytics import page_context, site_analytics
from microcred.site.pages.brief import _brief
from microcred.site.pages.catalog import _catalog
from microcred.site.pages.context import _credential_link, _Ctx, _issuer_did, trust_anchor
from microcred.site.pages.credential import (
    _as_list,
    _bake,
    _credential,
    _credential_issuer,
    _rubric_rows,
    _status_words,
    linkedin_url,
)
from microcred.site.pages.endorsements import render_endorsements
from microcred.site.pages.home import _home, _issuer_image
from microcred.site.pages.parallel import write_pages
from microcred.site.pages.people import _people
from microcred.site.pagination import (
    CATALOG_PAGE_SIZE,
    LIST_PAGE_SIZE,
    PEOPLE_PAGE_SIZE,
    Page,
    Pager,
    pager_for,
    paginate,
)
from microcred.site.people import Person, _ascii_slug, group_people, slug_leak_warnings
from microcred.site.safety import (
    plain_title,
)
from microcred.site.templates import render
from microcred.site.tree import Tree


def render_issuer_source(
    pub: PublicationLike,
    dest: Path,
    *,
    now: dt.datetime,
    checks: Mapping[str, BuildCheck] | None = None,
    analytics: Mapping[str, Any] | None = None,
    progress: Callable[[int, int, str], None] | None = None,
    carry: SourceCarry | None = None,
) -> SourceReport:
    """Write the whole site source for an issuer program into the empty folder ``dest``;
    with ``carry``, the files the previous build made from the same inputs are taken from
    its source instead of made again (:class:`microcred.site.carry.SourceCarry`)."""
    program = pub.program
    root = Path(program.root)
    tree = Tree(dest)
    report = SourceReport(dest, "issuer")
    ctx = _Ctx(pub, tree, now, checks or {}, report, carry=carry)
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
        tree.write(f"static/{badge_image(achievement.slug, 'svg')}", art.svg)
        tree.write(f"static/{badge_image(achievement.slug, 'png')}", art.png)

    issuer_image = _issuer_image(ctx, root)
    endorsement_files = render_endorsements(ctx)  # before the pages that list them
    by_achievement: dict[str, list[Record]] = {a.slug: [] for a in program.achievements}
    records = {r.slug: r for r in program.records}
    jobs = []
    for slug in sorted(pub.credentials):
        record = records.get(slug)
        if record is None:
            report.warnings.append(
                f"{credential_file(slug)} has no record any more; it is published as issued"
            )
            continue
        by_achievement.setdefault(record.achievement, []).append(record)
        jobs.append((record, pub.credentials[slug]))
    done = [0]

    def advance(count: int) -> None:
        done[0] += count
        if progress:
            progress(done[0], len(jobs), "credential pages")

    credential_files = write_pages(ctx, jobs, _credential, advance)

    _home(ctx, issuer_image, by_achievement)
    _catalog(ctx, by_achievement)
    _people(ctx)
    if analytics is None:
        analytics = site_analytics(program, root)
    if analytics:
        ctx.page(
            "analytics/", "analytics.md.j2", title="Analytics", **page_context(analytics, program)
        )

    ctx.nav = [("Home", "index.md"), ("Catalog", "catalog.md"), ("People", "people.md")]
    if analytics:
        ctx.nav.append(("Analytics", "analytics.md"))
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
    manifest = SiteManifest(
        kind="issuer",
        base_url=ctx.base_url,
        owner=ctx.issuer_did,
        did_documents=dict(sorted(ctx.did_paths.items())),
        status_lists=dict(sorted(ctx.list_paths.items())),
        credentials=tuple(sorted(credential_files + endorsement_files)),
        built_at=stamp(now),
    )
    report.manifest = manifest.to_json()
    tree.write(f"static/{SITE_MANIFEST}", manifest.dumps())
    report.files = tree.digests
    return report


__all__ = [
    "ASSETS",
    "CATALOG_PAGE_SIZE",
    "LIST_PAGE_SIZE",
    "PEOPLE_PAGE_SIZE",
    "SITE_MANIFEST",
    "BadgeArt",
    "BuildCheck",
    "Page",
    "Pager",
    "Person",
    "PublicationLike",
    "SourceReport",
    "_Ctx",
    "_as_list",
    "_ascii_slug",
    "_bake",
    "_brief",
    "_catalog",
    "_copy_assets",
    "_credential",
    "_credential_issuer",
    "_credential_link",
    "_home",
    "_issuer_did",
    "_issuer_image",
    "_people",
    "_rubric_rows",
    "_status_words",
    "_svg_from_png",
    "badge_art",
    "copy_static",
    "dump_json",
    "group_people",
    "human_date",
    "linkedin_url",
    "pager_for",
    "paginate",
    "render_issuer_source",
    "slug_leak_warnings",
    "stamp",
    "trust_anchor",
    "write_root_files",
]
