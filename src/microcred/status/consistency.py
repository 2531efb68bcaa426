"""State that cannot silently go back: a status state file against its audit log and the list
last signed from it.

``status/<purpose>.json`` holds the set bits *and* the audit log of every change. A hand edit
that removes an id from ``revoked`` would otherwise un-revoke the credential at the next build
while the log still says revoked. Before any list is signed (``build``, ``revoke``) the state is
replayed from its log and compared with the last signed list; any difference stops the command
with the entry named and what to do. Revocation is permanent: no log may clear it and no bit
the last signed revocation list set may be clear now. Pure: reads nothing but its arguments.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from microcred.errors import MicrocredError, StatusError
from microcred.status.allocate import SET_KEY, STATE_CODE, StatusAllocator
from microcred.status.bitstring import decode_list, get_bit

_SETTING = {"revoked", "suspended"}


def _replayed(allocator: StatusAllocator) -> tuple[dict[str, bool], list[str]]:
    """Each logged credential's final state from the log, and the log's own impossibilities."""
    state: dict[str, bool] = {}
    problems: list[str] = []
    allocated = allocator.allocated
    for number, entry in enumerate(allocator.log):
        credential, action = entry.get("credential"), entry.get("action")
        where = f"log[{number}] ({entry.get('when')}, {entry.get('who')})"
        if not isinstance(credential, str) or action not in (*_SETTING, "reinstated"):
            problems.append(f"{where} is not a status change microcred writes")
            continue
        if allocated.get(credential) != entry.get("index"):
            problems.append(
                f"{where} names index {entry.get('index')} for {credential}, which holds index "
                f"{allocated.get(credential)}"
            )
        if action == "reinstated" and allocator.purpose == "revocation":
            problems.append(f"{where} reinstates {credential}, but revocation is permanent")
            continue
        state[credential] = action in _SETTING
    return state, problems


def _signed_bits(last_signed: Mapping[str, Any] | None) -> bytes | None:
    if not isinstance(last_signed, Mapping):
        return None
    subject = last_signed.get("credentialSubject")
    encoded = subject.get("encodedList") if isinstance(subject, Mapping) else None
    if not isinstance(encoded, str):
        return None
    try:
        return decode_list(encoded)
    except MicrocredError:
        return None


def state_problems(
    allocator: StatusAllocator, last_signed: Mapping[str, Any] | None = None
) -> list[str]:
    """Every way the state file disagrees with its audit log or the last signed list."""
    key = SET_KEY[allocator.purpose]
    logged, problems = _replayed(allocator)
    for credential, allocated_index in sorted(allocator.allocated.items()):
        now_set = allocator.is_set(credential)
        if credential in logged and logged[credential] != now_set:
            verb = key if logged[credential] else "cleared"
            problems.append(
                f"{credential} (index {allocated_index}) is {verb} in the audit log but "
                f"{'listed' if now_set else 'not listed'} under '{key}'"
            )
        elif credential not in logged and now_set:
            problems.append(
                f"{credential} (index {allocated_index}) is listed under '{key}' without an "
                "audit-log entry"
            )
    bits = _signed_bits(last_signed)
    if bits is not None:
        by_index = {index: credential for credential, index in allocator.allocated.items()}
        for index, credential in sorted(by_index.items()):
            if index >= len(bits) * 8 or not get_bit(bits, index):
                continue
            if allocator.is_set(credential):
                continue
            if allocator.purpose == "revocation" or logged.get(credential) is not False:
                problems.append(
                    f"{credential} (index {index}) is {key} in the last signed list but not "
                    "in the state file"
                )
    return problems


def ensure_consistent(
    allocator: StatusAllocator, last_signed: Mapping[str, Any] | None, state_file: Path
) -> None:
    """Raise (naming the entries and what to do) when the state cannot be trusted to sign."""
    problems = state_problems(allocator, last_signed)
    if not problems:
        return
    shown = "; ".join(problems[:10]) + (
        f"; and {len(problems) - 10} more" if len(problems) > 10 else ""
    )
    raise StatusError(
        f"the {allocator.purpose} state does not match its audit log and the last signed list, "
        f"so it was not signed or published: {shown}",
        where=str(state_file),
        code=STATE_CODE,
        hint=(
            f"restore {state_file.name} from git (git log -p -- {state_file}); change a status "
            "only with 'microcred revoke' (revocation is permanent; suspend/reinstate are logged)"
        ),
    )
