"""Records -> signed credential files (incremental, idempotent, atomic, parallel).

The files on disk are the truth: a record whose credential already says exactly what the record
says, signed by a key the issuer still stands behind, is left alone (every byte kept, even after
a key rotation). A changed record is re-signed under the same id, salt and status index.
The issue index (``layout.ISSUE_INDEX``, committed) is the receipt: per record, the credential
id, a digest of what was signed, when and by which key.

Crash safety (SIGKILL at any instant, then re-run = an uninterrupted run):
1. one process at a time: an advisory lock on ``microcred.toml`` (released by the kernel when
   the holder dies);
2. status indexes for every credential about to be written are saved (one fsync per list)
   BEFORE any credential is signed, so an index that may be published is never handed out again;
3. every file is written to a temp file, fsynced and renamed; temp files a killed run left are
   removed by the next run;
4. a credential written but not yet in the index (the index is flushed about once a second) is
   recognised on the next run — same content, proofs by the right key that verify — and kept.

Modules: :mod:`.sign` (the one signer), :mod:`.write` (serialisation, strict reads),
:mod:`.lock` (one writer), :mod:`.receipts` (the index), :mod:`.keypolicy` (which proofs stand),
:mod:`.pool` (parallel signing), :mod:`.program` (``issue_program``); status indexes live in
:mod:`microcred.status.indexes`.
"""

# Names load from their submodule on first use (PEP 562): `microcred sign` needs only
# :mod:`.sign`, not the program, pool and key-policy machinery (issue 12: start-up time).
from __future__ import annotations

from typing import TYPE_CHECKING

from microcred import _lazy_exports

SUITES = ("eddsa-rdfc-2022", "eddsa-jcs-2022")
"""The proof set microcred signs with, in this order. Here, not in :mod:`.sign`: checking
that an issued credential is unchanged needs the names, not the canonicalizer."""

if TYPE_CHECKING:
    from microcred.issue.keypolicy import KeyPolicy
    from microcred.issue.lock import program_lock, remove_stale_temp_files
    from microcred.issue.pool import PARALLEL_THRESHOLD, worker_count
    from microcred.issue.program import (
        INDEX_FLUSH_SECONDS,
        IssueReport,
        Progress,
        StatusProvider,
        issue_program,
    )
    from microcred.issue.receipts import INDEX, fingerprint, read_index
    from microcred.issue.sign import sign_document
    from microcred.issue.write import dump_json
    from microcred.layout import CREDENTIALS_DIR, STATE_DIRS
    from microcred.status.indexes import (
        open_allocator,
        purposes,
        status_list_url,
        status_state_path,
    )

_WHERE = {
    "KeyPolicy": "microcred.issue.keypolicy",
    "program_lock": "microcred.issue.lock",
    "remove_stale_temp_files": "microcred.issue.lock",
    "PARALLEL_THRESHOLD": "microcred.issue.pool",
    "worker_count": "microcred.issue.pool",
    "INDEX_FLUSH_SECONDS": "microcred.issue.program",
    "IssueReport": "microcred.issue.program",
    "Progress": "microcred.issue.program",
    "StatusProvider": "microcred.issue.program",
    "issue_program": "microcred.issue.program",
    "INDEX": "microcred.issue.receipts",
    "fingerprint": "microcred.issue.receipts",
    "read_index": "microcred.issue.receipts",
    "sign_document": "microcred.issue.sign",
    "dump_json": "microcred.issue.write",
    "CREDENTIALS_DIR": "microcred.layout",
    "STATE_DIRS": "microcred.layout",
    "open_allocator": "microcred.status.indexes",
    "purposes": "microcred.status.indexes",
    "status_list_url": "microcred.status.indexes",
    "status_state_path": "microcred.status.indexes",
}

__all__ = [
    "CREDENTIALS_DIR",
    "INDEX",
    "INDEX_FLUSH_SECONDS",
    "PARALLEL_THRESHOLD",
    "STATE_DIRS",
    "SUITES",
    "IssueReport",
    "KeyPolicy",
    "Progress",
    "StatusProvider",
    "dump_json",
    "fingerprint",
    "issue_program",
    "open_allocator",
    "program_lock",
    "purposes",
    "read_index",
    "remove_stale_temp_files",
    "sign_document",
    "status_list_url",
    "status_state_path",
    "worker_count",
]


__getattr__ = _lazy_exports("microcred.issue", globals(), _WHERE)
