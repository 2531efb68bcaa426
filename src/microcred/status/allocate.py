"""Random, never reused status-list indexes, with the state committed in the program folder.

One state file per list (``status/revocation.json``, ``status/suspension.json``). It is plain,
sorted, indented JSON so a reviewer can read a revocation in ``git diff`` and two machines that
build the same commit hand out the same indexes. Indexes are drawn with :mod:`secrets` (the
index is the only link between a credential and the public list: herd privacy) and never
handed out twice, even after a revocation. Writes are atomic (temp file, fsync, rename).

The allocator is single-writer: threads of one process may share an instance, but two
processes must not write the same file at the same time.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
import secrets
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from microcred._util import LARGE_JSON_BYTES, loads_strict
from microcred.errors import MicrocredError, StatusError
from microcred.fsutil import atomic_write_bytes
from microcred.status._dates import format_stamp
from microcred.status.bitstring import MIN_ENTRIES, new_bitstring, set_bit
from microcred.status.entry import ISSUED_PURPOSES

FORMAT = "microcred-status-state/1"
STATE_CODE = "INVALID_STATUS_STATE"
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")
SET_KEY = {"revocation": "revoked", "suspension": "suspended"}
"""Name, in the state file, of the credentials whose bit is set."""


def _state_error(path: Path, message: str, hint: str | None = None) -> StatusError:
    return StatusError(
        message,
        where=str(path),
        code=STATE_CODE,
        hint=hint or "restore the file from git; never edit indexes by hand",
    )


def atomic_write(path: Path, data: bytes) -> None:
    """Replace ``path`` so a crash leaves the old or the new file (kept for callers of status)."""
    atomic_write_bytes(path, data)


def _check_id(credential_id: object) -> str:
    if (
        not isinstance(credential_id, str)
        or not credential_id
        or len(credential_id) > 2000
        or _CONTROL_RE.search(credential_id)
    ):
        raise StatusError(
            f"credential id {credential_id!r} is not a usable identifier", code="USAGE_ERROR"
        )
    return credential_id


class StatusAllocator:
    """Allocation and status state of one status list (see the module docstring)."""

    def __init__(self, path: Path, *, list_url: str, purpose: str, size: int = MIN_ENTRIES) -> None:
        if purpose not in ISSUED_PURPOSES:
            raise StatusError(
                f"purpose {purpose!r} is not one of {', '.join(ISSUED_PURPOSES)}",
                code="USAGE_ERROR",
            )
        if isinstance(size, bool) or not isinstance(size, int) or size < MIN_ENTRIES or size % 8:
            raise StatusError(
                f"list size {size!r} must be a multiple of 8 and at least {MIN_ENTRIES}",
                code="USAGE_ERROR",
            )
        if not isinstance(list_url, str) or not list_url.startswith(("https://", "http://")):
            raise StatusError(
                f"status list URL {list_url!r} is not an http(s) URL", code="USAGE_ERROR"
            )
        self.path = Path(path)
        self.list_url = list_url
        self.purpose = purpose
        self.size = size
        self._allocated: dict[str, int] = {}
        self._used: set[int] = set()
        self._set: set[str] = set()
        self._log: list[dict[str, Any]] = []
        self._free: list[int] | None = None
        self._lock = threading.RLock()
        self._batch_depth = 0
        self._dirty = False

    # ------------------------------------------------------------------ loading

    @classmethod
    def open(
        cls, path: Path, *, list_url: str, purpose: str, size: int = MIN_ENTRIES
    ) -> StatusAllocator:
        """Load ``path`` if it exists (it must describe this list), else start an empty state."""
        path = Path(path)
        if not path.exists():
            return cls(path, list_url=list_url, purpose=purpose, size=size)
        allocator = cls.load(path)
        for name, have, want in (
            ("list_url", allocator.list_url, list_url),
            ("purpose", allocator.purpose, purpose),
            ("size", allocator.size, size),
        ):
            if have != want:
                raise _state_error(
                    path,
                    f"{name} is {have!r} in the state file but {want!r} was asked for",
                    "issued credentials point at the recorded list; keep its URL and size "
                    "(a moved site needs a new list file)",
                )
        return allocator

    @classmethod
    def load(cls, path: Path) -> StatusAllocator:
        """Read an existing state file, checking every invariant (unique, in-range indexes...)."""
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise _state_error(path, f"cannot read the status state file ({exc})") from None
        if "<<<<<<<" in text or ">>>>>>>" in text:
            raise _state_error(
                path,
                "contains git merge-conflict markers",
                "keep the allocations of both sides; two credentials must never share an index",
            )
        try:
            data = loads_strict(text, max_bytes=LARGE_JSON_BYTES)
        except MicrocredError as exc:
            raise _state_error(path, f"is not valid JSON ({exc.message})") from None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise _state_error(path, f"is not a {FORMAT} file")
        try:
            allocator = cls(
                path,
                list_url=data.get("list_url", ""),
                purpose=data.get("purpose", ""),
                size=data.get("size", 0),
            )
        except StatusError as exc:
            raise _state_error(path, exc.message) from None
        allocator._read_state(data)
        return allocator

    def _read_state(self, data: Mapping[str, Any]) -> None:
        allocated = data.get("allocated")
        if not isinstance(allocated, dict):
            raise _state_error(self.path, "$.allocated must be an object")
        owner: dict[int, str] = {}
        for credential_id, index in allocated.items():
            if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < self.size:
                raise _state_error(
                    self.path, f"$.allocated[{credential_id!r}]: bad index {index!r}"
                )
            if index in owner:
                raise _state_error(
                    self.path,
                    f"index {index} is given to both {owner[index]!r} and {credential_id!r}",
                    "an index must never be shared; re-issue one of them with a fresh index",
                )
            owner[index] = credential_id
        key = SET_KEY[self.purpose]
        flagged = data.get(key, [])
        if not isinstance(flagged, list) or not all(isinstance(c, str) for c in flagged):
            raise _state_error(self.path, f"$.{key} must be an array of credential ids")
        unknown = [c for c in flagged if c not in allocated]
        if unknown or len(set(flagged)) != len(flagged):
            raise _state_error(self.path, f"$.{key} lists unknown or repeated ids {unknown}")
        log = data.get("log", [])
        if not isinstance(log, list) or not all(isinstance(e, dict) for e in log):
            raise _state_error(self.path, "$.log must be an array of objects")
        self._allocated = dict(allocated)
        self._used = set(owner)
        self._set = set(flagged)
        self._log = list(log)

    # ------------------------------------------------------------------ saving

    def to_json(self) -> str:
        """The state file text: deterministic, so an unchanged state is byte-identical."""
        data: dict[str, Any] = {
            "format": FORMAT,
            "list_url": self.list_url,
            "purpose": self.purpose,
            "size": self.size,
            "allocated": dict(sorted(self._allocated.items())),
            SET_KEY[self.purpose]: sorted(self._set),
            "log": self._log,
        }
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"

    def save(self) -> None:
        """Write the state atomically; an I/O failure leaves the previous file intact."""
        with self._lock:
            try:
                atomic_write(self.path, self.to_json().encode("utf-8"))
            except OSError as exc:
                raise StatusError(
                    f"could not write the status state ({exc.strerror or exc})",
                    where=str(self.path),
                    code="IO_ERROR",
                    hint="the previous state file is unchanged; fix the folder and run again",
                ) from None
            self._dirty = False

    @contextlib.contextmanager
    def batch(self) -> Iterator[StatusAllocator]:
        """Defer writing until the block ends (one fsync for many allocations).

        The state is written even if the block raises: recording an allocation that ends up
        unused is harmless, forgetting one that was published would let it be reused.
        """
        with self._lock:
            self._batch_depth += 1
            try:
                yield self
            finally:
                self._batch_depth -= 1
                if self._batch_depth == 0 and self._dirty:
                    self.save()

    def _changed(self) -> None:
        self._dirty = True
        if self._batch_depth == 0:
            self.save()

    # ------------------------------------------------------------------ allocation

    def index_of(self, credential_id: str) -> int | None:
        """The index already given to ``credential_id``, if any."""
        return self._allocated.get(credential_id)

    @property
    def allocated(self) -> dict[str, int]:
        return dict(self._allocated)

    def _draw(self) -> int:
        if len(self._used) >= self.size:
            raise StatusError(
                f"status list {self.list_url} is full ({self.size} entries)",
                where=str(self.path),
                code="RANGE_ERROR",
                hint="start a new list for further credentials",
            )
        if self._free is None and len(self._used) * 2 < self.size:
            while True:  # at most half the slots are taken: a few draws on average
                candidate = secrets.randbelow(self.size)
                if candidate not in self._used:
                    return candidate
        if self._free is None:
            self._free = [i for i in range(self.size) if i not in self._used]
        position = secrets.randbelow(len(self._free))
        chosen = self._free[position]
        self._free[position] = self._free[-1]
        self._free.pop()
        return chosen

    def index_for(self, credential_id: str) -> int:
        """The credential's index: the recorded one, or a fresh random unused one (then saved)."""
        credential_id = _check_id(credential_id)
        with self._lock:
            existing = self._allocated.get(credential_id)
            if existing is not None:
                return existing
            index = self._draw()
            self._allocated[credential_id] = index
            self._used.add(index)
            self._changed()
            return index

    # ------------------------------------------------------------------ status

    def is_set(self, credential_id: str) -> bool:
        return credential_id in self._set

    @property
    def log(self) -> list[dict[str, Any]]:
        return [dict(entry) for entry in self._log]

    def set_status(
        self,
        credential_id: str,
        purpose: str,
        value: bool,
        who: str,
        when: dt.datetime,
        reason: str | None = None,
    ) -> bool:
        """Set (``True``) or clear a credential's bit, with an audit-log entry.

        Revocation is permanent: clearing a revoked bit raises. Suspension may be cleared
        (reinstated). Returns whether anything changed; a no-op writes nothing.
        """
        credential_id = _check_id(credential_id)
        if purpose != self.purpose:
            raise StatusError(
                f"this list records {self.purpose}, not {purpose}",
                where=str(self.path),
                code="USAGE_ERROR",
            )
        if not isinstance(value, bool):
            raise StatusError(f"status value {value!r} must be true or false", code="USAGE_ERROR")
        if not isinstance(who, str) or not who.strip():
            raise StatusError("set_status needs who made the change", code="USAGE_ERROR")
        if reason is not None and not isinstance(reason, str):
            raise StatusError("reason must be text", code="USAGE_ERROR")
        stamp = format_stamp(when)
        with self._lock:
            index = self._allocated.get(credential_id)
            if index is None:
                raise StatusError(
                    f"no {self.purpose} index was ever allocated to {credential_id!r}",
                    where=str(self.path),
                    code="USAGE_ERROR",
                    hint="check the credential id; only issued credentials can change status",
                )
            current = credential_id in self._set
            if current == value:
                return False
            if self.purpose == "revocation" and not value:
                raise StatusError(
                    f"{credential_id!r} is revoked, and revocation is permanent",
                    where=str(self.path),
                    code="USAGE_ERROR",
                    hint="issue a new credential instead; use suspension for reversible holds",
                )
            if value:
                self._set.add(credential_id)
            else:
                self._set.discard(credential_id)
            action = {"revocation": "revoked", "suspension": "suspended"}[self.purpose]
            entry: dict[str, Any] = {
                "when": stamp,
                "who": who,
                "action": action if value else "reinstated",
                "credential": credential_id,
                "index": index,
            }
            if reason:
                entry["reason"] = reason
            self._log.append(entry)
            self._changed()
            return True

    def bits(self) -> bytearray:
        """The list's bitstring (size bits, MSB first), ready for ``status_list_credential``."""
        with self._lock:
            bits = new_bitstring(self.size)
            for credential_id in self._set:
                set_bit(bits, self._allocated[credential_id], True)
            return bits
