"""The build's work around the engine, on every core (issue 12).

mkdocs renders on one core. While it runs, a forked child scans the generated source for
secret keys and copies its machine files (``static/``) to a staging folder; once the engine
is done they are moved into the built site. The pages are then hardened
(:func:`microcred.site.engine.harden_page`) and scanned by forked workers, each page's final
bytes scanned as they are written.

The outcome is the serial build's: the same files, the same :class:`PageStats`, and the
same error for the same bad input. Whenever a child or a worker cannot run or fails, the
work is done again here, where the serial code raises what it raises. Fork is used only
while no other thread runs (:func:`microcred._util.fork_is_safe`).
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import shutil
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from microcred._util import cpu_count, fork_is_safe
from microcred.errors import MicrocredError
from microcred.site.beside import Beside
from microcred.site.common import copy_static
from microcred.site.engine import MAX_PAGE_BYTES, PageStats, harden_page
from microcred.site.safety import find_secret_keys, holds_secret
from microcred.treewalk import tree_entries

PARALLEL_FROM = 64
"""Pages below which one process hardens them (forking costs ~50 ms)."""


@dataclass
class SourceScan:
    """What the scan of the source found: files holding a secret (relative paths), contents
    newly found clean, and every clean content met (for the scan of the built site)."""

    found: list[str] = field(default_factory=list)
    clean: set[str] = field(default_factory=set)
    seen: set[str] = field(default_factory=set)
    digests: dict[str, str] = field(default_factory=dict)  # path -> SHA-256, every file read


def _scan_and_stage(
    source: Path,
    staged: Path,
    needles: Sequence[bytes],
    known: set[str],
    vouched: Mapping[str, tuple[int, str]] | None = None,
) -> SourceScan:
    clean, seen, digests = set(known), set[str](), dict[str, str]()
    found = find_secret_keys(source, needles, clean, seen, digests, vouched)
    if not found:
        shutil.rmtree(staged, ignore_errors=True)  # what a failed child staged: redone here
        copy_static(source, staged, link=True)
    rels = [p.relative_to(source).as_posix() for p in found]
    return SourceScan(rels, clean - known, seen, digests)


class BesideEngine:
    """The source scan and the staging copy, in a forked child while the engine runs (or
    here, at once, when fork is not safe or there is one CPU). ``vouched``: (size, SHA-256)
    by path of the source files as the renderer wrote or placed them (its tree's digests):
    one whose content was found clean before is not read again."""

    def __init__(
        self,
        source: Path,
        staged: Path,
        needles: Sequence[bytes],
        known: set[str],
        vouched: Mapping[str, tuple[int, str]] | None = None,
    ) -> None:
        self._args = (source, staged, needles, known, vouched)
        self._done: SourceScan | None = None
        self._child = Beside(_scan_and_stage, *self._args)
        if not self._child.started:
            self._done = _scan_and_stage(*self._args)

    def result(self) -> SourceScan:
        """The scan's outcome, the staged copy complete; waits for the child (a child that
        failed is redone here, where the serial code raises its own error)."""
        if self._done is None:
            ok, outcome = self._child.result()
            self._done = outcome if ok else _scan_and_stage(*self._args)
        return self._done


def place_staged(staged: Path, built: Path) -> list[str]:
    """Move the staged machine files into the built site (as :func:`copy_static` copies them:
    files replace what the engine wrote at the same path); the paths of the files placed."""
    placed: list[str] = []
    if not staged.is_dir():
        return placed
    made: set[str] = set()  # folders known to exist in the built site
    for rel, entry in tree_entries(staged):
        target = os.path.join(built, rel)
        if entry.is_dir(follow_symlinks=False):
            if rel not in made:
                os.makedirs(target, exist_ok=True)
                made.add(rel)
        else:
            parent = rel.rpartition("/")[0]
            if parent not in made:
                os.makedirs(os.path.join(built, parent), exist_ok=True)
                made.add(parent)
            os.replace(entry.path, target)
            placed.append(rel)
    return placed


# --------------------------------------------------------------------------- hardening

_SHARED: list[Any] = []  # (site, needles) for the forked workers; set only around the pool

Done = tuple[int, bool, str]  # (bytes, holds a secret, sha256 of what was written)


def _finished(html: str, rel: str, needles: Sequence[bytes]) -> tuple[str, bytes, Done]:
    text = harden_page(html, rel)
    data = text.encode("utf-8")
    return text, data, (len(data), holds_secret(data, needles), hashlib.sha256(data).hexdigest())


def _harden(site: Path, rel: str, needles: Sequence[bytes]) -> Done:
    path = site / rel
    _, data, done = _finished(path.read_text(encoding="utf-8"), rel, needles)
    path.unlink()  # a new file: a staged machine file is a hard link to the source's
    path.write_bytes(data)
    return done


class PageFinisher:
    """Hardens and scans a page as the engine writes it (in the engine's own workers, see
    :func:`microcred.site.engine.run_engine`): what :func:`harden_pages` does to a written
    page, without reading and writing it again. Refused pages raise, as there."""

    def __init__(self, needles: Sequence[bytes]) -> None:
        self.needles = needles

    def __call__(self, html: str, rel: str) -> tuple[str, Done]:
        text, _, done = _finished(html, rel, self.needles)
        return text, done


def _harden_chunk(rels: Sequence[str]) -> tuple[list[Done], int | None]:
    """Pages of one worker, in order, up to the first that fails (its index)."""
    site, needles = _SHARED
    done: list[Done] = []
    for index, rel in enumerate(rels):
        try:
            done.append(_harden(site, rel, needles))
        except MicrocredError:
            return done, index
    return done, None


def harden_pages(
    site: Path, needles: Sequence[bytes] = (), finished: Mapping[str, Done] | None = None
) -> tuple[PageStats, list[str], set[str]]:
    """Harden every page of the built site; (stats, pages holding a secret, digests of the
    pages found clean). A refused page raises the error the serial build raises first.

    ``finished``: pages already hardened and scanned as they were written (by
    :class:`PageFinisher`), with their reports; only the others are read here."""
    rels = [rel for rel, entry in tree_entries(site) if entry.name.endswith(".html")]
    done = finished or {}
    todo = [rel for rel in rels if rel not in done]
    workers = min(cpu_count(), 8)
    results: list[Done] | None = None
    if len(todo) >= PARALLEL_FROM and workers >= 2 and fork_is_safe():
        results = _in_workers(site, todo, needles, workers)
    if results is None:
        results = [_harden(site, rel, needles) for rel in todo]
    by_page = dict(zip(todo, results, strict=True))
    stats, found, clean = PageStats(), [], set()
    for rel in rels:
        size, secret, digest = done[rel] if rel in done else by_page[rel]
        stats.pages += 1
        if size > stats.largest[1]:
            stats.largest = (rel, size)
        if size > MAX_PAGE_BYTES:
            stats.oversized.append((rel, size))
        if secret:
            found.append(rel)
        else:
            clean.add(digest)
    return stats, found, clean


def _in_workers(
    site: Path, rels: list[str], needles: Sequence[bytes], workers: int
) -> list[Done] | None:
    size = -(-len(rels) // (workers * 2))
    chunks = [rels[i : i + size] for i in range(0, len(rels), size)]
    _SHARED[:] = [site, needles]
    try:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            outcomes = [f.result() for f in [pool.submit(_harden_chunk, c) for c in chunks]]
    except Exception:  # a worker could not start or died: hardening is idempotent, redo here
        return None
    finally:
        _SHARED.clear()
    results: list[Done] = []
    for chunk, (done, failed) in zip(chunks, outcomes, strict=True):
        if failed is not None:  # the first refused page in site order: raise its error here
            harden_page((site / chunk[failed]).read_text(encoding="utf-8"), chunk[failed])
        results.extend(done)
    return results
