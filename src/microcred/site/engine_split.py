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

import logging
import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from microcred._util import cpu_count, fork_is_safe
from microcred.site.compiled import use_compiled
from microcred.site.passthrough import Renderer
from microcred.site.theme_files import add_theme_files

PARALLEL_FROM = 32
"""Pages below which workers do not pay for themselves: the steps run in this process."""

Logged = list[tuple[str, int, str]]  # (logger name, level, message), in order
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


def _share(first: int, last: int) -> tuple[Logged, Logged, dict[str, Any]]:
    """Read, render and write pages ``first:last`` (in a worker); the warnings of each step
    and what ``finish`` reported of each page."""
    from mkdocs.commands.build import _build_page, _populate_page

    config, files, nav, env, pages, finish = _SHARED
    mine = pages[first:last]
    finished: dict[str, Any] = {}
    if finish is not None:  # this worker's copy only: the page as it will be written

        def post_page(output: str, *, page: Any, config: Any) -> str:
            # the text of the bytes mkdocs would write (it encodes with xmlcharrefreplace)
            text = output.encode("utf-8", "xmlcharrefreplace").decode("utf-8")
            text, finished[page.file.dest_uri] = finish(text, page.file.dest_uri)
            return str(text)

        config.plugins.on_post_page = post_page
    renderer = Renderer(config)  # this worker's pages only: mkdocs' own Page is unchanged
    with _Capture() as read:
        for file in mine:
            renderer.attach(file.page)
            _populate_page(file.page, config, files)
    with _Capture() as written:
        for file in mine:
            _build_page(file.page, config, pages, nav, env)
    return read, written, finished


def build_split(config: Any, finish: FinishPage | None = None) -> dict[str, Any] | None:
    """Build the site of a loaded ``config`` with the pages split among workers; ``None``
    (nothing to rely on in the output folder) when the split cannot reproduce mkdocs.

    ``finish``, when given, gets each page's HTML as mkdocs would write it, in the worker
    that made it, and returns the HTML to write instead and a report; the reports come back
    by page path (what a pass over the written pages would have done, without the pass)."""
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
    workers = min(cpu_count(), 8)
    if workers < 2 or len(pages) < PARALLEL_FROM or not fork_is_safe():
        # one core or a few pages: the same steps in this process, no worker to start
        _SHARED[:] = [config, files, nav, env, pages, finish]
        try:
            mine = _theme_files(config, files, nav, env)  # first: the pages are not read yet
            done = [_share(0, len(pages))]
        except Exception:  # as a failed worker: mkdocs' own build decides
            return None
        finally:
            _SHARED.clear()
        _pass_on(_in_order(done, mine))
        return dict(done[0][2])
    size = -(-len(pages) // (workers * 8))
    bounds = [(i, min(i + size, len(pages))) for i in range(0, len(pages), size)]
    _SHARED[:] = [config, files, nav, env, pages, finish]
    try:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            futures = [pool.submit(_share, first, last) for first, last in bounds]
            mine = _theme_files(config, files, nav, env)  # meanwhile
            done = [future.result() for future in futures]
    except Exception:  # a worker failed or could not start: mkdocs' own build decides
        return None
    finally:
        _SHARED.clear()
    _pass_on(_in_order(done, mine))
    return {rel: report for _, _, finished in done for rel, report in finished.items()}


def _theme_files(config: Any, files: Any, nav: Any, env: Any) -> Logged:
    """Copy the theme's own files and write its templates; the warnings they logged."""
    from mkdocs.commands.build import _build_theme_template
    from mkdocs.structure.files import InclusionLevel

    with _Capture() as logged:
        files.copy_static_files(inclusion=InclusionLevel.is_included)
        for template in config.theme.static_templates:
            _build_theme_template(template, env, files, config, nav)
    return logged


def _in_order(done: Sequence[tuple[Logged, Logged, Any]], theme: Logged) -> Logged:
    """The warnings as the serial build logs them: every page read, the theme, every page
    written."""
    return [r for read, _, _ in done for r in read] + theme + [r for _, w, _ in done for r in w]
