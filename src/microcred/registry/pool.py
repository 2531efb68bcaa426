"""Verification on every core, results in source order, memory flat in the number of sources.

The parent discovers sources and feeds a bounded window of chunks to a spawn process pool (a
fork would copy the open database connection into the workers); it alone touches the
database. A source marked as not needing verification (its bytes are already in the registry)
passes straight through. A handful of sources is verified in-process (a pool costs ~0.5 s per
worker to start).
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

from microcred._util import cpu_count
from microcred.errors import MicrocredError
from microcred.registry.facts import Facts, read_facts, with_summary
from microcred.verify import Source, VerificationReport, VerifyOptions, check_credential

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


def _chunk(sources: list[Source]) -> list[tuple[VerificationReport, Facts]]:
    assert _base is not None and _now is not None
    return [verify_source(source, _now, _base) for source in sources]


def _inline(
    items: Iterable[tuple[Source, bool]], now: datetime, options: VerifyOptions
) -> Iterator[Verified]:
    for source, needed in items:
        yield (source, *verify_source(source, now, options)) if needed else (source, None, None)


def verified(
    items: Iterable[tuple[Source, bool]],
    *,
    now: datetime,
    options: VerifyOptions,
    workers: int | None = None,
) -> Iterator[Verified]:
    """(source, report, facts) in order; (source, None, None) for items marked not needed.

    ``workers=1`` verifies in this process; by default every core is used once there is
    enough to verify.
    """
    iterator = iter(items)
    head = list(islice(iterator, PARALLEL_THRESHOLD))
    count = workers if workers is not None else cpu_count()
    if count <= 1 or len(head) < PARALLEL_THRESHOLD:
        yield from _inline(chain(head, iterator), now, options)
        return
    pool = ProcessPoolExecutor(
        max_workers=count,
        mp_context=get_context("spawn"),
        initializer=_init,
        initargs=(options, now, os.getpid()),
    )
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
        stream = chain(head, iterator)
        while True:
            batch = list(islice(stream, CHUNK))
            if not batch:
                break
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
        pool.shutdown(wait=True, cancel_futures=True)
