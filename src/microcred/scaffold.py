"""``microcred init``: a new issuer program or candidate portfolio, never over user files.

Files come from ``site_template/scaffold/`` rendered with a text (not HTML) Jinja2
environment; every user-given value enters them as a JSON/TOML string literal, so a name
with quotes or newlines cannot change the structure of ``microcred.toml``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from pathlib import Path
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from microcred.distribution import install_source
from microcred.errors import ConfigError
from microcred.layout import (
    BRIEFS_DIR,
    CONFIG_FILE,
    CREDENTIALS_DIR,
    PROFILE_FILE,
    record_file,
    template_dir,
)
from microcred.model import HTTP_URL_RE

_DNS_LABEL_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
_PATH_SEGMENT_RE = re.compile(r"^[A-Za-z0-9._~-]+$")
_HIDDEN = frozenset({"Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"})


def _visible(char: str) -> str:
    if unicodedata.category(char) not in _HIDDEN:
        return char
    return f"\\u{ord(char):04x}" if ord(char) <= 0xFFFF else f"\\U{ord(char):08x}"


def _q(value: object) -> Markup:
    # A JSON string is a valid TOML basic string (same escapes for what json.dumps emits).
    # Non-ASCII text is written as it is (people read and edit this file); control,
    # invisible and bidi characters stay escaped, so the file shows what it holds (and DEL,
    # which JSON leaves raw, is not allowed raw in TOML).
    text = "".join(_visible(c) for c in json.dumps(str(value), ensure_ascii=False))
    return Markup(text)  # noqa: S704 - TOML, not HTML


def _env() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(template_dir() / "scaffold")),
        autoescape=False,  # noqa: S701 - TOML/Markdown/YAML output; values go through |q
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=StrictUndefined,
    )
    env.filters["q"] = _q
    return env


def did_web_for(url: str) -> tuple[str, str] | None:
    """(did:web, DID document URL) served by a site at ``url``, or None if it cannot be."""
    parts = urlsplit(url)
    if parts.scheme != "https" or parts.port or not parts.hostname:
        return None
    host = parts.hostname
    if (
        not all(_DNS_LABEL_RE.match(label) for label in host.split("."))
        or host.replace(".", "").isdigit()
    ):
        return None
    segments = [s for s in parts.path.split("/") if s]
    if not all(_PATH_SEGMENT_RE.match(s) for s in segments):
        return None
    did = ":".join(["did:web", host, *segments])
    doc = (
        f"https://{host}/{'/'.join(segments)}/did.json"
        if segments
        else (f"https://{host}/.well-known/did.json")
    )
    return did, doc


def _check_target(target: Path) -> None:
    if target.exists() and not target.is_dir():
        raise ConfigError(f"{target} exists and is not a folder")
    if target.is_dir() and any(target.iterdir()):
        raise ConfigError(
            f"{target} is not empty",
            hint="microcred init never writes over existing files; choose a new folder",
        )


def _write_new(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as fh:  # 'x': fail rather than overwrite
        fh.write(text)


def scaffold(
    target: Path,
    *,
    portfolio: bool = False,
    name: str | None = None,
    url: str | None = None,
    today: dt.date | None = None,
) -> list[Path]:
    """Create a project in the empty (or new) folder ``target``; returns the files written."""
    _check_target(target)
    title = (
        name
        or target.resolve().name.replace("-", " ").replace("_", " ").strip().title()
        or "My program"
    )
    if len(title) > 200 or not title.strip() or any(ord(c) < 0x20 for c in title):
        raise ConfigError("--name must be one line of at most 200 characters")
    if any(0xD800 <= ord(c) <= 0xDFFF for c in title):
        raise ConfigError(
            "--name is not valid text (it holds bytes that are not UTF-8)",
            hint="check the terminal's encoding, or write the name in microcred.toml later",
        )
    slug = re.sub(r"[^a-z0-9]+", "-", target.resolve().name.lower()).strip("-") or "program"
    base = url or f"https://example.org/{slug}/"
    if not HTTP_URL_RE.match(base):
        raise ConfigError(
            f"--url {base!r} is not an absolute http(s) URL",
            hint="e.g. https://<owner>.github.io/<repository>/",
        )
    if not base.endswith("/"):
        base += "/"
    env = _env()
    files: dict[str, str] = {}
    context: dict[str, str | bool | None]
    source = install_source()
    install: dict[str, str | bool | None] = {
        "install": source.requirement,
        "install_portable": source.portable,
    }
    if portfolio:
        context = {"name": title, "url": base, "placeholder": url is None, **install}
        files = {
            CONFIG_FILE: "portfolio/microcred.toml.j2",
            PROFILE_FILE: "portfolio/profile.md.j2",
            f"{CREDENTIALS_DIR}/README.md": "portfolio/credentials-README.md.j2",
            ".gitignore": "portfolio/gitignore.j2",
            ".github/workflows/pages.yml": "portfolio/pages.yml.j2",
        }
    else:
        day = today or dt.datetime.now(dt.UTC).date()
        # Without --url there is no real host yet: a did:web on a placeholder host could
        # never resolve, so the program starts with a did:key (docs/site.md, `microcred reset`).
        web = did_web_for(base) if url else None
        context = {
            "name": title,
            "url": base,
            "did": web[0] if web else None,
            "did_doc_url": web[1] if web else None,
            "start": (day - dt.timedelta(days=14)).isoformat(),
            "end": (day - dt.timedelta(days=7)).isoformat(),
            "placeholder": url is None,
            **install,
        }
        files = {
            CONFIG_FILE: "issuer/microcred.toml.j2",
            f"{BRIEFS_DIR}/example-research-brief.md": "issuer/example-brief.md.j2",
            record_file("example-record"): "issuer/example-record.md.j2",
            ".gitignore": "issuer/gitignore.j2",
            ".github/workflows/pages.yml": "issuer/pages.yml.j2",
            "README.md": "issuer/README.md.j2",
        }
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for rel, template in files.items():
        path = target / rel
        _write_new(path, env.get_template(template).render(**context))
        written.append(path)
    return written
