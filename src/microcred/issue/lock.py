"""One writer per program folder: the advisory lock and the clean-up of a killed run."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from microcred.errors import ConfigError
from microcred.layout import CONFIG_FILE, STATE_DIRS

_held: dict[Path, int] = {}
_held_guard = threading.Lock()


@contextlib.contextmanager
def program_lock(root: Path) -> Iterator[None]:
    """Let one process at a time issue, revoke or publish in ``root`` (re-entrant in-process).

    Two writers would each draw status indexes and the last state file written would forget
    the other's: an index could be handed out twice. The lock is ``flock`` on
    ``microcred.toml`` (no extra file to commit or ignore); the kernel drops it when the
    holder dies, so a killed run never leaves the folder locked. A no-op where ``fcntl`` is
    missing (Windows) or the file system refuses locks.
    """
    target = (root / CONFIG_FILE).resolve()
    with _held_guard:
        if target in _held:
            _held[target] += 1
            reentered = True
        else:
            reentered = False
    if reentered:
        try:
            yield
        finally:
            with _held_guard:
                _held[target] -= 1
        return
    handle = _acquire(target, root)
    with _held_guard:
        _held[target] = 1
    try:
        yield
    finally:
        with _held_guard:
            del _held[target]
        if handle is not None:
            handle.close()  # closing the descriptor releases the flock


def _acquire(target: Path, root: Path) -> Any:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        return None
    try:
        handle = target.open("rb")
    except OSError:
        return None  # no microcred.toml: loading the program reports that properly
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise ConfigError(
            "another microcred command is issuing, revoking or building in this program folder",
            where=str(root),
            hint="wait for it to finish and run again (a stopped process releases the lock)",
        ) from None
    except OSError:
        return handle  # this file system has no locks: carry on without one
    return handle


def remove_stale_temp_files(root: Path) -> list[Path]:
    """Delete temp files a killed run left behind (``.<name>.<random>.tmp``); hold the lock."""
    removed = []
    for rel in STATE_DIRS:
        folder = root / rel
        if not folder.is_dir():
            continue
        for path in folder.iterdir():
            if path.name.startswith(".") and path.name.endswith(".tmp") and path.is_file():
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
                    removed.append(path)
    return removed
