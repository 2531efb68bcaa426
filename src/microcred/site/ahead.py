"""QR codes and badge pictures drawn by a forked child while the build issues and verifies
(issue 12).

Issuing what changed and reading the program run on one core; the other is idle until the
credentials are verified. A credential page's QR code depends only on its address, so the
child draws them meanwhile, for the credentials already issued (``credentials/<slug>.json``)
and those the build may issue (``records/<slug>.md``: a build that signs the whole program
itself has the longest wait on one core), with nothing but ``microcred.toml`` read. It only
fills the memo the pages read (:data:`microcred.site.images.QR_CODES`, keyed by what is
drawn): a code it did not draw, or drew for a page that is not made (the build takes only
the codes of the credentials it publishes), changes nothing, because every page asks for
its own by content and gets the same SVG whoever drew it. Any failure leaves the pages to
draw their codes themselves.

On a first build (no badge PNGs kept yet) the child first rasterises the briefs' badges
(resvg: about 25 ms each, holding the GIL), reading nothing but ``microcred.toml``, the
briefs and their pictures. They go to :data:`microcred.site.badge_raster.KNOWN`, keyed by
the SVG and what draws it, so a page gets the same PNG whoever drew it, and a badge the
child did not draw (one it had no time for, a picture it could not read) is drawn by the
build as before.
"""

from __future__ import annotations

import contextlib
from collections.abc import Collection
from pathlib import Path
from typing import TYPE_CHECKING, Any

from microcred.layout import (
    BUILD_CACHE_DIR,
    CREDENTIALS_DIR,
    ISSUE_INDEX_NAME,
    RECORDS_DIR,
    credential_page,
)
from microcred.site import images
from microcred.site.beside import Beside

if TYPE_CHECKING:
    from microcred.records.parsed import ParsedCache

FROM = 16
"""Credentials from which a child draws ahead (forking costs ~50 ms)."""

PARSE_UP_TO = 100
"""Records up to which the child first reads the whole program when nothing was read before
(no parse cache): it keeps the parses for the build, which reaches the records later (from
about 0.6 s, after importing the builder); more would not be read by then."""

FINISH_WITHIN = 128
"""Codes the child still draws once the pages are due, rather than stop: a page worker that
has to draw one imports the QR code package first (which brings PIL: about 70 ms, in every
worker), while the child has them and draws a code in about a millisecond."""

QR_LABEL = "QR code linking to this credential page"


def _address(base_url: str, slug: str) -> str:
    return f"{base_url}{credential_page(slug)}"


def credential_qr(base_url: str, slug: str) -> str:
    """The QR code (SVG) on a credential's page: its absolute address."""
    return images.qr_svg(_address(base_url, slug), label=QR_LABEL)


def credential_qr_key(base_url: str, slug: str) -> str:
    """:func:`credential_qr`'s key in :data:`microcred.site.images.QR_CODES`."""
    return images.qr_key(_address(base_url, slug), QR_LABEL)


def _slugs(root: Path) -> list[str]:
    """The credentials issued, and the records (a record's credential has its slug): a code
    drawn for a record that is not issued is never asked for, and costs a millisecond."""
    issued = root / CREDENTIALS_DIR
    found = {p.stem for p in issued.glob("*.json") if p.name != ISSUE_INDEX_NAME}
    found.update(p.stem for p in (root / RECORDS_DIR).glob("*.md"))
    return sorted(found)


Drawn = tuple[dict[str, str], dict[str, bytes], dict[str, str]]
"""(QR codes by :func:`microcred.site.images.qr_key`, badge PNGs by
:func:`microcred.site.badge_raster.raster_key`, the key of each slug's code): what the
child drew."""


def _badges(root: Path, parsed: ParsedCache, stop: Any) -> dict[str, bytes]:
    """In the child, on a first build: the PNGs of the briefs' badges (the generated
    looks and the issuer's own SVGs), by raster key."""
    from microcred.records import load_briefs
    from microcred.site import badge_raster

    if (root / BUILD_CACHE_DIR / badge_raster.RASTER_FILE).exists():
        return {}  # kept by the last build: the build reads them there
    loaded = load_briefs(root, parsed)
    if loaded is None:
        return {}
    from microcred.errors import MicrocredError
    from microcred.site.badges import drawn_svg

    issuer, site, briefs = loaded
    badge_raster.RASTERS.clear()  # this child's copy: from here on, what it draws
    for brief in briefs:
        if stop is not None and stop.is_set():
            break
        try:
            svg = drawn_svg(site.base_url, issuer.name, brief, root)
        except (MicrocredError, OSError, UnicodeDecodeError):
            continue  # the build reads the picture again and says what is wrong
        if svg is not None:
            badge_raster.svg_to_png(svg)
    return dict(badge_raster.RASTERS)


def _read_ahead(root: Path) -> None:
    """In the child, when nothing of the program was read before (a program built before
    anything was issued): read and check it all as the build will, keeping the parses
    (:mod:`microcred.records.parsed`), so the build takes them instead of parsing the YAML
    and importing the JSON Schema library itself. Whatever goes wrong (a record with a
    problem, say) is left to the build, which reads the files again and reports it."""
    from microcred.records.parsed import PARSED_FILE

    if (root / BUILD_CACHE_DIR / PARSED_FILE).exists():
        return
    if len(list((root / RECORDS_DIR).glob("*.md"))) > PARSE_UP_TO:
        return
    from microcred.records import load_program

    with contextlib.suppress(Exception):  # the build's own read decides, and says why
        load_program(root, keep_parsed=True)


def _draw(root: Path, slugs: list[str], known: dict[str, str] | None, stop: Any = None) -> Drawn:
    """In the child: the badges (see :func:`_badges`), then the QR codes of the issued
    credentials' pages (``slugs``) that ``known`` lacks, until ``stop`` is set (the pages are
    due: their workers draw the rest) with more than FINISH_WITHIN of them left."""
    from microcred.records import load_settings
    from microcred.records.parsed import ParsedCache

    _read_ahead(root)
    parsed = ParsedCache(root)  # one read of the kept parses, for the briefs and the settings
    rasters = _badges(root, parsed, stop)
    if known is None:  # started before the build read its cache: read it here
        from microcred.site.qrcache import load_qr_codes

        known = load_qr_codes(root)
    images.QR_CODES.update(known)  # this child's copy
    # microcred.toml as the last issue or build checked it, when unchanged (checking it
    # again would import the JSON Schema library in this child too)
    base_url = load_settings(root, parsed)[1].base_url
    keys: dict[str, str] = {}
    for done, slug in enumerate(slugs):
        if stop is not None and stop.is_set() and len(slugs) - done > FINISH_WITHIN:
            break
        credential_qr(base_url, slug)
        keys[slug] = credential_qr_key(base_url, slug)
    return {k: v for k, v in images.QR_CODES.items() if k not in known}, rasters, keys


class DrawAhead:
    """The child drawing ahead, started at once; :meth:`codes` when the pages are due."""

    def __init__(self, root: Path, known: dict[str, str] | None) -> None:
        """``known``: the codes in the build cache, or None for the child to read them (a
        child started before the builder is even imported: :func:`site.entry.build_site`)."""
        self._child: Beside | None = None
        self._codes: dict[str, str] | None = None
        self._rasters: dict[str, bytes] = {}
        self._keys: dict[str, str] = {}
        slugs = _slugs(root)  # listed once, here: the child inherits the list
        if len(slugs) >= FROM:
            self._child = Beside(_draw, root, slugs, known, stoppable=True)
            if not self._child.started:
                self._child = None

    def codes(self, published: Collection[str] | None = None) -> dict[str, str]:
        """The QR codes drawn so far: the child stops at the one it is drawing, or draws the
        last few first (FINISH_WITHIN). Empty if there is no child or it failed.

        ``published``: the slugs of the credentials the site shows; the codes of others (a
        record that was not issued) are left out, so that the build keeps the codes its
        pages use, whatever the child drew."""
        if self._codes is None:
            self._codes = {}
            if self._child is not None:
                ok, drawn = self._child.result()
                self._child = None
                if ok:
                    self._codes, self._rasters, self._keys = drawn
        if published is None:
            return self._codes
        wanted = {self._keys[slug] for slug in published if slug in self._keys}
        return {key: svg for key, svg in self._codes.items() if key in wanted}

    def rasters(self) -> dict[str, bytes]:
        """The badge PNGs the child drew (after :meth:`codes`; empty before, or if none)."""
        return self._rasters

    def close(self) -> None:
        """Stop a child whose codes were not asked for (the build stopped early)."""
        if self._child is not None:
            self._child.close()
            self._child = None
