"""QR codes of the credential pages, drawn by a forked child while the build issues and
verifies (issue 12).

Issuing what changed and reading the program run on one core; the other is idle until the
credentials are verified. A QR code depends only on the page's address, so the codes of the
credentials already issued (``credentials/<slug>.json``) can be drawn meanwhile, and the pages
then find them in :data:`microcred.site.images.QR_CODES`. The child only fills that memo: a
code it did not draw, or drew for an address no page has, changes nothing, because every
page asks for its own code by address and label (:func:`credential_qr`) and gets the same SVG
whoever drew it. Any failure just leaves the pages to draw their codes themselves.
"""

from __future__ import annotations

import multiprocessing
from pathlib import Path
from typing import Any

from microcred._util import cpu_count, fork_is_safe
from microcred.layout import CREDENTIALS_DIR, credential_page
from microcred.site import images

FROM = 64
"""Credentials from which a child draws the codes ahead (forking costs ~50 ms)."""

QR_LABEL = "QR code linking to this credential page"


def credential_qr(base_url: str, slug: str) -> str:
    """The QR code (SVG) on a credential's page: its absolute address."""
    return images.qr_svg(f"{base_url}{credential_page(slug)}", label=QR_LABEL)


def _draw(root: Path, known: dict[str, str]) -> dict[str, str]:
    from microcred.records import load_settings

    images.QR_CODES.update(known)  # this child's copy
    base_url = load_settings(root)[1].base_url
    slugs = sorted(p.stem for p in (root / CREDENTIALS_DIR).glob("*.json"))
    for slug in slugs:
        credential_qr(base_url, slug)
    return {key: svg for key, svg in images.QR_CODES.items() if key not in known}


class QrAhead:
    """The child drawing the codes, started at once; :meth:`codes` waits for what it drew."""

    def __init__(self, root: Path, known: dict[str, str]) -> None:
        self._child: Any = None
        self._pipe: Any = None
        slugs = (root / CREDENTIALS_DIR).glob("*.json")
        if cpu_count() < 2 or not fork_is_safe() or sum(1 for _ in slugs) < FROM:
            return
        try:
            context = multiprocessing.get_context("fork")
            self._pipe, child_end = context.Pipe(duplex=False)
            self._child = context.Process(
                target=self._run, args=(child_end, root, known), daemon=True
            )
            self._child.start()
            child_end.close()
        except OSError:
            self._child = None

    @staticmethod
    def _run(pipe: Any, root: Path, known: dict[str, str]) -> None:  # in the child
        try:
            pipe.send(_draw(root, known))
        except BaseException:  # the pages draw their own codes
            pipe.send({})

    def codes(self) -> dict[str, str]:
        """The codes drawn ahead (empty if there is no child or it failed)."""
        if self._child is None:
            return {}
        try:
            drawn: dict[str, str] = self._pipe.recv()
        except (EOFError, OSError):
            drawn = {}
        finally:
            self._child.join()
            self._pipe.close()
            self._child = None
        return drawn

    def close(self) -> None:
        """Stop a child whose codes were not asked for (the build stopped early)."""
        if self._child is not None:
            self._child.terminate()
            self._child.join()
            self._pipe.close()
            self._child = None
