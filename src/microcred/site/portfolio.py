"""A candidate's portfolio: badges received from ANY issuer, verified at build time.

Reading the project is :mod:`microcred.site.portfolio_read`; what a page shows from an
untrusted credential is :mod:`microcred.site.portfolio_view`. Every credential is verified
offline with :mod:`microcred.verify` using only the pinned DID documents and status snapshots.
The home page is the candidate's shop window: large badge cards with their state in words and
colour, totals over the verified ones, and (unless ``show_invalid = true``) no credential that
failed verification. Pages never name the candidate as a credential's recipient: the
credential names its recipient by a salted hash the build cannot match (see site/verdict.py).
Uploaded SVGs are never served again (MC-68b); the page shows the generated badge instead.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from markupsafe import Markup

from microcred._util import parse_date
from microcred.layout import SiteManifest
from microcred.site import images
from microcred.site.badge_look import badge_svg, look
from microcred.site.portfolio_read import (
    PortfolioSettings,
    Received,
    collect,
    load_settings,
    pinned_documents,
)
from microcred.site.portfolio_view import CHIPS, as_list, state_of, totals, view
from microcred.site.safety import plain_title, safe_href, short_hash
from microcred.site.source import (
    SITE_MANIFEST,
    BuildCheck,
    Page,
    SourceReport,
    _copy_assets,
    dump_json,
    linkedin_url,
    pager_for,
    paginate,
    stamp,
    write_root_files,
)
from microcred.site.templates import render
from microcred.site.tree import Tree
from microcred.site.verdict import PageVerdict, build_summary, page_verdict, recipient_words
from microcred.verify import PinnedDocument, StatusSnapshot, VerifyOptions, check_credential

__all__ = ["collect", "load_settings", "render_portfolio_source", "view"]
BADGES_PAGE_SIZE = 100


def verify_received(
    items: list[Received],
    dids: Mapping[str, tuple[str, dict[str, Any]]],
    lists: Mapping[str, tuple[str, dict[str, Any]]],
    now: dt.datetime,
) -> dict[str, tuple[BuildCheck, PageVerdict | None]]:
    options = VerifyOptions(
        did_documents={d: PinnedDocument(doc, path) for d, (path, doc) in dids.items()},
        status_lists={u: StatusSnapshot(doc, path) for u, (path, doc) in lists.items()},
    )
    out: dict[str, tuple[BuildCheck, PageVerdict | None]] = {}
    for item in items:
        if item.credential is None:
            error = f"the file could not be read: {item.error}"
            out[item.slug] = (BuildCheck("invalid", error, (f"parse: {item.error}",)), None)
            continue
        report = check_credential(item.credential, now=now, options=options, path=item.source)
        verdict = page_verdict(report, recipient=recipient_words(item.credential), own_site=False)
        check = BuildCheck(str(report.result), build_summary(report), verdict.problems)
        out[item.slug] = (check, verdict)
    return out


def render_portfolio_source(
    root: Path, dest: Path, *, now: dt.datetime
) -> tuple[SourceReport, dict[str, BuildCheck]]:
    settings = load_settings(root)
    tree = Tree(dest)
    report = SourceReport(dest, "portfolio")
    items = collect(root)
    dids = pinned_documents(root, "dids")
    lists = pinned_documents(root, "status")
    verified = verify_received(items, dids, lists, now)
    profile_path = root / settings.profile
    profile = ""
    if profile_path.is_file() and not profile_path.is_symlink():
        profile = profile_path.read_text(encoding="utf-8")
        profile = re.sub(r"\A---\n.*?\n---\n", "", profile, flags=re.DOTALL)  # drop front matter

    did_paths, list_paths = {}, {}
    for did, (_rel, doc) in sorted(dids.items()):
        target = f"dids/{short_hash(did, 16)}.json"
        tree.write(f"static/{target}", dump_json(doc))
        did_paths[did] = target
    for url, (_rel, doc) in sorted(lists.items()):
        target = f"status/{short_hash(url, 16)}.json"
        tree.write(f"static/{target}", dump_json(doc))
        list_paths[url] = target

    entries: list[dict[str, Any]] = []
    published = []
    for item in items:
        check, verdict = verified[item.slug]
        state = state_of(check.result, check.problems)
        if check.result == "invalid" and not settings.show_invalid:
            report.warnings.append(
                f"{item.source}: not shown on the portfolio ({CHIPS[state].lower()}: "
                f"{check.summary}); set show_invalid = true in microcred.toml to list it"
            )
            continue
        cview = view(item.credential) if item.credential is not None else None
        entry = {
            "item": item,
            "check": check,
            "verdict": verdict,
            "view": cview,
            "state": state,
            "chip": CHIPS[state],
        }
        entries.append(entry)
        if item.credential is None or cview is None:
            continue
        json_rel = f"badges/{item.slug}.json"
        tree.write(f"static/{json_rel}", dump_json(item.credential))
        published.append(json_rel)
        badge = look(
            cview["achievement_id"] or cview["name"],
            cview["name"],
            cview["type"] or "Badge",
            cview["issuer_name"],
        )
        tree.write(f"static/badges/{item.slug}.svg", badge_svg(badge))
        if item.kind == "png":
            tree.write(f"static/badges/{item.slug}.png", item.raw)
        _badge_page(tree, report, settings, item, entry, dids, lists, now)

    shown = [e["view"] for e in entries if e["view"] is not None and e["state"] == "valid"]
    chunks = paginate(entries, BADGES_PAGE_SIZE, "")
    urls = [u for u, _, _ in chunks]
    for url, chunk, number in chunks:
        page = Page(url)
        rows = []
        for entry in chunk:
            item = entry["item"]
            rows.append(
                {
                    **entry,
                    "href": page.link(f"badges/{item.slug}/") if entry["view"] else None,
                    "badge": page.link(_badge_picture(item)),
                }
            )
        text = render(
            "pages/portfolio-home.md.j2",
            page=page,
            settings=settings,
            title=settings.name if number == 1 else f"{settings.name}, page {number}",
            profile=profile if number == 1 else "",
            rows=rows,
            totals=totals(shown),
            url_href=safe_href(settings.url) if settings.url else None,
            pager=pager_for(page, urls, number),
            built_at=stamp(now),
            verify_href=page.link("verify.html"),
        )
        tree.write(page.source_path, text)
        report.pages.append(url)

    tree.write(
        "mkdocs.yml",
        render(
            "mkdocs.yml.j2",
            site_name=plain_title(settings.name),
            site_url=settings.base_url,
            site_description=plain_title(settings.headline),
            nav=[("Badges", "index.md")],
        ),
    )
    _copy_assets(tree)
    data = {
        "didDocuments": {d: doc for d, (_, doc) in dids.items()},
        "statusLists": {
            u: {"credential": doc, "retrieved": stamp(now)} for u, (_, doc) in lists.items()
        },
        "builtAt": stamp(now),
    }
    write_root_files(tree, settings.name, data, now)
    manifest = SiteManifest(
        kind="portfolio",
        base_url=settings.base_url,
        owner=settings.name,
        did_documents=did_paths,
        status_lists=list_paths,
        credentials=tuple(sorted(published)),
        built_at=stamp(now),
    )
    report.manifest = manifest.to_json()
    tree.write(f"static/{SITE_MANIFEST}", manifest.dumps())
    return report, {slug: check for slug, (check, _) in verified.items()}


def _date(text: str) -> dt.datetime | None:
    day = parse_date(text[:10])
    return None if day is None else dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def _badge_picture(item: Received) -> str:
    """A baked PNG shows itself (the issuer's badge SVG rasterised, so the art the issuer site
    shows); otherwise the generated look of the achievement."""
    return f"badges/{item.slug}.png" if item.kind == "png" else f"badges/{item.slug}.svg"


def _badge_page(
    tree: Tree,
    report: SourceReport,
    settings: PortfolioSettings,
    item: Received,
    entry: dict[str, Any],
    dids: Mapping[str, tuple[str, dict[str, Any]]],
    lists: Mapping[str, tuple[str, dict[str, Any]]],
    now: dt.datetime,
) -> None:
    assert item.credential is not None
    url = f"badges/{item.slug}/"
    page = Page(url)
    cview = entry["view"]
    statuses = {}
    for status in as_list(item.credential.get("credentialStatus")):
        list_url = status.get("statusListCredential") if isinstance(status, Mapping) else None
        if isinstance(list_url, str) and list_url in lists:
            statuses[list_url] = {"credential": lists[list_url][1], "retrieved": stamp(now)}
    issuer_id = cview["issuer_id"]
    data = {
        "credential": item.credential,
        "didDocuments": {issuer_id: dids[issuer_id][1]} if issuer_id in dids else {},
        "statusLists": statuses,
        "builtAt": stamp(now),
    }
    downloads = {"json": page.link(f"badges/{item.slug}.json")}
    if item.kind == "png":
        downloads["png"] = page.link(f"badges/{item.slug}.png")
    image = cview["image"] or page.link(_badge_picture(item))
    absolute = settings.base_url + url
    share = entry["state"] in ("valid", "indeterminate")
    awarded = _date(cview["awarded"]) or now
    text = render(
        "pages/portfolio-badge.md.j2",
        page=page,
        settings=settings,
        title=cview["name"],
        v=cview,
        check=entry["check"],
        verdict=entry["verdict"],
        state=entry["state"],
        chip=entry["chip"],
        image=image,
        downloads=downloads,
        source=item.source,
        data=data,
        home_href=page.link(""),
        verify_href=page.link("verify.html"),
        built_at=stamp(now),
        scope=short_hash(item.slug, 6),
        page_absolute=absolute,
        linkedin=linkedin_url(
            name=cview["name"],
            organisation=cview["issuer_name"],
            issued=awarded,
            cert_url=absolute,
            cert_id=cview["id"],
        )
        if share
        else None,
        qr=Markup(  # noqa: S704 - generated here from a module matrix; label escaped
            images.qr_svg(absolute, label="QR code linking to this badge page")
        )
        if share
        else None,
    )
    tree.write(page.source_path, text)
    report.pages.append(url)
