"""Records -> signed credentials in ``credentials/`` (incremental, idempotent, atomic).

An unchanged record is not re-signed, so its file keeps every byte. A changed record is
re-signed under the same id and salt. ``credentials/index.json`` (committed) remembers, per
record, the digest of everything that went into the credential.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from microcred.credential import build_credential, credential_id, new_salt
from microcred.errors import ConfigError, MicrocredError
from microcred.fsutil import atomic_write_text, write_if_changed
from microcred.jsonld import OfflineLoader, canonicalize, check_data_loss, default_loader, jcs
from microcred.keyring import KeyRing
from microcred.model import Program, Record
from microcred.proof.keys import KeyPair
from microcred.proof.suites import add_proof
from microcred.records import load_program
from microcred.status import StatusAllocator, make_entry

SUITES = ("eddsa-rdfc-2022", "eddsa-jcs-2022")
CREDENTIALS_DIR = "credentials"
INDEX = "credentials/index.json"
Progress = Callable[[int, int, str], None]


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
) -> dict[str, Any]:
    """Add one proof per suite (a proof set by one key); refuses lossy JSON-LD first.

    Used for credentials, status lists and ``microcred sign`` alike, so every signature
    microcred makes goes through the same data-loss check.
    """
    active_loader = loader or default_loader()
    if "@context" in document:
        check_data_loss(document, active_loader)

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
    orphaned: list[str] = field(default_factory=list)  # credentials whose record file is gone
    skipped: list[str] = field(default_factory=list)  # withdrawn records


def _read_index(root: Path) -> dict[str, dict[str, Any]]:
    path = root / INDEX
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(
            f"cannot read the issue index: {exc}",
            where=str(path),
            hint="restore it from version control; never edit it by hand",
        ) from exc
    entries = data.get("credentials") if isinstance(data, dict) else None
    if not isinstance(entries, dict):
        raise ConfigError("the issue index has no 'credentials' map", where=str(path))
    return entries


def _write_index(root: Path, entries: Mapping[str, Mapping[str, Any]]) -> None:
    body = {"version": 1, "credentials": {k: entries[k] for k in sorted(entries)}}
    atomic_write_text(root / INDEX, dump_json(body))


def _existing_salt(path: Path) -> str | None:
    try:
        cred = json.loads(path.read_text(encoding="utf-8"))
        ident = cred["credentialSubject"]["identifier"][0]
        salt = ident.get("salt")
        return salt if isinstance(salt, str) else None
    except (OSError, ValueError, KeyError, IndexError, TypeError, AttributeError):
        return None


def _digest(unsigned: Mapping[str, Any], key: KeyPair, suites: tuple[str, ...]) -> str:
    material = {"credential": unsigned, "verificationMethod": key.id, "suites": list(suites)}
    return hashlib.sha256(jcs(material)).hexdigest()


StatusProvider = Callable[[Program, Record, str], list[dict[str, Any]]]


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
) -> IssueReport:
    """Sign a credential for every completed record whose inputs changed since last time."""
    if now.tzinfo is None:
        raise ConfigError("--now needs a time zone, e.g. 2026-11-01T12:00:00Z")
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
    provider = status_provider or _default_status_provider(root)
    index = _read_index(root)
    report = IssueReport()
    records = program.completed()
    total = len(records)
    out_dir = root / CREDENTIALS_DIR
    for done, record in enumerate(records, start=1):
        target = out_dir / f"{record.slug}.json"
        salt = _existing_salt(target) or new_salt()
        cred_id_status = provider(program, record, issuer_did)
        unsigned = build_credential(
            program, record, issuer_did=issuer_did, salt=salt, status=cred_id_status
        )
        digest = _digest(unsigned, signing_key, suites)
        previous = index.get(record.slug)
        if previous and previous.get("digest") == digest and target.is_file():
            report.unchanged.append(record.slug)
        else:
            try:
                signed = sign_document(
                    unsigned, signing_key, created=now, suites=suites, loader=loader
                )
            except MicrocredError as exc:
                exc.where = f"records/{record.slug}.md"
                raise
            write_if_changed(target, dump_json(signed).encode("utf-8"))
            index[record.slug] = {
                "id": unsigned["id"],
                "digest": digest,
                "issued": now.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "verificationMethod": signing_key.id,
            }
            _write_index(root, index)  # after each credential: a kill loses at most one
            report.issued.append(record.slug)
        if progress:
            progress(done, total, record.slug)
    current = {r.slug for r in program.records}
    report.skipped = sorted(r.slug for r in program.records if r.status != "completed")
    report.orphaned = sorted(s for s in index if s not in current)
    return report


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


def _default_status_provider(root: Path) -> StatusProvider:
    """Random, never reused status indexes, remembered in ``status/<purpose>.json``."""
    allocators: dict[str, StatusAllocator] = {}

    def provide(program: Program, record: Record, issuer_did: str) -> list[dict[str, Any]]:
        entries = []
        cred_id = credential_id(issuer_did, record.slug)
        for purpose in purposes(program):
            if purpose not in allocators:
                allocators[purpose] = open_allocator(root, program, purpose)
            index = allocators[purpose].index_for(cred_id)
            entries.append(make_entry(status_list_url(program, purpose), index, purpose))
        return entries

    return provide
