"""Run the site engine on a generated source, then harden what it wrote.

mkdocs-material is imported here and in :mod:`microcred.site.engine_split` (which runs mkdocs'
own steps on every core), nowhere else. Zensical (which reads mkdocs.yml) is run
as a program when asked for. Whatever the engine, :func:`harden_page` then works on each plain
HTML page (:mod:`microcred.site.finish` runs it over the built site):

* it adds a Content-Security-Policy meta tag to every page: ``script-src 'self'`` plus the
  SHA-256 hashes of the theme's own inline scripts - and it refuses the build if an inline
  script sits inside microcred's content region, where only user-derived content lives;
* it points relative links at ``index.html`` so the site also works from ``file://``.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from microcred.errors import ConfigError, MicrocredError

if TYPE_CHECKING:
    from microcred.site.carry import PageCarry
    from microcred.site.engine_split import FinishPage

CONTENT_START = "<!-- mc:content:start -->"
CONTENT_END = "<!-- mc:content:end -->"
MAX_PAGE_BYTES = 80 * 1024
_SCRIPT_RE = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.IGNORECASE | re.DOTALL)
_TYPE_RE = re.compile(r"""\btype\s*=\s*["']?([^"'\s>]+)""", re.IGNORECASE)
_DATA_TYPES = frozenset({"application/json", "application/ld+json"})
# ``\bhref="`` spelled with the literal first (a lookbehind for the word boundary) so the
# regex engine scans for the literal: eight times faster on a built page, the same matches.
_HREF_RE = re.compile(r'(href=")(?<=(?<!\w)href=")([^"]*)(")')
_CHARSET_RE = re.compile(r"<meta\s+charset=[\"']?utf-8[\"']?\s*/?>", re.IGNORECASE)
_HEAD_RE = re.compile(r"<head\b[^>]*>", re.IGNORECASE)
_CSP_PRESENT_RE = re.compile(r"http-equiv=[\"']?Content-Security-Policy", re.IGNORECASE)


class EngineError(MicrocredError):
    code = "SITE_ENGINE_ERROR"


def run_engine(
    source: Path,
    out: Path,
    engine: str,
    finish: FinishPage | None = None,
    finished: dict[str, Any] | None = None,
    carry: PageCarry | None = None,
) -> list[str]:
    """Build ``source/mkdocs.yml`` into the folder ``out``; returns the engine's warnings.

    With ``finish`` (see :data:`microcred.site.engine_split.FinishPage`), pages the engine
    wrote through it have its report in ``finished``, by path; pages not listed there were
    written as the engine made them. ``carry``: pages of the previous build that mkdocs
    would write the same are taken from it (:mod:`microcred.site.carry`)."""
    if engine == "mkdocs":
        return _run_mkdocs(source, out, finish, finished, carry)
    if engine == "zensical":
        _run_zensical(source, out)
        return []
    raise ConfigError(f"unknown site engine {engine!r}", hint="use mkdocs or zensical")


_ENGINE_MODULES = (
    "markdown.extensions.fenced_code",
    "markdown.extensions.tables",
    "markdown.extensions.toc",
    "mkdocs.commands.build",
    "mkdocs.config.defaults",
    "mkdocs.structure.nav",
    "mkdocs.structure.pages",
    "microcred.site.engine_split",
)
"""What an mkdocs build imports first (the Markdown extensions are the ones mkdocs always
loads)."""


def warm_engine(engine: str) -> None:
    """Import what the engine will need and read which themes are installed, ahead: a build
    calls this while it waits for the child drawing its pictures, so the engine's start-up
    (mkdocs, its configuration's defaults, its Markdown extensions, the themes' entry points)
    is not paid later, after the source. Changes nothing else: the same modules are imported
    and the same cached listing made as by the engine's own run."""
    if engine != "mkdocs":
        return
    import importlib

    for name in _ENGINE_MODULES:
        importlib.import_module(name)
    from mkdocs.utils import get_themes

    get_themes()  # mkdocs caches the entry points it scans (every installed distribution)


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _run_mkdocs(
    source: Path,
    out: Path,
    finish: FinishPage | None,
    finished: dict[str, Any] | None,
    carry: PageCarry | None = None,
) -> list[str]:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    from microcred.site.engine_split import build_split
    from microcred.site.theme_files import remove_unloaded

    logger = logging.getLogger("mkdocs")
    collect = _Collect()
    logger.addHandler(collect)
    previous = logger.propagate
    logger.propagate = False  # the CLI reports; the library does not print
    try:
        config = load_config(config_file=str(source / "mkdocs.yml"), site_dir=str(out))
        split = build_split(config, finish, carry)
        if split is None:
            config = load_config(config_file=str(source / "mkdocs.yml"), site_dir=str(out))
            build(config)
            remove_unloaded(config)  # as the split build leaves them out
        elif finished is not None:
            finished.update(split)
    except MkDocsException as exc:
        raise EngineError(
            f"mkdocs could not build the site: {exc}", hint="; ".join(collect.messages) or None
        ) from exc
    finally:
        logger.removeHandler(collect)
        logger.propagate = previous
    return [f"mkdocs: {message}" for message in collect.messages]


def _run_zensical(source: Path, out: Path) -> None:
    program = shutil.which("zensical")
    if program is None:
        raise ConfigError(
            "the Zensical engine is not installed",
            hint="pip install zensical, or build with --engine mkdocs (the default)",
        )
    done = subprocess.run(
        [program, "build", "--config-file", "mkdocs.yml", "--clean"],
        cwd=source,
        capture_output=True,
        text=True,
        timeout=3600,
        check=False,
    )
    built = source / "site"
    if done.returncode != 0 or not built.is_dir():
        tail = (done.stderr or done.stdout).strip().splitlines()[-5:]
        raise EngineError("zensical could not build the site", hint=" / ".join(tail) or None)
    shutil.move(str(built), str(out))


# --------------------------------------------------------------------------- post-processing


@dataclass
class PageStats:
    pages: int = 0
    largest: tuple[str, int] = ("", 0)
    oversized: list[tuple[str, int]] = field(default_factory=list)


def csp(script_hashes: list[str]) -> str:
    scripts = " ".join(["'self'", *(f"'sha256-{h}'" for h in sorted(set(script_hashes)))])
    return (
        "default-src 'none'; "
        f"script-src {scripts}; "
        "style-src 'self'; "
        "img-src 'self' https: data:; "
        "font-src 'self'; "
        "connect-src 'self'; "
        "manifest-src 'self'; "
        "base-uri 'none'; form-action 'none'; object-src 'none'"
    )


def _file_link(match: re.Match[str]) -> str:
    value = match.group(2)
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", value) or value.startswith(("/", "#")) or not value:
        return match.group(0)
    path, sep, fragment = value.partition("#")
    if path.endswith("/"):
        path += "index.html"
    elif path.rsplit("/", 1)[-1] in (".", ".."):
        path += "/index.html"
    path = path.removeprefix("./")
    return f"{match.group(1)}{path}{sep}{fragment}{match.group(3)}"


# The theme's hidden state checkboxes; where its CSS does not load (a 404 page served from
# another path) they show up as unlabeled controls, so each gets an accessible name.
_TOGGLE_RE = re.compile(
    r'(<input class="md-(?:nav__)?toggle[^"]*"[^>]*?\bid="(__[a-z]+)")(?![^>]*aria-label)'
)
_PRE_RE = re.compile(r"<pre((?:\s+(?!tabindex)[a-z-]+=\"[^\"]*\")*)\s*(?=>)")
_TOGGLE_NAMES = {"__drawer": "Navigation", "__search": "Search", "__toc": "Table of contents"}


def _label_toggle(match: re.Match[str]) -> str:
    name = _TOGGLE_NAMES.get(match.group(2), "Toggle")
    return f'{match.group(1)} aria-label="{name}"'


def harden_page(html: str, where: str) -> str:
    """CSP meta tag + file://-friendly links; refuses inline script in the content region."""
    start, end = html.find(CONTENT_START), html.find(CONTENT_END)
    hashes = []
    for match in _SCRIPT_RE.finditer(html):
        attrs, body = match.group(1), match.group(2)
        type_match = _TYPE_RE.search(attrs)
        kind = type_match.group(1).lower() if type_match else ""
        if re.search(r"\bsrc\s*=", attrs, re.IGNORECASE):
            if re.search(r"""\bsrc\s*=\s*["']?(?:[a-z][a-z0-9+.-]*:|//)""", attrs, re.IGNORECASE):
                raise EngineError(f"{where}: refusing a script loaded from another origin")
            continue
        if kind in _DATA_TYPES:
            continue
        if start != -1 and end != -1 and start < match.start() < end:
            raise EngineError(
                f"{where}: an executable inline script appeared inside page content",
                hint="this would be script injection; the build stops rather than publish it",
            )
        hashes.append(base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode())
    # Only the page's head can hold the policy: a CSP named in the body (user text, say)
    # must not stop the build from adding the real one.
    head_end = html.find("</head>")
    if not _CSP_PRESENT_RE.search(html, 0, head_end if head_end != -1 else len(html)):
        meta = f'<meta http-equiv="Content-Security-Policy" content="{csp(hashes)}">'
        anchor = _CHARSET_RE.search(html) or _HEAD_RE.search(html)
        if anchor is None:
            raise EngineError(f"{where}: the engine wrote a page without <head>")
        html = html[: anchor.end()] + "\n" + meta + html[anchor.end() :]
    html = _TOGGLE_RE.sub(_label_toggle, html)
    html = _PRE_RE.sub(r"<pre\1 tabindex=\"0\"", html)  # scrollable code: keyboard-reachable
    return _HREF_RE.sub(_file_link, html)
