"""The command line: a thin shell over the library. The only place that prints or exits.

The click application is :mod:`microcred.cli.app` (the group, ``--project``, one line per
error) with a module per command; its names load from there on first use. :func:`console`
is the ``microcred`` command: an unchanged ``microcred build`` and a plain ``microcred verify``
are answered before click is loaded (:mod:`microcred.cli._quick`), everything else goes to
click.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

from microcred import _lazy_exports

if TYPE_CHECKING:
    from microcred.cli.app import COMMAND_MODULES, Context, main, run

_WHERE = {
    "COMMAND_MODULES": "app",
    "Context": "app",
    "main": "app",
    "run": "app",
}

__all__ = ["COMMAND_MODULES", "Context", "console", "main", "run"]

__getattr__ = _lazy_exports(__name__, globals(), _WHERE)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_WHERE))


def console() -> None:
    """The ``microcred`` command (pyproject.toml)."""
    from microcred.cli._ending import ENDED
    from microcred.cli._quick import kept_build_command, verify_command

    ENDED.clear()
    code = kept_build_command(sys.argv[1:])
    if code is None:
        code = verify_command(sys.argv[1:])
    watched = sys.gettrace() is not None or sys.getprofile() is not None
    if code is not None and ENDED and not watched:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except (OSError, ValueError):  # a closed or broken stream: click's path says so
            pass
        else:
            os._exit(code)  # as click's path ends after a command that said it may
    if code is not None:
        sys.exit(code)
    from microcred.cli.app import console as through_click

    through_click()
