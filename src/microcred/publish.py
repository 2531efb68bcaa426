"""Everything a site publishes, ready to write: credentials, signed status lists, DID documents;
and the one way to change a credential's status (``microcred revoke``).

Signed status lists are kept in ``status/published/`` and re-signed only when their content
changes, so rebuilding an unchanged program changes no byte anywhere. A list's ``validFrom`` is
the instant of its last status change (or, before any change, the earliest credential's
``validFrom``): "this list has said exactly this since then". Its ``ttl`` tells a verifier how
long a downloaded copy may be treated as current.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from microcred.credential import credential_id
from microcred.errors import ConfigError, KeyError_, StatusError
from microcred.fsutil import write_if_changed
from microcred.issue import (
    CREDENTIALS_DIR,
    IssueReport,
    Progress,
    dump_json,
    issue_program,
    open_allocator,
    program_lock,
    purposes,
    read_index,
    remove_stale_temp_files,
    sign_document,
    status_list_url,
)
from microcred.keyring import KeyRing
from microcred.model import Program
from microcred.proof.keys import KeyPair
from microcred.records import load_program
from microcred.status import StatusAllocator, status_list_credential

STATUS_TTL_MS = 24 * 60 * 60 * 1000  # advisory: how long a verifier may cache a snapshot
PUBLISHED_DIR = Path("status") / "published"
MAX_REASON = 500
Action = Literal["revoke", "suspend", "reinstate"]
ACTIONS: dict[str, tuple[str, bool]] = {
    "revoke": ("revocation", True),
    "suspend": ("suspension", True),
    "reinstate": ("suspension", False),
}


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


def _parse_stamp(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


def _last_change(log: list[dict[str, Any]], fallback: dt.datetime) -> dt.datetime:
    stamps = [e.get("when") for e in log if isinstance(e.get("when"), str)]
    if not stamps:
        return fallback
    return max(_parse_stamp(str(s)) for s in stamps)


def status_epoch(
    credentials: Mapping[str, Mapping[str, Any]], ring: KeyRing, now: dt.datetime
) -> dt.datetime:
    """``validFrom`` of a list that never changed: stable across builds, never later than needed.

    The earliest credential's ``validFrom``; with no credential yet, the active key's creation
    (then ``now``), so even an empty program rebuilds byte-identically.
    """
    starts = [
        _parse_stamp(str(c["validFrom"]))
        for c in credentials.values()
        if isinstance(c.get("validFrom"), str)
    ]
    if starts:
        return min(starts)
    try:
        return _parse_stamp(ring.active().created)
    except (ConfigError, KeyError_, ValueError):
        return now


def signed_status_lists(
    root: Path, program: Program, key: KeyPair, *, now: dt.datetime, epoch: dt.datetime
) -> dict[str, dict[str, Any]]:
    """Sign (or reuse) one list credential per purpose; ``epoch`` dates a list never changed.

    A stored list is reused only if its content is identical and it is signed by ``key``:
    after a rotation or a key compromise the list is re-signed by the active key.
    """
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


def status_changes(
    root: Path, program: Program, credentials: Mapping[str, Mapping[str, Any]]
) -> dict[str, dict[str, Any]]:
    """The latest change per credential, from the audit logs (revocation wins: it is final)."""
    slug_of = {str(c.get("id")): slug for slug, c in credentials.items()}
    latest: dict[str, dict[str, Any]] = {}
    for purpose in ("suspension", "revocation"):  # revocation last: it overrides
        if purpose not in purposes(program):
            continue
        for entry in open_allocator(root, program, purpose).log:
            slug = slug_of.get(str(entry.get("credential")))
            if slug is None:
                continue
            action = str(entry.get("action"))
            if slug in latest and latest[slug]["state"] == "revoked":
                continue
            latest[slug] = {
                "state": {"revoked": "revoked", "suspended": "suspended"}.get(action, "active"),
                "action": action,
                "date": entry.get("when"),
                "reason": entry.get("reason"),
            }
    return latest


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
        report = issue_program(root, now=now, key=signing_key, progress=progress, workers=workers)
        program = report.program or load_program(root)
        credentials = _load_credentials(root)
        epoch = status_epoch(credentials, ring, now)
        lists = signed_status_lists(root, program, signing_key, now=now, epoch=epoch)
        did_documents: dict[str, dict[str, Any]] = {}
        doc = ring.did_document() if ring.entries() else None
        if doc is not None:
            did_documents[str(doc["id"])] = doc
        statuses = record_statuses(root, program, signing_key.controller, sorted(credentials))
        changes = status_changes(root, program, credentials)
    return Publication(program, credentials, lists, did_documents, statuses, report, changes)


# --------------------------------------------------------------------------- revoke


@dataclass(frozen=True)
class StatusChange:
    """What ``change_status`` did (``changed`` is False when the status already was so)."""

    credential_id: str
    slug: str | None
    action: str
    purpose: str
    index: int
    changed: bool
    when: str
    who: str
    reason: str | None
    state_file: str  # program-relative path of the state file (holds the audit log)
    resigned: tuple[str, ...] = ()  # program-relative paths of status lists written now
    note: str | None = None  # e.g. why the list could not be re-signed now


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _check_reason(reason: str | None) -> str | None:
    if reason is None:
        return None
    text = reason.strip()
    if not text:
        return None
    if len(text) > MAX_REASON or _CONTROL.search(text):
        raise ConfigError(
            f"--reason must be one line of at most {MAX_REASON} characters",
            hint="it is committed in status/*.json and may be shown on the credential page",
        )
    return text


def resolve_credential(root: Path, reference: str) -> tuple[str, str | None]:
    """(credential id, record slug) for an id (``urn:uuid:…``), a credential file or a slug."""
    index = read_index(root)
    slug_by_id = {str(v.get("id")): k for k, v in index.items()}
    candidates = [Path(reference), root / reference, root / CREDENTIALS_DIR / f"{reference}.json"]
    for path in candidates:
        if path.is_file() and path.name != "index.json":
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise ConfigError(
                    f"cannot read a credential from it: {exc}", where=str(path)
                ) from exc
            cred_id = data.get("id") if isinstance(data, dict) else None
            if not isinstance(cred_id, str):
                raise ConfigError("this file is not a credential with an id", where=str(path))
            return cred_id, slug_by_id.get(cred_id, path.stem if path.suffix == ".json" else None)
    if reference in slug_by_id:
        return reference, slug_by_id[reference]
    if reference in index and isinstance(index[reference].get("id"), str):
        return str(index[reference]["id"]), reference
    if reference.startswith("urn:"):
        return reference, None
    raise ConfigError(
        f"no credential {reference!r} in this program",
        hint="give the credential's id (urn:uuid:…), its .json file, or its record slug "
        "(the file name in credentials/)",
    )


def change_status(
    root: Path,
    credential: str,
    *,
    action: Action,
    who: str,
    now: dt.datetime,
    reason: str | None = None,
    key: KeyPair | None = None,
    passphrase: str | None = None,
) -> StatusChange:
    """Revoke (permanent), suspend or reinstate one credential; log who/when/why; re-sign.

    The state file (``status/<purpose>.json``, with its audit log) is written first, in one
    atomic step; re-signing the list comes after and is repeated by every build, so a crash
    in between loses nothing. Without the secret key here the change is still recorded and
    ``microcred build`` signs the list.
    """
    if action not in ACTIONS:
        raise ConfigError(f"unknown status action {action!r}", hint="revoke, suspend or reinstate")
    if now.tzinfo is None:
        raise ConfigError("--now needs a time zone, e.g. 2026-11-01T12:00:00Z")
    purpose, value = ACTIONS[action]
    reason = _check_reason(reason)
    with program_lock(root):
        remove_stale_temp_files(root)
        program = load_program(root)
        cred_id, slug = resolve_credential(root, credential)
        revocation = open_allocator(root, program, "revocation")
        if revocation.index_of(cred_id) is None:
            raise ConfigError(
                f"{cred_id} was not issued by this program (no status index was ever given to it)",
                where=str(root / "status" / "revocation.json"),
                hint="check the id; only credentials this program issued can be revoked here",
            )
        allocator: StatusAllocator = revocation
        if purpose == "suspension":
            allocator = _suspension_allocator(root, program, cred_id, revocation, action)
        index = allocator.index_of(cred_id)
        assert index is not None
        changed = allocator.set_status(cred_id, purpose, value, who, now, reason)
        resigned, note = _resign_lists(root, program, now, key, passphrase)
    return StatusChange(
        credential_id=cred_id,
        slug=slug,
        action=action,
        purpose=purpose,
        index=index,
        changed=changed,
        when=now.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        who=who,
        reason=reason,
        state_file=f"status/{purpose}.json",
        resigned=resigned,
        note=note,
    )


def _suspension_allocator(
    root: Path, program: Program, cred_id: str, revocation: StatusAllocator, action: str
) -> StatusAllocator:
    if revocation.is_set(cred_id):
        raise StatusError(
            f"{cred_id} is revoked, and revocation is permanent: it cannot be "
            f"{'suspended' if action == 'suspend' else 'reinstated'}",
            where=str(root / "status" / "revocation.json"),
            code="USAGE_ERROR",
            hint="issue a new credential (a new record) if the holder should have one again",
        )
    if not program.site.suspension:
        raise ConfigError(
            "this program does not use suspension, so there is nothing to suspend or reinstate",
            where=str(root / "microcred.toml"),
            hint="set [site] suspension = true and run 'microcred issue' (every credential gets "
            "a second status entry; note the 1EdTech OB 3.0 schemas accept only one), or "
            "revoke instead",
        )
    allocator = open_allocator(root, program, "suspension")
    if allocator.index_of(cred_id) is None:
        raise ConfigError(
            f"{cred_id} was issued before suspension was enabled and has no suspension entry",
            where=str(root / "status" / "suspension.json"),
            hint="run 'microcred issue' first: it re-signs every credential with one",
        )
    return allocator


def _resign_lists(
    root: Path,
    program: Program,
    now: dt.datetime,
    key: KeyPair | None,
    passphrase: str | None,
) -> tuple[tuple[str, ...], str | None]:
    ring = KeyRing(root)
    if key is None:
        try:
            key = ring.load_active_secret(passphrase=passphrase)
        except KeyError_ as exc:
            return (), f"the status list was not re-signed here ({exc.message}); " + (
                "'microcred build' (e.g. in CI, with the key) signs it"
            )
    before = {
        p: p.read_bytes() if p.is_file() else None
        for p in (root / PUBLISHED_DIR / f"{u}-1.json" for u in purposes(program))
    }
    credentials = _load_credentials(root)
    signed_status_lists(root, program, key, now=now, epoch=status_epoch(credentials, ring, now))
    written = tuple(
        p.relative_to(root).as_posix()
        for p, old in before.items()
        if (p.read_bytes() if p.is_file() else None) != old
    )
    return written, None
