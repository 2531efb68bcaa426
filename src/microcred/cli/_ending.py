"""How a command says its work is done, so the ``microcred`` command may end at once."""

from __future__ import annotations

ENDED: list[bool] = []
"""Set by a command whose output is written and whose workers are gone (read by
:func:`microcred.cli.console`, which clears it first)."""


def may_end_now() -> None:
    """Say that this command's work is done: its output is written, every file it wrote is
    closed and every worker it started has exited. The ``microcred`` command then ends the
    process at once instead of tearing the interpreter down (20-40 ms of a 0.1-0.5 s verify:
    issue 12). Only the console script acts on it; a command run in process just returns."""
    ENDED.append(True)
