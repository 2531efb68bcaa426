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
from functools import cache

import jinja2
from jinja2 import Environment, FileSystemBytecodeCache

from microcred.sealed import ENV_CACHE_DIR, private_folder, user_cache_root

__all__ = ["ENV_CACHE_DIR", "cache_folder", "use_compiled"]


@cache
def cache_folder() -> str | None:
    """The cache folder for this process, or None (turned off, or no safe folder for it)."""
    root = user_cache_root()
    folder = private_folder(root / "jinja") if root is not None else None
    return str(folder) if folder is not None else None


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
