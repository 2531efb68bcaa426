"""One call run in a forked child while the build goes on (issue 12): the source scan beside
the engine (:mod:`microcred.site.finish`) and the pictures drawn ahead
(:mod:`microcred.site.ahead`).

The child starts at once when there are two CPUs and fork is safe (no other thread runs);
otherwise nothing starts and the caller does the work itself. :meth:`Beside.result` waits for
the return value, or reports that there is none (no child, or the call raised in it), so
every caller keeps one in-process path that decides what a failure means.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from typing import Any

from microcred._util import cpu_count, fork_is_safe


class Beside:
    """``call(*args)`` in a forked child; with ``stoppable``, ``call`` also gets ``stop=``, an
    event that is set when the result is asked for (the call may then return early)."""

    def __init__(self, call: Callable[..., Any], *args: Any, stoppable: bool = False) -> None:
        self._child: Any = None
        self._pipe: Any = None
        self._stop: Any = None
        if cpu_count() < 2 or not fork_is_safe():
            return
        try:
            context = multiprocessing.get_context("fork")
            self._pipe, child_end = context.Pipe(duplex=False)
            self._stop = context.Event() if stoppable else None
            self._child = context.Process(
                target=_run, args=(child_end, call, args, self._stop), daemon=True
            )
            self._child.start()
            child_end.close()
        except OSError:
            self._child = None

    @property
    def started(self) -> bool:
        return self._child is not None

    def stop(self) -> None:
        """Set the stop event (the call may then return early) without waiting."""
        if self._stop is not None:
            self._stop.set()

    def result(self) -> tuple[bool, Any]:
        """(True, what the call returned), or (False, None) when there is no child, it failed
        or it died; waits for the child (after setting the stop event, if any)."""
        if self._child is None:
            return False, None
        if self._stop is not None:
            self._stop.set()
        try:
            outcome: tuple[bool, Any] = self._pipe.recv()
        except (EOFError, OSError):
            outcome = False, None
        finally:
            self._child.join()
            self._pipe.close()
            self._child = None
        return outcome

    def close(self) -> None:
        """Stop a child whose result was not asked for (the build stopped early)."""
        if self._child is not None:
            self._child.terminate()
            self._child.join()
            self._pipe.close()
            self._child = None


def _run(pipe: Any, call: Callable[..., Any], args: tuple[Any, ...], stop: Any) -> None:
    """In the child: send (True, result), or (False, None) if the call raised."""
    try:
        value = call(*args) if stop is None else call(*args, stop=stop)
    except BaseException:  # the caller does the work itself and reports any error
        pipe.send((False, None))
        return
    pipe.send((True, value))
