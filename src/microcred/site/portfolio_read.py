"""Reading a portfolio project: its settings, the received credential files, pinned documents.

Layout (made by ``microcred init --portfolio``; folder names from :mod:`microcred.layout`):
the config file (``[portfolio]`` name, base_url, optional headline, url, profile,
show_invalid), ``profile.md`` (who the candidate is), the credentials folder (credential
.json files and baked .png / .svg badge images), ``dids/`` (optional: DID documents of
did:web issuers, pinned copies) and the status folder (optional: status list snapshots).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from microcred import bake
from microcred.errors import ConfigError, MicrocredError
from microcred.jsonld.strictjson import loads_strict
from microcred.layout import CONFIG_FILE, CREDENTIALS_DIR, ProgramPaths
from microcred.model import HTTP_URL_RE

MAX_FILE_BYTES = 5_000_000
_SETTINGS = ("name", "base_url", "headline", "url", "profile", "show_invalid")


@dataclass(frozen=True)
class PortfolioSettings:
    name: str
    base_url: str
    headline: str = ""
    url: str | None = None
    profile: str = "profile.md"
    show_invalid: bool = False  # list credentials that failed verification (default: left out)


def load_settings(root: Path) -> PortfolioSettings:
    path = root / CONFIG_FILE
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read the portfolio settings: {exc}", where=str(path)) from None
    table = data.get("portfolio")
    where = f"{path}: [portfolio]"
    if not isinstance(table, dict):
        raise ConfigError("missing the [portfolio] table", where=str(path))
    unknown = sorted(set(table) - set(_SETTINGS))
    if unknown:
        raise ConfigError(
            f"unknown setting(s) {', '.join(unknown)}",
            where=where,
            hint=f"allowed: {', '.join(_SETTINGS)}",
        )
    name, base = table.get("name"), table.get("base_url")
    if not isinstance(name, str) or not name.strip() or len(name) > 200:
        raise ConfigError("name must be non-empty text (at most 200 characters)", where=where)
    if not isinstance(base, str) or not HTTP_URL_RE.match(base) or not base.endswith("/"):
        raise ConfigError(
            "base_url must be an absolute http(s) URL ending with '/'",
            where=where,
            hint="e.g. https://<user>.github.io/<repo>/",
        )
    url = table.get("url")
    if url is not None and (not isinstance(url, str) or not HTTP_URL_RE.match(url)):
        raise ConfigError("url must be an absolute http(s) URL", where=where)
    headline = table.get("headline", "")
    profile = table.get("profile", "profile.md")
    if not isinstance(headline, str) or not isinstance(profile, str):
        raise ConfigError("headline and profile must be text", where=where)
    if Path(profile).is_absolute() or ".." in Path(profile).parts:
        raise ConfigError("profile must be a path inside the portfolio folder", where=where)
    if any(part.startswith(".") for part in Path(profile).parts) or "\\" in profile:
        # .microcred/keys holds secret keys; hidden folders are never published (issue 8).
        raise ConfigError(
            f"profile {profile!r} is inside a hidden folder (such as .microcred, where keys "
            "live); it would be published on the site",
            where=where,
            hint="keep profile.md in the portfolio folder itself",
        )
    try:
        resolved = (root / profile).resolve()
        inside = resolved.relative_to(root.resolve())
    except (OSError, ValueError):
        inside = None
    if inside is None or any(part.startswith(".") for part in inside.parts):
        raise ConfigError(
            f"profile {profile!r} leads (through a link) outside the portfolio folder or into "
            "a hidden folder; it would be published on the site",
            where=where,
            hint="keep profile.md in the portfolio folder itself",
        )
    show_invalid = table.get("show_invalid", False)
    if not isinstance(show_invalid, bool):
        raise ConfigError("show_invalid must be true or false", where=where)
    return PortfolioSettings(name, base, headline, url, profile, show_invalid)


@dataclass
class Received:
    """One credential file from the portfolio's credentials folder."""

    slug: str
    source: str  # path relative to the project
    kind: str  # json | png | svg
    raw: bytes
    credential: dict[str, Any] | None
    error: str | None = None


def _slug_for(stem: str, taken: set[str]) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-")[:50].strip("-") or "badge"
    slug, n = base, 2
    while slug in taken:
        slug = f"{base}-{n}"
        n += 1
    taken.add(slug)
    return slug


def _extract(path: Path, kind: str, raw: bytes) -> tuple[dict[str, Any] | None, str | None]:

    try:
        if kind == "json":
            text: str | bytes = raw
        elif kind == "png":
            text = bake.unbake_png(raw)
        else:
            text = bake.unbake_svg(raw)
        value = loads_strict(text)
    except MicrocredError as exc:
        return None, exc.message
    if not isinstance(value, dict):
        return None, "the file does not hold a JSON object"
    return value, None


def collect(root: Path) -> list[Received]:
    folder = ProgramPaths(root).credentials
    out: list[Received] = []
    taken: set[str] = set()
    if not folder.is_dir():
        return out
    for path in sorted(folder.iterdir()):
        kind = path.suffix.lower().lstrip(".")
        if path.name.startswith(".") or kind not in ("json", "png", "svg"):
            continue
        rel = f"{CREDENTIALS_DIR}/{path.name}"
        if path.is_symlink() or not path.is_file():
            raise ConfigError(f"{rel} is not a regular file", hint="copy the file in; no symlinks")
        raw = path.read_bytes()
        slug = _slug_for(path.stem, taken)
        if len(raw) > MAX_FILE_BYTES:
            out.append(Received(slug, rel, kind, b"", None, "the file is larger than 5 MB"))
            continue
        credential, error = _extract(path, kind, raw)
        out.append(Received(slug, rel, kind, raw, credential, error))
    return out


def pinned_documents(root: Path, folder: str) -> dict[str, tuple[str, dict[str, Any]]]:
    """id -> (file path, document) for the JSON files in dids/ or status/."""
    out: dict[str, tuple[str, dict[str, Any]]] = {}
    base = root / folder
    if not base.is_dir():
        return out
    for path in sorted(base.glob("*.json")):
        if path.is_symlink() or not path.is_file():
            continue
        try:
            value = loads_strict(path.read_bytes())
        except MicrocredError as exc:
            raise ConfigError(f"{folder}/{path.name} is not valid JSON: {exc.message}") from None
        ident = value.get("id") if isinstance(value, dict) else None
        if not isinstance(ident, str):
            raise ConfigError(
                f"{folder}/{path.name} has no 'id'",
                hint="DID documents and status lists name themselves with 'id'",
            )
        out[ident] = (f"{folder}/{path.name}", value)
    return out
