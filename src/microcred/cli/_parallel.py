"""Ordered, chunked work on every core for the batch commands (issue 12).

``ordered_map`` hands chunks of items to forked worker processes and yields each chunk's
results in input order, with at most ``2 * jobs`` chunks in flight so a batch of any size
streams. Workers are forked, so they inherit what the command prepared (the signing key stays
in memory; nothing secret is pickled). Runs of at most one chunk, or ``jobs == 1``, never
start a worker.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from itertools import chain, islice
from typing import TypeVar

from microcred._util import cpu_count, fork_is_safe

T = TypeVar("T")
R = TypeVar("R")

CHUNK = 16


def default_jobs() -> int:
    """Every core this process may run on."""
    return cpu_count()


def _batches(items: Iterator[T], size: int) -> Iterator[list[T]]:
    while batch := list(islice(items, size)):
        yield batch


def ordered_map(
    work: Callable[[list[T]], list[R]],
    items: Iterable[T],
    *,
    jobs: int | None = None,
    chunk: int = CHUNK,
    warm: Callable[[T], object] | None = None,
) -> Iterator[R]:
    """``work`` (a module-level function: chunk -> results) over ``items``, results in order.

    ``warm(first item)`` runs here before the workers fork, so what it loads and caches (the
    pinned contexts, processed once) is inherited instead of rebuilt in every worker.
    """
    workers = default_jobs() if jobs is None else max(1, jobs)
    stream = iter(items)
    head = list(islice(stream, chunk + 1))
    if workers == 1 or len(head) <= chunk or not fork_is_safe():
        for batch in _batches(chain(head, stream), chunk):
            yield from work(batch)
        return
    if warm is not None:
        warm(head[0])
    batches = _batches(chain(head, stream), chunk)
    import multiprocessing
    from concurrent.futures import Future, ProcessPoolExecutor

    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        pending: deque[Future[list[R]]] = deque()

        def submit() -> None:
            batch = next(batches, None)
            if batch is not None:
                pending.append(pool.submit(work, batch))

        for _ in range(2 * workers):
            submit()
        while pending:
            results = pending.popleft().result()
            submit()
            yield from results
