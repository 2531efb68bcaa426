"""Every entry of a folder tree, in the order ``sorted(folder.rglob("*"))`` gives, fast.

A build walks trees of tens of thousands of files several times (the source, the staged
machine files, the built site, the project). ``Path.rglob`` builds a ``Path`` per entry and
answers ``is_file``/``is_symlink`` with a system call each, and the callers then compute
``relative_to``: at 10,000 credentials that was seconds of a build (issue 12). Here each
folder is read once with ``os.scandir``, whose entries already know their type, and paths
stay strings.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

Entry = tuple[str, "os.DirEntry[str]"]
"""(path under the walked folder, with "/" separators; its directory entry)."""


def tree_entries(
    folder: Path | str, prune: Callable[[str, os.DirEntry[str]], bool] | None = None
) -> list[Entry]:
    """Every file, folder and symlink under ``folder`` (symlinks are not followed), sorted
    by path parts as ``sorted(folder.rglob("*"))`` sorts them. ``prune(rel, entry)`` true:
    that entry is left out, and so is everything under it."""
    found: list[Entry] = []
    stack = [("", os.fspath(folder))]
    while stack:
        prefix, directory = stack.pop()
        with os.scandir(directory) as entries:
            for entry in entries:
                rel = prefix + entry.name
                if prune is not None and prune(rel, entry):
                    continue
                found.append((rel, entry))
                if entry.is_dir(follow_symlinks=False):
                    stack.append((rel + "/", entry.path))
    found.sort(key=lambda item: item[0].split("/"))
    return found
