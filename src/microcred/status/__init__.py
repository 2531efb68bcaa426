"""Bitstring Status List v1.0: wire format, entries, verifier check, allocation, list credential.

Signing the list credential is the issue layer's job (proof API); verifying its proof and
issuer is the verifier's. This package works on unsigned lists and already-verified ones.
"""

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
