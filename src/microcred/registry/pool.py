"""Verification on every core, results in source order, memory flat in the number of sources.

The parent discovers sources and feeds a bounded window of chunks to a process pool; it alone
touches the database. The importer forks its workers before it opens its transaction (no
connection to copy); without such a pool, workers are spawned. A source marked as not needing
verification (its bytes are already in the registry) passes straight through. A handful of
sources is verified in-process.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime
from itertools import chain, islice
from multiprocessing import get_context

from microcred._util import cpu_count
from microcred.errors import MicrocredError
from microcred.registry.facts import Facts, read_facts, with_summary
from microcred.verify import Source, VerificationReport, VerifyOptions, check_source

PARALLEL_THRESHOLD = 24
CHUNK = 16
WINDOW_PER_WORKER = 3
Verified = tuple[Source, VerificationReport | None, Facts | None]
_base: VerifyOptions | None = None
_now: datetime | None = None


def verify_source(
    source: Source, now: datetime, options: VerifyOptions
) -> tuple[VerificationReport, Facts]:
    """One source through the verify engine, plus the facts the registry records."""
    report = check_source(source, now, options)
    facts = with_summary(read_facts(source.raw), getattr(report, "summary", None))
    return report, facts


def _watch_parent(parent: int) -> None:
    while True:
        time.sleep(0.5)
        if os.getppid() != parent:
            os._exit(1)  # the importer was killed: nothing of ours can be recorded any more


def _init(options: VerifyOptions, now: datetime, parent: int) -> None:
    global _base, _now
    _base, _now = options, now
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


def _chunk(sources: list[Source]) -> list[tuple[VerificationReport, Facts]]:
    assert _base is not None and _now is not None
    return [verify_source(source, _now, _base) for source in sources]


def _inline(
    items: Iterable[tuple[Source, bool]], now: datetime, options: VerifyOptions
) -> Iterator[Verified]:
    for source, needed in items:
        yield (source, *verify_source(source, now, options)) if needed else (source, None, None)


def start_pool(
    workers: int, options: VerifyOptions, now: datetime, before_fork: Callable[[], None]
) -> ProcessPoolExecutor:
    """Forked verification workers, started now: call this before opening a transaction.

    ``before_fork`` must leave no database connection open (``engine.dispose()``), so no
    worker ever holds a copy of one. A fork costs milliseconds where a spawned worker spends
    about a second importing microcred again.
    """
    before_fork()
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=get_context("fork"),
        initializer=_init,
        initargs=(options, now, os.getpid()),
    )
    pool.submit(_ready).result()  # with fork, the first task starts every worker
    return pool


def _ready() -> bool:
    return True


def wants_pool(head: list[Source], workers: int | None) -> int:
    """How many workers to start for a run whose first sources are ``head`` (0: none)."""
    count = workers if workers is not None else cpu_count()
    return count if count > 1 and len(head) >= PARALLEL_THRESHOLD else 0


def verified(
    items: Iterable[tuple[Source, bool]],
    *,
    now: datetime,
    options: VerifyOptions,
    workers: int | None = None,
    pool: ProcessPoolExecutor | None = None,
) -> Iterator[Verified]:
    """(source, report, facts) in order; (source, None, None) for items marked not needed.

    With ``pool`` (see :func:`start_pool`) the work goes to it; otherwise ``workers=1``
    verifies in this process and the default starts spawned workers once there is enough to
    verify (spawn, because a fork would copy any open database connection).
    """
    iterator = iter(items)
    if pool is None:
        head = list(islice(iterator, PARALLEL_THRESHOLD))
        count = workers if workers is not None else cpu_count()
        if count <= 1 or len(head) < PARALLEL_THRESHOLD:
            yield from _inline(chain(head, iterator), now, options)
            return
        iterator = chain(head, iterator)
        own = ProcessPoolExecutor(
            max_workers=count,
            mp_context=get_context("spawn"),
            initializer=_init,
            initargs=(options, now, os.getpid()),
        )
        try:
            yield from _parallel(own, iterator, count)
        finally:
            own.shutdown(wait=True, cancel_futures=True)
        return
    yield from _parallel(pool, iterator, workers or cpu_count())


def _parallel(
    pool: ProcessPoolExecutor, items: Iterator[tuple[Source, bool]], count: int
) -> Iterator[Verified]:
    window: deque[
        tuple[list[tuple[Source, bool]], Future[list[tuple[VerificationReport, Facts]]] | None]
    ]
    window = deque()

    def drain() -> Iterator[Verified]:
        batch, future = window.popleft()
        results = iter(future.result() if future is not None else ())
        for source, needed in batch:
            yield (source, *next(results)) if needed else (source, None, None)

    try:
        while batch := list(islice(items, CHUNK)):
            todo = [source for source, needed in batch if needed]
            window.append((batch, pool.submit(_chunk, todo) if todo else None))
            if len(window) >= count * WINDOW_PER_WORKER:
                yield from drain()
        while window:
            yield from drain()
    except BrokenProcessPool as exc:
        raise MicrocredError(
            f"a verification process stopped unexpectedly ({exc})",
            hint="run again: nothing was recorded (the import is one transaction)",
        ) from None
    finally:
        for _, future in window:
            if future is not None:
                future.cancel()
