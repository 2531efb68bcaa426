"""``issue_program``: records -> signed credentials, incremental and crash-safe."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from microcred.credential import build_credential, credential_id, new_salt
from microcred.errors import ConfigError
from microcred.fsutil import write_batch_if_changed
from microcred.issue import SUITES
from microcred.issue.endorse import embedded_for, issue_endorsements, with_endorsements
from microcred.issue.keypolicy import KeyPolicy, _proofs_verify
from microcred.issue.lock import program_lock, remove_stale_temp_files
from microcred.issue.memo import IssueMemo, run_context
from microcred.issue.receipts import _digest, _index_entry, _write_index, read_index
from microcred.issue.write import (
    _credential_bytes,
    _parse_credential,
    _parse_known,
    replaced_problem,
)
from microcred.jsonld import OfflineLoader
from microcred.keyring import KeyRing
from microcred.layout import CONFIG_FILE, CREDENTIALS_DIR, ISSUE_INDEX_NAME, credential_file
from microcred.model import Program, Record
from microcred.proof.keys import KeyPair
from microcred.records import load_program
from microcred.records.placeholder import placeholder_host
from microcred.status.indexes import _reserve_indexes

INDEX_FLUSH_SECONDS = 1.0
WRITE_BATCH = 256
"""Signed credentials written to disk together (at most ~4 MB held)."""
Progress = Callable[[int, int, str], None]
StatusProvider = Callable[[Program, Record, str], list[dict[str, Any]]]


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
    endorsements: list[str] = field(default_factory=list)  # endorsement slugs, all published
    endorsed: list[str] = field(default_factory=list)  # of which signed by this run
    workers: int = 1
    program: Program | None = None  # as loaded by this run (saves callers a second load)
    # the key this run signed with, decrypted (a caller that goes on to check what was signed
    # need not run the key derivation again: 0.1 s); never shown (KeyPair hides its seed).
    # None when nothing was signed and no key was given: the secret was never loaded
    signing_key: KeyPair | None = field(default=None, repr=False, compare=False)
    # credentials read and kept as they are, by record slug (only with keep_read=True: the
    # build publishes them next and need not read them again)
    read: dict[str, dict[str, Any]] = field(default_factory=dict)
    # the receipts' fingerprint (receipts.fingerprint) of each credential in ``read``: the
    # build keys its verdicts by it and need not serialise the credential again
    fingerprints: dict[str, str] = field(default_factory=dict)


def _salt_of(credential: Mapping[str, Any] | None) -> str | None:
    try:
        salt = credential["credentialSubject"]["identifier"][0]["salt"]  # type: ignore[index]
    except (KeyError, IndexError, TypeError):
        return None
    return salt if isinstance(salt, str) else None


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
    keep_read: bool = False,
) -> IssueReport:
    """Sign a credential for every completed record whose credential is missing or out of date.

    ``workers``: processes that sign (None = all cores when at least ``PARALLEL_THRESHOLD``
    credentials need signing; 1 = serial). A custom ``loader`` always signs serially.
    ``keep_read``: the credentials kept as they are stay in ``report.read``.
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
            keep_read=keep_read,
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
    keep_read: bool = False,
) -> IssueReport:
    remove_stale_temp_files(root)
    program = load_program(root, keep_parsed=True)
    ring = KeyRing(root)
    # Deciding reads only the active key's public parts; its secret (a key derivation,
    # 0.1 s) is loaded when something is to be signed: at once when a record has no
    # credential yet, else once the decisions find one (issue 12: a run with nothing to
    # sign derives nothing).
    signing_key = key or ring.active_public()
    issuer_did = signing_key.controller
    if program.issuer.identity.kind == "did-web" and issuer_did != program.issuer.identity.did:
        raise ConfigError(
            f"the signing key belongs to {issuer_did}, but microcred.toml says the issuer is "
            f"{program.issuer.identity.did}",
            where=CONFIG_FILE,
            hint="use the program's own key ('microcred keys list')",
        )
    host = placeholder_host(issuer_did)
    if host is not None:
        raise ConfigError(
            f"refusing to sign as {issuer_did}: {host} is a placeholder host, so no one could "
            "ever resolve this issuer's keys and every credential would be unverifiable",
            where=CONFIG_FILE,
            hint="set [site] base_url and [identity] did to your real site (or use kind = "
            "\"did-key\"), then run 'microcred reset --yes' and 'microcred keys new'",
        )
    policy = KeyPolicy(signing_key, ring.entries())
    index = read_index(root)
    report = IssueReport(program=program, signing_key=key)
    records = program.completed()
    total = len(records)
    out_dir = root / CREDENTIALS_DIR
    if not signing_key.has_secret and any(
        not (out_dir / f"{r.slug}.json").exists() for r in records
    ):  # something is surely to be signed: a bad key is reported before anything is written
        signing_key = ring.load_active_secret(passphrase=passphrase)
        report.signing_key = signing_key
    ids = {r.slug: credential_id(issuer_did, r.slug) for r in records}
    # 1. Status indexes first, saved before any credential that names them is written.
    if status_provider is None:
        reserved = _reserve_indexes(root, program, [ids[r.slug] for r in records])
    else:
        reserved = {ids[r.slug]: status_provider(program, r, issuer_did) for r in records}
    # Endorsements first (each by its endorser's own key): credentials embed earlier ones.
    endorsements = issue_endorsements(
        root, program, issuer_did=issuer_did, now=now, suites=suites, loader=loader
    )
    report.endorsements = [e.endorsement.slug for e in endorsements]
    report.endorsed = [e.endorsement.slug for e in endorsements if e.issued]
    # 2. Decide, per record: keep (unchanged / recovered) or sign. A credential to sign is
    # noted by its record and salt and built again as the signers need it (issue 12: the
    # whole program's unsigned credentials are never held at once).
    jobs: list[tuple[Record, str]] = []
    done = 0
    dirty = False
    replaced: list[str] = []

    def unsigned_for(record: Record, salt: str) -> dict[str, Any]:
        return with_endorsements(
            build_credential(
                program,
                record,
                issuer_did=issuer_did,
                salt=salt,
                status=reserved[ids[record.slug]],
            ),
            embedded_for(record, endorsements),
        )

    context = run_context(
        issuer_did=issuer_did,
        signing_key_id=signing_key.id,
        controller=signing_key.controller,
        public_key=signing_key.public_key,
        ring_entries=list(policy.entries.values()),
        suites=suites,
        issuer=program.issuer,
        site=program.site,
    )
    memo = IssueMemo(root, context) if context is not None else None
    briefs = {a.slug: a for a in program.achievements}

    def memo_key(record: Record, data: bytes) -> str | None:
        if memo is None:
            return None
        status = reserved[ids[record.slug]]
        return memo.key(
            record, briefs.get(record.achievement), status, embedded_for(record, endorsements), data
        )

    def kept(
        record: Record,
        decision: str | None,
        receipt: Mapping[str, Any],
        value: dict[str, Any] | None,
    ) -> None:
        """A credential kept as it is: remembered, handed to the build (with
        ``keep_read``), counted."""
        nonlocal done
        if memo is not None:
            memo.keep(record.slug, decision, receipt)
        if keep_read and value is not None:
            report.read[record.slug] = value
            report.fingerprints[record.slug] = receipt["sha256"]
        done += 1
        if progress:
            progress(done, total, record.slug)

    for record in records:
        path = out_dir / f"{record.slug}.json"
        raw = _credential_bytes(path)
        if raw is None:
            jobs.append((record, new_salt()))
            continue
        decision = memo_key(record, raw)
        remembered = memo.get(record.slug, decision) if memo is not None else None
        if (
            remembered is not None
            and remembered.get("id") == ids[record.slug]
            and isinstance(remembered.get("sha256"), str)
            and index.get(record.slug) == remembered
        ):
            # decided the same way by the last run, on these inputs and these bytes (which
            # that run parsed strictly: read plainly, and only when kept)
            report.unchanged.append(record.slug)
            kept(record, decision, remembered, _parse_known(raw) if keep_read else None)
            continue
        existing = _parse_credential(raw, path)
        if existing.get("id") != ids[record.slug]:
            edited = replaced_problem(existing, ids[record.slug], issuer_did, path)
            if edited is not None:
                raise ConfigError(
                    edited,
                    where=str(path),
                    hint="restore it from version control; an issued credential is never "
                    "edited (change the record and run 'microcred issue' instead)",
                )
            replaced.append(record.slug)
            continue
        salt = _salt_of(existing) or new_salt()
        unsigned = unsigned_for(record, salt)
        verdict = "absent"
        if {k: v for k, v in existing.items() if k != "proof"} == unsigned:
            verdict = policy.verdict(existing.get("proof"), suites)
        if verdict == "ok":
            receipt = _index_entry(existing, _digest(unsigned, suites))
            if index.get(record.slug) == receipt:
                report.unchanged.append(record.slug)
            elif _proofs_verify(existing, policy, loader):
                index[record.slug] = receipt
                dirty = True
                report.recovered.append(record.slug)
            else:
                jobs.append((record, salt))
                continue
            kept(record, decision, receipt, existing)
            continue
        if verdict == "compromised":
            report.rekeyed.append(record.slug)
        jobs.append((record, salt))
    if replaced:
        raise ConfigError(
            f"{len(replaced)} issued credential(s) (e.g. {credential_file(replaced[0])}) have "
            f"another id than this program would give them now: the issuer identity changed "
            f"to {issuer_did}. Re-issuing would silently replace credentials people may hold",
            where=str(out_dir),
            hint=f"keep the old identity and key, or move {CREDENTIALS_DIR}/ aside on purpose (its "
            "credentials then stop being published) and issue again",
        )
    # 3. Sign (in parallel when it pays), writing the credentials as they come back in
    # batches (one flush to disk for each, not two a file: issue 12). A credential enters the
    # receipts only once its file is written, so the index never names a file not on disk.
    # The signers (and the canonicalizer) load only when there is something to sign, before
    # any worker forks, so the workers inherit them; with nothing to sign (every build after
    # ``issue``), never.
    if jobs:
        from microcred.issue.pool import _signed_in_order, worker_count

        if not signing_key.has_secret:
            signing_key = ring.load_active_secret(passphrase=passphrase)
            report.signing_key = signing_key

    report.workers = 1 if loader is not None or not jobs else worker_count(workers, len(jobs))
    flushed, interval = time.monotonic(), INDEX_FLUSH_SECONDS
    pending: list[tuple[str, Path, bytes, dict[str, Any]]] = []
    to_sign = ((record.slug, unsigned_for(record, salt)) for record, salt in jobs)

    def write_pending() -> None:
        nonlocal dirty
        write_batch_if_changed([(path, data) for _, path, data, _ in pending])
        for slug, _, _, receipt in pending:
            index[slug] = receipt
            report.issued.append(slug)
        dirty = dirty or bool(pending)
        pending.clear()

    try:
        signed = (
            _signed_in_order(
                to_sign, signing_key, now=now, suites=suites, loader=loader, workers=report.workers
            )
            if jobs
            else ()
        )
        for slug, data, receipt in signed:
            pending.append((slug, out_dir / f"{slug}.json", data, receipt))
            done += 1
            if progress:
                progress(done, total, slug)
            if len(pending) >= WRITE_BATCH:
                write_pending()
            if time.monotonic() - flushed >= interval:
                began = time.monotonic()
                write_pending()
                _write_index(root, index)
                dirty, flushed = False, time.monotonic()
                # a big index costs real time to write: keep that under a tenth of the run
                interval = max(INDEX_FLUSH_SECONDS, 10 * (flushed - began))
        write_pending()
    finally:  # after a failure, what was signed but not written is signed again next run
        if dirty:
            _write_index(root, index)
    if memo is not None:  # after the index: the memo names receipts the index holds
        memo.save()
    # 4. Credentials without a completed record stay published until revoked: say so.
    everything = {r.slug: r for r in program.records}
    files = (
        {p.stem for p in out_dir.glob("*.json") if p.name != ISSUE_INDEX_NAME}
        if out_dir.is_dir()
        else set()
    )
    report.skipped = sorted(r.slug for r in program.records if r.status != "completed")
    report.orphaned = sorted(s for s in files if s not in everything)
    report.withdrawn = sorted(s for s in files if s in everything and s not in ids)
    report.missing = sorted(s for s in index if s not in files and s not in ids)
    return report
