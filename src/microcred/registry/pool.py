"""Verification on every core, results in source order, memory flat in the number of sources.

The parent discovers sources, feeds a bounded window of them to a spawn process pool and gets
back (report, facts) in the same order; it alone touches the database. A handful of sources is
verified in-process (a pool costs ~0.5 s per worker to start).
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime
from itertools import chain, islice
from multiprocessing import get_context

from microcred.errors import MicrocredError
from microcred.registry.facts import Facts, read_facts, with_summary
from microcred.verify import Source, VerificationReport, VerifyOptions, check_credential

PARALLEL_THRESHOLD = 24
WINDOW_PER_WORKER = 16
_base: VerifyOptions | None = None
_now: datetime | None = None


def cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def verify_source(
    source: Source, now: datetime, options: VerifyOptions
) -> tuple[VerificationReport, Facts]:
    """One source through the verify engine, plus the facts the registry records."""
    report = check_credential(
        source.raw if source.raw is not None else b"",
        now=now,
        options=source.options or options,
        path=source.path,
        read_error=source.read_error,
    )
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


def _job(source: Source) -> tuple[VerificationReport, Facts]:
    assert _base is not None and _now is not None
    return verify_source(source, _now, _base)


def verified(
    sources: Iterable[Source],
    *,
    now: datetime,
    options: VerifyOptions,
    workers: int | None = None,
) -> Iterator[tuple[Source, VerificationReport, Facts]]:
    """(source, report, facts) in source order; ``workers=1`` verifies in this process."""
    iterator = iter(sources)
    head = list(islice(iterator, PARALLEL_THRESHOLD))
    count = workers if workers is not None else cpu_count()
    if count <= 1 or len(head) < PARALLEL_THRESHOLD:
        for source in chain(head, iterator):
            yield (source, *verify_source(source, now, options))
        return
    pool = ProcessPoolExecutor(
        max_workers=count,
        mp_context=get_context("spawn"),
        initializer=_init,
        initargs=(options, now, os.getpid()),
    )
    window: deque[tuple[Source, Future[tuple[VerificationReport, Facts]]]] = deque()
    limit = count * WINDOW_PER_WORKER
    try:
        for source in chain(head, iterator):
            window.append((source, pool.submit(_job, source)))
            if len(window) >= limit:
                done, future = window.popleft()
                yield (done, *future.result())
        while window:
            done, future = window.popleft()
            yield (done, *future.result())
    except BrokenProcessPool as exc:
        raise MicrocredError(
            f"a verification process stopped unexpectedly ({exc})",
            hint="run again: nothing was recorded (the import is one transaction)",
        ) from None
    finally:
        for _, future in window:
            future.cancel()
        pool.shutdown(wait=True, cancel_futures=True)
