"""Compiled Jinja templates kept between builds, in the user's cache folder.

Compiling the theme's templates is the first ~110 ms of every process that renders a page:
each engine worker, each page worker, every build (issue 12). Jinja can keep what it
compiled (:class:`jinja2.FileSystemBytecodeCache`, keyed by each template's source; files
written whole, then renamed), so a later build only loads it. Python does the same with
``__pycache__``.

Jinja checks its own version and each template's source, not the environment's settings,
which change the compiled code too: every setting that does is part of the file names
(:func:`use_compiled`), so environments set up differently never share compiled code.

Where: ``$MICROCRED_CACHE_DIR/jinja`` if that is set (an empty value turns the cache off),
else ``$XDG_CACHE_HOME/microcred/jinja``, else ``~/.cache/microcred/jinja``. Loading compiled
code from a folder others can write to would run their code, so a folder that is not the
user's own, or that others may write to, is not used; a folder that cannot be made is not
either. Without the cache every template is compiled, as before.
"""

from __future__ import annotations

import hashlib
import os
import stat
from functools import cache
from pathlib import Path

import jinja2
from jinja2 import Environment, FileSystemBytecodeCache

ENV_CACHE_DIR = "MICROCRED_CACHE_DIR"


def _folder() -> Path | None:
    chosen = os.environ.get(ENV_CACHE_DIR)
    if chosen is not None:
        return Path(chosen) / "jinja" if chosen else None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    if not os.path.isabs(base):  # the XDG rule: a relative value is ignored
        base = os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "microcred" / "jinja"


def _own_and_private(folder: Path) -> bool:
    try:
        info = folder.lstat()
    except OSError:
        return False
    return (
        stat.S_ISDIR(info.st_mode)
        and info.st_uid == os.getuid()
        and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
    )


@cache
def cache_folder() -> str | None:
    """The cache folder for this process, or None (turned off, or no safe folder for it)."""
    folder = _folder()
    if folder is None:
        return None
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError:
        return None
    return str(folder) if _own_and_private(folder) else None


def _settings(env: Environment) -> str:
    """What, besides a template's source and Jinja's version, decides its compiled code."""
    settings = (
        jinja2.__version__,
        env.block_start_string,
        env.block_end_string,
        env.variable_start_string,
        env.variable_end_string,
        env.comment_start_string,
        env.comment_end_string,
        env.line_statement_prefix,
        env.line_comment_prefix,
        env.trim_blocks,
        env.lstrip_blocks,
        env.newline_sequence,
        env.keep_trailing_newline,
        repr(env.autoescape),
        env.optimized,
        env.is_async,
        env.finalize is not None,
        sorted(env.extensions),
    )
    return hashlib.sha256(repr(settings).encode("utf-8")).hexdigest()[:16]


def use_compiled(env: Environment) -> None:
    """Have ``env`` keep and load its compiled templates in the cache folder (if there is
    one), under names that include its settings."""
    folder = cache_folder()
    if folder is not None:
        env.bytecode_cache = FileSystemBytecodeCache(folder, f"{_settings(env)}-%s.cache")
