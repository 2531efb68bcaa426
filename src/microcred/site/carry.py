"""Pages carried over from the previous build instead of rendered again (issue 12).

mkdocs has no partial build: after one record changed, every page was rendered again, so a
rebuild cost three quarters of a build. With microcred's own configuration (the one the
split engine reproduces, :mod:`microcred.site.engine_split`) a page's HTML is made from its
own source file, the engine's configuration, the list of files its links may name, the code
of microcred, the engine and the libraries it renders with, and the secret keys the page is
scanned for as it is written. A page's key is the SHA-256 of all of these.

The build record keeps, for every page written, that key, what the finisher reported of its
bytes (size, whether it held a secret, SHA-256) and the warnings the engine logged for it.
The next build carries a page whose key is the same over from the previous output, as a hard
link (a copy across file systems), once the file there is shown to hold the recorded bytes:
by its recorded state (size, times, inode), else by reading it. Its warnings are logged
again in their place. Anything else is rendered as before, so a carried page is the page the
engine would write, byte for byte (tests/site/test_carry.py).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from microcred.site.unchanged import StateDigests

Logged = list[tuple[str, int, str]]  # (logger name, level, message), in order
Done = tuple[int, bool, str]  # (bytes, holds a secret, sha256 of what was written)


@dataclass(frozen=True)
class Carried:
    """What the previous build recorded of one page."""

    key: str
    done: Done
    read: Logged
    written: Logged


def site_key(salt: str, config_text: bytes, files: Sequence[tuple[str, str, str]]) -> str:
    """What every page depends on: ``salt`` (microcred's code, the engine's libraries, the
    secret keys looked for), the configuration's bytes and every file (source path, output
    path, inclusion) a link may name."""
    digest = hashlib.sha256(salt.encode() + b"\0")
    digest.update(hashlib.sha256(config_text).digest())
    for src, dest, inclusion in files:
        digest.update(f"{src}\0{dest}\0{inclusion}\n".encode())
    return digest.hexdigest()


def page_key(site: str, src_uri: str, source: bytes) -> str:
    """A page's key: the site's key, its path and its source's bytes."""
    digest = hashlib.sha256(f"{site}\0{src_uri}\0".encode())
    digest.update(source)
    return digest.hexdigest()


@dataclass
class PageCarry:
    """The previous build's pages (``folder``: its output, ``entries``: the record's pages,
    ``table``: the record's file states) and, in :attr:`ledger`, this build's."""

    salt: str
    folder: Path | None = None
    entries: Mapping[str, Any] = field(default_factory=dict)
    table: StateDigests = field(default_factory=StateDigests)
    ledger: dict[str, Carried] = field(default_factory=dict)
    carried: int = 0

    def past(self, rel: str, key: str) -> Carried | None:
        """The previous build's record of page ``rel``, if it had the key ``key``."""
        entry = self.entries.get(rel)
        if self.folder is None or not isinstance(entry, list) or len(entry) != 6:
            return None
        recorded, size, secret, digest, read, written = entry
        if recorded != key or secret is not False or type(size) is not int:
            return None
        if not isinstance(digest, str) or not (_logged(read) and _logged(written)):
            return None
        return Carried(key, (size, False, digest), _as_logged(read), _as_logged(written))

    def take(self, rel: str, key: str, target: Path) -> Carried | None:
        """Page ``rel`` of the previous output placed at ``target``, if its key is ``key``
        and the file there still holds the bytes recorded; else None (render it)."""
        past = self.past(rel, key)
        if past is None or self.folder is None:
            return None
        path = os.path.join(self.folder, rel)
        try:
            info = os.stat(path, follow_symlinks=False)
            if not os.path.isfile(path) or os.path.islink(path):
                return None
            if info.st_size != past.done[0]:
                return None
            if self.table.digest(rel, path, info) != past.done[2]:
                return None
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(path, target)
            except OSError:  # another file system, or links not allowed
                shutil.copyfile(path, target)
            if os.stat(target).st_size != past.done[0]:  # changed while being placed
                with contextlib.suppress(OSError):
                    target.unlink()
                return None
        except OSError:
            return None
        self.carried += 1
        return past

    def note(self, rel: str, page: Carried) -> None:
        """Page ``rel`` as this build wrote or carried it."""
        self.ledger[rel] = page

    def record(self) -> dict[str, list[Any]]:
        """This build's pages for the build record (plain JSON)."""
        return {
            rel: [
                page.key,
                page.done[0],
                page.done[1],
                page.done[2],
                [list(w) for w in page.read],
                [list(w) for w in page.written],
            ]
            for rel, page in sorted(self.ledger.items())
        }


def _logged(value: Any) -> bool:
    return isinstance(value, list) and all(
        isinstance(w, list)
        and len(w) == 3
        and isinstance(w[0], str)
        and type(w[1]) is int
        and isinstance(w[2], str)
        for w in value
    )


def _as_logged(value: list[list[Any]]) -> Logged:
    return [(str(w[0]), int(w[1]), str(w[2])) for w in value]
