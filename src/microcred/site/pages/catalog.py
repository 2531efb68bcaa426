"""The catalog of achievement briefs (paginated)."""

from __future__ import annotations

from collections.abc import Mapping

from microcred.layout import badge_image, brief_page
from microcred.model import Record
from microcred.site import pagination
from microcred.site.pages.brief import _brief
from microcred.site.pages.context import _Ctx
from microcred.site.pagination import Page, pager_for, paginate


def _catalog(ctx: _Ctx, by_achievement: Mapping[str, list[Record]]) -> None:
    program = ctx.pub.program
    achievements = list(program.achievements)
    chunks = paginate(achievements, pagination.CATALOG_PAGE_SIZE, "catalog/")
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
                    "href": page.link(brief_page(a.slug)),
                    "badge": page.link(badge_image(a.slug, "svg")),
                    "completed": len(by_achievement.get(a.slug, [])),
                }
                for a in chunk
            ],
            pager=pager_for(page, urls, number),
        )
    for achievement in achievements:
        _brief(ctx, achievement, by_achievement.get(achievement.slug, []))
