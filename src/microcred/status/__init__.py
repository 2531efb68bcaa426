"""Bitstring Status List v1.0: wire format, entries, verifier check, allocation, list credential.

Signing the list credential is the issue layer's job (proof API); verifying its proof and
issuer is the verifier's. This package works on unsigned lists and already-verified ones.
"""

# Names load from their submodule on first use (PEP 562): the verifier's status check needs
# neither the allocator nor the list-credential builder (issue 12: start-up time).
from __future__ import annotations

from typing import TYPE_CHECKING

from microcred import _lazy_exports

if TYPE_CHECKING:
    from microcred.status.allocate import StatusAllocator, atomic_write
    from microcred.status.bitstring import (
        DEFAULT_MAX_BYTES,
        MIN_ENTRIES,
        decode_list,
        encode_list,
        get_bit,
        get_status_value,
        new_bitstring,
        set_bit,
        set_status_value,
    )
    from microcred.status.check import StatusOutcome, check_entry_against_list
    from microcred.status.entry import (
        ENTRY_TYPE,
        StatusEntry,
        StatusIndex,
        UnsupportedStatusTypeError,
        make_entry,
        parse_status_index,
        status_entries,
        validate_entry,
    )
    from microcred.status.listcred import status_list_credential

_WHERE = {
    "StatusAllocator": "microcred.status.allocate",
    "atomic_write": "microcred.status.allocate",
    "DEFAULT_MAX_BYTES": "microcred.status.bitstring",
    "MIN_ENTRIES": "microcred.status.bitstring",
    "decode_list": "microcred.status.bitstring",
    "encode_list": "microcred.status.bitstring",
    "get_bit": "microcred.status.bitstring",
    "get_status_value": "microcred.status.bitstring",
    "new_bitstring": "microcred.status.bitstring",
    "set_bit": "microcred.status.bitstring",
    "set_status_value": "microcred.status.bitstring",
    "StatusOutcome": "microcred.status.check",
    "check_entry_against_list": "microcred.status.check",
    "ENTRY_TYPE": "microcred.status.entry",
    "StatusEntry": "microcred.status.entry",
    "StatusIndex": "microcred.status.entry",
    "UnsupportedStatusTypeError": "microcred.status.entry",
    "make_entry": "microcred.status.entry",
    "parse_status_index": "microcred.status.entry",
    "status_entries": "microcred.status.entry",
    "validate_entry": "microcred.status.entry",
    "status_list_credential": "microcred.status.listcred",
}

__all__ = [
    "DEFAULT_MAX_BYTES",
    "ENTRY_TYPE",
    "MIN_ENTRIES",
    "StatusAllocator",
    "StatusEntry",
    "StatusIndex",
    "StatusOutcome",
    "UnsupportedStatusTypeError",
    "atomic_write",
    "check_entry_against_list",
    "decode_list",
    "encode_list",
    "get_bit",
    "get_status_value",
    "make_entry",
    "new_bitstring",
    "parse_status_index",
    "set_bit",
    "set_status_value",
    "status_entries",
    "status_list_credential",
    "validate_entry",
]


__getattr__ = _lazy_exports("microcred.status", globals(), _WHERE)
