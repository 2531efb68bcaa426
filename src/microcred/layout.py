"""Where things live: the one owner of microcred's file layout, site URLs and site manifest.

Three parts, each the only place its names are spelled:

* the **program folder** (``microcred.toml``, ``records/``, ``credentials/``, ``status/``,
  ``.microcred/``, ``endorsements/``): constants, program-relative names for messages, and
  :class:`ProgramPaths` for absolute paths;
* the **site's URLs**, as paths relative to the site root (prefix ``base_url`` for the
  absolute URL a credential names): credential page, JSON and baked images, brief page,
  person page, badge art, status list per purpose, DID document;
* the **site manifest** (``microcred-site.json``): :class:`SiteManifest`, frozen and
  validated on construction, written by the site and read by ``microcred verify``.

Bottom layer: imports only :mod:`microcred.errors`, so every other layer may use it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from microcred.errors import ConfigError

if TYPE_CHECKING:
    from microcred.manifest import SiteManifest as SiteManifest
    from microcred.program_paths import ProgramPaths as ProgramPaths

# --------------------------------------------------------------------------- program folder

CONFIG_FILE = "microcred.toml"
BRIEFS_DIR = "achievements"
RECORDS_DIR = "records"
CREDENTIALS_DIR = "credentials"
ISSUE_INDEX_NAME = "index.json"
ISSUE_INDEX = f"{CREDENTIALS_DIR}/{ISSUE_INDEX_NAME}"
ISSUE_INDEX_KEY = "credentials"  # the index's map: record slug -> receipt
STATUS_DIR = "status"
PUBLISHED_STATUS_DIR = f"{STATUS_DIR}/published"
STATE_DIRS = (CREDENTIALS_DIR, STATUS_DIR, PUBLISHED_STATUS_DIR)
"""Folders ``microcred issue`` / ``revoke`` write into (temp files of a killed run live here)."""
PRIVATE_DIR = ".microcred"
BUILD_CACHE_DIR = f"{PRIVATE_DIR}/build-cache"  # caches only: deleting it costs time
KEYS_DIR = f"{PRIVATE_DIR}/keys"
KEYRING_FILE = f"{PRIVATE_DIR}/keyring.json"
ENDORSEMENTS_DIR = "endorsements"
PROFILE_FILE = "profile.md"
"""A candidate portfolio's own page (``microcred init --portfolio``)."""


def credential_file(slug: str) -> str:
    """Program-relative name of an issued credential (also its path inside the site)."""
    return f"{CREDENTIALS_DIR}/{slug}.json"


def record_file(slug: str) -> str:
    return f"{RECORDS_DIR}/{slug}.md"


def status_state_file(purpose: str) -> str:
    """Program-relative state file of one status purpose (indexes, bits, audit log)."""
    return f"{STATUS_DIR}/{purpose}.json"


def published_list_file(purpose: str) -> str:
    """Program-relative copy of the signed status list, re-signed only when it changes."""
    return f"{PUBLISHED_STATUS_DIR}/{purpose}-1.json"


def credential_page(slug: str) -> str:
    return f"{CREDENTIALS_DIR}/{slug}/"


def credential_json(slug: str) -> str:
    return credential_file(slug)


def credential_image(slug: str, kind: str) -> str:
    """The baked badge (``kind`` ``png`` or ``svg``) next to the credential's JSON."""
    return f"{CREDENTIALS_DIR}/{slug}.{kind}"


def badge_image(achievement_slug: str, kind: str) -> str:
    return f"badges/{achievement_slug}.{kind}"


def brief_page(achievement_slug: str) -> str:
    return f"catalog/{achievement_slug}/"


def person_page(person_slug: str) -> str:
    return f"people/{person_slug}/"


def status_list_path(purpose: str) -> str:
    return f"status/{purpose}-1.json"


def status_list_url(base_url: str, purpose: str) -> str:
    """The URL a credential's status entry names (the site serves it at that path)."""
    return f"{base_url}{status_list_path(purpose)}"


def site_path(url: str, base_url: str, what: str) -> str:
    """Where a URL under the site's base URL lives inside the built site."""
    if not url.startswith(base_url):
        raise ConfigError(
            f"{what} {url} is not under the site's base URL {base_url}, "
            "so the site cannot serve it",
            where=CONFIG_FILE,
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
            where=CONFIG_FILE,
            hint="for a project site use a path DID (did:web:<host>:<path>) matching base_url",
        )
    return site_path(did_url, base_url, "DID document")


# --------------------------------------------------------------------------- site manifest

SITE_MANIFEST = "microcred-site.json"
SITE_VERSION = 1


class ManifestError(ValueError):
    """A site manifest that does not have the documented shape; ``str()`` says what is wrong."""


def _manifest_problem(data: Any) -> str | None:
    if not isinstance(data, Mapping):
        return "must be a JSON object"
    if data.get("microcred_site") != SITE_VERSION:
        return f"microcred_site must be {SITE_VERSION}"
    credentials = data.get(CREDENTIALS_DIR)
    if not isinstance(credentials, list) or not all(isinstance(c, str) for c in credentials):
        return f"{CREDENTIALS_DIR} must be an array of relative paths"
    for key in ("did_documents", "status_lists"):
        value = data.get(key, {})
        if not isinstance(value, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()
        ):
            return f"{key} must map identifiers to relative paths"
    if "built_at" in data and not isinstance(data["built_at"], str):
        return "built_at must be a date-time string"
    return None


EXAMPLE_NAME = "northwind-microinternships"


def bundled_example() -> Path:
    """The example program shipped in the wheel, or the source checkout's ``examples/``."""
    here = Path(__file__).resolve()
    for candidate in (
        here.parent / "data" / "examples" / EXAMPLE_NAME,
        here.parents[2] / "examples" / EXAMPLE_NAME,
    ):
        if (candidate / CONFIG_FILE).is_file():
            return candidate
    raise ConfigError(
        "the bundled example program was not found", hint="reinstall microcred from its source tree"
    )


def template_dir() -> Path:
    """``site_template/``: $MICROCRED_SITE_TEMPLATE, packaged data, or the source checkout."""
    override = os.environ.get("MICROCRED_SITE_TEMPLATE")
    candidates = [Path(override)] if override else []
    here = Path(__file__).resolve()
    candidates += [here.parent / "site" / "_template", here.parents[2] / "site_template"]
    for candidate in candidates:
        if (candidate / "mkdocs.yml.j2").is_file():
            return candidate
    raise ConfigError(
        "the site templates (site_template/) were not found",
        hint="reinstall microcred, or set MICROCRED_SITE_TEMPLATE to the site_template folder",
    )


_CLASSES = {"ProgramPaths": "microcred.program_paths", "SiteManifest": "microcred.manifest"}


def __getattr__(name: str) -> Any:
    """The two dataclasses of the layout live in their own modules and load on first use:
    ``dataclasses`` imports ``inspect`` (15-20 ms), which an unchanged ``microcred build``
    (cli/_quick.py), reading only the names above, never needs."""
    module = _CLASSES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
