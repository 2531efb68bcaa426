"""The issuer's home page."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from microcred.layout import brief_page
from microcred.model import Record
from microcred.site import images
from microcred.site.common import (
    SITE_MANIFEST,
)
from microcred.site.pages.context import _Ctx, trust_anchor
from microcred.site.pagination import Page
from microcred.site.safety import (
    safe_href,
    safe_image_src,
)


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
                "href": page.link(brief_page(a.slug)),
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
