"""Everything a site publishes, ready to write: credentials, signed status lists, DID documents."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from microcred._util import loads_strict
from microcred.errors import ConfigError, MicrocredError
from microcred.issue import (
    IssueReport,
    Progress,
    issue_program,
    program_lock,
)
from microcred.issue.endorse import SIGNED_DIR
from microcred.keyring import KeyRing
from microcred.layout import CREDENTIALS_DIR, ISSUE_INDEX_NAME
from microcred.model import Program
from microcred.proof.keys import KeyPair
from microcred.publish.status_lists import (
    record_statuses,
    signed_status_lists,
    status_changes,
    status_epoch,
)
from microcred.records import load_program


@dataclass
class Publication:
    program: Program
    credentials: dict[str, dict[str, Any]]  # record slug -> signed credential
    status_lists: dict[str, dict[str, Any]]  # list URL -> signed BitstringStatusListCredential
    did_documents: dict[str, dict[str, Any]]  # did -> DID document (did:web only)
    statuses: dict[str, str]  # record slug -> active | revoked | suspended
    issue_report: IssueReport = field(default_factory=IssueReport)
    # record slug -> {"state", "action", "date", "reason"}: the latest status change, for the
    # page's "revoked on <date>" (only credentials whose status ever changed)
    status_changes: dict[str, dict[str, Any]] = field(default_factory=dict)
    # endorsement slug -> signed EndorsementCredential (issue.endorse.SIGNED_DIR/<slug>.json)
    endorsements: dict[str, dict[str, Any]] = field(default_factory=dict)
    # record slug -> receipts.fingerprint of its credential, where the issue run took it (the
    # build's check adds the others, so that its input digest takes each one once)
    fingerprints: dict[str, str] = field(default_factory=dict)


def _load_credentials(
    root: Path,
    folder_name: str = CREDENTIALS_DIR,
    read: Mapping[str, dict[str, Any]] | None = None,
) -> dict[str, dict[str, Any]]:
    """Every issued credential; ``read``: those the issue run just read, under its lock."""
    out: dict[str, dict[str, Any]] = {}
    folder = root / folder_name
    if not folder.is_dir():
        return out
    read = read or {}
    for path in sorted(folder.glob("*.json")):
        if path.name == ISSUE_INDEX_NAME:
            continue
        known = read.get(path.stem)
        out[path.stem] = known if known is not None else _load_one(path)
    return out


def _load_one(path: Path) -> Any:
    try:
        found = loads_strict(path.read_bytes())
    except (OSError, MicrocredError) as exc:
        raise ConfigError(
            f"cannot read an issued credential: {exc}",
            where=str(path),
            hint="restore it from version control, or delete it and re-issue",
        ) from exc
    return found


def prepare_publication(
    root: Path,
    *,
    now: dt.datetime,
    passphrase: str | None = None,
    key: KeyPair | None = None,
    progress: Progress | None = None,
    workers: int | None = None,
) -> Publication:
    """Issue what changed, then gather every artefact the site must publish."""
    with program_lock(root):
        ring = KeyRing(root)
        signing_key = key or ring.load_active_secret(passphrase=passphrase)
        report = issue_program(
            root, now=now, key=signing_key, progress=progress, workers=workers, keep_read=True
        )
        program = report.program or load_program(root, keep_parsed=True)
        credentials = _load_credentials(root, read=report.read)
        fingerprints = {
            slug: digest
            for slug, digest in report.fingerprints.items()
            if credentials.get(slug) is report.read.get(slug)
        }
        report.read, report.fingerprints = {}, {}  # not kept twice
        lists, did_documents = _frame(root, program, ring, signing_key, now, credentials)
        statuses = record_statuses(root, program, signing_key.controller, sorted(credentials))
        changes = status_changes(root, program, credentials)
        endorsements = _load_credentials(root, SIGNED_DIR)
    return Publication(
        program,
        credentials,
        lists,
        did_documents,
        statuses,
        report,
        changes,
        endorsements,
        fingerprints,
    )


def publication_frame(
    root: Path,
    *,
    now: dt.datetime,
    program: Program | None = None,
    passphrase: str | None = None,
    key: KeyPair | None = None,
) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    """(status lists, DID documents) as :func:`prepare_publication` makes them, without
    issuing and without holding every credential: each file is read for its ``validFrom``
    and let go (``microcred issue`` checks what it signed against these; issue 12)."""
    with program_lock(root):
        ring = KeyRing(root)
        signing_key = key or ring.load_active_secret(passphrase=passphrase)
        program = program or load_program(root, keep_parsed=True)
        starts: dict[str, dict[str, Any]] = {}
        folder = root / CREDENTIALS_DIR
        for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
            if path.name == ISSUE_INDEX_NAME:
                continue
            found = _load_one(path)
            start = found.get("validFrom") if isinstance(found, dict) else None
            if isinstance(start, str):
                starts[path.stem] = {"validFrom": start}
        return _frame(root, program, ring, signing_key, now, starts)


def _frame(
    root: Path,
    program: Program,
    ring: KeyRing,
    key: KeyPair,
    now: dt.datetime,
    credentials: dict[str, dict[str, Any]],
) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    epoch = status_epoch(credentials, ring, now)
    lists = signed_status_lists(root, program, key, now=now, epoch=epoch)
    did_documents: dict[str, dict[str, Any]] = {}
    doc = ring.did_document() if ring.entries() else None
    if doc is not None:
        did_documents[str(doc["id"])] = doc
    return lists, did_documents
