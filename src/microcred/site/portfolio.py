"""A candidate's portfolio: badges received from ANY issuer, verified at build time.

Project layout (made by ``microcred init --portfolio``)::

    microcred.toml      [portfolio] name, base_url, optional headline, url, profile
    profile.md          who the candidate is (Markdown)
    credentials/        credential .json files and baked .png / .svg badge images
    dids/               optional: DID documents of did:web issuers (pinned copies)
    status/             optional: status list credentials (snapshots, named by their id)

Every credential is verified offline with :mod:`microcred.verify` using only the pinned DID
documents and status snapshots, and shown with its verification state in words. Imported
credentials are untrusted text even when validly signed (MC-64): every field goes through
the same escaping and Markdown pipeline as issuer records. Uploaded SVGs are never served
again (MC-68b); the page shows a generated badge (or the issuer's https / raster image).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from microcred import bake
from microcred.errors import ConfigError, MicrocredError
from microcred.jsonld.strictjson import loads_strict
from microcred.model import HTTP_URL_RE
from microcred.site import images
from microcred.site.safety import clean_text, plain_title, safe_href, safe_image_src, short_hash
from microcred.site.source import (
    SITE_MANIFEST,
    BuildCheck,
    Page,
    SourceReport,
    _copy_assets,
    dump_json,
    human_date,
    pager_for,
    paginate,
    stamp,
    write_root_files,
)
from microcred.site.templates import render
from microcred.site.tree import Tree
from microcred.verify import PinnedDocument, StatusSnapshot, VerifyOptions, check_credential

MAX_FILE_BYTES = 5_000_000
BADGES_PAGE_SIZE = 100
_STATE_WORDS = {
    "valid": "valid — the signature, the issuer's key, the dates and the status check out",
    "invalid": "invalid — a check failed; do not rely on it",
    "indeterminate": "could not be fully checked offline (indeterminate)",
}


@dataclass(frozen=True)
class PortfolioSettings:
    name: str
    base_url: str
    headline: str = ""
    url: str | None = None
    profile: str = "profile.md"


def load_settings(root: Path) -> PortfolioSettings:
    path = root / "microcred.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read the portfolio settings: {exc}", where=str(path)) from None
    table = data.get("portfolio")
    where = f"{path}: [portfolio]"
    if not isinstance(table, dict):
        raise ConfigError("missing the [portfolio] table", where=str(path))
    unknown = sorted(set(table) - {"name", "base_url", "headline", "url", "profile"})
    if unknown:
        raise ConfigError(
            f"unknown setting(s) {', '.join(unknown)}",
            where=where,
            hint="allowed: name, base_url, headline, url, profile",
        )
    name, base = table.get("name"), table.get("base_url")
    if not isinstance(name, str) or not name.strip() or len(name) > 200:
        raise ConfigError("name must be non-empty text (at most 200 characters)", where=where)
    if not isinstance(base, str) or not HTTP_URL_RE.match(base) or not base.endswith("/"):
        raise ConfigError(
            "base_url must be an absolute http(s) URL ending with '/'",
            where=where,
            hint="e.g. https://<user>.github.io/<repo>/",
        )
    url = table.get("url")
    if url is not None and (not isinstance(url, str) or not HTTP_URL_RE.match(url)):
        raise ConfigError("url must be an absolute http(s) URL", where=where)
    headline = table.get("headline", "")
    profile = table.get("profile", "profile.md")
    if not isinstance(headline, str) or not isinstance(profile, str):
        raise ConfigError("headline and profile must be text", where=where)
    if Path(profile).is_absolute() or ".." in Path(profile).parts:
        raise ConfigError("profile must be a path inside the portfolio folder", where=where)
    return PortfolioSettings(name, base, headline, url, profile)


@dataclass
class Received:
    """One credential file from the credentials/ folder."""

    slug: str
    source: str  # path relative to the project
    kind: str  # json | png | svg
    raw: bytes
    credential: dict[str, Any] | None
    error: str | None = None


def _slug_for(stem: str, taken: set[str]) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-")[:50].strip("-") or "badge"
    slug, n = base, 2
    while slug in taken:
        slug = f"{base}-{n}"
        n += 1
    taken.add(slug)
    return slug


def _extract(path: Path, kind: str, raw: bytes) -> tuple[dict[str, Any] | None, str | None]:

    try:
        if kind == "json":
            text: str | bytes = raw
        elif kind == "png":
            text = bake.unbake_png(raw)
        else:
            text = bake.unbake_svg(raw)
        value = loads_strict(text)
    except MicrocredError as exc:
        return None, exc.message
    if not isinstance(value, dict):
        return None, "the file does not hold a JSON object"
    return value, None


def collect(root: Path) -> list[Received]:
    folder = root / "credentials"
    out: list[Received] = []
    taken: set[str] = set()
    if not folder.is_dir():
        return out
    for path in sorted(folder.iterdir()):
        kind = path.suffix.lower().lstrip(".")
        if path.name.startswith(".") or kind not in ("json", "png", "svg"):
            continue
        rel = f"credentials/{path.name}"
        if path.is_symlink() or not path.is_file():
            raise ConfigError(f"{rel} is not a regular file", hint="copy the file in; no symlinks")
        raw = path.read_bytes()
        slug = _slug_for(path.stem, taken)
        if len(raw) > MAX_FILE_BYTES:
            out.append(Received(slug, rel, kind, b"", None, "the file is larger than 5 MB"))
            continue
        credential, error = _extract(path, kind, raw)
        out.append(Received(slug, rel, kind, raw, credential, error))
    return out


def _pinned(root: Path, folder: str) -> dict[str, tuple[str, dict[str, Any]]]:
    """id -> (file path, document) for the JSON files in dids/ or status/."""
    out: dict[str, tuple[str, dict[str, Any]]] = {}
    base = root / folder
    if not base.is_dir():
        return out
    for path in sorted(base.glob("*.json")):
        if path.is_symlink() or not path.is_file():
            continue
        try:
            value = loads_strict(path.read_bytes())
        except MicrocredError as exc:
            raise ConfigError(f"{folder}/{path.name} is not valid JSON: {exc.message}") from None
        ident = value.get("id") if isinstance(value, dict) else None
        if not isinstance(ident, str):
            raise ConfigError(
                f"{folder}/{path.name} has no 'id'",
                hint="DID documents and status lists name themselves with 'id'",
            )
        out[ident] = (f"{folder}/{path.name}", value)
    return out


# --------------------------------------------------------------------------- display


def _text(value: Any) -> str:
    return clean_text(value) if isinstance(value, str) else ""


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, list) and value else value


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def view(credential: Mapping[str, Any]) -> dict[str, Any]:
    """What a page shows from an untrusted credential: strings only, links checked."""
    subject = _first(credential.get("credentialSubject"))
    subject = subject if isinstance(subject, Mapping) else {}
    achievement = subject.get("achievement")
    achievement = achievement if isinstance(achievement, Mapping) else {}
    issuer = credential.get("issuer")
    issuer_map = issuer if isinstance(issuer, Mapping) else {}
    issuer_id = issuer if isinstance(issuer, str) else _text(issuer_map.get("id"))
    criteria = achievement.get("criteria")
    criteria = criteria if isinstance(criteria, Mapping) else {}
    image = achievement.get("image")
    image_id = image.get("id") if isinstance(image, Mapping) else image
    image_src = safe_image_src(image_id) if isinstance(image_id, str) else None
    if image_src and not image_src.startswith("data:image/"):
        # Images on the issuer's host are not hotlinked: a portfolio works offline and does
        # not tell a third party who looks at it. Relative paths mean nothing here anyway.
        image_src = None
    evidence = []
    for item in _list(credential.get("evidence")) + _list(subject.get("evidence")):
        if not isinstance(item, Mapping):
            continue
        evidence.append(
            {
                "name": _text(item.get("name")) or "Evidence",
                "href": safe_href(item.get("id")) if isinstance(item.get("id"), str) else None,
                "description": _text(item.get("description")),
                "narrative": _text(item.get("narrative")),
                "genre": _text(item.get("genre")),
            }
        )
    results = []
    descriptions = {
        d.get("id"): d
        for d in _list(achievement.get("resultDescription"))
        if isinstance(d, Mapping)
    }
    for result in _list(subject.get("result")):
        if not isinstance(result, Mapping):
            continue
        desc = descriptions.get(result.get("resultDescription"), {})
        level_name = ""
        for level in _list(desc.get("rubricCriterionLevel") if isinstance(desc, Mapping) else None):
            if isinstance(level, Mapping) and level.get("id") == result.get("achievedLevel"):
                level_name = _text(level.get("name"))
        results.append(
            {
                "name": _text(desc.get("name")) if isinstance(desc, Mapping) else "",
                "level": level_name,
                "value": _text(result.get("value")),
            }
        )
    skills = []
    for align in _list(achievement.get("alignment")):
        if isinstance(align, Mapping):
            skills.append(
                {
                    "name": _text(align.get("targetName")),
                    "href": safe_href(align.get("targetUrl")),
                    "framework": _text(align.get("targetFramework")),
                }
            )
    credits = subject.get("creditsEarned")
    return {
        "name": _text(achievement.get("name")) or _text(credential.get("name")) or "Credential",
        "type": _text(achievement.get("achievementType")),
        "description": _text(achievement.get("description")),
        "criteria": _text(criteria.get("narrative")),
        "issuer_name": _text(issuer_map.get("name")) or issuer_id or "unknown issuer",
        "issuer_id": issuer_id,
        "issuer_url": safe_href(issuer_map.get("url")),
        "id": _text(credential.get("id")),
        "valid_from": _text(credential.get("validFrom") or credential.get("issuanceDate")),
        "valid_until": _text(credential.get("validUntil") or credential.get("expirationDate")),
        "awarded": human_date(credential.get("awardedDate") or credential.get("validFrom")),
        "narrative": _text(subject.get("narrative")),
        "evidence": evidence,
        "results": results,
        "skills": skills,
        "credits": f"{credits}"
        if isinstance(credits, int | float) and not isinstance(credits, bool)
        else "",
        "image": image_src,
    }


# --------------------------------------------------------------------------- build


def verify_received(
    items: list[Received],
    dids: Mapping[str, tuple[str, dict[str, Any]]],
    lists: Mapping[str, tuple[str, dict[str, Any]]],
    now: dt.datetime,
) -> dict[str, BuildCheck]:
    from microcred.site.build import summarise  # here: build imports this module

    options = VerifyOptions(
        did_documents={d: PinnedDocument(doc, path) for d, (path, doc) in dids.items()},
        status_lists={u: StatusSnapshot(doc, path) for u, (path, doc) in lists.items()},
    )
    out = {}
    for item in items:
        if item.credential is None:
            out[item.slug] = BuildCheck(
                "invalid", f"the file could not be read: {item.error}", (f"parse: {item.error}",)
            )
            continue
        report = check_credential(item.credential, now=now, options=options, path=item.source)
        out[item.slug] = summarise(report)
    return out


def render_portfolio_source(
    root: Path, dest: Path, *, now: dt.datetime
) -> tuple[SourceReport, dict[str, BuildCheck]]:
    settings = load_settings(root)
    tree = Tree(dest)
    report = SourceReport(dest, "portfolio")
    items = collect(root)
    dids = _pinned(root, "dids")
    lists = _pinned(root, "status")
    checks = verify_received(items, dids, lists, now)
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

    entries = []
    published = []
    for item in items:
        check = checks[item.slug]
        cview = view(item.credential) if item.credential is not None else None
        entry = {
            "item": item,
            "check": check,
            "view": cview,
            "state": _STATE_WORDS.get(check.result, check.result),
        }
        entries.append(entry)
        if item.credential is None or cview is None:
            continue
        json_rel = f"badges/{item.slug}.json"
        tree.write(f"static/{json_rel}", dump_json(item.credential))
        published.append(json_rel)
        main, dark = images.badge_colours(cview["name"])
        svg = render(
            "badge.svg.j2",
            lines=images.wrap_words(cview["name"]),
            issuer=cview["issuer_name"][:40],
            kind=cview["type"] or "Badge",
            main=main,
            dark=dark,
        )
        tree.write(f"static/badges/{item.slug}.svg", svg)
        if item.kind == "png":
            tree.write(f"static/badges/{item.slug}.png", item.raw)
        _badge_page(tree, report, settings, item, entry, dids, lists, now)

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
                    "badge": page.link(f"badges/{item.slug}.svg"),
                }
            )
        text = render(
            "pages/portfolio-home.md.j2",
            page=page,
            settings=settings,
            title=settings.name if number == 1 else f"{settings.name}, page {number}",
            profile=profile if number == 1 else "",
            rows=rows,
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
    report.manifest = {
        "microcred_site": 1,
        "kind": "portfolio",
        "base_url": settings.base_url,
        "holder": settings.name,
        "did_documents": did_paths,
        "status_lists": list_paths,
        "credentials": sorted(published),
        "built_at": stamp(now),
    }
    tree.write(f"static/{SITE_MANIFEST}", json.dumps(report.manifest, indent=2) + "\n")
    return report, checks


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
    for status in _list(item.credential.get("credentialStatus")):
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
    image = cview["image"] or (downloads.get("png") or page.link(f"badges/{item.slug}.svg"))
    text = render(
        "pages/portfolio-badge.md.j2",
        page=page,
        settings=settings,
        title=cview["name"],
        v=cview,
        check=entry["check"],
        state=entry["state"],
        image=image,
        downloads=downloads,
        source=item.source,
        data=data,
        home_href=page.link(""),
        verify_href=page.link("verify.html"),
        built_at=stamp(now),
        scope=short_hash(item.slug, 6),
        qr=None,
    )
    tree.write(page.source_path, text)
    report.pages.append(url)
