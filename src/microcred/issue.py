"""Records -> signed credentials in ``credentials/`` (incremental, idempotent, atomic, parallel).

The files on disk are the truth: a record whose credential already says exactly what the record
says, signed by a key the issuer still stands behind, is left alone (every byte kept, even after
a key rotation). A changed record is re-signed under the same id, salt and status index.
``credentials/index.json`` (committed) is the receipt: per record, the credential id, a digest
of what was signed, when and by which key.

Crash safety (SIGKILL at any instant, then re-run = an uninterrupted run):
1. one process at a time: an advisory lock on ``microcred.toml`` (released by the kernel when
   the holder dies);
2. status indexes for every credential about to be written are saved (one fsync per list)
   BEFORE any credential is signed, so an index that may be published is never handed out again;
3. every file is written to a temp file, fsynced and renamed; temp files a killed run left are
   removed by the next run;
4. a credential written but not yet in the index (the index is flushed about once a second) is
   recognised on the next run — same content, proofs by the right key that verify — and kept.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from microcred.credential import build_credential, credential_id, new_salt
from microcred.errors import ConfigError, JsonLdError, MicrocredError
from microcred.fsutil import write_if_changed
from microcred.jsonld import OfflineLoader, canonicalize, check_data_loss, default_loader, jcs
from microcred.keyring import KeyEntry, KeyRing
from microcred.model import Program, Record
from microcred.proof.keys import KeyPair, public_key_from_multikey
from microcred.proof.suites import add_proof, verify_proof
from microcred.proof.timestamps import parse_datetimestamp
from microcred.records import load_program
from microcred.status import StatusAllocator, make_entry

SUITES = ("eddsa-rdfc-2022", "eddsa-jcs-2022")
CREDENTIALS_DIR = "credentials"
INDEX = "credentials/index.json"
PARALLEL_THRESHOLD = 48
"""Credentials to sign before a process pool pays for its start-up (~0.5 s per worker)."""
INDEX_FLUSH_SECONDS = 1.0
Progress = Callable[[int, int, str], None]
StatusProvider = Callable[[Program, Record, str], list[dict[str, Any]]]


def dump_json(document: Mapping[str, Any]) -> str:
    """The one serialisation microcred writes: stable, UTF-8, two-space indent, final newline."""
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def sign_document(
    document: Mapping[str, Any],
    key: KeyPair,
    *,
    created: dt.datetime,
    suites: tuple[str, ...] = SUITES,
    loader: OfflineLoader | None = None,
    warn: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Add one proof per suite (a proof set by one key); refuses lossy JSON-LD first.

    Used for credentials, status lists and ``microcred sign`` alike, so every signature
    microcred makes goes through the same data-loss check. The one exception: a JCS-only
    signature covers the exact JSON bytes, so a context microcred has not pinned cannot hide
    anything from it; then the check is skipped and ``warn`` is told why.
    """
    active_loader = loader or default_loader()
    if "@context" in document:
        try:
            check_data_loss(document, active_loader)
        except JsonLdError as exc:
            jcs_only = all(s == "eddsa-jcs-2022" for s in suites)
            if not (jcs_only and exc.code == "INVALID_CONTEXT"):
                raise
            if warn is not None:
                warn(
                    f"JSON-LD data-loss check skipped ({exc.message}); eddsa-jcs-2022 signs "
                    "the JSON exactly as it is"
                )

    def rdfc(doc: Mapping[str, Any]) -> str:
        return canonicalize(doc, active_loader)

    signed: dict[str, Any] = dict(document)
    for suite in suites:
        signed = add_proof(signed, key, suite=suite, created=created, rdfc=rdfc, jcs=jcs)
    return signed


@dataclass
class IssueReport:
    issued: list[str] = field(default_factory=list)  # record slugs signed this run
    unchanged: list[str] = field(default_factory=list)
    recovered: list[str] = field(default_factory=list)  # complete on disk, not so in the index
    rekeyed: list[str] = field(default_factory=list)  # re-signed: the old key was compromised
    orphaned: list[str] = field(default_factory=list)  # credential kept, record file gone
    withdrawn: list[str] = field(default_factory=list)  # credential kept, record not completed
    missing: list[str] = field(default_factory=list)  # in the index, file gone, no record
    skipped: list[str] = field(default_factory=list)  # records not completed (not issued)
    workers: int = 1
    program: Program | None = None  # as loaded by this run (saves callers a second load)


# --------------------------------------------------------------------------- one writer


_held: dict[Path, int] = {}
_held_guard = threading.Lock()


@contextlib.contextmanager
def program_lock(root: Path) -> Iterator[None]:
    """Let one process at a time issue, revoke or publish in ``root`` (re-entrant in-process).

    Two writers would each draw status indexes and the last state file written would forget
    the other's: an index could be handed out twice. The lock is ``flock`` on
    ``microcred.toml`` (no extra file to commit or ignore); the kernel drops it when the
    holder dies, so a killed run never leaves the folder locked. A no-op where ``fcntl`` is
    missing (Windows) or the file system refuses locks.
    """
    target = (root / "microcred.toml").resolve()
    with _held_guard:
        if target in _held:
            _held[target] += 1
            reentered = True
        else:
            reentered = False
    if reentered:
        try:
            yield
        finally:
            with _held_guard:
                _held[target] -= 1
        return
    handle = _acquire(target, root)
    with _held_guard:
        _held[target] = 1
    try:
        yield
    finally:
        with _held_guard:
            del _held[target]
        if handle is not None:
            handle.close()  # closing the descriptor releases the flock


def _acquire(target: Path, root: Path) -> Any:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        return None
    try:
        handle = target.open("rb")
    except OSError:
        return None  # no microcred.toml: loading the program reports that properly
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise ConfigError(
            "another microcred command is issuing, revoking or building in this program folder",
            where=str(root),
            hint="wait for it to finish and run again (a stopped process releases the lock)",
        ) from None
    except OSError:
        return handle  # this file system has no locks: carry on without one
    return handle


STATE_DIRS = ("credentials", "status", "status/published")


def remove_stale_temp_files(root: Path) -> list[Path]:
    """Delete temp files a killed run left behind (``.<name>.<random>.tmp``); hold the lock."""
    removed = []
    for rel in STATE_DIRS:
        folder = root / rel
        if not folder.is_dir():
            continue
        for path in folder.iterdir():
            if path.name.startswith(".") and path.name.endswith(".tmp") and path.is_file():
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
                    removed.append(path)
    return removed


# --------------------------------------------------------------------------- the index


def read_index(root: Path) -> dict[str, dict[str, Any]]:
    """``credentials/index.json``: record slug -> {id, digest, issued, verificationMethod}."""
    path = root / INDEX
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(
            f"cannot read the issue index: {exc}",
            where=str(path),
            hint="restore it from version control, or delete it: the next issue rebuilds it "
            "from the credential files without re-signing them",
        ) from exc
    entries = data.get("credentials") if isinstance(data, dict) else None
    if not isinstance(entries, dict) or not all(isinstance(v, dict) for v in entries.values()):
        raise ConfigError("the issue index has no 'credentials' map", where=str(path))
    return entries


def _write_index(root: Path, entries: Mapping[str, Mapping[str, Any]]) -> None:
    body = {"version": 1, "credentials": {k: entries[k] for k in sorted(entries)}}
    write_if_changed(root / INDEX, dump_json(body).encode("utf-8"))


def _read_credential(path: Path) -> dict[str, Any] | None:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ConfigError(f"cannot read an issued credential: {exc}", where=str(path)) from exc
    try:
        data = json.loads(raw.decode("utf-8"))
    except ValueError as exc:
        raise ConfigError(
            f"an issued credential is not valid JSON ({exc})",
            where=str(path),
            hint="restore it from version control; delete it only if it was never published "
            "(a new one gets a new salt and new proofs)",
        ) from exc
    if not isinstance(data, dict):
        raise ConfigError("an issued credential is not a JSON object", where=str(path))
    return data


def _salt_of(credential: Mapping[str, Any] | None) -> str | None:
    try:
        salt = credential["credentialSubject"]["identifier"][0]["salt"]  # type: ignore[index]
    except (KeyError, IndexError, TypeError):
        return None
    return salt if isinstance(salt, str) else None


def fingerprint(value: Any) -> str:
    """sha256 of sorted, compact JSON: stable across machines and line endings, and fast (the
    C encoder; JCS in pure Python was a third of an unchanged re-run)."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _digest(unsigned: Mapping[str, Any], suites: Sequence[str]) -> str:
    """What was signed; deliberately not the key, so a rotation re-signs nothing by itself."""
    return fingerprint({"credential": unsigned, "suites": list(suites)})


def _index_entry(signed: Mapping[str, Any], digest: str) -> dict[str, Any]:
    """The receipt. ``sha256`` (a :func:`fingerprint` of the whole credential, so line endings
    a checkout may change do not matter) pins the proofs too: an edited file is never
    "unchanged"."""
    first = signed["proof"][0]
    return {
        "id": signed.get("id"),
        "digest": digest,
        "issued": first.get("created"),
        "verificationMethod": first.get("verificationMethod"),
        "sha256": fingerprint(signed),
    }


# --------------------------------------------------------------------------- which keys count


class KeyPolicy:
    """Which existing proofs the issuer still stands behind.

    Proofs by the active key or a retired one stand (rotation must not break old badges);
    proofs by a revoked (compromised) key stand only if made before its ``revoked`` instant,
    exactly as a verifier decides. Anything else is re-signed by the active key.
    """

    def __init__(self, signing_key: KeyPair, entries: Iterable[KeyEntry] = ()) -> None:
        self.signing_key = signing_key
        self.entries = {e.id: e for e in entries}

    def verdict(self, proofs: object, suites: Sequence[str]) -> str:
        """``ok``, ``compromised`` (made by a revoked key after its cutoff) or ``foreign``."""
        if not isinstance(proofs, list) or not all(isinstance(p, dict) for p in proofs):
            return "foreign"
        if [p.get("cryptosuite") for p in proofs] != list(suites):
            return "foreign"
        methods = {p.get("verificationMethod") for p in proofs}
        if len(methods) != 1:
            return "foreign"
        vm = methods.pop()
        if vm == self.signing_key.id:
            return "ok"
        entry = self.entries.get(str(vm))
        if entry is None or entry.controller != self.signing_key.controller:
            return "foreign"
        if entry.status != "revoked" or entry.revoked is None:
            return "ok"
        try:
            cutoff = parse_datetimestamp(entry.revoked, field="revoked")
            made = [parse_datetimestamp(p.get("created"), field="created") for p in proofs]
        except MicrocredError:
            return "compromised"
        return "ok" if all(m < cutoff for m in made) else "compromised"

    def public_key(self, vm: str) -> bytes | None:
        if vm == self.signing_key.id:
            return self.signing_key.public_key
        entry = self.entries.get(vm)
        return public_key_from_multikey(entry.public_key_multibase) if entry else None


def _proofs_verify(
    credential: Mapping[str, Any], policy: KeyPolicy, loader: OfflineLoader | None
) -> bool:
    active_loader = loader or default_loader()
    body = {k: v for k, v in credential.items() if k != "proof"}
    try:
        for proof in credential["proof"]:
            public = policy.public_key(str(proof.get("verificationMethod")))
            if public is None:
                return False
            verify_proof(
                body,
                proof,
                public,
                rdfc=lambda d: canonicalize(d, active_loader),
                jcs=jcs,
            )
    except MicrocredError:
        return False
    return True


# --------------------------------------------------------------------------- status indexes


def status_list_url(program: Program, purpose: str) -> str:
    return f"{program.site.base_url}status/{purpose}-1.json"


def status_state_path(root: Path, purpose: str) -> Path:
    return root / "status" / f"{purpose}.json"


def open_allocator(root: Path, program: Program, purpose: str) -> StatusAllocator:
    return StatusAllocator.open(
        status_state_path(root, purpose),
        list_url=status_list_url(program, purpose),
        purpose=purpose,
        size=program.site.status_list_size,
    )


def purposes(program: Program) -> tuple[str, ...]:
    return ("revocation", "suspension") if program.site.suspension else ("revocation",)


def _reserve_indexes(
    root: Path, program: Program, ids: Sequence[str]
) -> dict[str, list[dict[str, Any]]]:
    """Status entries for ``ids``, every new index saved (one fsync per list) before returning."""
    entries: dict[str, list[dict[str, Any]]] = {i: [] for i in ids}
    for purpose in purposes(program):
        allocator = open_allocator(root, program, purpose)
        url = status_list_url(program, purpose)
        with allocator.batch():
            for cred_id in ids:
                entries[cred_id].append(make_entry(url, allocator.index_for(cred_id), purpose))
    return entries


# --------------------------------------------------------------------------- parallel signing

_worker_key: KeyPair | None = None


def _watch_parent(parent: int) -> None:
    while True:
        time.sleep(0.5)
        if os.getppid() != parent:
            os._exit(1)  # the parent was killed: nothing of ours can be written any more


def _worker_init(key: KeyPair, parent: int) -> None:
    global _worker_key
    _worker_key = key
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


def _worker_sign(job: tuple[dict[str, Any], dt.datetime, tuple[str, ...]]) -> Any:
    """Runs in a pool process; returns the signed document or (error class, message, code, hint).

    MicrocredError's keyword arguments do not survive pickling, so errors travel as data.
    """
    unsigned, created, suites = job
    assert _worker_key is not None
    try:
        return sign_document(unsigned, _worker_key, created=created, suites=suites)
    except MicrocredError as exc:
        return (type(exc), exc.message, exc.code, exc.hint)


def _cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def worker_count(requested: int | None, pending: int) -> int:
    """``requested`` (1 = serial) or, when None, every core once there is enough to sign."""
    if pending <= 1:
        return 1
    if requested is not None:
        return max(1, min(requested, pending))
    cpus = _cpu_count()
    return 1 if cpus < 2 or pending < PARALLEL_THRESHOLD else min(cpus, pending)


def _reraise(result: tuple[type[MicrocredError], str, str, str | None], slug: str) -> None:
    cls, message, code, hint = result
    where = f"records/{slug}.md"
    try:
        error = cls(message, where=where, hint=hint, code=code)
    except TypeError:
        error = MicrocredError(message, where=where, hint=hint, code=code)
    raise error


def _signed_in_order(
    jobs: Sequence[tuple[str, dict[str, Any]]],
    key: KeyPair,
    *,
    now: dt.datetime,
    suites: tuple[str, ...],
    loader: OfflineLoader | None,
    workers: int,
) -> Iterator[tuple[str, dict[str, Any]]]:
    """(slug, signed credential) in job order; the same bytes whatever ``workers`` is.

    Ed25519 is deterministic, so a pool changes only the speed. Workers sign; the parent does
    every write, so killing the parent can never leave a half-recorded credential.
    """
    if workers <= 1 or loader is not None:
        for slug, unsigned in jobs:
            try:
                yield slug, sign_document(unsigned, key, created=now, suites=suites, loader=loader)
            except MicrocredError as exc:
                exc.where = f"records/{slug}.md"
                raise
        return
    context = get_context("spawn")  # no inherited threads or locks; same on every platform
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context,
        initializer=_worker_init,
        initargs=(key, os.getpid()),
    )
    try:
        chunk = max(1, min(16, len(jobs) // (workers * 8)))
        results = pool.map(_worker_sign, [(u, now, suites) for _, u in jobs], chunksize=chunk)
        for (slug, _), result in zip(jobs, results, strict=True):
            if isinstance(result, tuple):
                _reraise(result, slug)
            yield slug, result
    except BrokenProcessPool as exc:
        raise MicrocredError(
            f"a signing process stopped unexpectedly ({exc})",
            hint="run again (nothing is lost); with --workers 1 no extra processes are used. A "
            "script that calls issue_program with workers must guard its top-level code with "
            "if __name__ == '__main__' (Python's spawn start method re-imports it)",
        ) from None
    finally:
        # on an error or interruption, drop the queued work instead of finishing it
        pool.shutdown(wait=True, cancel_futures=True)


# --------------------------------------------------------------------------- issue


def issue_program(
    root: Path,
    *,
    now: dt.datetime,
    key: KeyPair | None = None,
    passphrase: str | None = None,
    status_provider: StatusProvider | None = None,
    progress: Progress | None = None,
    loader: OfflineLoader | None = None,
    suites: tuple[str, ...] = SUITES,
    workers: int | None = None,
) -> IssueReport:
    """Sign a credential for every completed record whose credential is missing or out of date.

    ``workers``: processes that sign (None = all cores when at least ``PARALLEL_THRESHOLD``
    credentials need signing; 1 = serial). A custom ``loader`` always signs serially.
    """
    if now.tzinfo is None:
        raise ConfigError("--now needs a time zone, e.g. 2026-11-01T12:00:00Z")
    with program_lock(root):
        return _issue_locked(
            root,
            now=now,
            key=key,
            passphrase=passphrase,
            status_provider=status_provider,
            progress=progress,
            loader=loader,
            suites=suites,
            workers=workers,
        )


def _issue_locked(
    root: Path,
    *,
    now: dt.datetime,
    key: KeyPair | None,
    passphrase: str | None,
    status_provider: StatusProvider | None,
    progress: Progress | None,
    loader: OfflineLoader | None,
    suites: tuple[str, ...],
    workers: int | None,
) -> IssueReport:
    remove_stale_temp_files(root)
    program = load_program(root)
    ring = KeyRing(root)
    signing_key = key or ring.load_active_secret(passphrase=passphrase)
    issuer_did = signing_key.controller
    if program.issuer.identity.kind == "did-web" and issuer_did != program.issuer.identity.did:
        raise ConfigError(
            f"the signing key belongs to {issuer_did}, but microcred.toml says the issuer is "
            f"{program.issuer.identity.did}",
            where="microcred.toml",
            hint="use the program's own key ('microcred keys list')",
        )
    policy = KeyPolicy(signing_key, ring.entries())
    index = read_index(root)
    report = IssueReport(program=program)
    records = program.completed()
    total = len(records)
    out_dir = root / CREDENTIALS_DIR
    ids = {r.slug: credential_id(issuer_did, r.slug) for r in records}
    # 1. Status indexes first, saved before any credential that names them is written.
    if status_provider is None:
        reserved = _reserve_indexes(root, program, [ids[r.slug] for r in records])
    else:
        reserved = {ids[r.slug]: status_provider(program, r, issuer_did) for r in records}
    # 2. Decide, per record: keep (unchanged / recovered) or sign.
    jobs: list[tuple[str, dict[str, Any]]] = []
    digests: dict[str, str] = {}
    done = 0
    dirty = False
    replaced: list[str] = []
    for record in records:
        existing = _read_credential(out_dir / f"{record.slug}.json")
        if existing is not None and existing.get("id") != ids[record.slug]:
            replaced.append(record.slug)
            continue
        unsigned = build_credential(
            program,
            record,
            issuer_did=issuer_did,
            salt=_salt_of(existing) or new_salt(),
            status=reserved[ids[record.slug]],
        )
        digest = digests[record.slug] = _digest(unsigned, suites)
        verdict = "absent"
        if existing is not None and {k: v for k, v in existing.items() if k != "proof"} == unsigned:
            verdict = policy.verdict(existing.get("proof"), suites)
        if verdict == "ok":
            assert existing is not None
            receipt = _index_entry(existing, digest)
            if index.get(record.slug) == receipt:
                report.unchanged.append(record.slug)
            elif _proofs_verify(existing, policy, loader):
                index[record.slug] = receipt
                dirty = True
                report.recovered.append(record.slug)
            else:
                jobs.append((record.slug, unsigned))
                continue
            done += 1
            if progress:
                progress(done, total, record.slug)
            continue
        if verdict == "compromised":
            report.rekeyed.append(record.slug)
        jobs.append((record.slug, unsigned))
    if replaced:
        raise ConfigError(
            f"{len(replaced)} issued credential(s) (e.g. credentials/{replaced[0]}.json) have "
            f"another id than this program would give them now: the issuer identity changed "
            f"to {issuer_did}. Re-issuing would silently replace credentials people may hold",
            where=str(out_dir),
            hint="keep the old identity and key, or move credentials/ aside on purpose (its "
            "credentials then stop being published) and issue again",
        )
    # 3. Sign (in parallel when it pays), writing each credential as it comes back.
    report.workers = 1 if loader is not None else worker_count(workers, len(jobs))
    flushed, interval = time.monotonic(), INDEX_FLUSH_SECONDS
    try:
        for slug, signed in _signed_in_order(
            jobs, signing_key, now=now, suites=suites, loader=loader, workers=report.workers
        ):
            write_if_changed(out_dir / f"{slug}.json", dump_json(signed).encode("utf-8"))
            index[slug] = _index_entry(signed, digests[slug])
            dirty = True
            report.issued.append(slug)
            done += 1
            if progress:
                progress(done, total, slug)
            if time.monotonic() - flushed >= interval:
                began = time.monotonic()
                _write_index(root, index)
                dirty, flushed = False, time.monotonic()
                # a big index costs real time to write: keep that under a tenth of the run
                interval = max(INDEX_FLUSH_SECONDS, 10 * (flushed - began))
    finally:
        if dirty:
            _write_index(root, index)
    # 4. Credentials without a completed record stay published until revoked: say so.
    everything = {r.slug: r for r in program.records}
    files = (
        {p.stem for p in out_dir.glob("*.json") if p.name != "index.json"}
        if out_dir.is_dir()
        else set()
    )
    report.skipped = sorted(r.slug for r in program.records if r.status != "completed")
    report.orphaned = sorted(s for s in files if s not in everything)
    report.withdrawn = sorted(s for s in files if s in everything and s not in ids)
    report.missing = sorted(s for s in index if s not in files and s not in ids)
    return report
