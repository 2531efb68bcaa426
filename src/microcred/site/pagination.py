"""Pages and pagination: page 1 at ``base``, page n at ``base/_page-n/`` (bounded index pages)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from microcred.site.links import rel_link

CATALOG_PAGE_SIZE = 50
PEOPLE_PAGE_SIZE = 100
LIST_PAGE_SIZE = 100


@dataclass
class Page:
    """One page being rendered: its URL path and a relative-link maker."""

    url: str  # '' for home, else 'a/b/'

    def link(self, target: str) -> str:
        return rel_link(self.url, target)

    @property
    def source_path(self) -> str:
        """``docs/a/b.md`` for the page at ``a/b/`` (mkdocs makes it ``a/b/index.html``):
        one file, no folder of its own (issue 12: a folder per page was a third of the
        files the build created). A last part mkdocs reads as a folder's own page
        (``index``, ``readme``) keeps its folder."""
        if not self.url:
            return "docs/index.md"
        stem = self.url.rstrip("/")
        if stem.rsplit("/", 1)[-1].lower() in ("index", "readme"):
            return f"docs/{stem}/index.md"
        return f"docs/{stem}.md"


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
