"""What the last ``issue`` run decided for each record it kept (issue 12).

Deciding that a record's credential is unchanged means building its unsigned credential
again, comparing it with the file, checking the proofs' key against the key ring and taking
two fingerprints: about 0.7 ms a record (a ``microcred issue`` with nothing to do took 3.6 s
at 2,000 records, and every build runs it). The decision reads only: the record, its brief,
the issuer and site settings, the status entries reserved for it, the endorsements it embeds
(all as models or plain values), the issuer's DID, the signing key's id, the key ring's
entries, the suites, this code, and the credential file's bytes. So it is remembered per
record under a key naming all of them (the values pickled without pickle's memo, the file by
its SHA-256); a later run whose key for the record is the same, and whose issue index still
holds the remembered receipt, decides "unchanged" again without the work.

The memo is a sealed cache file (:mod:`microcred.sealed`) in ``.microcred/build-cache/``:
one another account or machine wrote counts as absent. It holds the records of the last
run that kept it, nothing older; a miss only costs the work.
"""

from __future__ import annotations

import hashlib
import io
import pickle
import sys
from collections.abc import Mapping, Sequence
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import microcred
from microcred._util import read_sealed_json, write_sealed_json
from microcred.layout import BUILD_CACHE_DIR

MEMO_FILE = "issue-memo.json"
VERSION = 1

_CODE_PACKAGES = ("issue", "credential", "model")
_CODE_FILES = ("_util.py", "layout.py", "keyring.py", "proof/keys.py", "proof/timestamps.py")


@cache
def code_key() -> str:
    """The bytes of the code a decision runs (building the unsigned credential, the key
    policy, the receipts) and of the models it reads, microcred's version and Python's:
    looked at once per process (about a millisecond)."""
    digest = hashlib.sha256(b"microcred issue memo 1\0")
    digest.update(f"{microcred.__version__}\0{sys.version}\0".encode())
    package = resources.files("microcred")
    files = [package.joinpath(name) for name in _CODE_FILES]
    for name in _CODE_PACKAGES:
        folder = package.joinpath(name)
        files.extend(sorted(folder.iterdir(), key=lambda entry: entry.name))
    for entry in files:
        if entry.is_file() and not entry.name.endswith((".pyc", ".pyo")):
            digest.update(entry.name.encode() + b"\0" + entry.read_bytes())
    return digest.hexdigest()


def value_digest(*values: Any) -> str | None:
    """SHA-256 of ``values`` pickled without pickle's memo (equal values, equal bytes, shared
    or copied), or None when they do not pickle."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=5)
    pickler.fast = True  # values, not object identities (cycles refused)
    try:
        pickler.dump(values)
    except Exception:  # a value that does not pickle is decided the long way
        return None
    return hashlib.sha256(buffer.getbuffer()).hexdigest()


class IssueMemo:
    """One program's memo: :meth:`key` per record, :meth:`get` before deciding, :meth:`keep`
    what this run decided, :meth:`save` for the next run."""

    def __init__(self, root: Path, context: str) -> None:
        """``context``: a digest of what every record's decision reads in common (see
        :func:`run_context`)."""
        self.path = Path(root) / BUILD_CACHE_DIR / MEMO_FILE
        self.context = context
        self._briefs: dict[int, tuple[Any, str | None]] = {}
        self._old = self._read()
        self._new: dict[str, list[Any]] = {}

    def _read(self) -> dict[str, Any]:
        data = read_sealed_json(self.path, version=VERSION)
        entries = data.get("entries")
        if not isinstance(entries, dict) or data.get("code") != code_key():
            return {}
        return entries

    def key(
        self,
        record: Any,
        brief: Any,
        status: Any,
        embedded: Sequence[Mapping[str, Any]],
        credential_bytes: bytes,
    ) -> str | None:
        """The key of one record's decision: its inputs and its credential file's bytes
        (None when an input does not pickle: the record is then decided the long way)."""
        found = self._briefs.get(id(brief))
        if found is None or found[0] is not brief:  # a brief is shared by many records
            found = self._briefs[id(brief)] = (brief, value_digest(brief))
        inputs = value_digest(record, status, embedded)
        if found[1] is None or inputs is None:
            return None
        digest = hashlib.sha256(f"{self.context}\0{found[1]}\0{inputs}\0".encode())
        digest.update(hashlib.sha256(credential_bytes).digest())
        return digest.hexdigest()

    def get(self, slug: str, key: str | None) -> dict[str, Any] | None:
        """The receipt remembered for ``slug`` under ``key``, if any."""
        entry = self._old.get(slug)
        if key is None or not isinstance(entry, list) or len(entry) != 2 or entry[0] != key:
            return None
        receipt = entry[1]
        return receipt if isinstance(receipt, dict) else None

    def keep(self, slug: str, key: str | None, receipt: Mapping[str, Any]) -> None:
        """This run decided that ``slug``'s credential, with these inputs and bytes, has
        ``receipt`` (unchanged, recovered or just signed)."""
        if key is not None:
            self._new[slug] = [key, dict(receipt)]

    def save(self) -> None:
        """Keep this run's decisions (only these); a memo that cannot be written only costs
        time next run."""
        if self._new != self._old:
            memo = {"code": code_key(), "entries": self._new}
            write_sealed_json(self.path, memo, version=VERSION)


def run_context(
    *,
    issuer_did: str,
    signing_key_id: str,
    controller: str,
    public_key: bytes,
    ring_entries: Sequence[Any],
    suites: Sequence[str],
    issuer: Any,
    site: Any,
) -> str | None:
    """What every record's decision reads in common: the issuer's DID, the signing key's
    id, controller and public key (never its secret), the key ring's entries (the key
    policy), the suites, the issuer and site settings; None when they do not pickle."""
    return value_digest(
        issuer_did,
        signing_key_id,
        controller,
        bytes(public_key),
        list(ring_entries),
        list(suites),
        issuer,
        site,
    )
