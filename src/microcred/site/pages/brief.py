"""One page per achievement brief, listing its credentials (paginated)."""

from __future__ import annotations

from microcred.layout import badge_image, brief_page
from microcred.model import Achievement, Record
from microcred.site import pagination
from microcred.site.pages.context import _credential_link, _Ctx
from microcred.site.pagination import Page, pager_for, paginate
from microcred.site.safety import (
    safe_href,
    short_hash,
)


def _brief(ctx: _Ctx, achievement: Achievement, records: list[Record]) -> None:
    base = brief_page(achievement.slug)
    ordered = sorted(records, key=lambda r: (r.awarded_at, r.slug), reverse=True)
    chunks = paginate(ordered, pagination.LIST_PAGE_SIZE, base)
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
            badge=page.link(badge_image(achievement.slug, "svg")),
            skills=[
                {"s": s, "href": safe_href(s.url) if s.url else None} for s in achievement.skills
            ],
            completed=len(records),
            credentials=[_credential_link(ctx, page, r) for r in chunk],
            pager=pager_for(page, urls, number),
            scope=short_hash(achievement.slug, 6),
        )
