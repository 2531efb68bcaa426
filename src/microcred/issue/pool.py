"""Parallel signing: a process pool whose results come back in job order."""

from __future__ import annotations

import datetime as dt
import gc
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from itertools import islice
from multiprocessing import get_context
from typing import Any

from microcred._util import cpu_count, fork_is_safe
from microcred.errors import MicrocredError
from microcred.issue.receipts import _digest, _index_entry
from microcred.issue.sign import sign_document
from microcred.issue.write import dump_json
from microcred.jsonld import OfflineLoader
from microcred.layout import record_file
from microcred.proof.keys import KeyPair

PARALLEL_THRESHOLD = 48
"""Credentials to sign before a spawned pool pays for its start-up (~0.5 s per worker)."""
PARALLEL_THRESHOLD_FORKED = 16
"""The same for forked workers, which start warm (a few ms each)."""
CHUNK = 8
"""Credentials a worker signs per task (a few tens of ms of work)."""
IN_FLIGHT = 4
"""Tasks queued per worker: enough to keep it busy, few enough to hold little."""
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


Job = tuple[str, dict[str, Any]]
"""(record slug, unsigned credential)."""
Issued = tuple[str, bytes, dict[str, Any]]
"""(record slug, the credential file's bytes, its receipt)."""


def _issued(
    unsigned: dict[str, Any],
    key: KeyPair,
    created: dt.datetime,
    suites: tuple[str, ...],
    loader: OfflineLoader | None = None,
) -> tuple[bytes, dict[str, Any]]:
    """Sign, serialise and take the receipt: all the per-credential work, so a worker's
    result is ready to write (the process that writes does nothing else per credential)."""
    digest = _digest(unsigned, suites)
    signed = sign_document(unsigned, key, created=created, suites=suites, loader=loader)
    return dump_json(signed).encode("utf-8"), _index_entry(signed, digest)


def _worker_issue(jobs: list[Job], created: dt.datetime, suites: tuple[str, ...]) -> list[Any]:
    """Runs in a pool process: per job its (bytes, receipt), or (error class, message, code,
    hint) for the first that fails (MicrocredError's keyword arguments do not survive
    pickling, so errors travel as data)."""
    assert _worker_key is not None
    out: list[Any] = []
    for _, unsigned in jobs:
        try:
            out.append(_issued(unsigned, _worker_key, created, suites))
        except MicrocredError as exc:
            out.append((type(exc), exc.message, exc.code, exc.hint))
            break
    return out


def _cpu_count() -> int:
    return cpu_count()


def worker_count(requested: int | None, pending: int) -> int:
    """``requested`` (1 = serial) or, when None, every core once there is enough to sign."""
    if pending <= 1:
        return 1
    if requested is not None:
        return max(1, min(requested, pending))
    cpus = _cpu_count()
    threshold = PARALLEL_THRESHOLD_FORKED if fork_is_safe() else PARALLEL_THRESHOLD
    return 1 if cpus < 2 or pending < threshold else min(cpus, pending)


def _reraise(result: tuple[type[MicrocredError], str, str, str | None], slug: str) -> None:
    cls, message, code, hint = result
    where = record_file(slug)
    try:
        error = cls(message, where=where, hint=hint, code=code)
    except TypeError:
        error = MicrocredError(message, where=where, hint=hint, code=code)
    raise error


def _signed_in_order(
    jobs: Iterable[Job],
    key: KeyPair,
    *,
    now: dt.datetime,
    suites: tuple[str, ...],
    loader: OfflineLoader | None,
    workers: int,
) -> Iterator[Issued]:
    """(slug, file bytes, receipt) in job order; the same bytes whatever ``workers`` is.

    Ed25519 is deterministic, so a pool changes only the speed. Workers sign; the parent does
    every write, so killing the parent can never leave a half-recorded credential. ``jobs``
    is drawn as the workers need it: a few chunks per worker are in flight, never the whole
    program's unsigned credentials at once (issue 12: memory).
    """
    if workers <= 1 or loader is not None:
        for slug, unsigned in jobs:
            try:
                data, receipt = _issued(unsigned, key, now, suites, loader)
            except MicrocredError as exc:
                exc.where = record_file(slug)
                raise
            yield slug, data, receipt
        return
    fork = fork_is_safe()
    # Forked workers inherit the loaded code, processed contexts and the key (a spawned one
    # imports everything again: ~0.5 s of CPU each); fork only while no other thread runs,
    # since one could hold a lock the child needs.
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=get_context("fork" if fork else "spawn"),
        initializer=_worker_init,
        initargs=(key, os.getpid()),
    )
    pending: deque[tuple[list[Job], Future[list[Any]]]] = deque()
    todo = iter(jobs)
    started = False
    try:
        while True:
            while len(pending) < workers * IN_FLIGHT:
                chunk = list(islice(todo, CHUNK))
                if not chunk:
                    break
                # The workers are forked at the first task: with the heap frozen meanwhile,
                # their collector never touches (and so copies) what they inherit. Objects a
                # caller froze itself stay frozen.
                freeze = fork and not started and gc.get_freeze_count() == 0
                if freeze:
                    gc.freeze()
                try:
                    pending.append((chunk, pool.submit(_worker_issue, chunk, now, suites)))
                finally:
                    started = True
                    if freeze:
                        gc.unfreeze()
            if not pending:
                return
            chunk, future = pending.popleft()
            for (slug, _), result in zip(chunk, future.result(), strict=False):
                if len(result) == 4:
                    _reraise(result, slug)
                yield slug, result[0], result[1]
    except BrokenProcessPool as exc:
        raise MicrocredError(
            f"a signing process stopped unexpectedly ({exc})",
            hint="run again (nothing is lost); with --workers 1 no extra processes are used. A "
            "script that calls issue_program with workers must guard its top-level code with "
            "if __name__ == '__main__' (a spawned worker re-imports it)",
        ) from None
    finally:
        # on an error or interruption, drop the queued work instead of finishing it
        pool.shutdown(wait=True, cancel_futures=True)
