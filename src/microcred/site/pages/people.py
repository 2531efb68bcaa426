"""The people index (paginated); each person's page is :mod:`.person`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from microcred.layout import person_page
from microcred.site import pagination
from microcred.site.pages.context import _Ctx
from microcred.site.pages.parallel import write_pages
from microcred.site.pages.person import _person
from microcred.site.pagination import Page, pager_for, paginate
from microcred.site.people import Person


def _people(ctx: _Ctx) -> None:
    chunks = paginate(ctx.people, pagination.PEOPLE_PAGE_SIZE, "people/")
    urls = [u for u, _, _ in chunks]
    for url, chunk, number in chunks:
        page = Page(url)
        ctx.page(
            url,
            "people.md.j2",
            title="People" if number == 1 else f"People, page {number}",
            people=[
                {"p": p, "href": page.link(person_page(p.slug)), "count": len(p.records)}
                for p in chunk
            ],
            pager=pager_for(page, urls, number),
        )
    # by the credential pages' forked workers when it pays (the same bytes, in this order)
    write_pages(ctx, [(person, {}) for person in ctx.people], _person_job)


def _person_job(ctx: _Ctx, person: Person, _: Mapping[str, Any]) -> str:
    _person(ctx, person)
    return ""
