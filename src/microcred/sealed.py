"""Cache files sealed with a key that stays in this user account (security class T12-01).

What the build caches hold decides what a build shows and signs: a credential's verdict, a
record's parsed front matter, a page's QR code, whether the previous output is kept. They
live in the project folder, which travels (committed by mistake, copied between machines,
restored by CI), and nobody reads a cache file in a review. So each one carries a seal: an
HMAC-SHA256 of its bytes under a 32-byte key made on first use in the user's cache folder.
A file this account's microcred did not write has no valid seal and counts as absent: the
work is done again. The key never enters the project, the site or a log.

The key is ``seal/seal-key`` in ``$MICROCRED_CACHE_DIR`` if set (empty: no folder), else in
``$XDG_CACHE_HOME/microcred``, else in ``~/.cache/microcred``; like the compiled templates kept
there, the folder and the key are used only if this user owns them and nobody else may write
to them. Without one, the
key lives for this process alone (and its forked workers): nothing is reused across runs.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import stat
from functools import cache
from pathlib import Path

ENV_CACHE_DIR = "MICROCRED_CACHE_DIR"
KEY_FILE = "seal-key"
KEY_BYTES = 32
_MAGIC = b"microcred-sealed-1\n"
_JSON_HEAD = b'{"seal": "'
_JSON_TAG = slice(len(_JSON_HEAD), len(_JSON_HEAD) + 64)
_JSON_JOIN = b'", '


def user_cache_root() -> Path | None:
    """Where this user's caches go (not checked or made: :func:`private_folder` does)."""
    chosen = os.environ.get(ENV_CACHE_DIR)
    if chosen is not None:
        return Path(chosen) if chosen else None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    if not os.path.isabs(base):  # the XDG rule: a relative value is ignored
        base = os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "microcred"


def own_and_private(path: Path, kind: int = stat.S_IFDIR) -> bool:
    """``path`` is of ``kind`` (not a link), this user's, and nobody else may write to it."""
    try:
        info = path.lstat()
    except OSError:
        return False
    return (
        stat.S_IFMT(info.st_mode) == kind
        and info.st_uid == os.getuid()
        and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
    )


def private_folder(folder: Path | None) -> Path | None:
    """``folder``, made (0700) if missing, when it is this user's own; else None."""
    if folder is None:
        return None
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError:
        return None
    return folder if own_and_private(folder) else None


def cache_dir_ready(folder: Path) -> None:
    """Make a project's cache folder, with a ``.gitignore`` that keeps it (itself included)
    out of version control: caches are this machine's, and no review reads them."""
    folder.mkdir(parents=True, exist_ok=True)
    ignore = folder / ".gitignore"
    if not ignore.exists():
        with contextlib.suppress(OSError):
            ignore.write_text("# written by microcred: caches of this machine only\n*\n", "utf-8")


def _read_key(path: Path) -> bytes | None:
    if not own_and_private(path, stat.S_IFREG):
        return None
    try:
        data = path.read_bytes()
    except OSError:
        return None
    return data if len(data) == KEY_BYTES else None


@cache
def _key() -> bytes:
    root = user_cache_root()
    folder = private_folder(root / "seal") if root is not None else None
    if folder is None:
        return os.urandom(KEY_BYTES)  # this process only
    path = folder / KEY_FILE
    found = _read_key(path)
    if found is not None:
        return found
    fresh = os.urandom(KEY_BYTES)
    damaged = own_and_private(path, stat.S_IFREG)  # ours but not a key (cut short): replaced
    temp = folder / f".{KEY_FILE}.{os.getpid()}"
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(fresh)
        if damaged:
            os.replace(temp, path)
        else:
            os.link(temp, path)  # published whole, and never over a key another run made
    except FileExistsError:
        pass
    except OSError:
        return fresh
    finally:
        with contextlib.suppress(OSError):
            os.unlink(temp)
    found = _read_key(path)
    return found if found is not None else fresh


def _tag(data: bytes) -> bytes:
    return hmac.new(_key(), data, hashlib.sha256).digest()


def seal_bytes(data: bytes) -> bytes:
    """``data`` with its seal in front."""
    return _MAGIC + _tag(data) + data


def unseal_bytes(blob: bytes) -> bytes | None:
    """What :func:`seal_bytes` sealed, or None when the seal is missing or not ours."""
    start = len(_MAGIC) + 32
    if not blob.startswith(_MAGIC) or len(blob) < start:
        return None
    data = blob[start:]
    return data if hmac.compare_digest(blob[len(_MAGIC) : start], _tag(data)) else None


def seal_json(text: str) -> str:
    """A JSON object's text with a ``seal`` member first: still JSON, for anyone reading it."""
    body = text.encode("utf-8")
    if not body.startswith(b"{") or body[1:].lstrip().startswith(b"}"):
        raise ValueError("only a JSON object with members can be sealed")
    tag = hmac.new(_key(), body, hashlib.sha256).hexdigest()
    return f'{{"seal": "{tag}", {body[1:].decode("utf-8")}'


def unseal_json(blob: bytes) -> bytes | None:
    """The JSON object :func:`seal_json` sealed, as its bytes, or None when the seal is
    missing or not ours."""
    tag = blob[_JSON_TAG]
    rest = _JSON_TAG.stop + len(_JSON_JOIN)
    if not blob.startswith(_JSON_HEAD) or blob[_JSON_TAG.stop : rest] != _JSON_JOIN:
        return None
    body = b"{" + blob[rest:]
    expected = hmac.new(_key(), body, hashlib.sha256).hexdigest().encode("ascii")
    return body if hmac.compare_digest(tag, expected) else None
