"""Everything a site publishes, ready to write: credentials, signed status lists, DID documents.

Signed status lists are kept in ``status/published/`` and re-signed only when their content
changes, so rebuilding an unchanged program changes no byte anywhere.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from microcred.credential import credential_id
from microcred.errors import ConfigError
from microcred.fsutil import write_if_changed
from microcred.issue import (
    CREDENTIALS_DIR,
    IssueReport,
    dump_json,
    issue_program,
    open_allocator,
    purposes,
    sign_document,
    status_list_url,
)
from microcred.keyring import KeyRing
from microcred.model import Program
from microcred.proof.keys import KeyPair
from microcred.records import load_program
from microcred.status import status_list_credential

STATUS_TTL_MS = 24 * 60 * 60 * 1000  # advisory: how long a verifier may cache a snapshot
PUBLISHED_DIR = Path("status") / "published"


@dataclass
class Publication:
    program: Program
    credentials: dict[str, dict[str, Any]]  # record slug -> signed credential
    status_lists: dict[str, dict[str, Any]]  # list URL -> signed BitstringStatusListCredential
    did_documents: dict[str, dict[str, Any]]  # did -> DID document (did:web only)
    statuses: dict[str, str]  # record slug -> active | revoked | suspended
    issue_report: IssueReport = field(default_factory=IssueReport)


def _load_credentials(root: Path) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    folder = root / CREDENTIALS_DIR
    if not folder.is_dir():
        return out
    for path in sorted(folder.glob("*.json")):
        if path.name == "index.json":
            continue
        try:
            out[path.stem] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ConfigError(
                f"cannot read an issued credential: {exc}",
                where=str(path),
                hint="restore it from version control, or delete it and re-issue",
            ) from exc
    return out


def _last_change(log: list[dict[str, Any]], fallback: dt.datetime) -> dt.datetime:
    stamps = [e.get("when") for e in log if isinstance(e.get("when"), str)]
    if not stamps:
        return fallback
    return max(dt.datetime.fromisoformat(str(s).replace("Z", "+00:00")) for s in stamps)


def signed_status_lists(
    root: Path, program: Program, key: KeyPair, *, now: dt.datetime, epoch: dt.datetime
) -> dict[str, dict[str, Any]]:
    """Sign (or reuse) one list credential per purpose; ``epoch`` dates a list never changed."""
    lists: dict[str, dict[str, Any]] = {}
    for purpose in purposes(program):
        allocator = open_allocator(root, program, purpose)
        url = status_list_url(program, purpose)
        unsigned = status_list_credential(
            url,
            key.controller,
            allocator.bits(),
            purpose,
            valid_from=_last_change(allocator.log, epoch),
            ttl=STATUS_TTL_MS,
        )
        stored_path = root / PUBLISHED_DIR / f"{purpose}-1.json"
        signed = _reuse_if_same(stored_path, unsigned, key)
        if signed is None:
            signed = sign_document(unsigned, key, created=now)
            write_if_changed(stored_path, dump_json(signed).encode("utf-8"))
        lists[url] = signed
    return lists


def _reuse_if_same(path: Path, unsigned: dict[str, Any], key: KeyPair) -> dict[str, Any] | None:
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(stored, dict):
        return None
    proofs = stored.get("proof")
    body = {k: v for k, v in stored.items() if k != "proof"}
    if body != unsigned or not isinstance(proofs, list):
        return None
    if any(not isinstance(p, dict) or p.get("verificationMethod") != key.id for p in proofs):
        return None
    return stored


def record_statuses(
    root: Path, program: Program, issuer_did: str, slugs: list[str]
) -> dict[str, str]:
    states = dict.fromkeys(slugs, "active")
    for purpose in purposes(program):
        allocator = open_allocator(root, program, purpose)
        for slug in slugs:
            if allocator.is_set(credential_id(issuer_did, slug)):
                states[slug] = (
                    "revoked"
                    if purpose == "revocation"
                    else (states[slug] if states[slug] == "revoked" else "suspended")
                )
    return states


def prepare_publication(
    root: Path,
    *,
    now: dt.datetime,
    passphrase: str | None = None,
    key: KeyPair | None = None,
) -> Publication:
    """Issue what changed, then gather every artefact the site must publish."""
    ring = KeyRing(root)
    signing_key = key or ring.load_active_secret(passphrase=passphrase)
    report = issue_program(root, now=now, key=signing_key)
    program = load_program(root)
    credentials = _load_credentials(root)
    epoch = min(
        (
            dt.datetime.fromisoformat(str(c.get("validFrom", "")).replace("Z", "+00:00"))
            for c in credentials.values()
            if isinstance(c.get("validFrom"), str)
        ),
        default=now,
    )
    lists = signed_status_lists(root, program, signing_key, now=now, epoch=epoch)
    did_documents: dict[str, dict[str, Any]] = {}
    doc = ring.did_document() if ring.entries() else None
    if doc is not None:
        did_documents[str(doc["id"])] = doc
    statuses = record_statuses(root, program, signing_key.controller, sorted(credentials))
    return Publication(program, credentials, lists, did_documents, statuses, report)
