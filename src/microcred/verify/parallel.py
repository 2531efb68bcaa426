"""Batch verification across processes (issue 12): the same reports, in the same order.

``verify_paths`` runs credentials one after another in this process; here the sources that
``discover`` streams are cut into chunks and verified by ``jobs`` worker processes. Results
come back in input order, at most ``2 * jobs`` chunks are in flight (a 100,000-credential
folder is never held in memory), and a run with fewer credentials than one chunk never starts
a worker, so a one-file verify pays nothing for this. Each worker keeps the options object it
was sent per run token, so a site's status lists are verified once per worker, not per chunk.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from itertools import chain, islice
from pathlib import Path
from typing import Any, TypeVar

from microcred._util import cpu_count, fork_is_safe
from microcred.verify.options import VerifyOptions
from microcred.verify.report import Finding, VerificationReport
from microcred.verify.sources import Source, check_source, discover, with_source_note

CHUNK = 16
"""Credentials per task: large enough to amortise the hand-over, small enough to balance."""

Progress = Callable[[int], None]
"""Called with the number of credentials just finished (a progress bar's ``advance``)."""

T = TypeVar("T")
Render = Callable[[VerificationReport], Any]
"""What a caller makes of each report (a JSON line, say), made where the report is: in the
workers, so only the result crosses to this process. A module-level function (it is sent to
the workers by name)."""

_Task = tuple[
    int, VerifyOptions, list[tuple[str, bytes | str | None, Finding | None]], Render | None
]

_worker_options: dict[int, VerifyOptions] = {}
_worker_now: list[datetime] = []


def default_jobs() -> int:
    """Every core this process may run on."""
    return cpu_count()


def _one(source: Source, now: datetime, options: VerifyOptions) -> VerificationReport:
    return with_source_note(check_source(source, now, options), source.note)


def _init(now: datetime) -> None:
    _worker_now[:] = [now]


def _run_chunk(task: _Task) -> list[Any]:
    token, options, items, render = task
    kept = _worker_options.setdefault(token, options)  # reuse its status-list verdict cache
    now = _worker_now[0]
    reports = [_one(Source(path, raw, error, None), now, kept) for path, raw, error in items]
    return reports if render is None else [render(report) for report in reports]


def _chunks(
    sources: Iterator[Source], base: VerifyOptions
) -> Iterator[tuple[int, VerifyOptions, list[Source]]]:
    """Consecutive sources sharing one options object, at most CHUNK at a time."""
    tokens: dict[int, tuple[int, VerifyOptions]] = {}
    current: list[Source] = []
    current_options: VerifyOptions | None = None
    for source in sources:
        options = source.options or base
        if current and (options is not current_options or len(current) == CHUNK):
            assert current_options is not None
            yield tokens[id(current_options)][0], current_options, current
            current = []
        if id(options) not in tokens:
            tokens[id(options)] = (len(tokens), options)  # keeps the object (and its id) alive
        current_options = options
        current.append(source)
    if current:
        assert current_options is not None
        yield tokens[id(current_options)][0], current_options, current


def verify_paths_parallel(
    paths: Iterable[Path],
    *,
    now: datetime,
    options: VerifyOptions | None = None,
    jobs: int | None = None,
    progress: Progress | None = None,
) -> Iterator[VerificationReport]:
    """``verify_paths`` on ``jobs`` processes (default: every core); same reports, same order."""
    return verify_paths_rendered(
        paths, now=now, options=options, jobs=jobs, progress=progress, render=None
    )


def verify_paths_rendered(
    paths: Iterable[Path],
    *,
    now: datetime,
    render: Render | None,
    options: VerifyOptions | None = None,
    jobs: int | None = None,
    progress: Progress | None = None,
) -> Iterator[Any]:
    """:func:`verify_paths_parallel`, each report passed through ``render`` where it was made
    (``render(report)`` in the same order; the reports themselves when ``render`` is None)."""
    opts = options or VerifyOptions()
    workers = default_jobs() if jobs is None else max(1, jobs)
    sources = discover(paths, opts)
    head = list(islice(sources, CHUNK + 1))

    def made(report: VerificationReport) -> Any:
        return report if render is None else render(report)

    if workers == 1 or len(head) <= CHUNK or not fork_is_safe():
        for source in chain(head, sources):
            yield made(_one(source, now, opts))
            if progress is not None:
                progress(1)
        return
    # The first credential is verified here, before the workers fork: they inherit the pinned
    # contexts already read, hash-checked and processed (about 40 ms each otherwise).
    yield made(_one(head[0], now, opts))
    if progress is not None:
        progress(1)
    stream = _chunks(chain(head[1:], sources), opts)
    import multiprocessing
    from concurrent.futures import Future, ProcessPoolExecutor

    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_init, initargs=(now,)
    ) as pool:
        pending: deque[Future[list[Any]]] = deque()

        def submit() -> bool:
            chunk = next(stream, None)
            if chunk is None:
                return False
            token, chunk_options, items = chunk
            task = (token, chunk_options, [(s.path, s.raw, s.read_error) for s in items], render)
            pending.append(pool.submit(_run_chunk, task))
            return True

        while len(pending) < 2 * workers and submit():
            pass
        while pending:
            reports = pending.popleft().result()
            submit()
            yield from reports
            if progress is not None:
                progress(len(reports))
