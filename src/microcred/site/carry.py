"""Pages carried over from the previous build instead of rendered again (issue 12).

Two stages carry: the engine (:class:`PageCarry`, below) and the site source
(:class:`SourceCarry`, at the end).

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
import io
import os
import pickle
import stat
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from microcred.fsutil import link_or_copy
from microcred.site.unchanged import StateDigests

Logged = list[tuple[str, int, str]]  # (logger name, level, message), in order
Place = Callable[[str, str, int, str], None]  # (path in the new tree, file, size, SHA-256)
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


def page_key(site: str, src_uri: str, source: str) -> str:
    """A page's key: the site's key, its path and its source's SHA-256 (hex)."""
    return hashlib.sha256(f"{site}\0{src_uri}\0{source}".encode()).hexdigest()


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
    sources: Mapping[str, str] = field(default_factory=dict)
    """SHA-256 of source files by absolute path, as the source stage wrote or placed them
    (any other source is read)."""

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
        if _holds(self.table, path, rel, past.done[2], past.done[0]) is None:
            return None
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            link_or_copy(path, target)
            placed = os.stat(target).st_size == past.done[0]  # not changed while placed
        except OSError:
            placed = False
        if not placed:  # never leave a link the engine would then write through
            with contextlib.suppress(OSError):
                target.unlink()
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


def _holds(
    table: StateDigests, path: str, rel: str, digest: str, size: int | None = None
) -> os.stat_result | None:
    """The state of the regular file at ``path`` if it holds the bytes whose SHA-256 is
    ``digest`` (taken from ``table`` while the recorded state vouches for it, else read;
    with ``size``, a file of another size is not read)."""
    try:
        info = os.stat(path, follow_symlinks=False)
        if not stat.S_ISREG(info.st_mode) or (size is not None and info.st_size != size):
            return None
        if table.digest(rel, path, info) != digest:
            return None
    except OSError:
        return None
    return info


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


# --------------------------------------------------------------------------- the source


class Timed(dict[str, Any]):
    """A page's ``site`` context whose build moment (``built_at``, ``built_date``) is handed
    out only on request, and noted: a page that never asked for it is the same page at any
    other moment, given the same context."""

    def __init__(self, values: Mapping[str, Any], moments: Mapping[str, str]) -> None:
        super().__init__(values)
        self._moments = dict(moments)
        self.asked = False

    def __missing__(self, key: str) -> str:
        if key not in self._moments:
            raise KeyError(key)
        self.asked = True
        return self._moments[key]


@dataclass
class SourceCarry:
    """The previous build's site source (``folder``; ``digests`` and ``table``: the
    record's digests and states of its files; ``entries``: its units) and, in
    :attr:`ledger`, this build's units.

    A unit is one or more source files made from one set of inputs: a page from its template
    and the values it is rendered with, a credential's JSON and baked images from the
    credential and the badge art. Its key is the SHA-256 of the salt (microcred's code and
    templates) and of those inputs pickled: a value that does not pickle, or pickles another
    way in another process (a set's order), only costs a render. An entry is
    ``[key, moment or None, [paths]]``: the moment of the build, when the page asked for it.
    """

    salt: str
    folder: Path | None = None
    entries: Mapping[str, Any] = field(default_factory=dict)
    digests: Mapping[str, Any] = field(default_factory=dict)
    table: StateDigests = field(default_factory=StateDigests)
    ledger: dict[str, list[Any]] = field(default_factory=dict)
    carried: int = 0

    def key(self, *inputs: Any) -> str | None:
        """The key of a unit made from ``inputs``; None when they do not pickle.

        Pickled without its memo ("fast" mode), so that equal values give the same bytes
        whether their parts are shared objects (a credential just signed) or equal copies
        (the same credential read from its file)."""
        buffer = io.BytesIO()
        pickler = pickle.Pickler(buffer, protocol=5)
        pickler.fast = True  # no memo: values, not object identities (cycles refused)
        try:
            pickler.dump(inputs)
        except Exception:
            return None
        digest = hashlib.sha256(self.salt.encode() + b"\0")
        digest.update(buffer.getbuffer())
        return digest.hexdigest()

    def take(self, unit: str, key: str | None, moment: str, place: Place) -> bool:
        """Place the files of ``unit`` from the previous source, if it had the key ``key``
        (and, if it asked for the build moment, the moment ``moment``) and each file there
        still holds the bytes recorded; ``place(rel, path, size, digest)`` puts one file in
        the new tree."""
        entry = self.entries.get(unit)
        if key is None or self.folder is None or not isinstance(entry, list) or len(entry) != 3:
            return False
        recorded, asked, rels = entry
        if recorded != key or asked not in (None, moment) or not isinstance(rels, list):
            return False
        found = []
        for rel in rels:
            digest = self.digests.get(rel) if isinstance(rel, str) else None
            if not isinstance(digest, str):
                return False
            path = os.path.join(self.folder, rel)
            info = _holds(self.table, path, rel, digest)
            if info is None:
                return False
            found.append((rel, path, info.st_size, digest))
        for rel, path, size, digest in found:
            place(rel, path, size, digest)
        self.note(unit, key, asked, list(rels))
        self.carried += 1
        return True

    def note(self, unit: str, key: str | None, moment: str | None, rels: list[str]) -> None:
        """Unit ``unit`` as this build made it (nothing is noted without a key)."""
        if key is not None:
            self.ledger[unit] = [key, moment, rels]
