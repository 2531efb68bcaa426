"""The school's transcript status list: a Bitstring Status List it publishes like an issuer.

State (random never-reused indexes, revocations, audit log) is the status package's allocator
file ``<status_dir>/revocation.json``; the signed list the school publishes at
``[school] status_list`` is written beside it under the URL's file name. The list is re-signed
only when its bits change (or the signing key does), dated by the change.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from microcred._util import loads_strict
from microcred.errors import MicrocredError, StatusError
from microcred.fsutil import atomic_write_bytes
from microcred.issue import dump_json, sign_document
from microcred.proof.keys import KeyPair
from microcred.registry.school import SchoolConfig
from microcred.status import StatusAllocator, encode_list, make_entry, status_list_credential

PURPOSE = "revocation"
TTL_MS = 24 * 60 * 60 * 1000
"""Advisory: how long a verifier may rely on a snapshot of the list (as for issuers' lists)."""


@dataclass
class TranscriptStatus:
    url: str
    directory: Path

    @classmethod
    def for_school(cls, config: SchoolConfig) -> TranscriptStatus | None:
        if config.status_list is None:
            return None
        return cls(config.status_list, config.status_dir)

    @property
    def state_path(self) -> Path:
        return self.directory / f"{PURPOSE}.json"

    @property
    def list_path(self) -> Path:
        name = self.url.rstrip("/").rsplit("/", 1)[-1] or "transcripts-1.json"
        return self.directory / (name if name.endswith(".json") else f"{name}.json")

    def _allocator(self) -> StatusAllocator:
        self.directory.mkdir(parents=True, exist_ok=True)
        return StatusAllocator.open(self.state_path, list_url=self.url, purpose=PURPOSE)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """One process at a time reads and writes the state: two would each draw an index and
        the last save would forget the other's, so one index could be given twice."""
        self.directory.mkdir(parents=True, exist_ok=True)
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows: no advisory locks
            yield
            return
        with (self.directory / ".lock").open("a+b") as handle:
            with contextlib.suppress(OSError):  # a file system without locks: carry on
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            yield  # closing the file releases the lock (also when the process dies)

    def entry_for(self, transcript_id: str) -> dict[str, Any]:
        """A revocation entry at a fresh random index, saved before anything is signed."""
        with self._locked():
            allocator = self._allocator()
            return make_entry(self.url, allocator.index_for(transcript_id), PURPOSE)

    def revoke(
        self, transcript_id: str, *, who: str, when: dt.datetime, reason: str | None
    ) -> bool:
        with self._locked():
            return self._revoke(transcript_id, who=who, when=when, reason=reason)

    def _revoke(
        self, transcript_id: str, *, who: str, when: dt.datetime, reason: str | None
    ) -> bool:
        allocator = self._allocator()
        if allocator.index_of(transcript_id) is None:
            raise StatusError(
                f"transcript {transcript_id} has no index in the status list {self.url}",
                where=str(self.state_path),
                code="USAGE_ERROR",
                hint="it was issued before [school] status_list was set; it cannot be revoked",
            )
        return allocator.set_status(transcript_id, PURPOSE, True, who, when, reason)

    def publish(self, key: KeyPair, now: dt.datetime) -> Path:
        """Write the signed list if its bits (or the key) changed; returns its path."""
        with self._locked():
            return self._publish(key, now)

    def _publish(self, key: KeyPair, now: dt.datetime) -> Path:
        allocator = self._allocator()
        bits = allocator.bits()
        stored = _read(self.list_path)
        if stored is not None and _same(stored, encode_list(bits), key):
            return self.list_path
        unsigned = status_list_credential(
            self.url, key.controller, bits, PURPOSE, valid_from=now, ttl=TTL_MS
        )
        signed = sign_document(unsigned, key, created=now)
        atomic_write_bytes(self.list_path, dump_json(signed).encode("utf-8"))
        return self.list_path


def _read(path: Path) -> dict[str, Any] | None:
    try:
        data = loads_strict(path.read_bytes())
    except (OSError, MicrocredError):
        return None
    return data if isinstance(data, dict) else None


def _same(stored: dict[str, Any], encoded: str, key: KeyPair) -> bool:
    subject = stored.get("credentialSubject")
    proofs = stored.get("proof")
    return (
        isinstance(subject, dict)
        and subject.get("encodedList") == encoded
        and isinstance(proofs, list)
        and bool(proofs)
        and all(isinstance(p, dict) and p.get("verificationMethod") == key.id for p in proofs)
    )
