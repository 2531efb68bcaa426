"""Whether a build has anything to do, decided before the builder is even imported.

An unchanged rebuild must cost a small fraction of a build (issue 12), and importing the site
generator, the engine and the issuing code alone took half a second. So the last build
records, besides its output (SHA-256 of every file), a digest of everything it read that can
change between runs: every project file (``.microcred/`` included, its build cache not),
microcred's code, templates and engine versions, and the options; plus every moment at which a
verdict or a page could change on its own: each date in the published documents (validity,
expiry, signing times) and each status list's ``validFrom`` + ``ttl``. A later build whose
project digest and options are the same, with no such moment between the two builds, and
whose output still holds exactly those bytes, keeps the previous output without importing
the builder. Anything else (or any doubt) runs the full build, whose own incremental checks
follow (site/cache.py).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import json
import os
import re
import stat
import time
from collections.abc import Iterable, Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

import microcred
from microcred._util import format_timestamp, loads_strict, parse_timestamp
from microcred.errors import ConfigError, MicrocredError
from microcred.fsutil import atomic_write_text
from microcred.layout import PRIVATE_DIR, template_dir
from microcred.site.outcome import BuildCheck, BuildResult
from microcred.treewalk import tree_entries

BUILD_CACHE_DIR = f"{PRIVATE_DIR}/build-cache"
CACHE_VERSION = 1
LAST_BUILD_FILE = "last-build.json"
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[T ][0-9:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$")


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _read(path: Path) -> dict[str, Any]:
    try:
        data = loads_strict(path.read_bytes(), max_bytes=500_000_000)
    except (OSError, ValueError, MicrocredError):
        return {}
    if not isinstance(data, dict) or data.get("version") != CACHE_VERSION:
        return {}
    return data


def _write(path: Path, data: dict[str, Any]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(path, json.dumps({**data, "version": CACHE_VERSION}, sort_keys=True))
    except OSError:
        pass  # a cache that cannot be written only costs time


_ENGINE_PACKAGES = ("mkdocs", "mkdocs-material", "markdown", "jinja2", "qrcode", "pillow")


def code_digest() -> str:
    """microcred's version, the bytes of its package (code, data) and of the site templates
    in use, and the versions of the engine and the libraries that draw pages and images.
    Every file is looked at each time (the template folder may change within a process); a
    file whose inode, size and modification time are those of the last call is not read
    again (a build asks five or six times)."""
    digest = hashlib.sha256(microcred.__version__.encode())
    for name in _ENGINE_PACKAGES:
        digest.update(f"{name}={_version(name)}\0".encode())
    folders = [Path(microcred.__file__).parent]
    with contextlib.suppress(ConfigError):
        folders.append(template_dir())
    for folder in folders:
        digest.update(str(folder).encode() + b"\0")
        for path in sorted(folder.rglob("*")):
            if "__pycache__" in path.parts:
                continue
            file_digest = _file_digest(path)
            if file_digest is not None:
                digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
                digest.update(file_digest.encode())
    return digest.hexdigest()


_FILE_DIGESTS: dict[Path, tuple[tuple[int, int, int], str]] = {}


def _file_digest(path: Path) -> str | None:
    """SHA-256 of a regular file's bytes (None for anything else), remembered by its stat."""
    try:
        info = path.stat()
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode):
        return None
    key = (info.st_ino, info.st_size, info.st_mtime_ns)
    known = _FILE_DIGESTS.get(path)
    if known is not None and known[0] == key:
        return known[1]
    value = _sha(path.read_bytes())
    _FILE_DIGESTS[path] = (key, value)
    return value


@functools.cache
def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "none"


def _dates(value: Any, out: set[str], where: str = "") -> set[str]:
    """Every date-like string; those inside a proof (signing times) marked ``proof:``."""
    if isinstance(value, str):
        if _DATE_RE.match(value):
            out.add(where + value)
    elif isinstance(value, dict | Mapping):
        for name, item in value.items():
            _dates(item, out, "proof:" if name == "proof" else where)
    elif isinstance(value, list | tuple):
        for item in value:
            _dates(item, out, where)
    return out


def _crossed(dates: Iterable[str], then: dt.datetime, now: dt.datetime) -> bool:
    """Whether a date lies between two moments, so a check may differ between them. A
    signing time equal to the earlier moment does not count (it was already past then)."""
    if then == now:
        return False
    low, high = sorted((then, now))
    for text in dates:
        signed = text.startswith("proof:")
        moment = _moment(text.removeprefix("proof:"))
        if moment is None or (low < moment <= high if signed else low <= moment <= high):
            return True
    return False


def _moment(text: str) -> dt.datetime | None:
    try:
        moment = parse_timestamp(text if "T" in text or " " in text else text + "T00:00:00Z")
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def tree_digests(folder: Path, known: Mapping[str, str] | None = None) -> dict[str, str]:
    """Every file under ``folder`` (symlinks as such) -> SHA-256 of its bytes, in path order.

    ``known``: digests of files read moments ago by the same process (the build's scans),
    taken instead of reading those files again."""
    known = known or {}
    out: dict[str, str] = {}
    for rel, entry in tree_entries(folder):
        if entry.is_symlink():
            out[rel] = "symlink:" + os.readlink(entry.path)
        elif entry.is_file(follow_symlinks=False):
            if rel in known:
                out[rel] = known[rel]
                continue
            with open(entry.path, "rb") as handle:
                out[rel] = hashlib.file_digest(handle, "sha256").hexdigest()
    return dict(sorted(out.items()))


RACY_NS = 50_000_000
"""Timestamps tick coarsely: a change made just after the files went public may carry a
time just before it, so a file last changed this close before that moment is read again,
as git does with "racily clean" files."""


def tree_state(folder: Path) -> dict[str, str]:
    """Every regular file under ``folder`` -> "size:mtime_ns:ctime_ns:inode" (text: the
    numbers pass I-JSON's integer range). Any change of a file's bytes sets its ctime to the
    time of the change, and no tool sets a ctime back."""
    out: dict[str, str] = {}
    for rel, entry in tree_entries(folder):
        if entry.is_file(follow_symlinks=False) and not entry.is_symlink():
            info = entry.stat(follow_symlinks=False)
            out[rel] = f"{info.st_size}:{info.st_mtime_ns}:{info.st_ctime_ns}:{info.st_ino}"
    return out


def unchanged_digests(folder: Path, state: Any, digests: Any, since: Any) -> dict[str, str]:
    """The recorded digests of the files under ``folder`` whose state is still the one
    recorded and whose last change came before ``since`` (text, nanoseconds: the moment
    the files left the build's private folder, their digests taken), and not racily close
    to it: those need not be read again. Anything malformed vouches for nothing."""
    if not isinstance(state, dict) or not isinstance(digests, dict):
        return {}
    if not isinstance(since, str) or not since.isdigit():
        return {}
    settled = int(since) - RACY_NS
    known: dict[str, str] = {}
    for rel, now in tree_state(folder).items():
        then, digest = state.get(rel), digests.get(rel)
        if then != now or not isinstance(digest, str):
            continue
        _, modified, changed, _ = now.split(":")
        if int(modified) < settled and int(changed) < settled:
            known[rel] = digest
    return known


_RECORDED = {"out": "files", "source": "source"}  # tree -> the record's digests of it


def holds_as_recorded(folder: Path, last: Mapping[str, Any], tree: str) -> bool:
    """Whether ``folder`` holds exactly the files the last build recorded for ``tree``
    ("out" or "source"): a file whose state is as recorded is taken by its digest
    (:func:`unchanged_digests`), any other file is read."""
    digests = last.get(_RECORDED[tree])
    if not folder.is_dir() or not isinstance(digests, dict):
        return False
    states = last.get("states")
    state = states.get(tree) if isinstance(states, dict) else None
    known = unchanged_digests(folder, state, digests, last.get("public_since_ns"))
    return tree_digests(folder, known) == digests


def project_digest(root: Path, skip: Iterable[Path]) -> str | None:
    """The project's files as a build finds them: every file under ``root`` except the
    output, a kept source and dot-folders other than ``.microcred/`` (whose key ring and keys
    decide signatures; its build cache does not count). None when the project holds a
    symbolic link: what it points at may change without this folder changing."""
    skipped = {os.path.abspath(p) for p in skip}
    cache_dir = os.path.abspath(root / BUILD_CACHE_DIR)
    private = os.path.abspath(root / PRIVATE_DIR)
    digest = hashlib.sha256()
    found: list[tuple[str, str]] = []
    stack = [("", str(root))]
    while stack:
        prefix, directory = stack.pop()
        with os.scandir(directory) as entries:
            for entry in entries:
                path = os.path.abspath(entry.path)
                if path in skipped or path == cache_dir:
                    continue
                if entry.name.startswith(".") and path != private:
                    continue
                rel = prefix + entry.name
                if entry.is_symlink():
                    return None
                if entry.is_dir(follow_symlinks=False):
                    stack.append((rel + "/", entry.path))
                elif entry.is_file(follow_symlinks=False):
                    with open(entry.path, "rb") as handle:
                        found.append((rel, hashlib.file_digest(handle, "sha256").hexdigest()))
    for rel, value in sorted(found):
        digest.update(f"{rel}\0{value}\0".encode())
    return digest.hexdigest()


def _options_digest(options: Mapping[str, Any]) -> str:
    text = json.dumps(options, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256((code_digest() + text).encode()).hexdigest()


def moments(published: Any, status_lists: Mapping[str, Any]) -> list[str]:
    """Every moment after which a build of the same files could differ: the dates written in
    what the site publishes, and each status list's ``validFrom`` + ``ttl``."""
    found = _dates(published, set())
    for listed in status_lists.values():
        subject = listed.get("credentialSubject") if isinstance(listed, Mapping) else None
        ttl = subject.get("ttl") if isinstance(subject, Mapping) else None
        start = _moment(str(listed.get("validFrom", ""))) if isinstance(listed, Mapping) else None
        if isinstance(ttl, int) and not isinstance(ttl, bool) and start is not None:
            with contextlib.suppress(OverflowError):
                found.add(format_timestamp(start + dt.timedelta(milliseconds=ttl)))
    return sorted(found)


def quick_record(
    root: Path,
    skip: Iterable[Path],
    options: Mapping[str, Any],
    published_moments: list[str],
    checks: Mapping[str, BuildCheck],
    credentials: int,
) -> dict[str, Any]:
    """What the next build compares (see the module docstring); stored with the last build."""
    return {
        "project": project_digest(root, skip),
        "options": _options_digest(options),
        "moments": published_moments,
        "checks": {s: [c.result, c.summary, list(c.problems)] for s, c in checks.items()},
        "credentials": credentials,
    }


def kept_build(
    root: Path,
    out: Path,
    kept: Path | None,
    now: dt.datetime,
    options: Mapping[str, Any],
) -> BuildResult | None:
    """The previous build's result when nothing it read has changed and its output (and kept
    source) still hold exactly what it wrote; None when a build must run."""
    started = time.monotonic()
    last = _read(root / BUILD_CACHE_DIR / LAST_BUILD_FILE)
    quick = last.get("quick")
    if not isinstance(quick, dict) or last.get("out") != str(out):
        return None
    if (last.get("kept") if kept is not None else None) != (str(kept) if kept else None):
        return None
    try:
        then = parse_timestamp(last["now"])
        if _crossed([str(m) for m in quick["moments"]], then, now):
            return None
        if quick["options"] != _options_digest(options):
            return None
        recorded = quick["project"]
        if recorded is None or recorded != project_digest(root, [out, *([kept] if kept else [])]):
            return None
        if not holds_as_recorded(out, last, "out"):
            return None
        if kept is not None and not holds_as_recorded(kept, last, "source"):
            return None
        result = last["result"]
        checks = {
            str(slug): BuildCheck(str(c[0]), str(c[1]), tuple(str(p) for p in c[2]))
            for slug, c in quick["checks"].items()
        }
        largest = result.get("largest") or ["", 0]
        return BuildResult(
            out=out,
            kind=str(result.get("kind", "issuer")),
            pages=int(result.get("pages", 0)),
            credentials=int(quick["credentials"]),
            checks=checks,
            warnings=[str(w) for w in result.get("warnings", [])],
            total_bytes=int(result.get("total", 0)),
            largest_page=(str(largest[0]), int(largest[1])),
            oversized_pages=[(str(r), int(n)) for r, n in result.get("oversized", [])],
            seconds=time.monotonic() - started,
        )
    except (KeyError, TypeError, ValueError, AttributeError, IndexError, OSError):
        return None
