"""``microcred build``: project folder -> verified, hardened static site, swapped in atomically.

1. decide what the project is (``[issuer]`` program or ``[portfolio]``, from microcred.toml);
2. gather what to publish (issuer: :func:`microcred.publish.prepare_publication`, which issues
   what changed; portfolio: the credential files the candidate collected) and verify every
   credential with :mod:`microcred.verify`, offline, against the files the site publishes;
3. render the site source (:mod:`microcred.site.source` / :mod:`microcred.site.portfolio`);
4. refuse if any secret key is in the source; run the engine; copy the machine files;
5. harden every page (CSP, links for file://), refuse if a secret key reached the output;
6. replace the output folder in one rename, so a failed build leaves the old site alone.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import multiprocessing
import os
import pickle
import shutil
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from microcred._util import cpu_count, fork_is_safe, loads_strict
from microcred.errors import ConfigError, MicrocredError
from microcred.layout import BUILD_CACHE_DIR, credential_file
from microcred.model import Program
from microcred.proof.keys import KeyPair
from microcred.publish import prepare_publication, publication_frame
from microcred.sealed import cache_dir_ready
from microcred.site import badge_raster, cache, finish, images, qrcache, unchanged, verdict
from microcred.site.ahead import DrawAhead
from microcred.site.beside import Beside
from microcred.site.carry import SourceCarry
from microcred.site.engine import run_engine, warm_engine
from microcred.site.keyahead import KeyAhead, active_key
from microcred.site.outcome import BuildResult, build_options, project_kind
from microcred.site.safety import find_secret_keys, secret_needles
from microcred.site.source import (
    SITE_MANIFEST,
    BuildCheck,
    PublicationLike,
    SourceReport,
    render_issuer_source,
    stamp,
)
from microcred.treewalk import tree_entries
from microcred.verify.options import VerifyOptions
from microcred.verify.pinned import PinnedDocument, StatusSnapshot

Progress = Callable[[int, int, str], None]


class SecretInOutputError(MicrocredError):
    code = "SECRET_IN_OUTPUT"


class KeepPrevious(Exception):
    """Nothing the build reads has changed and the previous output is intact."""

    def __init__(self, checks: dict[str, BuildCheck], count: int) -> None:
        super().__init__("unchanged")
        self.checks, self.count = checks, count


PARALLEL_FROM = 400  # spawned workers: below this, starting them costs more than they save
PARALLEL_FROM_FORKED = 48  # forked workers start warm
BESIDE_FROM = 4
"""Fewer credentials than a pool pays for, from which a build verifies them in one forked
child while it imports the engine (0.1-0.2 s on one core), rather than before it does."""


class _Once:
    """A call made at most once (the engine's imports: during the check, or after it)."""

    def __init__(self, call: Callable[[], object] | None) -> None:
        self._call = call

    def __call__(self) -> None:
        call, self._call = self._call, None
        if call is not None:
            call()


def _options(
    did_documents: Mapping[str, Mapping[str, Any]],
    status_lists: Mapping[str, Mapping[str, Any]],
    now: dt.datetime,
) -> VerifyOptions:
    """Offline verification against the DID documents and lists being published."""
    return VerifyOptions(
        did_documents={d: PinnedDocument(doc, "this site") for d, doc in did_documents.items()},
        status_lists={
            url: StatusSnapshot(doc, "this site", fetched_at=stamp(now))
            for url, doc in status_lists.items()
        },
    )


def _check_chunk(
    items: list[tuple[str, dict[str, Any]]],
    did_documents: Mapping[str, Mapping[str, Any]],
    status_lists: Mapping[str, Mapping[str, Any]],
    now: dt.datetime,
) -> list[tuple[str, BuildCheck]]:
    """Verify some credentials offline with the DID documents and lists being published."""
    from microcred.verify.engine import check_credential  # the checks: only when one runs

    options = _options(did_documents, status_lists, now)
    return [
        (
            slug,
            summarise(check_credential(cred, now=now, options=options, path=credential_file(slug))),
        )
        for slug, cred in items
    ]


Checked = tuple[str, str, BuildCheck, bytes | None]
"""(record slug, content digest, the check in words, its report pickled)."""


def _check_files(
    slugs: list[str],
    root: Path,
    did_documents: Mapping[str, Mapping[str, Any]],
    status_lists: Mapping[str, Mapping[str, Any]],
    now: dt.datetime,
) -> list[Checked]:
    """Read and verify some issued credentials (in a worker, which then lets each go: the
    process that asked never holds them all)."""
    from microcred.verify.engine import check_credential  # the checks: only when one runs

    options = _options(did_documents, status_lists, now)
    out: list[Checked] = []
    for slug in slugs:
        try:
            credential = loads_strict((root / credential_file(slug)).read_bytes())
        except (OSError, MicrocredError):
            continue  # the build reads it again and says what is wrong
        report = check_credential(credential, now=now, options=options, path=credential_file(slug))
        check = summarise(report)
        words = BuildCheck(check.result, check.summary, tuple(check.problems))
        data = pickle.dumps(report, protocol=5)
        out.append((slug, cache.content_digest(credential), words, data))
    return out


def check_publication(
    pub: PublicationLike,
    now: dt.datetime,
    verdicts: cache.VerdictCache | None = None,
    meanwhile: Callable[[], object] | None = None,
) -> dict[str, BuildCheck]:
    """Verify every credential (reusing ``verdicts`` of the same bytes, when given).

    ``meanwhile``: work the caller does next that needs no verdict (the engine's imports),
    done while the credentials are verified elsewhere, if they are (see :func:`_in_workers`);
    the caller calls it again (a :class:`_Once` does nothing the second time)."""
    if verdicts is None:
        return _check_all(pub, now, dict(pub.credentials), meanwhile)
    checks: dict[str, BuildCheck] = {}
    todo: dict[str, Any] = {}
    # Each credential's digest once: taken by the issue run for the credentials it kept,
    # here for the others, and kept on the publication for the build's input digest.
    known: dict[str, str] | None = getattr(pub, "fingerprints", None)
    digests = dict(known) if known is not None else {}
    for slug, cred in pub.credentials.items():
        digest = digests.get(slug) or digests.setdefault(slug, cache.content_digest(cred))
        hit = verdicts.get(cred, now, digest)
        if hit is None:
            todo[slug] = cred
        else:
            checks[slug] = hit
    for slug, check in _check_all(pub, now, todo, meanwhile).items():
        verdicts.put(pub.credentials[slug], now, check, digests[slug])
        checks[slug] = check
    if known is not None:
        known.update(digests)
    verdicts.save()
    return {slug: checks[slug] for slug in sorted(checks)}


@dataclass(frozen=True)
class _Frame:
    """What a check needs of a publication besides the credentials (PublicationLike's part)."""

    did_documents: Mapping[str, Mapping[str, Any]]
    status_lists: Mapping[str, Mapping[str, Any]]


def check_issued(
    root: Path,
    slugs: Sequence[str],
    *,
    now: dt.datetime,
    passphrase: str | None = None,
    key: KeyPair | None = None,
    program: Program | None = None,
) -> dict[str, BuildCheck]:
    """Verify the credentials ``microcred issue`` just signed, as the build would, and keep
    the verdicts for the build (issue 12: it then verifies each credential once).

    The check is the build's own: the same DID documents and status lists, the same code,
    the same cache key. Every credential is read from its file, so what is kept is a
    verdict on the bytes the build will read. Other verdicts in the cache stay.
    """
    lists, docs = publication_frame(root, now=now, program=program, passphrase=passphrase, key=key)
    frame = _Frame(docs, lists)
    unchanged.seed_code_files(root)
    verdicts = _verdict_cache(root, frame, now)
    docs_, lists_ = _plain(frame)
    checks: dict[str, BuildCheck] = {}
    for slug, digest, check, data in _in_workers(
        _check_files, sorted(set(slugs)), (root, docs_, lists_, now)
    ):
        if data is not None:
            verdicts.put_report(digest, now, data)
        checks[slug] = check
    verdicts.save(keep=True)
    unchanged.keep_code_files(root)
    return checks


def _check_all(
    pub: PublicationLike | _Frame,
    now: dt.datetime,
    credentials: Mapping[str, Any],
    meanwhile: Callable[[], object] | None = None,
) -> dict[str, BuildCheck]:
    """Verify credentials; large programs use one worker process per CPU."""
    items = [(slug, dict(cred)) for slug, cred in sorted(credentials.items())]
    docs, lists = _plain(pub)
    return dict(_in_workers(_check_chunk, items, (docs, lists, now), meanwhile))


def _plain(
    pub: PublicationLike | _Frame,
) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    docs = {d: dict(doc) for d, doc in pub.did_documents.items()}
    lists = {u: dict(doc) for u, doc in pub.status_lists.items()}
    return docs, lists


def _in_workers(
    work: Callable[..., list[Any]],
    items: list[Any],
    args: tuple[Any, ...],
    meanwhile: Callable[[], object] | None = None,
) -> list[Any]:
    """``work(chunk, *args)`` over ``items`` in order, by one worker process per CPU when
    there are enough of them; the results, concatenated. ``meanwhile`` (see
    :func:`check_publication`) runs here while the workers, or one forked child for fewer
    items (from BESIDE_FROM), do the work; not at all when the work is done in this process.

    Canonicalisation (RDFC-1.0) dominates and is pure Python, so processes, not threads.
    """
    if not items:
        return []
    workers = min(cpu_count(), 8)  # _util.cpu_count works on every platform
    # Forked workers inherit this process's loaded code and processed contexts, so they pay
    # off from a few dozen credentials; but fork is safe only while no other thread runs
    # (one could hold a lock the child needs). Otherwise spawned workers, which start cold.
    fork = fork_is_safe()
    if len(items) < (PARALLEL_FROM_FORKED if fork else PARALLEL_FROM) or workers < 2:
        if meanwhile is not None and len(items) >= BESIDE_FROM:
            child = Beside(work, items, *args)  # starts only with two CPUs and fork safe
            if child.started:
                meanwhile()
                done, found = child.result()
                if done:
                    return list(found)
        return work(items, *args)
    first: list[Any] = []
    if fork:  # one credential here first: the workers inherit what it warmed
        first = work(items[:1], *args)
        items = items[1:]
    size = -(-len(items) // (workers * 4))
    chunks = [items[i : i + size] for i in range(0, len(items), size)]
    context = multiprocessing.get_context("fork" if fork else "spawn")
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            futures = [pool.submit(work, chunk, *args) for chunk in chunks]
            if meanwhile is not None:
                meanwhile()
            return first + [found for future in futures for found in future.result()]
    except (BrokenProcessPool, OSError):
        # Workers could not start (e.g. a calling script without a __main__ guard): the
        # same checks, one after the other, in this process.
        return first + work(items, *args)


def summarise(report: Any) -> BuildCheck:
    """A verification report in words, generated from the report (site/verdict.py)."""
    return verdict.summarise(report)


def _check_out_dir(out: Path, root: Path) -> None:
    """Only ever replace an empty folder or a site microcred built before (never user files)."""
    out_r, root_r = out.resolve(), root.resolve()
    if out_r == root_r or out_r in root_r.parents:
        raise ConfigError(f"--out {out} would replace the project folder itself")
    if out_r.is_relative_to(root_r) and ".microcred" in out_r.relative_to(root_r).parts:
        raise ConfigError(f"--out {out} is inside .microcred/, where keys live")
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise ConfigError(f"--out {out} exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not (out / SITE_MANIFEST).is_file():
        raise ConfigError(
            f"--out {out} is not empty and is not a site microcred built",
            hint="choose an empty or new folder; microcred never overwrites other files",
        )


def _refuse_secrets(
    folder: Path,
    what: str,
    needles: Sequence[bytes] = (),
    known: set[str] | None = None,
    seen: set[str] | None = None,
    digests: dict[str, str] | None = None,
    vouched: Mapping[str, tuple[int, str]] | None = None,
) -> None:
    found = find_secret_keys(folder, needles, known, seen, digests, vouched)
    _refuse(folder, what, [p.relative_to(folder).as_posix() for p in found])


def _vouched(
    finished: Mapping[str, Any], placed: Sequence[str], source: Path, scanned: finish.SourceScan
) -> dict[str, tuple[int, str]]:
    """(size, SHA-256) of the built files whose bytes were scanned as they were made: the
    pages the engine's workers wrote (scanned there) and the machine files, hard links to
    the source files the source scan read. The final scan of the site reads only the rest
    (the theme's files, pages written otherwise): 4,700 files fewer at 1,000 credentials."""
    vouched = {rel: (done[0], done[2]) for rel, done in finished.items() if not done[1]}
    for rel in placed:
        digest = scanned.digests.get(f"static/{rel}")
        if digest is not None:
            with contextlib.suppress(OSError):
                vouched[rel] = ((source / "static" / rel).stat().st_size, digest)
    return vouched


def _refuse(folder: Path, what: str, found: Sequence[str]) -> None:
    if found:
        names = ", ".join(str(Path(rel)) for rel in found[:5])
        raise SecretInOutputError(
            f"refusing to publish: a secret key would be in the {what} ({names})",
            hint="keep key files in .microcred/keys/ only; nothing from there is ever published",
        )


def _keep(source: Path, keep: Path, trash: Path) -> Path:
    """Move the finished source to ``keep`` (a copy only across file systems); its new path.
    What ``keep`` held is moved to ``trash`` (deleted with the work folder), or deleted."""
    if keep.exists():
        try:
            keep.rename(trash)
        except OSError:  # another file system
            shutil.rmtree(keep)
    keep.parent.mkdir(parents=True, exist_ok=True)
    try:
        source.rename(keep)
    except OSError:  # another file system
        shutil.copytree(source, keep)
    return keep


def _keep_private(source: Path, root: Path, trash: Path) -> Path:
    """Move the finished source into the build cache, where the next build takes the files
    it would make the same (:class:`microcred.site.carry.SourceCarry`); its new path, or
    its old one when it cannot be moved there in one rename (another file system)."""
    target = root / BUILD_CACHE_DIR / cache.SOURCE_DIR
    try:
        cache_dir_ready(target.parent)
        if target.exists() or target.is_symlink():
            target.rename(trash)
        source.rename(target)
    except OSError:
        return source
    return target


_FROZEN = """Before the page and engine workers fork, what the build holds (the program, the
publication, the verdicts) is moved out of the cyclic collector's reach (gc.freeze): the
workers' collections then never walk the inherited objects, so they neither spend the time
nor copy those memory pages, and the parent stops rescanning them. Each step undoes its
freeze when it ends, so a long-running caller gets its collector back as it was (issue 12:
faster in 5 of 6 alternations at 1,000 records, by 0.2-1.5 s)."""

WORK_PREFIX = ".microcred-build-"


def _alive(pid_file: Path) -> bool:
    try:
        pid = int(pid_file.read_text(encoding="ascii"))
        os.kill(pid, 0)
    except (OSError, ValueError):
        return False
    return True


def _remove_work(work: Path) -> None:
    """Delete a build's work folder. The previous output, which it then holds, is deleted by
    a forked child while this process deletes the rest (the previous kept source, say): two
    trees of thousands of files, removed on two cores (issue 12)."""
    previous = work / "previous"
    child = Beside(shutil.rmtree, previous, True) if previous.is_dir() else None
    if child is None or not child.started:
        shutil.rmtree(work, ignore_errors=True)
        return
    with contextlib.suppress(OSError):
        for entry in os.scandir(work):
            if entry.name == "previous":
                continue
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path, ignore_errors=True)
            else:
                os.unlink(entry.path)
    child.result()
    shutil.rmtree(work, ignore_errors=True)  # what the child left, if it failed


def _remove_stale_work(parent: Path) -> None:
    """Work folders of builds that were killed (their process is gone) are removed; a build
    still running keeps its own (its ``pid`` file names a live process)."""
    with contextlib.suppress(OSError):
        for folder in parent.glob(WORK_PREFIX + "*"):
            if not folder.is_dir() or folder.is_symlink() or _alive(folder / "pid"):
                continue
            # No pid file yet: a build that is just starting, unless it is a minute old.
            if (folder / "pid").exists() or time.time() - folder.stat().st_mtime > 60:
                shutil.rmtree(folder, ignore_errors=True)


def _known_secrets(key: KeyPair | None, active: KeyPair | None) -> list[bytes]:
    """The secret key bytes this build can know (to find them in any encoding in the output):
    a key given by the caller and the program's active key, when it could be loaded."""
    return [k.secret_seed for k in (key, active) if k is not None and k.secret_seed]


def render_source(
    root: Path,
    dest: Path,
    *,
    now: dt.datetime,
    passphrase: str | None = None,
    analytics: Mapping[str, Any] | None = None,
    progress: Progress | None = None,
    key: KeyPair | None = None,
    issued: list[str] | None = None,
    fresh: Callable[[PublicationLike, dict[str, BuildCheck]], bool] | None = None,
    ahead: DrawAhead | None = None,
    carry: SourceCarry | None = None,
    meanwhile: Callable[[], object] | None = None,
) -> tuple[SourceReport, dict[str, BuildCheck], int]:
    """Steps 1-3: the site source of any project in ``dest``; (report, checks, credentials).

    ``issued``, when given, receives the record slugs this run signed. ``fresh`` (issuer
    programs) is asked, once the credentials are checked, whether the previous output still
    holds; if it says so, :class:`KeepPrevious` is raised instead of rendering. ``ahead``:
    a child already drawing this program's pictures (closed here when the source is done).
    ``carry``: the previous build's source, whose unchanged files are taken (issuer programs).
    ``meanwhile``: work due later, done when the pages are due and before waiting for the
    child (it is often still drawing then).
    """
    kind = project_kind(root)
    if kind == "portfolio":
        from microcred.site.portfolio import render_portfolio_source

        report, checks = render_portfolio_source(root, dest, now=now)
        return report, checks, len(checks)

    known_codes = qrcache.load_qr_codes(root)
    if ahead is None:  # on the idle core
        ahead = DrawAhead(root, known_codes)
    try:
        pub = prepare_publication(root, now=now, passphrase=passphrase, key=key, progress=progress)
        if issued is not None:
            issued.extend(pub.issue_report.issued)
        once = _Once(meanwhile)
        checks = check_publication(pub, now, _verdict_cache(root, pub, now), once)
        if fresh is not None and fresh(pub, checks):
            raise KeepPrevious(checks, len(pub.credentials))
        images.QR_CODES.update(known_codes)
        once()  # unless done during the check
        images.QR_CODES.update(ahead.codes(pub.credentials))  # the pages are due
        badge_raster.RASTERS.clear()  # this build's drawings only
        badge_raster.KNOWN.clear()
        badge_raster.KNOWN.update(cache.load_badge_rasters(root))
        badge_raster.KNOWN.update(ahead.rasters())  # drawn by the child on a first build
        gc.freeze()  # see _FROZEN
        try:
            report = render_issuer_source(
                pub,
                dest,
                now=now,
                checks=checks,
                analytics=analytics,
                progress=progress,
                carry=carry,
            )
        finally:
            gc.unfreeze()
    finally:
        ahead.close()
    qrcache.save_qr_codes(root, images.QR_CODES)
    cache.save_badge_rasters(root, badge_raster.RASTERS)
    return report, checks, len(pub.credentials)


def build_full(
    root: Path,
    out: Path,
    *,
    now: dt.datetime,
    engine: str = "mkdocs",
    passphrase: str | None = None,
    analytics: Mapping[str, Any] | None = None,
    keep_source: Path | None = None,
    progress: Progress | None = None,
    key: KeyPair | None = None,
    ahead: DrawAhead | None = None,
    key_ahead: KeyAhead | None = None,
) -> BuildResult:
    """Build the project at ``root`` into ``out``: the whole build, after
    :func:`microcred.site.build_site` checked the arguments, resolved the paths and found
    that the previous output cannot be kept.

    ``key`` signs with a given key instead of the program's key ring (tests, benchmarks);
    ``ahead``: a child already drawing the pictures (see :func:`render_source`);
    ``key_ahead``: the program's active key, already being decrypted on a thread.
    """
    started = time.monotonic()
    _check_out_dir(out, root)
    out.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_work(out.parent)
    work = Path(tempfile.mkdtemp(prefix=WORK_PREFIX, dir=out.parent))
    (work / "pid").write_text(str(os.getpid()), encoding="ascii")
    kept = keep_source
    inputs = ""
    quick: dict[str, Any] = {}

    def fresh(pub: PublicationLike, checks: dict[str, BuildCheck]) -> bool:
        nonlocal inputs
        material = _publication(pub, checks)
        quick["moments"] = unchanged.moments(material, pub.status_lists)
        quick["checks"], quick["count"] = checks, len(pub.credentials)
        extra = {"engine": engine, "analytics": analytics}
        skip = [out, work, *([kept] if kept else [])]
        quick["project"] = unchanged.project_state(root, skip)  # as read, before rendering
        read = quick["project"]["project_files"]["files"]  # each project file read once
        known: Mapping[str, str] = getattr(pub, "fingerprints", {})
        digested = {  # each credential by its digest: not serialised again when known
            **material,
            "credentials": {
                slug: known.get(slug) or cache.content_digest(credential)
                for slug, credential in pub.credentials.items()
            },
        }
        inputs = cache.input_digest(root, skip, digested, extra, read)
        previous[:] = [cache.previous_build(root, inputs, out, kept, now, material)]
        return previous[0] is not None

    previous: list[dict[str, Any] | None] = []
    try:
        source, built = work / "source", work / "site"
        issued: list[str] = []
        # The active key is decrypted once (a key derivation: 0.1 s) for signing and for the
        # secret scans, also when a key is given (it is looked for in the output all the
        # same); one that cannot be loaded is left to the issuing to report.
        active = key_ahead.result() if key_ahead is not None else active_key(root, passphrase)
        unchanged.seed_code_files(root)  # the code's digests by state, as the last run took them
        source_carry = cache.past_source(root)  # files the source need not make again
        report, checks, count = render_source(
            root,
            source,
            now=now,
            passphrase=passphrase,
            analytics=analytics,
            progress=progress,
            key=key or active,
            issued=issued,
            fresh=fresh,
            ahead=ahead,
            carry=source_carry,
            meanwhile=lambda: warm_engine(engine),
        )
        needles = secret_needles(_known_secrets(key, active))
        known = cache.load_clean_contents(root, needles)
        carry = cache.past_pages(root, out, needles)  # pages the engine need not render
        carry.sources = {  # by absolute path, whatever the engine's docs folder
            os.path.abspath(os.path.join(source, rel)): digest
            for rel, (_, digest) in report.files.items()
        }
        # The source scan and the copy of its machine files run beside the engine.
        gc.freeze()  # see _FROZEN
        beside = finish.BesideEngine(source, work / "static", needles, known, report.files)
        finished: dict[str, Any] = {}  # pages hardened and scanned as the engine wrote them
        try:
            engine_warnings = run_engine(
                source, built, engine, finish.PageFinisher(needles), finished, carry
            )
        finally:  # a secret in the source is reported first, as when it stopped the engine
            scanned = beside.result()
            _refuse(source, "site source", scanned.found)
        known |= scanned.clean
        seen = set(scanned.seen)
        placed = finish.place_staged(work / "static", built)
        for rel in placed:
            finished.pop(rel, None)  # replaced by a machine file: hardened as one
            carry.ledger.pop(rel, None)
        stats, found, clean = finish.harden_pages(built, needles, finished)
        _refuse(built, "built site", found)
        known |= clean
        built_digests: dict[str, str] = {}  # for the record of this build: read once
        vouched = _vouched(finished, placed, source, scanned)
        _refuse_secrets(built, "built site", needles, known, seen, built_digests, vouched)
        cache.save_clean_contents(root, needles, seen)  # this build's files only: no growth
        # Until here every file was in the private work folder, written by this build only
        # and every digest taken of its final bytes; from now on the output and the kept
        # source are public (a file the next build finds changed since is read again).
        built_public_since = time.time_ns()
        if keep_source is not None:
            source = _keep(source, keep_source, work / "previous-source")
        else:  # for the next build to take its unchanged files from
            source = _keep_private(source, root, work / "previous-source")
        units = source_carry.ledger if source.parent != work else None
        total = sum(
            entry.stat(follow_symlinks=False).st_size
            for _, entry in tree_entries(built)
            if entry.is_file(follow_symlinks=False)
        )
        if out.exists():
            out.rename(work / "previous")
        built.rename(out)
        # The previous output goes before the record: removing it changes the state of any
        # page carried over from it (a hard link), which the record then reads once, so
        # that the next build's checks take every file by its state. Those changes must
        # lie a racy margin before the record's moment, or the next build reads the files.
        _remove_work(work)
        if carry.carried or source_carry.carried:
            time.sleep(unchanged.RACY_NS / 1e9)
        if inputs:
            summary = {"pages": stats.pages, "largest": list(stats.largest), "total": total}
            summary |= {"oversized": [list(o) for o in stats.oversized], "kind": report.kind}
            summary["warnings"] = list(report.warnings) + engine_warnings
            record = unchanged.quick_record(
                quick["project"],
                build_options(engine, analytics, key),
                quick["moments"],
                quick["checks"],
                quick["count"],
            )
            cache.record_build(
                root,
                inputs,
                out,
                kept,
                source,
                summary,
                now,
                record,
                read=(built_digests, scanned.digests),
                public_since=built_public_since,
                pages=carry.record(),
                units=units,
            )
            unchanged.keep_code_files(root)  # for the next process (an issue, say)
    except KeepPrevious as same:
        return _kept_result(out, same, previous[0] or {}, started)
    except BaseException:
        cache.forget_build(root)
        raise
    finally:
        _remove_work(work)
        gc.unfreeze()
    warnings = list(report.warnings) + engine_warnings
    warnings += [
        f"{rel} is {size} bytes, over the 80 KB page budget" for rel, size in stats.oversized
    ]
    return BuildResult(
        out=out,
        kind=report.kind,
        pages=stats.pages,
        credentials=count,
        checks=checks,
        warnings=warnings,
        total_bytes=total,
        largest_page=stats.largest,
        oversized_pages=stats.oversized,
        seconds=time.monotonic() - started,
        issued=issued,
    )


def _publication(pub: PublicationLike, checks: Mapping[str, BuildCheck]) -> dict[str, Any]:
    """What of a publication and its verdicts the pages show (for the input digest)."""
    fields = ("credentials", "status_lists", "did_documents", "statuses", "status_changes")
    out: dict[str, Any] = {name: getattr(pub, name, None) for name in (*fields, "endorsements")}
    out["checks"] = {slug: [c.result, c.summary, list(c.problems)] for slug, c in checks.items()}
    return out


def _kept_result(
    out: Path, unchanged: KeepPrevious, last: Mapping[str, Any], started: float
) -> BuildResult:
    """The result of a build that kept the previous output (nothing it reads changed)."""
    largest = last.get("largest") or ["", 0]
    return BuildResult(
        out=out,
        kind=str(last.get("kind", "issuer")),
        pages=int(last.get("pages", 0)),
        credentials=unchanged.count,
        checks=unchanged.checks,
        warnings=[str(w) for w in last.get("warnings", [])],
        total_bytes=int(last.get("total", 0)),
        largest_page=(str(largest[0]), int(largest[1])),
        oversized_pages=[(str(r), int(n)) for r, n in last.get("oversized", [])],
        seconds=time.monotonic() - started,
    )


def _verdict_cache(
    root: Path, pub: PublicationLike | _Frame, now: dt.datetime
) -> cache.VerdictCache:
    """The verdict cache, with each status list's own verdict: kept from the last check of
    the same lists (cache.KeptVerdicts), else checked now (a few lists, milliseconds, but the
    first check of a process loads the checks and the canonicalizer)."""
    docs = {d: dict(doc) for d, doc in pub.did_documents.items()}
    lists = {u: dict(doc) for u, doc in pub.status_lists.items()}
    kept = cache.KeptVerdicts(root, cache.LIST_VERDICTS_FILE, [docs, lists])
    checked: dict[str, str] = {}
    for url in lists:
        value = kept.get(url, now) if lists else None
        if value is not None and isinstance(value.get("result"), str):
            checked[url] = value["result"]
    todo = sorted((url, doc) for url, doc in lists.items() if url not in checked)
    for url, check in _check_chunk(todo, docs, lists, now) if todo else []:
        checked[url] = check.result
        kept.put(url, now, {"result": check.result})
    if lists:
        kept.save()
    return cache.VerdictCache(root, pub.did_documents, pub.status_lists, checked)
