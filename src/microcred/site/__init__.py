"""The static site: generated source (Markdown + mkdocs.yml) -> engine -> hardened pages.

Only this package imports MkDocs (in :mod:`microcred.site.engine`). Public entry points:
:func:`build_site` (``microcred build``), :func:`render_source` (the source alone, used by
the golden test), :func:`scaffold` (``microcred init``).
"""

from microcred.site.build import BuildResult, build_site, project_kind, render_source
from microcred.site.check import check_project
from microcred.site.engine import ENGINES
from microcred.site.scaffold import scaffold
from microcred.site.source import BuildCheck
from microcred.site.transcript_page import render_transcript_html

__all__ = [
    "ENGINES",
    "BuildCheck",
    "BuildResult",
    "build_site",
    "check_project",
    "project_kind",
    "render_source",
    "render_transcript_html",
    "scaffold",
]
