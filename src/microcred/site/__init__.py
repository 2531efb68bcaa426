"""The static site: generated source (Markdown + mkdocs.yml) -> engine -> hardened pages.

Only this package imports MkDocs (in :mod:`microcred.site.engine`). Public entry points:
:func:`build_site` (``microcred build``), :func:`kept_site` (its first step: the previous
output, when it can stay), :func:`check_issued` (``microcred issue``'s check,
verdicts kept for the build), :func:`render_source` (the source alone, used by the golden
test), :func:`scaffold` (``microcred init``). Names are imported on first use, so an
unchanged rebuild (site/entry.py) never loads the builder (issue 12: start-up time).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from microcred import _lazy_exports

if TYPE_CHECKING:
    from microcred.scaffold import scaffold
    from microcred.site.build import check_issued, render_source
    from microcred.site.check import check_project
    from microcred.site.entry import build_site, kept_site
    from microcred.site.outcome import ENGINES, BuildCheck, BuildResult, project_kind
    from microcred.site.transcript_page import render_transcript_html

_WHERE = {
    "ENGINES": "outcome",
    "BuildCheck": "outcome",
    "BuildResult": "outcome",
    "build_site": "entry",
    "kept_site": "entry",
    "check_issued": "build",
    "check_project": "check",
    "project_kind": "outcome",
    "render_source": "build",
    "render_transcript_html": "transcript_page",
    "scaffold": "microcred.scaffold",
}

__all__ = [
    "ENGINES",
    "BuildCheck",
    "BuildResult",
    "build_site",
    "check_issued",
    "check_project",
    "kept_site",
    "project_kind",
    "render_source",
    "render_transcript_html",
    "scaffold",
]

__getattr__ = _lazy_exports(__name__, globals(), _WHERE)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_WHERE))
