"""Relative links between generated pages, so a site works under any sub-path and from file://.

Pages live at directory URLs (``credentials/alice-data/``, the URLs credentials name); links
point at the ``index.html`` inside, because a browser opening the site from disk shows a
folder listing for a bare directory.
"""

from __future__ import annotations

from microcred.errors import ConfigError


def rel_link(from_page: str, target: str) -> str:
    """Link from the page at ``from_page`` ('' or 'a/b/') to site path ``target``."""
    path, sep, fragment = target.partition("#")
    prefix = "../" * from_page.count("/")
    if path == "" or path.endswith("/"):
        path = path + "index.html"
    return f"{prefix}{path}{sep}{fragment}"


def site_path(url: str, base_url: str, what: str) -> str:
    """Where a URL under the site's base URL lives inside the built site."""
    if not url.startswith(base_url):
        raise ConfigError(
            f"{what} {url} is not under the site's base URL {base_url}, "
            "so the site cannot serve it",
            where="microcred.toml",
            hint="make [site] base_url match the URLs the credentials use",
        )
    rel = url[len(base_url) :]
    if not rel or rel.startswith("/") or "?" in rel or "#" in rel or ".." in rel.split("/"):
        raise ConfigError(f"{what} {url} does not name a file under {base_url}")
    return rel


def did_document_path(did: str, base_url: str, did_url: str) -> str:
    """Site path of a did:web document (``did_url`` from ``did_web_to_url``)."""
    if not did_url.startswith(base_url):
        raise ConfigError(
            f"the DID document of {did} must be served at {did_url}, which is outside the site "
            f"{base_url}",
            where="microcred.toml",
            hint="for a project site use a path DID (did:web:<host>:<path>) matching base_url",
        )
    return site_path(did_url, base_url, "DID document")
