"""Relative links between generated pages, so a site works under any sub-path and from file://.

Pages live at directory URLs (see :mod:`microcred.layout`, the URLs credentials name); links
point at the ``index.html`` inside, because a browser opening the site from disk shows a
folder listing for a bare directory.
"""

from __future__ import annotations

from microcred.layout import did_document_path as did_document_path
from microcred.layout import site_path as site_path


def rel_link(from_page: str, target: str) -> str:
    """Link from the page at ``from_page`` ('' or 'a/b/') to site path ``target``."""
    path, sep, fragment = target.partition("#")
    prefix = "../" * from_page.count("/")
    if path == "" or path.endswith("/"):
        path = path + "index.html"
    return f"{prefix}{path}{sep}{fragment}"
