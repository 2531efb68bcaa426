"""The program's active key, decrypted on a thread while the builder is imported (issue 12).

Opening the key file is a scrypt derivation: about 0.1 s of a core, a tenth of a small
program's build. The derivation releases the GIL, so a thread does it while the main thread
imports the builder (a quarter of a second). The thread is joined when the key is first
needed, before anything forks: a build forks its workers only with no other thread running
(:func:`microcred._util.fork_is_safe`), so :meth:`KeyAhead.result` must come first.
"""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from microcred.errors import MicrocredError
from microcred.site.outcome import project_kind

if TYPE_CHECKING:
    from microcred.proof.keys import KeyPair


def active_key(root: Path, passphrase: str | None) -> KeyPair | None:
    """The program's active signing key, or None (a portfolio, or a key that cannot be
    loaded: what needs it then reports why)."""
    if project_kind(root) == "portfolio":
        return None
    from microcred.keyring import KeyRing  # the key ring's cryptography: only when used

    with contextlib.suppress(MicrocredError, OSError, ValueError):
        return KeyRing(root).load_active_secret(passphrase=passphrase)
    return None


class KeyAhead:
    """:func:`active_key`, started on a thread at once; :meth:`result` waits for it."""

    def __init__(self, root: Path, passphrase: str | None) -> None:
        self._key: KeyPair | None = None
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = threading.Thread(
            target=self._run, args=(root, passphrase), name="microcred-key", daemon=True
        )
        self._thread.start()

    def _run(self, root: Path, passphrase: str | None) -> None:
        try:
            self._key = active_key(root, passphrase)
        except BaseException as exc:  # raised again by result(), in the caller
            self._error = exc

    def close(self) -> None:
        """Wait for the thread (raises nothing: :meth:`result` reports)."""
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def result(self) -> KeyPair | None:
        """The key (None when it cannot be loaded); what the thread raised is raised here."""
        self.close()
        if self._error is not None:
            raise self._error
        return self._key
