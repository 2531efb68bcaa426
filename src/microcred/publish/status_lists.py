"""Signed status lists: re-signed only when their content changes, dated by their last change."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from microcred._util import loads_strict, parse_timestamp
from microcred.credential import credential_id
from microcred.errors import ConfigError, KeyError_, MicrocredError
from microcred.fsutil import write_if_changed
from microcred.issue import (
    dump_json,
    open_allocator,
    purposes,
    status_list_url,
)
from microcred.keyring import KeyRing
from microcred.layout import PUBLISHED_STATUS_DIR, published_list_file, status_state_file
from microcred.model import Program
from microcred.proof.keys import KeyPair
from microcred.status import status_list_credential
from microcred.status.bitstring import encode_list
from microcred.status.consistency import ensure_consistent

STATUS_TTL_MS = 24 * 60 * 60 * 1000  # advisory: how long a verifier may cache a snapshot
PUBLISHED_DIR = Path(PUBLISHED_STATUS_DIR)


def _parse_stamp(value: str) -> dt.datetime:
    return parse_timestamp(value)


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
        stored_path = root / published_list_file(purpose)
        last = _stored(stored_path)
        # Hand edits to status/<purpose>.json stop here, before anything is signed (issue 8).
        ensure_consistent(allocator, last, root / status_state_file(purpose))
        bits = allocator.bits()
        unsigned = status_list_credential(
            url,
            key.controller,
            bits,
            purpose,
            valid_from=_valid_from(allocator.log, epoch, last, bits),
            ttl=STATUS_TTL_MS,
        )
        signed = _reuse_if_same(stored_path, unsigned, key)
        if signed is None:
            from microcred.issue.sign import sign_document  # the signer: only when one is due

            signed = sign_document(unsigned, key, created=now)
            write_if_changed(stored_path, dump_json(signed).encode("utf-8"))
        lists[url] = signed
    return lists


def _stored(path: Path) -> dict[str, Any] | None:
    try:
        stored = loads_strict(path.read_bytes())
    except (OSError, MicrocredError):
        return None
    return stored if isinstance(stored, dict) else None


def _valid_from(
    log: list[dict[str, Any]], epoch: dt.datetime, last: dict[str, Any] | None, bits: bytearray
) -> dt.datetime:
    """The last logged change; never earlier than a previous list with other bits (a change
    dated in the past with --now must still make verifiers see a newer list)."""
    valid_from = _last_change(log, epoch)
    subject = last.get("credentialSubject") if last else None
    previous = last.get("validFrom") if last else None
    if not isinstance(subject, dict) or not isinstance(previous, str):
        return valid_from
    if subject.get("encodedList") == encode_list(bits):
        return valid_from
    try:
        before = _parse_stamp(previous)
    except ValueError:
        return valid_from
    if valid_from <= before:
        return before + dt.timedelta(seconds=1)
    return valid_from


def _reuse_if_same(path: Path, unsigned: dict[str, Any], key: KeyPair) -> dict[str, Any] | None:
    stored = _stored(path)
    if stored is None:
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
