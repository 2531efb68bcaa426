"""Progress bars for batch commands, drawn on stderr only (issue 12).

The bar never touches stdout: ``sign`` may be writing a signed document there and ``verify
--json`` its report lines, and a bar that captures stdout re-flows what passes through it.
Shown only when stderr is a terminal and stdout is not (the results go to a file or a pipe)
or carries nothing, and rich is imported only then, so a one-file verify or a scripted run
pays nothing.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

Advance = Callable[[int], None]


@contextmanager
def stderr_progress(
    label: str, total: int | None = None, *, stdout_free: bool = False
) -> Iterator[Advance | None]:
    """Yield ``advance(n)`` for a bar on stderr, or None when no bar is shown.

    ``stdout_free``: the command writes nothing to stdout, so the bar may share a terminal
    with it."""
    if not sys.stderr.isatty() or (sys.stdout.isatty() and not stdout_free):
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    console = Console(stderr=True)
    # No refresh thread (auto_refresh off): batch commands fork workers while the bar is up,
    # and a fork must not happen while another thread may hold the stderr lock.
    with Progress(
        *columns,
        console=console,
        transient=True,
        redirect_stdout=False,
        redirect_stderr=False,
        auto_refresh=False,
    ) as bar:
        task = bar.add_task("", total=total)  # None: a streamed folder, total unknown
        shown = [0.0]

        def advance(count: int) -> None:
            bar.advance(task, count)
            now = time.monotonic()
            if now - shown[0] >= 0.1:
                shown[0] = now
                bar.refresh()

        yield advance
