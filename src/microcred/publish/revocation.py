"""``microcred revoke``: revoke (permanent), suspend or reinstate one credential.

The state file is written first, atomically; the status lists are re-signed after it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from microcred._util import format_timestamp, loads_strict
from microcred.errors import ConfigError, KeyError_, MicrocredError, StatusError
from microcred.issue import (
    open_allocator,
    program_lock,
    purposes,
    read_index,
    remove_stale_temp_files,
)
from microcred.keyring import KeyRing
from microcred.layout import (
    CONFIG_FILE,
    CREDENTIALS_DIR,
    ISSUE_INDEX_NAME,
    ProgramPaths,
    published_list_file,
    status_state_file,
)
from microcred.model import Program
from microcred.proof.keys import KeyPair
from microcred.publish.publication import _load_credentials
from microcred.publish.status_lists import _stored, signed_status_lists, status_epoch
from microcred.records import load_program
from microcred.status import StatusAllocator
from microcred.status.consistency import ensure_consistent

MAX_REASON = 500
Action = Literal["revoke", "suspend", "reinstate"]
ACTIONS: dict[str, tuple[str, bool]] = {
    "revoke": ("revocation", True),
    "suspend": ("suspension", True),
    "reinstate": ("suspension", False),
}


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
    candidates = [Path(reference), root / reference, ProgramPaths(root).credential(reference)]
    for path in candidates:
        if path.is_file() and path.name != ISSUE_INDEX_NAME:
            try:
                data = loads_strict(path.read_bytes())
            except (OSError, MicrocredError) as exc:
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
        f"(the file name in {CREDENTIALS_DIR}/)",
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
                where=str(root / status_state_file("revocation")),
                hint="check the id; only credentials this program issued can be revoked here",
            )
        allocator: StatusAllocator = revocation
        if purpose == "suspension":
            allocator = _suspension_allocator(root, program, cred_id, revocation, action)
        for checked in {revocation.purpose: revocation, allocator.purpose: allocator}.values():
            # A hand-edited state file is refused before this change is added to it.
            ensure_consistent(
                checked,
                _stored(root / published_list_file(checked.purpose)),
                root / status_state_file(checked.purpose),
            )
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
        when=format_timestamp(now),
        who=who,
        reason=reason,
        state_file=status_state_file(purpose),
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
            where=str(root / status_state_file("revocation")),
            code="USAGE_ERROR",
            hint="issue a new credential (a new record) if the holder should have one again",
        )
    if not program.site.suspension:
        raise ConfigError(
            "this program does not use suspension, so there is nothing to suspend or reinstate",
            where=str(root / CONFIG_FILE),
            hint="set [site] suspension = true and run 'microcred issue' (every credential gets "
            "a second status entry; note the 1EdTech OB 3.0 schemas accept only one), or "
            "revoke instead",
        )
    allocator = open_allocator(root, program, "suspension")
    if allocator.index_of(cred_id) is None:
        raise ConfigError(
            f"{cred_id} was issued before suspension was enabled and has no suspension entry",
            where=str(root / status_state_file("suspension")),
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
        for p in (root / published_list_file(u) for u in purposes(program))
    }
    credentials = _load_credentials(root)
    signed_status_lists(root, program, key, now=now, epoch=status_epoch(credentials, ring, now))
    written = tuple(
        p.relative_to(root).as_posix()
        for p, old in before.items()
        if (p.read_bytes() if p.is_file() else None) != old
    )
    return written, None
