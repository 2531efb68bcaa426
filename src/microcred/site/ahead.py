"""Pictures drawn by a forked child while the build issues and verifies (issue 12): the QR
codes of the credential pages until the pages are due, then the analytics charts, which
only the last page of the source needs (so a small build never waits for matplotlib).

Issuing what changed and reading the program run on one core; the other is idle until the
credentials are verified. The charts depend only on the program's records (drawing them
imports matplotlib: most of a small build's own time) and a QR code only on its page's
address, so both can be drawn meanwhile, for the records and the credentials already issued
(``credentials/<slug>.json``). The child only fills the two memos the pages read
(:data:`microcred.site.charts.CHARTS`, :data:`microcred.site.images.QR_CODES`), both keyed by
what is drawn: a picture it did not draw, or drew for data no page shows, changes nothing,
because every page asks for its own by content and gets the same SVG whoever drew it. Any
failure just leaves the pages to draw their pictures themselves.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from microcred.layout import CREDENTIALS_DIR, credential_page
from microcred.site import charts, images
from microcred.site.beside import Beside

FROM = 64
"""Credentials from which a child draws ahead (forking costs ~50 ms)."""

QR_LABEL = "QR code linking to this credential page"


def credential_qr(base_url: str, slug: str) -> str:
    """The QR code (SVG) on a credential's page: its absolute address."""
    return images.qr_svg(f"{base_url}{credential_page(slug)}", label=QR_LABEL)


Drawn = tuple[dict[str, str], dict[str, str]]  # (charts, QR codes) by memo key


def _draw(
    root: Path,
    known: Drawn | None,
    analytics: Mapping[str, Any] | None,
    early: Any = None,
    stop: Any = None,
) -> dict[str, str]:
    """In the child: QR codes until the pages are due (sent on ``early`` then), then the
    charts, which only the last page of the source needs (returned)."""
    from microcred.records import load_program
    from microcred.site.pages.analytics import page_context, site_analytics

    if known is None:  # started before the build read its caches: read them here
        from microcred.site import cache

        known = (cache.load_charts(root), cache.load_qr_codes(root))
    known_charts, known_codes = known
    charts.CHARTS.update(known_charts)  # this child's copies
    images.QR_CODES.update(known_codes)
    program = load_program(root)
    base_url = program.site.base_url
    issued = {p.stem for p in (root / CREDENTIALS_DIR).glob("*.json")}
    for slug in sorted(r.slug for r in program.records if r.slug in issued):  # pages to come
        if stop is not None and stop.is_set():  # the pages are due: they draw the rest
            break
        credential_qr(base_url, slug)
    codes = {k: v for k, v in images.QR_CODES.items() if k not in known_codes}
    if early is not None:
        early.send(codes)
        early.close()
    data = site_analytics(program, root) if analytics is None else analytics
    if data:
        page_context(data, program)  # draws each chart into charts.CHARTS
    return {k: v for k, v in charts.CHARTS.items() if k not in known_charts}


class DrawAhead:
    """The child drawing ahead, started at once: :meth:`codes` when the pages are due,
    :meth:`charts` when the analytics page is."""

    def __init__(
        self, root: Path, known: Drawn | None, analytics: Mapping[str, Any] | None = None
    ) -> None:
        """``known``: the pictures in the build cache, or None for the child to read them
        (a child started before the builder is even imported: :func:`site.entry.build_site`)."""
        self._child: Beside | None = None
        self._early: Any = None
        self._codes: dict[str, str] | None = None
        if sum(1 for _ in (root / CREDENTIALS_DIR).glob("*.json")) >= FROM:
            self._early, child_end = multiprocessing.get_context("fork").Pipe(duplex=False)
            self._child = Beside(_draw, root, known, analytics, child_end, stoppable=True)
            child_end.close()  # the child's copy is its own: its exit is the end of the pipe
            if not self._child.started:
                self._child = None

    def codes(self) -> dict[str, str]:
        """The QR codes drawn so far; the child stops at the one it is drawing (the pages'
        workers draw the rest on every core) and goes on to the charts. Empty if there is
        no child or it failed."""
        if self._codes is None:
            self._codes = {}
            if self._child is not None:
                self._child.stop()
                try:
                    self._codes = self._early.recv()
                except (EOFError, OSError):
                    pass
                finally:
                    self._early.close()
        return self._codes

    def charts(self) -> dict[str, str]:
        """The charts (waited for: the page would draw them one after the other); empty if
        there is no child or it failed."""
        self.codes()
        if self._child is None:
            return {}
        ok, drawn = self._child.result()
        self._child = None
        return drawn if ok else {}

    def drawn(self) -> Drawn:
        """(charts, QR codes), both as :meth:`codes` and :meth:`charts` give them."""
        codes = self.codes()
        return self.charts(), codes

    def close(self) -> None:
        """Stop a child whose pictures were not asked for (the build stopped early)."""
        if self._child is not None:
            self._child.close()
            self._child = None
        if self._early is not None:
            self._early.close()
