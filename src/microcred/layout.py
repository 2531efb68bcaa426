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

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from microcred.errors import ConfigError

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


@dataclass(frozen=True)
class ProgramPaths:
    """Absolute paths inside one program (or portfolio) folder."""

    root: Path

    @property
    def config(self) -> Path:
        return self.root / CONFIG_FILE

    @property
    def credentials(self) -> Path:
        return self.root / CREDENTIALS_DIR

    @property
    def issue_index(self) -> Path:
        return self.root / ISSUE_INDEX

    @property
    def endorsements(self) -> Path:
        return self.root / ENDORSEMENTS_DIR

    @property
    def keys(self) -> Path:
        return self.root / KEYS_DIR

    def credential(self, slug: str) -> Path:
        return self.root / credential_file(slug)

    def status_state(self, purpose: str) -> Path:
        return self.root / status_state_file(purpose)

    def published_list(self, purpose: str) -> Path:
        return self.root / published_list_file(purpose)

    def credential_files(self) -> list[Path]:
        """Issued credential files, sorted (the receipt index is not one)."""
        if not self.credentials.is_dir():
            return []
        return sorted(p for p in self.credentials.glob("*.json") if p.name != ISSUE_INDEX_NAME)


# --------------------------------------------------------------------------- site URLs


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


@dataclass(frozen=True)
class SiteManifest:
    """``microcred-site.json``: what a built site publishes, so ``verify SITE`` needs nothing else.

    ``credentials``, ``did_documents`` and ``status_lists`` hold site-relative paths;
    ``owner`` is the issuer DID (``kind`` issuer) or the holder's name (``kind`` portfolio).
    """

    kind: str | None
    base_url: str | None
    credentials: tuple[str, ...]
    did_documents: Mapping[str, str] = field(default_factory=dict)
    status_lists: Mapping[str, str] = field(default_factory=dict)
    built_at: str | None = None
    owner: str | None = None

    def __post_init__(self) -> None:
        problem = _manifest_problem(self._fields())
        if problem:
            raise ManifestError(problem)

    def _fields(self) -> dict[str, Any]:
        owner_key = "holder" if self.kind == "portfolio" else "issuer"
        data: dict[str, Any] = {"microcred_site": SITE_VERSION}
        if self.kind is not None:
            data["kind"] = self.kind
        if self.base_url is not None:
            data["base_url"] = self.base_url
        if self.owner is not None:
            data[owner_key] = self.owner
        data["did_documents"] = dict(self.did_documents)
        data["status_lists"] = dict(self.status_lists)
        data[CREDENTIALS_DIR] = list(self.credentials)
        if self.built_at is not None:
            data["built_at"] = self.built_at
        return data

    def to_json(self) -> dict[str, Any]:
        """The manifest as written (key order fixed, so a rebuild changes no byte)."""
        return self._fields()

    def dumps(self) -> str:
        return json.dumps(self.to_json(), indent=2) + "\n"

    @classmethod
    def from_json(cls, data: Any) -> SiteManifest:
        """Validate parsed JSON; :class:`ManifestError` names the first problem."""
        problem = _manifest_problem(data)
        if problem:
            raise ManifestError(problem)
        kind = data.get("kind")
        owner = data.get("holder" if kind == "portfolio" else "issuer")
        base_url = data.get("base_url")
        return cls(
            kind=kind if isinstance(kind, str) else None,
            base_url=base_url if isinstance(base_url, str) else None,
            credentials=tuple(data[CREDENTIALS_DIR]),
            did_documents=dict(data.get("did_documents", {})),
            status_lists=dict(data.get("status_lists", {})),
            built_at=data.get("built_at"),
            owner=owner if isinstance(owner, str) else None,
        )


# --------------------------------------------------------------------------- package data

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
