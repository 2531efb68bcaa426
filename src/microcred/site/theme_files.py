"""The theme's own files (scripts, style sheets, fonts), listed once and kept between builds.

mkdocs finds them by listing every file of the theme's folders (Material ships 14,500, most
of them icons) and matching each name against a dozen patterns: 55 ms of every build, a
tenth of a small site's whole engine (issue 12). What it finds changes only when a file is
added, removed or renamed in those folders, and each of those changes the modification time
of the folder it happens in. So the listing is kept, in the cache folder of the compiled
templates (:mod:`microcred.site.compiled`), with the time of every folder it walked, and used
again while every one of them is unchanged. A listing is only kept when its folders were last
changed well before it was made (a change within the file system's timestamp resolution
could otherwise go unseen), and each kept entry is checked again to be a file inside its
theme folder, as mkdocs checks it, before it is used.

Everything that decides the listing besides the folders' contents (mkdocs' and Jinja's
versions, the folders, the theme's static templates) names the file it is kept in; a theme
whose environment is not mkdocs' own is listed by mkdocs.

Of Material's files, the site leaves out those no page of it ever loads (:func:`drop_unloaded`,
:func:`remove_unloaded`): the source maps, which only a browser's developer tools read, and,
while no search plugin is configured (microcred's sites have none), the search worker and the
lunr language packs only it loads. That is 2.3 MB of a 20-credential site's 5 MB, copied,
scanned for secret keys and published at every build for nothing (issue 12).
"""

from __future__ import annotations

import contextlib
import fnmatch
import hashlib
import json
import os
import time
from pathlib import Path
from typing import Any

from microcred._util import loads_strict
from microcred.errors import MicrocredError
from microcred.fsutil import atomic_write_text
from microcred.site.compiled import cache_folder

SETTLED_NS = 2_000_000_000
"""A folder changed less than this before the listing may have changed unseen since."""


def _excluded(config: Any) -> list[str]:
    """mkdocs' patterns for what of a theme is not copied (``Files.add_files_from_theme``)."""
    from mkdocs import utils

    patterns = [".*", "*/.*", "*.py", "*.pyc", "*.html", "*readme*", "mkdocs_theme.yml"]
    patterns.append("locales/*")
    patterns.extend(f"*{x}" for x in utils.markdown_extensions)
    patterns.extend(config.theme.static_templates)
    return patterns


def _walk(dirs: list[str], followlinks: bool) -> tuple[list[str], dict[str, int]]:
    """Jinja's ``FileSystemLoader.list_templates`` for ``dirs``, and the modification time of
    every folder it walked."""
    found: set[str] = set()
    times: dict[str, int] = {}
    for searchpath in dirs:
        for dirpath, _, filenames in os.walk(searchpath, followlinks=followlinks):
            times[dirpath] = os.stat(dirpath).st_mtime_ns
            for filename in filenames:
                name = os.path.join(dirpath, filename)[len(searchpath) :].strip(os.path.sep)
                name = name.replace(os.path.sep, "/")
                found.add(name[2:] if name[:2] == "./" else name)
    return sorted(found), times


def _list(
    config: Any, dirs: list[str], followlinks: bool
) -> tuple[list[list[str]], dict[str, int]]:
    """(path, theme folder) of each theme file mkdocs copies, in its order; folder times."""
    names, times = _walk(dirs, followlinks)
    patterns = _excluded(config)
    entries = []
    for name in names:
        lower = name.lower()
        if any(fnmatch.fnmatch(lower, pattern) for pattern in patterns):
            continue
        for folder in dirs:  # the first theme folder holding it, as mkdocs picks
            if os.path.isfile(os.path.join(folder, name)):
                entries.append([name, folder])
                break
    return entries, times


def _key(config: Any, dirs: list[str], followlinks: bool) -> str:
    import jinja2
    import mkdocs

    what = [mkdocs.__version__, jinja2.__version__, dirs, followlinks]
    what.append(sorted(config.theme.static_templates))
    return hashlib.sha256(json.dumps(what).encode("utf-8")).hexdigest()[:20]


def _kept(path: Path, dirs: list[str]) -> list[list[str]] | None:
    """The listing kept in ``path`` if every folder it walked is as it was, else None."""
    try:
        data = loads_strict(path.read_bytes())
        times, entries = data["folders"], data["files"]
        if not isinstance(times, dict) or not isinstance(entries, list):
            return None
        for folder, mtime in times.items():
            if str(os.stat(folder).st_mtime_ns) != mtime:  # as text: past I-JSON's integers
                return None
    except (OSError, MicrocredError, KeyError, TypeError):
        return None
    for entry in entries:
        ok = isinstance(entry, list) and len(entry) == 2 and entry[1] in dirs
        name = entry[0] if ok else None
        if not isinstance(name, str) or name.startswith("/") or ".." in name.split("/"):
            return None
        if not os.path.isfile(os.path.join(entry[1], name)):
            return None
    return entries


SEARCH_ONLY = ("assets/javascripts/lunr/", "assets/javascripts/workers/")
"""Material's search worker and the language packs it loads: started only by the search box,
which only the search plugin puts on a page."""


def _unloaded_prefixes(config: Any) -> tuple[str, ...] | None:
    """The folder prefixes of Material's files no page loads (with every ``.map``), or None
    when the theme is not Material (nothing is left out of another theme)."""
    if getattr(config.theme, "name", None) != "material":
        return None
    searching = any(name in ("search", "material/search") for name in config.plugins)
    return () if searching else SEARCH_ONLY


def _unloaded(name: str, prefixes: tuple[str, ...]) -> bool:
    return name.endswith(".map") or name.startswith(prefixes)


def drop_unloaded(files: Any, config: Any) -> None:
    """Take out of mkdocs' ``files`` the theme's files no page loads (see the module
    docstring); a file of the docs folder is never taken out, whatever its name."""
    prefixes = _unloaded_prefixes(config)
    if prefixes is None:
        return
    theme_dirs = {os.path.abspath(d) for d in config.theme.dirs}
    for file in list(files):
        src_dir = file.src_dir  # None for a file a plugin generated
        ours = src_dir is not None and os.path.abspath(src_dir) in theme_dirs
        if ours and _unloaded(file.src_uri, prefixes):
            files.remove(file)


def remove_unloaded(config: Any) -> None:
    """After mkdocs' own build of ``config``: delete from its site folder the theme's files
    :func:`drop_unloaded` leaves out of a split build, so both builds write the same site
    (a file the docs folder holds under such a name stays)."""
    prefixes = _unloaded_prefixes(config)
    if prefixes is None:
        return
    site, docs = Path(config.site_dir), Path(config.docs_dir)
    themes = [Path(d) for d in config.theme.dirs]
    for dirpath, _, filenames in os.walk(site):
        for filename in filenames:
            path = Path(dirpath, filename)
            rel = path.relative_to(site).as_posix()
            if not _unloaded(rel, prefixes) or (docs / rel).exists():
                continue
            if any((theme / rel).is_file() for theme in themes):  # copied from the theme
                path.unlink()
    for prefix in prefixes:  # the folders the worker and the packs leave empty
        for dirpath, _, _ in sorted(os.walk(site / prefix), reverse=True):
            with contextlib.suppress(OSError):
                os.rmdir(dirpath)


def add_theme_files(files: Any, env: Any, config: Any) -> None:
    """``files.add_files_from_theme(env, config)``, from the kept listing when it holds."""
    import jinja2
    from mkdocs.structure.files import File

    loader = env.loader
    dirs = [os.fspath(d) for d in config.theme.dirs]
    if type(loader) is not jinja2.FileSystemLoader or list(loader.searchpath) != dirs:
        files.add_files_from_theme(env, config)
        return
    folder = cache_folder()
    name = f"theme-files-{_key(config, dirs, loader.followlinks)}.json"
    path = Path(folder) / name if folder is not None else None
    entries = _kept(path, dirs) if path is not None else None
    if entries is None:
        started = time.time_ns()
        entries, times = _list(config, dirs, loader.followlinks)
        if path is not None and all(t < started - SETTLED_NS for t in times.values()):
            with contextlib.suppress(OSError):  # else listed again next time
                folders = {d: str(t) for d, t in times.items()}
                atomic_write_text(path, json.dumps({"folders": folders, "files": entries}))
    for name, theme_dir in entries:
        if files.get_file_from_path(name) is None:  # theme files never replace the docs'
            files.append(File(name, theme_dir, config.site_dir, config.use_directory_urls))
