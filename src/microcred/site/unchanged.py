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
import sys
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import microcred
from microcred._util import (
    format_timestamp,
    parse_timestamp,
    read_sealed_json,
    write_sealed_json,
)
from microcred.errors import ConfigError
from microcred.layout import BUILD_CACHE_DIR, PRIVATE_DIR, template_dir
from microcred.site.outcome import BuildCheck, BuildResult
from microcred.treewalk import tree_entries

CACHE_VERSION = 1
LAST_BUILD_FILE = "last-build.json"
RACY_NS = 50_000_000
"""Timestamps tick coarsely: a change made just after a moment may carry a time
just before it, so a file last changed this close before the moment its state vouches
from is read again, as git does with "racily clean" files."""
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[T ][0-9:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$")


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _read(path: Path) -> dict[str, Any]:
    """A cache file this account's microcred wrote (its seal holds), else nothing."""
    return read_sealed_json(path, version=CACHE_VERSION)


_LAST: dict[str, tuple[str, dict[str, Any]]] = {}


def read_last_build(root: Path) -> dict[str, Any]:
    """The last build's record (:func:`_read`), read once per process while the file's
    state is the same: the quick check, the full build's check and both carries read it,
    and at 10,000 records it is tens of megabytes. Callers must not change it."""
    path = root / BUILD_CACHE_DIR / LAST_BUILD_FILE
    try:
        state = state_text(path.stat())
    except OSError:
        return {}
    known = _LAST.get(str(path))
    if known is not None and known[0] == state:
        return known[1]
    data = _read(path)
    _LAST.clear()  # one project's record at a time
    _LAST[str(path)] = (state, data)
    return data


def _write(path: Path, data: dict[str, Any]) -> None:
    write_sealed_json(path, data, version=CACHE_VERSION)  # a failed write only costs time


_ENGINE_PACKAGES = ("mkdocs", "mkdocs-material", "markdown", "jinja2", "qrcode", "pillow")


class StateDigests:
    """SHA-256 digests of files, taken from a recorded table where a file's state (size,
    times, inode) is the one recorded and its last change settled before the moment the
    recording process began reading (any change of the bytes sets the ctime after it); any
    other file is read. What it saw becomes the next table (:meth:`record`)."""

    def __init__(self, recorded: Any = None) -> None:
        self._since = time.time_ns()  # before this process reads any file for this table
        self._known: dict[str, tuple[str, str]] = {}
        self._settled = 0
        self.seen: dict[str, list[str]] = {}
        if not isinstance(recorded, dict):
            return
        since, files = recorded.get("since"), recorded.get("files")
        if not isinstance(since, str) or not since.isdigit() or not isinstance(files, dict):
            return
        self._settled = int(since) - RACY_NS
        for key, entry in files.items():
            if isinstance(entry, list) and len(entry) == 2 and all(type(e) is str for e in entry):
                self._known[key] = (entry[0], entry[1])

    @property
    def blank(self) -> bool:
        """Nothing recorded and nothing read yet."""
        return not self._known and not self.seen

    def vouched(self, key: str, info: os.stat_result) -> str | None:
        """The recorded digest, if the file's state ``info`` still vouches for it."""
        hit = self._known.get(key)
        if hit is None or hit[0] != state_text(info):
            return None
        return hit[1] if max(info.st_mtime_ns, info.st_ctime_ns) < self._settled else None

    def digest(self, key: str, path: str, info: os.stat_result) -> str:
        """``path``'s digest; ``info``: its stat, taken before this call reads it."""
        state = state_text(info)
        seen = self.seen.get(key)
        if seen is not None and seen[0] == state:  # read by this process, unchanged since
            return seen[1]
        value = self.vouched(key, info)
        if value is None:
            with open(path, "rb") as handle:
                value = hashlib.file_digest(handle, "sha256").hexdigest()
        self.seen[key] = [state, value]
        return value

    def record(self) -> dict[str, Any]:
        return {"since": str(self._since), "files": dict(sorted(self.seen.items()))}


def state_text(info: os.stat_result) -> str:
    """ "size:mtime_ns:ctime_ns:inode" (text: the numbers pass I-JSON's integer range)."""
    return f"{info.st_size}:{info.st_mtime_ns}:{info.st_ctime_ns}:{info.st_ino}"


_CODE = [StateDigests()]
"""The table code_digest() reads through; :func:`kept_build` seeds it from the record."""


def code_record() -> dict[str, Any]:
    """What code_digest() read in this process, for the next build's record."""
    return _CODE[0].record()


CODE_FILES = "code-files.json"
"""The table of code_digest() (the code files' digests by state), kept by the last process
that took it: ``issue``'s check or a build. A build's record holds it too, but a first build
after ``issue`` has none, and read afresh the package is a few megabytes (25 ms)."""


def seed_code_files(root: Path) -> None:
    """Take the kept table for code_digest(), unless this process already has one."""
    if _CODE[0].blank:
        kept = _read(root / BUILD_CACHE_DIR / CODE_FILES)
        _CODE[0] = StateDigests(kept.get("code_files"))


def keep_code_files(root: Path) -> None:
    """Keep what code_digest() saw in this process for the next one (nothing if it did not
    run: the kept table stays)."""
    if _CODE[0].seen:
        _write(root / BUILD_CACHE_DIR / CODE_FILES, {"code_files": code_record()})


def _compiled_folder(_rel: str, entry: os.DirEntry[str]) -> bool:
    return entry.name == "__pycache__"  # left out with everything under it, unread


def code_digest() -> str:
    """microcred's version, the bytes of its package (code, data) and of the site templates
    in use, and the versions of the engine and the libraries that draw pages and images.
    Every file is looked at each time (the template folder may change within a process);
    its bytes are read when its state is not one already known (:class:`StateDigests`)."""
    digest = hashlib.sha256(microcred.__version__.encode())
    for name in _ENGINE_PACKAGES:
        digest.update(f"{name}={_version(name)}\0".encode())
    folders = [Path(microcred.__file__).parent]
    with contextlib.suppress(ConfigError):
        folders.append(template_dir())
    table = _CODE[0]
    for folder in folders:
        digest.update(str(folder).encode() + b"\0")
        found = []
        for rel, entry in tree_entries(folder, _compiled_folder):
            try:
                info = entry.stat()  # a link to a file counts as the file it points at
                if stat.S_ISREG(info.st_mode):
                    found.append((rel, table.digest(entry.path, entry.path, info)))
            except OSError:
                continue
        for rel, value in sorted(found):
            digest.update(rel.encode() + b"\0")
            digest.update(value.encode())
    return digest.hexdigest()


def _dist_name(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


@functools.cache
def _listing(folder: str) -> tuple[str, ...]:
    try:
        return tuple(sorted(os.listdir(folder or ".")))
    except OSError:
        return ()


@functools.cache
def _version(name: str) -> str:
    """An installed distribution's version: from the name of its ``.dist-info`` folder
    (``name-version.dist-info``), found on ``sys.path`` in the order importlib.metadata
    searches it, since reading its metadata costs more than the rest of an unchanged
    rebuild's checks; else from the metadata; "none" when it is not installed."""
    wanted = _dist_name(name)
    for folder in sys.path:
        for entry in _listing(folder):
            if entry.endswith(".dist-info"):
                dist, _, version = entry[: -len(".dist-info")].partition("-")
                if version and _dist_name(dist) == wanted:
                    return version
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "none"


def _dates(value: Any, out: set[str], where: str = "") -> set[str]:
    """Every date-like string; those inside a proof (signing times) marked ``proof:``.

    Every build walks every published credential: plain JSON types are told apart by
    identity first, and a string goes to the regex only with a date's first dash (twice as
    fast as isinstance tests throughout; the same strings found)."""
    kind = type(value)
    if kind is dict:
        for name, item in value.items():
            if type(item) is str:
                if len(item) >= 10 and item[4] == "-" and _DATE_RE.match(item):
                    out.add(("proof:" if name == "proof" else where) + item)
            elif not _scalar(item):
                _dates(item, out, "proof:" if name == "proof" else where)
    elif kind is list:
        for item in value:
            if type(item) is str:
                if len(item) >= 10 and item[4] == "-" and _DATE_RE.match(item):
                    out.add(where + item)
            elif not _scalar(item):
                _dates(item, out, where)
    elif isinstance(value, str):
        if _DATE_RE.match(value):
            out.add(where + value)
    elif isinstance(value, Mapping):
        for name, item in value.items():
            _dates(item, out, "proof:" if name == "proof" else where)
    elif isinstance(value, list | tuple):
        for item in value:
            _dates(item, out, where)
    return out


def _scalar(value: Any) -> bool:
    """Whether ``value`` is a JSON number, boolean or null (nothing to walk)."""
    kind = type(value)
    return kind is int or kind is float or kind is bool or value is None


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


def tree_digests(
    folder: Path,
    known: Mapping[str, str] | None = None,
    states: dict[str, str] | None = None,
    known_until: int | None = None,
    by_state: dict[str, str] | None = None,
) -> dict[str, str]:
    """Every file under ``folder`` (symlinks as such) -> SHA-256 of its bytes, in path order.

    ``known``: digests of files read moments ago by the same process (the build's scans),
    taken instead of reading those files again; with ``known_until`` (nanoseconds), only
    for a file last changed before it (a hard link removed since, say, is read again).
    ``states``, when given, receives each regular file's :func:`tree_state` in the same
    walk, taken before the file is read; a file read here whose bytes are not the ones
    ``known`` has its known digest and no state. ``by_state``: digests of files read in
    this process by their state (which names the inode): another name of the same file,
    unchanged since (the same state), is not read again."""
    known = known or {}
    settled = None if known_until is None else known_until - RACY_NS
    by_state = by_state if by_state is not None else {}
    out: dict[str, str] = {}
    todo: dict[str, str] = {}  # state -> a path with that state, to read once
    unread: list[tuple[str, str]] = []  # (path in the tree, state) read below
    for rel, entry in tree_entries(folder):
        if entry.is_symlink():
            out[rel] = "symlink:" + os.readlink(entry.path)
        elif entry.is_file(follow_symlinks=False):
            info = entry.stat(follow_symlinks=False)
            state = state_text(info)
            if states is not None:
                states[rel] = state
            if rel in known and (
                settled is None or max(info.st_mtime_ns, info.st_ctime_ns) < settled
            ):
                out[rel] = known[rel]
                continue
            if state not in by_state:
                todo.setdefault(state, entry.path)
            unread.append((rel, state))
    by_state.update(_digests_of(todo))
    for rel, state in unread:
        out[rel] = by_state[state]
        if rel in known and out[rel] != known[rel]:
            # changed since the build made it: the record keeps what the build made, and
            # no state, so that the next build reads the file and finds it changed
            out[rel] = known[rel]
            if states is not None:
                del states[rel]
    return dict(sorted(out.items()))


def _digests_of(paths: Mapping[str, str]) -> dict[str, str]:
    """SHA-256 of each file (``key -> path``), by key. (Threads were measured: for a site's
    small files they took twice as long as one thread.)"""
    out = {}
    for key, path in paths.items():
        with open(path, "rb") as handle:
            out[key] = hashlib.file_digest(handle, "sha256").hexdigest()
    return out


def tree_state(folder: Path) -> dict[str, str]:
    """Every regular file under ``folder`` -> "size:mtime_ns:ctime_ns:inode" (text: the
    numbers pass I-JSON's integer range). Any change of a file's bytes sets its ctime to the
    time of the change, and no tool sets a ctime back."""
    out: dict[str, str] = {}
    for rel, entry in tree_entries(folder):
        if entry.is_file(follow_symlinks=False) and not entry.is_symlink():
            out[rel] = state_text(entry.stat(follow_symlinks=False))
    return out


def _recorded_table(state: Any, digests: Any, since: Any) -> dict[str, Any] | None:
    """A build record's states and digests of one tree as a :class:`StateDigests` table."""
    if not isinstance(state, dict) or not isinstance(digests, dict):
        return None
    files = {rel: [then, digests.get(rel)] for rel, then in state.items()}
    return {"since": since, "files": files}


def unchanged_digests(folder: Path, state: Any, digests: Any, since: Any) -> dict[str, str]:
    """The recorded digests of the files under ``folder`` whose state is still the one
    recorded and whose last change came before ``since`` (text, nanoseconds: the moment
    the files left the build's private folder, their digests taken), and not racily close
    to it: those need not be read again. Anything malformed vouches for nothing."""
    table = StateDigests(_recorded_table(state, digests, since))
    known: dict[str, str] = {}
    for rel, entry in tree_entries(folder):
        if entry.is_file(follow_symlinks=False) and not entry.is_symlink():
            value = table.vouched(rel, entry.stat(follow_symlinks=False))
            if value is not None:
                known[rel] = value
    return known


_RECORDED = {"out": "files", "source": "source"}  # tree -> the record's digests of it


def holds_as_recorded(folder: Path, last: Mapping[str, Any], tree: str) -> bool:
    """Whether ``folder`` holds exactly the files the last build recorded for ``tree``
    ("out" or "source"), in one walk: a file whose state is as recorded is taken by its
    digest (:class:`StateDigests`), any other file is read; the first difference ends it."""
    digests = last.get(_RECORDED[tree])
    if not folder.is_dir() or not isinstance(digests, dict):
        return False
    states = last.get("states")
    state = states.get(tree) if isinstance(states, dict) else None
    table = StateDigests(_recorded_table(state, digests, last.get("public_since_ns")))
    found = 0
    for rel, entry in tree_entries(folder):
        if entry.is_symlink():
            value = "symlink:" + os.readlink(entry.path)
        elif entry.is_file(follow_symlinks=False):
            if rel not in digests:
                return False
            value = table.digest(rel, entry.path, entry.stat(follow_symlinks=False))
        else:
            continue
        if digests.get(rel) != value:
            return False
        found += 1
    return found == len(digests)


def project_digest(
    root: Path, skip: Iterable[Path], table: StateDigests | None = None
) -> str | None:
    """The project's files as a build finds them: every file under ``root`` except the
    output, a kept source and dot-folders other than ``.microcred/`` (whose key ring and keys
    decide signatures; its build cache does not count). None when the project holds a
    symbolic link: what it points at may change without this folder changing. ``table``:
    the files' digests by state (read when not known), keyed by path in the project."""
    table = table or StateDigests()
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
                    info = entry.stat(follow_symlinks=False)
                    found.append((rel, table.digest(rel, entry.path, info)))
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


def project_state(root: Path, skip: Iterable[Path]) -> dict[str, Any]:
    """The project as a build read it, for :func:`quick_record`: taken once the build has
    issued (it writes credentials and status lists) and before it renders, so a file edited
    while the pages are made is recorded as it was read, and the next build sees the edit."""
    project = StateDigests()
    return {"project": project_digest(root, skip, project), "project_files": project.record()}


def quick_record(
    project: Mapping[str, Any],
    options: Mapping[str, Any],
    published_moments: list[str],
    checks: Mapping[str, BuildCheck],
    credentials: int,
) -> dict[str, Any]:
    """What the next build compares (see the module docstring); stored with the last build,
    with the digests of the project's (:func:`project_state`) and the code's files by state
    (:class:`StateDigests`)."""
    return {
        **project,
        "options": _options_digest(options),
        "code_files": code_record(),
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
    last = read_last_build(root)
    quick = last.get("quick")
    if not isinstance(quick, dict) or last.get("out") != str(out):
        return None
    if (last.get("kept") if kept is not None else None) != (str(kept) if kept else None):
        return None
    try:
        then = parse_timestamp(last["now"])
        if _crossed([str(m) for m in quick["moments"]], then, now):
            return None
        _CODE[0] = StateDigests(quick.get("code_files"))
        if quick["options"] != _options_digest(options):
            return None
        recorded = quick["project"]
        skip = [out, *([kept] if kept else [])]
        table = StateDigests(quick.get("project_files"))
        if recorded is None or recorded != project_digest(root, skip, table):
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
