"""What every site source shares: report types, the manifest name, dates, JSON, static files."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from microcred._util import format_timestamp
from microcred.errors import ConfigError
from microcred.fsutil import link_or_copy
from microcred.jsonld.stringify import python_json
from microcred.layout import SITE_MANIFEST as SITE_MANIFEST
from microcred.layout import template_dir
from microcred.model import Program
from microcred.site.outcome import BuildCheck as BuildCheck
from microcred.site.safety import (
    clean_text,
)
from microcred.site.templates import render
from microcred.site.tree import Tree
from microcred.treewalk import tree_entries

ASSETS = ("microcred.css", "verify.js", "verify-page.js")


class PublicationLike(Protocol):
    """What :func:`microcred.publish.prepare_publication` returns (only what the site reads)."""

    @property
    def program(self) -> Program: ...
    @property
    def credentials(self) -> Mapping[str, Mapping[str, Any]]: ...
    @property
    def status_lists(self) -> Mapping[str, Mapping[str, Any]]: ...
    @property
    def did_documents(self) -> Mapping[str, Mapping[str, Any]]: ...
    @property
    def statuses(self) -> Mapping[str, str]: ...


@dataclass
class SourceReport:
    root: Path
    kind: str
    pages: list[str] = field(default_factory=list)  # page URL paths ('' = home)
    manifest: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    # path -> (size, SHA-256) of every file the renderer wrote or placed (Tree.digests)
    files: dict[str, tuple[int, str]] = field(default_factory=dict)


def stamp(value: dt.datetime) -> str:
    return format_timestamp(value)


def write_root_files(tree: Tree, title: str, data: Mapping[str, Any], now: dt.datetime) -> None:
    """Files every site has at its root: the standalone verifier page and ``.nojekyll``."""
    tree.write(
        "static/verify.html",
        render(
            "verify.html.j2", title=title, data=data, built_at=stamp(now), home_href="index.html"
        ),
    )
    tree.write("static/.nojekyll", "")


def dump_json(document: Mapping[str, Any]) -> str:
    """Same serialisation as ``microcred issue`` writes."""
    return python_json(document) + "\n"


def human_date(value: object) -> str:
    """'2026-05-01' from a dateTimeStamp string (display only; never parsed for decisions)."""
    text = clean_text(value)
    return text[:10] if re.match(r"^\d{4}-\d\d-\d\d", text) else text


def _copy_assets(tree: Tree) -> None:
    folder = template_dir() / "assets"
    for name in ASSETS:
        tree.write(f"docs/assets/{name}", (folder / name).read_bytes())


def copy_static(source: Path, out: Path, *, link: bool = False) -> None:
    """Copy ``source/static`` into the built site (regular files only, never symlinks).

    ``link``: a hard link where the file system allows one (the build's staging: the source
    is deleted or kept as it is, and nothing writes into either file afterwards; a page
    hardened later is written as a new file)."""
    static = source / "static"
    if not static.is_dir():
        return
    for rel, entry in tree_entries(static):
        target = out / rel
        if entry.is_symlink():
            raise ConfigError(f"refusing to publish the symlink {Path(rel)}")
        if entry.is_dir():
            target.mkdir(parents=True, exist_ok=True)
        elif entry.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            if link:  # no hard links here (or across devices): copy the rest
                link = link_or_copy(entry.path, target)
            else:
                shutil.copyfile(entry.path, target)
