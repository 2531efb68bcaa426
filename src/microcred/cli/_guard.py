"""Every error a command meets becomes one line and an exit code, never a traceback: the one
rule of the command line, for the click group (cli/app.py) and for the commands answered
before click is loaded (cli/_quick.py). No click here."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

from microcred.errors import MicrocredError


def guarded(
    work: Callable[[], int],
    warn: Callable[[str], None],
    passthrough: tuple[type[Exception], ...] = (),
) -> int:
    """``work()``'s exit code; an error said through ``warn`` and its code instead.
    ``passthrough``: errors the caller handles itself (click's own)."""
    try:
        return work()
    except passthrough:
        raise
    except MicrocredError as exc:
        warn(f"error: {exc.diagnostics()}")
        return 1
    except BrokenPipeError:
        # The reader went away (e.g. `| head`): not an error worth a message.
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        warn("interrupted; nothing half-written was kept")
        return 130
    except OSError as exc:
        where = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
        warn(f"error: {where}{exc.strerror or exc}")
        return 1
    except Exception as exc:
        # A bug, not bad input: still one line for the user; the traceback on request.
        if os.environ.get("MICROCRED_DEBUG"):
            raise
        warn(
            f"internal error: {type(exc).__name__}: {exc} (this is a microcred bug; "
            "set MICROCRED_DEBUG=1 for the traceback and please report it)"
        )
        return 1
