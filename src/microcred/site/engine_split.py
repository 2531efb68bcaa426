"""mkdocs on every core: its own build steps, with the pages shared among forked workers.

mkdocs renders one page after another on one core; at 1,000 credentials that was over a
third of a build (issue 12). Reading and rendering a page (``_populate_page``) and writing it
(``_build_page``) need nothing of the other pages when the configuration is microcred's own:
no plugins or hooks, no extra or overridden templates, a title for every page in the nav,
and anchor checks that only log below a warning. Then each worker takes a contiguous run of
pages and does both steps, while this process copies the theme's files and writes the theme
templates. The files written are the serial build's, byte for byte; warnings are passed on
in the serial build's order (tests/site/test_engine_split.py).

With one CPU, too few pages to pay for workers, or fork not safe, the same steps run in
this process (the theme's files, then every page through the same renderer and finisher).
Anything else - another configuration, a step or worker that fails - returns ``None`` and
the caller runs mkdocs' own ``build``, which raises what it raises. mkdocs is pinned to the
minor version whose steps this follows (pyproject.toml).
"""

from __future__ import annotations

import hashlib
import logging
import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from microcred._util import cpu_count, fork_is_safe
from microcred.site.carry import Carried, Logged, PageCarry, page_key, site_key
from microcred.site.compiled import use_compiled
from microcred.site.passthrough import Renderer
from microcred.site.theme_files import add_theme_files, drop_unloaded

PARALLEL_FROM = 32
"""Pages below which workers do not pay for themselves: the steps run in this process."""

FinishPage = Callable[[str, str], tuple[str, Any]]
"""(page HTML, its path in the site) -> (the HTML to write instead, what to report of it)."""
_SHARED: list[Any] = []  # (config, files, nav, env, pages, finish) for the forked workers


class _Keep(logging.Handler):
    """Keeps the warnings a step logs, to be passed on in the serial build's order."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: Logged = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append((record.name, record.levelno, record.getMessage()))


class _Capture:
    """Within the block, the ``mkdocs`` logger's warnings are kept instead of handled."""

    def __enter__(self) -> Logged:
        self._logger = logging.getLogger("mkdocs")
        self._handlers, self._propagate = list(self._logger.handlers), self._logger.propagate
        self._keep = _Keep()
        self._logger.handlers[:] = [self._keep]
        self._logger.propagate = False
        return self._keep.records

    def __exit__(self, *exc: object) -> None:
        self._logger.handlers[:] = self._handlers
        self._logger.propagate = self._propagate


def _pass_on(records: Logged) -> None:
    for name, level, message in records:
        logging.getLogger(name).handle(
            logging.makeLogRecord({"name": name, "levelno": level, "msg": message})
        )


def _pages_alone(config: Any, nav: Any) -> bool:
    """Whether each page can be rendered without the others having been read."""
    return (
        len(config.plugins) == 0
        and not config.strict
        and not config.extra_templates
        and config.theme.custom_dir is None
        and config.validation.links.anchors < logging.WARNING
        and all("title" in vars(page) for page in nav.pages)
    )


def _share(indices: Sequence[int]) -> tuple[list[Logged], list[Logged], dict[str, Any]]:
    """Read, render and write the pages at ``indices`` (in a worker); the warnings each
    logged reading and writing it, and what ``finish`` reported of each page."""
    from mkdocs.commands.build import _build_page, _populate_page

    config, files, nav, env, pages, finish = _SHARED
    mine = [pages[i] for i in indices]
    finished: dict[str, Any] = {}
    if finish is not None:  # this worker's copy only: the page as it will be written

        def post_page(output: str, *, page: Any, config: Any) -> str:
            # the text of the bytes mkdocs would write (it encodes with xmlcharrefreplace)
            text = output.encode("utf-8", "xmlcharrefreplace").decode("utf-8")
            text, finished[page.file.dest_uri] = finish(text, page.file.dest_uri)
            return str(text)

        config.plugins.on_post_page = post_page
    renderer = Renderer(config)  # this worker's pages only: mkdocs' own Page is unchanged
    read: list[Logged] = []
    written: list[Logged] = []
    with _Capture() as logged:
        for file in mine:
            renderer.attach(file.page)
            start = len(logged)
            _populate_page(file.page, config, files)
            read.append(logged[start:])
    with _Capture() as logged:
        for file in mine:
            start = len(logged)
            _build_page(file.page, config, pages, nav, env)
            written.append(logged[start:])
    return read, written, finished


def build_split(
    config: Any, finish: FinishPage | None = None, carry: PageCarry | None = None
) -> dict[str, Any] | None:
    """Build the site of a loaded ``config`` with the pages split among workers; ``None``
    (nothing to rely on in the output folder) when the split cannot reproduce mkdocs.

    ``finish``, when given, gets each page's HTML as mkdocs would write it, in the worker
    that made it, and returns the HTML to write instead and a report; the reports come back
    by page path (what a pass over the written pages would have done, without the pass).
    ``carry`` (with ``finish``): pages of the previous build with the same key are carried
    over instead of rendered (:mod:`microcred.site.carry`); every page's key, report and
    warnings are noted in its ledger."""
    from mkdocs import utils
    from mkdocs.structure.files import InclusionLevel, get_files, set_exclusions
    from mkdocs.structure.nav import get_navigation
    from mkdocs.structure.pages import Page

    config = config.plugins.on_config(config)
    config.plugins.on_pre_build(config=config)
    files = get_files(config)
    env = config.theme.get_env()
    use_compiled(env)  # the theme compiled once, not in every worker of every build
    add_theme_files(files, env, config)  # mkdocs' listing, kept between builds
    drop_unloaded(files, config)  # the theme's files no page loads (source maps...)
    files = config.plugins.on_files(files, config=config)
    set_exclusions(files, config)
    nav = get_navigation(files, config)
    nav = config.plugins.on_nav(nav, config=config, files=files)
    pages = files.documentation_pages(inclusion=InclusionLevel.is_included)
    if not _pages_alone(config, nav):
        return None
    for file in pages:
        if file.page is None and file.inclusion.is_not_in_nav():
            Page(None, file, config)
    utils.clean_directory(config.site_dir)
    if finish is None:
        carry = None
    keys = _keys(config, files, pages, carry) if carry is not None else []
    kept: dict[int, Carried] = {}
    if carry is not None:
        for index, file in enumerate(pages):
            target = Path(config.site_dir) / file.dest_uri
            page = carry.take(file.dest_uri, keys[index], target)
            if page is not None:
                kept[index] = page
    todo = [i for i in range(len(pages)) if i not in kept]
    workers = min(cpu_count(), 8)
    _SHARED[:] = [config, files, nav, env, pages, finish]
    try:
        if workers < 2 or len(todo) < PARALLEL_FROM or not fork_is_safe():
            # one core or a few pages: the same steps in this process, no worker to start
            theme = _theme_files(config, files, nav, env)  # first: the pages are not read yet
            done = [(todo, _share(todo))]
        else:
            size = -(-len(todo) // (workers * 8))
            chunks = [todo[i : i + size] for i in range(0, len(todo), size)]
            context = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(workers, mp_context=context) as pool:
                futures = [(chunk, pool.submit(_share, chunk)) for chunk in chunks]
                theme = _theme_files(config, files, nav, env)  # meanwhile
                done = [(chunk, future.result()) for chunk, future in futures]
    except Exception:  # a step or worker failed: mkdocs' own build decides
        return None
    finally:
        _SHARED.clear()
    read: dict[int, Logged] = {i: page.read for i, page in kept.items()}
    written: dict[int, Logged] = {i: page.written for i, page in kept.items()}
    finished: dict[str, Any] = {pages[i].dest_uri: page.done for i, page in kept.items()}
    for chunk, (chunk_read, chunk_written, chunk_finished) in done:
        read.update(zip(chunk, chunk_read, strict=True))
        written.update(zip(chunk, chunk_written, strict=True))
        finished.update(chunk_finished)
    order = range(len(pages))
    _pass_on([r for i in order for r in read[i]] + theme + [r for i in order for r in written[i]])
    if carry is not None:
        for index, file in enumerate(pages):
            report = finished.get(file.dest_uri)
            if report is not None:
                carry.note(file.dest_uri, Carried(keys[index], report, read[index], written[index]))
    return finished


def _keys(config: Any, files: Any, pages: Sequence[Any], carry: PageCarry) -> list[str]:
    """Each page's key (:func:`microcred.site.carry.page_key`), in order."""
    listing = sorted((f.src_uri, f.dest_uri, f.inclusion.name) for f in files)
    with open(config.config_file_path, "rb") as handle:
        site = site_key(carry.salt, handle.read(), listing)
    keys = []
    for file in pages:
        digest = carry.sources.get(os.path.abspath(file.abs_src_path))
        if digest is None:  # not made by the source stage: read
            with open(file.abs_src_path, "rb") as handle:
                digest = hashlib.file_digest(handle, "sha256").hexdigest()
        keys.append(page_key(site, file.src_uri, digest))
    return keys


def _theme_files(config: Any, files: Any, nav: Any, env: Any) -> Logged:
    """Copy the theme's own files and write its templates; the warnings they logged."""
    from mkdocs.commands.build import _build_theme_template
    from mkdocs.structure.files import InclusionLevel

    with _Capture() as logged:
        files.copy_static_files(inclusion=InclusionLevel.is_included)
        for template in config.theme.static_templates:
            _build_theme_template(template, env, files, config, nav)
    return logged
