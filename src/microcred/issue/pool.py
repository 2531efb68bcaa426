"""Parallel signing: a spawn process pool whose results come back in job order."""

from __future__ import annotations

import datetime as dt
import os
import signal
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_context
from typing import Any

from microcred._util import cpu_count
from microcred.errors import MicrocredError
from microcred.issue.sign import sign_document
from microcred.jsonld import OfflineLoader
from microcred.layout import record_file
from microcred.proof.keys import KeyPair

PARALLEL_THRESHOLD = 48
"""Credentials to sign before a process pool pays for its start-up (~0.5 s per worker)."""
_worker_key: KeyPair | None = None


def _watch_parent(parent: int) -> None:
    while True:
        time.sleep(0.5)
        if os.getppid() != parent:
            os._exit(1)  # the parent was killed: nothing of ours can be written any more


def _worker_init(key: KeyPair, parent: int) -> None:
    global _worker_key
    _worker_key = key
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


def _worker_sign(job: tuple[dict[str, Any], dt.datetime, tuple[str, ...]]) -> Any:
    """Runs in a pool process; returns the signed document or (error class, message, code, hint).

    MicrocredError's keyword arguments do not survive pickling, so errors travel as data.
    """
    unsigned, created, suites = job
    assert _worker_key is not None
    try:
        return sign_document(unsigned, _worker_key, created=created, suites=suites)
    except MicrocredError as exc:
        return (type(exc), exc.message, exc.code, exc.hint)


def _cpu_count() -> int:
    return cpu_count()


def worker_count(requested: int | None, pending: int) -> int:
    """``requested`` (1 = serial) or, when None, every core once there is enough to sign."""
    if pending <= 1:
        return 1
    if requested is not None:
        return max(1, min(requested, pending))
    cpus = _cpu_count()
    return 1 if cpus < 2 or pending < PARALLEL_THRESHOLD else min(cpus, pending)


def _reraise(result: tuple[type[MicrocredError], str, str, str | None], slug: str) -> None:
    cls, message, code, hint = result
    where = record_file(slug)
    try:
        error = cls(message, where=where, hint=hint, code=code)
    except TypeError:
        error = MicrocredError(message, where=where, hint=hint, code=code)
    raise error


def _signed_in_order(
    jobs: Sequence[tuple[str, dict[str, Any]]],
    key: KeyPair,
    *,
    now: dt.datetime,
    suites: tuple[str, ...],
    loader: OfflineLoader | None,
    workers: int,
) -> Iterator[tuple[str, dict[str, Any]]]:
    """(slug, signed credential) in job order; the same bytes whatever ``workers`` is.

    Ed25519 is deterministic, so a pool changes only the speed. Workers sign; the parent does
    every write, so killing the parent can never leave a half-recorded credential.
    """
    if workers <= 1 or loader is not None:
        for slug, unsigned in jobs:
            try:
                yield slug, sign_document(unsigned, key, created=now, suites=suites, loader=loader)
            except MicrocredError as exc:
                exc.where = record_file(slug)
                raise
        return
    context = get_context("spawn")  # no inherited threads or locks; same on every platform
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context,
        initializer=_worker_init,
        initargs=(key, os.getpid()),
    )
    try:
        chunk = max(1, min(16, len(jobs) // (workers * 8)))
        results = pool.map(_worker_sign, [(u, now, suites) for _, u in jobs], chunksize=chunk)
        for (slug, _), result in zip(jobs, results, strict=True):
            if isinstance(result, tuple):
                _reraise(result, slug)
            yield slug, result
    except BrokenProcessPool as exc:
        raise MicrocredError(
            f"a signing process stopped unexpectedly ({exc})",
            hint="run again (nothing is lost); with --workers 1 no extra processes are used. A "
            "script that calls issue_program with workers must guard its top-level code with "
            "if __name__ == '__main__' (Python's spawn start method re-imports it)",
        ) from None
    finally:
        # on an error or interruption, drop the queued work instead of finishing it
        pool.shutdown(wait=True, cancel_futures=True)
