"""The build cache: verdicts, QR codes and the previous build's manifest (never published).

It lives in ``.microcred/build-cache/`` (layout.BUILD_CACHE_DIR), which the build never copies
and whose presence in any output the secret check refuses. Every entry is advisory: a missing,
stale, corrupt or foreign entry is ignored and the work is done again.

* Verdicts: a credential's build-time check, keyed by the SHA-256 of its bytes, of the DID
  documents and status lists it was checked against, and of microcred's own code. The entry
  also records the moment it was checked and every date-time string in those documents; it is
  reused at another moment only if no such date lies between the two (expiry, validFrom and a
  list's validity are the only ways time changes a verdict). The verdict always comes from
  :func:`microcred.site.build.check_publication`, i.e. microcred's own verification; the
  report itself is kept (pickled, read back with an unpickler that admits only the report's
  dataclasses) and the page words are made from it again. A reused report says when it was
  checked (its ``checked_at``), which is then earlier than the build time.
* The status lists' and endorsements' own verdicts (``status-verdicts.json``,
  ``endorsement-verdicts.json``, :class:`KeptVerdicts`): the result of checking each one,
  keyed by it, what its check reads and microcred's code, reused under the same rule of
  dates. A build after ``issue`` then runs no check at all, and loads neither the checks nor
  the canonicalizer.
* QR codes: the SVG for (data, label), checked to be one of ours before it is reused (in
  site/qrcache.py).
* Badge PNGs: the badge SVG rasterised, keyed by the SVG, the width, resvg and the fonts.
* The previous build: a digest of every input (project files, the publication, the verdicts,
  microcred's code, the engine, analytics) and of every output file. When the inputs are the
  same and the output folder still holds exactly those bytes, the engine is not run and the
  previous output stays (its "built at" stamp then names the build that produced it).
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import datetime as dt
import hashlib
import io
import json
import os
import pickle  # only microcred's report dataclasses are read back (find_class)
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from microcred._util import format_timestamp, parse_timestamp
from microcred.issue.receipts import fingerprint
from microcred.layout import BUILD_CACHE_DIR
from microcred.site import verdict
from microcred.site.badge_raster import RASTER_FILE
from microcred.site.carry import PageCarry, SourceCarry
from microcred.site.common import BuildCheck
from microcred.site.unchanged import (
    LAST_BUILD_FILE,
    StateDigests,
    _crossed,
    _dates,
    _read,
    _recorded_table,
    _sha,
    _write,
    code_digest,
    holds_as_recorded,
    read_last_build,
    state_text,
    tree_digests,
)
from microcred.treewalk import tree_entries


def _json(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str).encode("utf-8")


class _ReportUnpickler(pickle.Unpickler):
    """Reads back a verification report and nothing else: only microcred's own report
    dataclasses (microcred.verify.*) and plain containers, never an arbitrary callable."""

    _PLAIN = frozenset({("copyreg", "_reconstructor"), ("copyreg", "__newobj__")})
    _PLAIN |= {("builtins", n) for n in ("object", "tuple", "list", "dict", "frozenset", "set")}

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in self._PLAIN:
            return super().find_class(module, name)
        if module.startswith("microcred.verify.") and name[:1].isupper():
            found = super().find_class(module, name)
            if dataclasses.is_dataclass(found) and isinstance(found, type):
                return found
        raise pickle.UnpicklingError(f"{module}.{name} is not part of a verification report")


def content_digest(credential: Mapping[str, Any]) -> str:
    """What a verdict is kept for: the credential's content (its parsed JSON, canonically):
    the issue receipts' fingerprint, which the issue run already took of every credential
    it kept (``Publication.fingerprints``)."""
    return fingerprint(credential)


class VerdictCache:
    """Verdicts of one publication's credentials (see the module docstring)."""

    def __init__(
        self,
        root: Path,
        did_documents: Any,
        status_lists: Mapping[str, Mapping[str, Any]],
        lists_checked: Mapping[str, str] | None = None,
    ) -> None:
        """``lists_checked``: each status list's own verdict in this build. With it, a list
        counts by its content and that verdict, not by its proof bytes (a list re-signed
        over the same bits, as issuing a credential does, keeps the other verdicts)."""
        self.path = root / BUILD_CACHE_DIR / "verdicts.json"
        lists: dict[str, Any] = dict(status_lists)
        if lists_checked is not None:
            lists = {
                url: [{k: v for k, v in doc.items() if k != "proof"}, lists_checked.get(url)]
                for url, doc in status_lists.items()
            }
        self.context = _sha(_json([code_digest(), did_documents, lists]))
        self.context_dates = _dates([did_documents, lists], set())
        self.entries: dict[str, Any] = _read(self.path).get("entries", {})
        self.fresh: dict[str, Any] = {}

    def key(self, credential: Mapping[str, Any]) -> str:
        return self.key_of(content_digest(credential))

    def key_of(self, digest: str) -> str:
        """The key of a credential given its :func:`content_digest`."""
        return _sha((digest + self.context).encode())

    def get(
        self, credential: Mapping[str, Any], now: dt.datetime, digest: str | None = None
    ) -> BuildCheck | None:
        """The kept verdict of ``credential`` (``digest``: its :func:`content_digest`, when
        known), if it holds at ``now``."""
        key = self.key_of(digest) if digest is not None else self.key(credential)
        entry = self.entries.get(key)
        try:
            if not isinstance(entry, dict) or entry["key"] != key:
                return None
            data = base64.b64decode(entry["report"], validate=True)
            if _sha(data) != entry["sha256"]:
                return None
            report = _ReportUnpickler(io.BytesIO(data)).load()
            if type(report).__name__ != "VerificationReport":
                return None
            check = verdict.summarise(report)
            then = parse_timestamp(entry["now"])
        except (KeyError, TypeError, ValueError, AttributeError, pickle.UnpicklingError, EOFError):
            return None
        if _crossed(_dates(credential, set(self.context_dates)), then, now):
            return None  # a date between the two moments may change the verdict
        self.fresh[key] = entry
        return check

    def put(
        self,
        credential: Mapping[str, Any],
        now: dt.datetime,
        check: BuildCheck,
        digest: str | None = None,
    ) -> None:
        report = getattr(check, "report", None)
        if report is None:
            return
        digest = digest if digest is not None else content_digest(credential)
        self.put_report(digest, now, pickle.dumps(report, protocol=5))

    def put_report(self, digest: str, now: dt.datetime, data: bytes) -> None:
        """``put`` for a report pickled elsewhere (a worker) of the credential with that
        :func:`content_digest`."""
        key = self.key_of(digest)
        self.fresh[key] = {
            "key": key,
            "now": format_timestamp(now),
            "report": base64.b64encode(data).decode("ascii"),
            "sha256": _sha(data),
        }

    def save(self, *, keep: bool = False) -> None:
        """Keep this build's verdicts only (entries of replaced credentials go), or with
        ``keep`` (``microcred issue``, which checks only what it signed) the others too."""
        kept = self.entries if keep and isinstance(self.entries, dict) else {}
        entries = {**kept, **self.fresh}
        _write(self.path, {"entries": entries})


LIST_VERDICTS_FILE = "status-verdicts.json"
ENDORSEMENT_VERDICTS_FILE = "endorsement-verdicts.json"


class KeptVerdicts:
    """Verdicts of documents checked on their own at every build (the status lists, the
    endorsements), kept like a credential's: under microcred's code, what the check reads
    (``context``: for a list, every list and DID document published with it) and the
    document, reused at another moment only if no date in them lies between the two.

    The values are plain JSON (a result, its words); a caller checks their shape on reading.
    A build after ``issue`` then runs no check at all, and loads neither the checks nor the
    canonicalizer."""

    def __init__(self, root: Path, file: str, context: Any = None) -> None:
        self.path = root / BUILD_CACHE_DIR / file
        self.context = _sha(_json([code_digest(), context]))
        self.dates = _dates(context, set()) if context is not None else set()
        self.entries: dict[str, Any] | None = None  # read on the first look-up
        self.fresh: dict[str, Any] = {}

    def _key(self, name: str, document: Any) -> str:
        return _sha(_json([self.context, name, document]))

    def _kept(self) -> dict[str, Any]:
        if self.entries is None:
            entries = _read(self.path).get("entries", {})
            self.entries = entries if isinstance(entries, dict) else {}
        return self.entries

    def get(self, name: str, now: dt.datetime, document: Any = None) -> dict[str, Any] | None:
        """The value kept for ``name`` (and ``document``), if it holds at ``now``."""
        key = self._key(name, document)
        entry = self._kept().get(key)
        try:
            if not isinstance(entry, dict) or entry["key"] != key:
                return None
            value, then = entry["value"], parse_timestamp(entry["now"])
        except (KeyError, TypeError, ValueError):
            return None
        dates = _dates(document, set(self.dates)) if document is not None else self.dates
        if not isinstance(value, dict) or _crossed(dates, then, now):
            return None
        self.fresh[key] = entry
        return value

    def put(self, name: str, now: dt.datetime, value: dict[str, Any], document: Any = None) -> None:
        key = self._key(name, document)
        self.fresh[key] = {"key": key, "now": format_timestamp(now), "value": value}

    def save(self) -> None:
        """Keep this build's verdicts only; nothing is written when they are the ones kept."""
        if self.fresh != self._kept():
            _write(self.path, {"entries": self.fresh})


# --------------------------------------------------------------------------- badge PNGs

_PNG = b"\x89PNG\r\n\x1a\n"


def load_badge_rasters(root: Path) -> dict[str, bytes]:
    """Badge PNGs from the last build, keyed as :func:`microcred.site.badge_raster.raster_key`
    keys them (anything that is not a PNG left out)."""
    entries = _read(root / BUILD_CACHE_DIR / RASTER_FILE).get("entries", {})
    found: dict[str, bytes] = {}
    if isinstance(entries, dict):
        for key, value in entries.items():
            if isinstance(key, str) and isinstance(value, str):
                with contextlib.suppress(ValueError):
                    data = base64.b64decode(value, validate=True)
                    if data.startswith(_PNG):
                        found[key] = data
    return found


def save_badge_rasters(root: Path, entries: Mapping[str, bytes]) -> None:
    """This build's badge PNGs (only these: the file never outgrows the program)."""
    encoded = {k: base64.b64encode(v).decode("ascii") for k, v in sorted(entries.items())}
    path = root / BUILD_CACHE_DIR / RASTER_FILE
    if _read(path).get("entries") != encoded:
        _write(path, {"entries": encoded})


# --------------------------------------------------------------------------- secret scan

_SCANNED_FILE = "secret-scan.json"


def _needles_digest(needles: Iterable[bytes]) -> str:
    digest = hashlib.sha256(code_digest().encode())
    for needle in sorted(needles):
        digest.update(needle + b"\0")
    return digest.hexdigest()


def load_clean_contents(root: Path, needles: Iterable[bytes]) -> set[str]:
    """Digests of contents an earlier build's secret scan found clean, for the same secret
    keys and the same microcred (else none: a new key must be looked for everywhere)."""
    data = _read(root / BUILD_CACHE_DIR / _SCANNED_FILE)
    entries = data.get("clean")
    if data.get("needles") != _needles_digest(needles) or not isinstance(entries, list):
        return set()
    return {e for e in entries if isinstance(e, str) and len(e) == 64}


def save_clean_contents(root: Path, needles: Iterable[bytes], clean: Iterable[str]) -> None:
    payload = {"needles": _needles_digest(needles), "clean": sorted(clean)}
    _write(root / BUILD_CACHE_DIR / _SCANNED_FILE, payload)


# --------------------------------------------------------------------------- previous build


def input_digest(
    root: Path,
    skip: Iterable[Path],
    publication: Mapping[str, Any],
    extra: Mapping[str, Any],
    known: Mapping[str, list[str]] | None = None,
) -> str:
    """Everything a build reads: the project's files (not .microcred/, dot-folders or the
    output), the publication, the verdicts, microcred's code and the build options.
    ``known``: path -> [state, digest] of project files read moments ago by this build
    (:func:`microcred.site.unchanged.project_state`), taken while the state is the same."""
    known = known or {}
    skipped = {os.fspath(p.resolve()) for p in skip}

    def left_out(rel: str, entry: os.DirEntry[str]) -> bool:  # and all that is under it
        return ("/" not in rel and rel.startswith(".")) or entry.path in skipped

    digest = hashlib.sha256(code_digest().encode())
    for rel, entry in tree_entries(root, left_out):
        if entry.is_symlink():
            digest.update(f"{rel}\0link\0{os.readlink(entry.path)}\0".encode())
        elif entry.is_file(follow_symlinks=False):
            seen = known.get(rel)
            if seen is not None and seen[0] == state_text(entry.stat(follow_symlinks=False)):
                value = seen[1]
            else:
                with open(entry.path, "rb") as handle:
                    value = _sha(handle.read())
            digest.update(f"{rel}\0{value}\0".encode())
    digest.update(_json(publication))
    digest.update(_json(extra))
    return digest.hexdigest()


def previous_build(
    root: Path, inputs: str, out: Path, kept: Path | None, now: dt.datetime, publication: Any
) -> dict[str, Any] | None:
    """The recorded result of the last build, if its inputs were ``inputs``, no date in the
    publication lies between that build's moment and ``now`` (endorsements and pages may
    word such a date by the build time), and ``out`` (and ``kept``, the kept source) still
    hold exactly the bytes that build wrote."""
    last = read_last_build(root)
    if not last or last.get("inputs") != inputs or last.get("out") != str(out):
        return None
    try:
        if _crossed(_dates(publication, set()), parse_timestamp(last["now"]), now):
            return None
    except (KeyError, TypeError, ValueError):
        return None
    if not holds_as_recorded(out, last, "out"):
        return None
    if kept is not None and (
        last.get("kept") != str(kept) or not holds_as_recorded(kept, last, "source")
    ):
        return None
    result = last.get("result")
    return result if isinstance(result, dict) else None


def record_build(
    root: Path,
    inputs: str,
    out: Path,
    kept: Path | None,
    source: Path,
    result: Mapping[str, Any],
    now: dt.datetime,
    quick: Mapping[str, Any] | None = None,
    read: tuple[Mapping[str, str], Mapping[str, str]] | None = None,
    public_since: int | None = None,
    pages: Mapping[str, Any] | None = None,
    units: Mapping[str, Any] | None = None,
) -> None:
    """Remember this build for the next one (``quick``: see site/unchanged.py; ``read``: the
    digests the build's secret scans took of the output and the source, by path).

    With each file's digest goes its state (size, times, inode) and the moment this record
    began, before any state was taken; any later change sets a file's ctime after that
    moment. The next build takes the digest of a file whose state is the same and whose
    last change came before that moment, and reads the rest. The digests in ``read`` were
    taken in the build's private work folder, where only the build wrote the files, of
    their final bytes; they are taken for files last changed before ``public_since``, the
    moment the files left that folder. A file changed since (a page carried over as a hard
    link whose other name the build then removed, or anything another program did) is
    read here. ``pages``: the engine's record of each page
    (:meth:`microcred.site.carry.PageCarry.record`), ``units``: the source's
    (:attr:`microcred.site.carry.SourceCarry.ledger`), for the next build to carry; with
    ``units``, the source (``source``, kept or not) is recorded as a kept source is."""
    since = time.time_ns()  # before any state is taken
    out_read, source_read = read or ({}, {})
    until = public_since if public_since is not None else since
    read_here: dict[str, str] = {}  # a machine file is in both trees (hard links): read once
    states: dict[str, dict[str, str]] = {"out": {}}
    record: dict[str, Any] = {
        "now": format_timestamp(now),
        "inputs": inputs,
        "out": str(out),
        "files": tree_digests(out, out_read, states["out"], until, read_here),
        "result": dict(result),
    }
    if quick is not None:
        record["quick"] = dict(quick)
    if kept is not None:
        record["kept"] = str(kept)
    if kept is not None or units is not None:
        states["source"] = {}
        record["source"] = tree_digests(source, source_read, states["source"], until, read_here)
        record["source_dir"] = str(source)
    record["states"] = states
    record["public_since_ns"] = str(since)
    if pages:
        record["pages"] = dict(pages)
    if units:
        record["units"] = dict(units)
    _write(root / BUILD_CACHE_DIR / LAST_BUILD_FILE, record)


def past_pages(root: Path, out: Path, needles: Iterable[bytes]) -> PageCarry:
    """The pages the last build wrote into ``out``, for this build to carry over where their
    keys are the same; none when it built elsewhere or recorded no pages. The salt of every
    key names microcred's code, the engine's libraries and the secret keys looked for."""
    carry = PageCarry(_needles_digest(needles))
    last = read_last_build(root)
    pages, states = last.get("pages"), last.get("states")
    if last.get("out") != str(out) or not isinstance(pages, dict) or not out.is_dir():
        return carry
    state = states.get("out") if isinstance(states, dict) else None
    recorded = _recorded_table(state, last.get("files"), last.get("public_since_ns"))
    carry.folder, carry.entries, carry.table = out, pages, StateDigests(recorded)
    return carry


SOURCE_DIR = "source"
"""The last build's site source, in the build cache, when it was not kept elsewhere."""


def past_source(root: Path) -> SourceCarry:
    """The site source the last build made, for this build to take the units whose inputs
    are the same (:class:`microcred.site.carry.SourceCarry`); none recorded, none taken.
    The salt of every key names microcred's code and templates."""
    carry = SourceCarry(code_digest())
    last = read_last_build(root)
    folder, units, digests = last.get("source_dir"), last.get("units"), last.get("source")
    if not isinstance(folder, str) or not isinstance(units, dict) or not isinstance(digests, dict):
        return carry
    if not Path(folder).is_dir():
        return carry
    states = last.get("states")
    state = states.get("source") if isinstance(states, dict) else None
    recorded = _recorded_table(state, digests, last.get("public_since_ns"))
    carry.folder, carry.entries, carry.digests = Path(folder), units, digests
    carry.table = StateDigests(recorded)
    return carry


def forget_build(root: Path) -> None:
    """A build that failed or changed the output another way: the record no longer holds."""
    with contextlib.suppress(OSError):
        (root / BUILD_CACHE_DIR / LAST_BUILD_FILE).unlink(missing_ok=True)
