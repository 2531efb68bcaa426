"""Credential pages written by forked workers (issue 12: a cold build spent a quarter of its
time on them, QR codes and baked images included).

Each worker inherits the whole build context (fork), writes a contiguous run of the pages
into the same source folder and reports back what the parent must know: the paths it wrote
(the parent's tree refuses any collision, as a serial build would), the page URLs and JSON
paths in order, and the QR codes it drew (kept in the build cache). The result is the
serial one, byte for byte (tests/site/test_parallel_pages.py). Used only when fork is safe
(no other thread runs) and the program is large enough to pay for the workers.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from itertools import islice
from typing import Any

from microcred._util import cpu_count, fork_is_safe
from microcred.site import images

PARALLEL_FROM = 16
"""Credential pages below which one process writes them (forking costs ~50 ms)."""

Job = tuple[Any, Mapping[str, Any]]  # (record, credential)
Render = Callable[[Any, Any, Mapping[str, Any]], str]  # (ctx, record, credential) -> JSON path

_SHARED: list[Any] = []  # (ctx, render) for the forked workers; set only around the pool


Made = tuple[
    list[str],
    list[str],
    list[str],
    dict[str, str],
    list[tuple[str, Any]],
    int,
    list[tuple[int, str]],
]
"""(JSON paths, page URLs, paths written, QR codes drawn, units noted, units carried, the
(size, SHA-256) of each path written)."""


def _run(jobs: Sequence[Job]) -> Made:
    ctx, render = _SHARED
    before_written = len(ctx.tree.written())
    before_pages = len(ctx.report.pages)
    before_qr = set(images.QR_CODES)
    carry = ctx.carry
    before_units = len(carry.ledger) if carry is not None else 0
    before_carried = carry.carried if carry is not None else 0
    files = [render(ctx, record, credential) for record, credential in jobs]
    written = ctx.tree.written()[before_written:]
    qr = {k: v for k, v in images.QR_CODES.items() if k not in before_qr}
    units = list(islice(carry.ledger.items(), before_units, None)) if carry is not None else []
    carried = carry.carried - before_carried if carry is not None else 0
    digests = [ctx.tree.digests[rel] for rel in written]
    return files, list(ctx.report.pages[before_pages:]), written, qr, units, carried, digests


def write_pages(
    ctx: Any, jobs: Sequence[Job], render: Render, progress: Callable[[int], None] | None = None
) -> list[str]:
    """``render`` each job (in order); the JSON paths, in order. Forked workers when it pays;
    if any worker fails, the pages are written again here, where the error is raised as a
    serial build raises it."""
    workers = min(cpu_count(), 8)
    if len(jobs) < PARALLEL_FROM or workers < 2 or not fork_is_safe():
        return _serially(ctx, jobs, render, progress)
    size = -(-len(jobs) // (workers * 8))
    chunks = [jobs[i : i + size] for i in range(0, len(jobs), size)]
    _SHARED[:] = [ctx, render]
    try:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            results = []
            for future in [pool.submit(_run, chunk) for chunk in chunks]:
                results.append(future.result())
                if progress:
                    progress(len(results[-1][0]))
    except Exception:  # a worker failed or could not start: the serial build decides
        return _serially(ctx, jobs, render, None)
    finally:
        _SHARED.clear()
    files: list[str] = []
    for chunk_files, pages, written, qr, units, carried, digests in results:
        for rel in written:  # the collision check a serial build makes, in the same order
            ctx.tree.claim(rel)
        ctx.tree.digests.update(zip(written, digests, strict=True))
        ctx.report.pages.extend(pages)
        images.QR_CODES.update(qr)
        files.extend(chunk_files)
        if ctx.carry is not None:
            ctx.carry.ledger.update(units)
            ctx.carry.carried += carried
    return files


def _serially(
    ctx: Any, jobs: Sequence[Job], render: Render, progress: Callable[[int], None] | None
) -> list[str]:
    out = []
    for job in jobs:
        out.append(render(ctx, *job))
        if progress:
            progress(1)
    return out
