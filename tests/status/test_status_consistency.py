"""Status state that cannot silently go back (issue 8): every kind of hand edit to
``status/<purpose>.json`` is caught against its audit log and the last signed list, with the
entry named and what to do."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from microcred.errors import StatusError
from microcred.status.allocate import StatusAllocator
from microcred.status.consistency import ensure_consistent, state_problems
from microcred.status.listcred import status_list_credential

URL = "https://school.example/status/revocation-1.json"
WHEN = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
A, B = "urn:uuid:a", "urn:uuid:b"


def _state(tmp_path: Path, purpose: str = "revocation") -> StatusAllocator:
    allocator = StatusAllocator.open(tmp_path / f"{purpose}.json", list_url=URL, purpose=purpose)
    allocator.index_for(A)
    allocator.index_for(B)
    allocator.set_status(A, purpose, True, "registrar", WHEN, "cheated")
    allocator.save()
    return allocator


def _signed_list(allocator: StatusAllocator) -> dict[str, Any]:
    return status_list_credential(
        URL, "did:key:z6Mk", allocator.bits(), allocator.purpose, valid_from=WHEN, ttl=1000
    )


def _hand_edit(allocator: StatusAllocator, change: Any) -> StatusAllocator:
    data = json.loads(allocator.path.read_text(encoding="utf-8"))
    change(data)
    allocator.path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return StatusAllocator.load(allocator.path)


def test_an_untouched_state_is_consistent(tmp_path: Path) -> None:
    allocator = _state(tmp_path)
    assert state_problems(allocator, _signed_list(allocator)) == []


def test_removing_a_revoked_id_is_caught_by_the_log_and_the_signed_list(tmp_path: Path) -> None:
    allocator = _state(tmp_path)
    signed = _signed_list(allocator)
    edited = _hand_edit(allocator, lambda d: d.__setitem__("revoked", []))
    problems = state_problems(edited, signed)
    assert any(
        p.startswith(f"{A} (index ") and "is revoked in the audit log but not listed" in p
        for p in problems
    )
    assert any(
        "is revoked in the last signed list but not in the state file" in p for p in problems
    )
    with pytest.raises(StatusError) as info:
        ensure_consistent(edited, signed, edited.path)
    error = info.value
    assert error.code == "INVALID_STATUS_STATE"
    assert A in error.message and "was not signed or published" in error.message
    assert "restore revocation.json from git" in (error.hint or "")


def test_removing_the_log_entry_too_is_caught_by_the_signed_list(tmp_path: Path) -> None:
    allocator = _state(tmp_path)
    signed = _signed_list(allocator)

    def erase(data: dict[str, Any]) -> None:
        data["revoked"] = []
        data["log"] = []

    edited = _hand_edit(allocator, erase)
    (problem,) = state_problems(edited, signed)
    assert problem.startswith(f"{A} (index ")
    assert problem.endswith("is revoked in the last signed list but not in the state file")


def test_an_unlogged_revocation_is_caught(tmp_path: Path) -> None:
    allocator = _state(tmp_path)
    edited = _hand_edit(allocator, lambda d: d["revoked"].append(B))
    (problem,) = state_problems(edited, _signed_list(allocator))
    assert problem.startswith(f"{B} (index ")
    assert problem.endswith("is listed under 'revoked' without an audit-log entry")


def test_a_forged_reinstatement_of_a_revocation_is_caught(tmp_path: Path) -> None:
    allocator = _state(tmp_path)

    def reinstate(data: dict[str, Any]) -> None:
        entry = dict(data["log"][0], action="reinstated", when="2026-03-02T00:00:00Z")
        data["log"].append(entry)
        data["revoked"] = []

    edited = _hand_edit(allocator, reinstate)
    problems = state_problems(edited, _signed_list(allocator))
    assert any("reinstates urn:uuid:a, but revocation is permanent" in p for p in problems)


def test_a_logged_reinstatement_of_a_suspension_is_fine(tmp_path: Path) -> None:
    allocator = _state(tmp_path, "suspension")
    signed = _signed_list(allocator)
    allocator.set_status(A, "suspension", False, "registrar", WHEN + dt.timedelta(days=1))
    assert state_problems(allocator, signed) == []


def test_a_log_entry_with_another_index_is_caught(tmp_path: Path) -> None:
    allocator = _state(tmp_path)
    edited = _hand_edit(allocator, lambda d: d["log"][0].__setitem__("index", 5))
    problems = state_problems(edited)
    assert any("names index 5 for urn:uuid:a" in p for p in problems)


def test_a_list_whose_bits_change_gets_a_newer_valid_from(tmp_path: Path) -> None:
    """Even when the change is dated before the previous list (revoke --now in the past)."""
    from microcred.publish.status_lists import _valid_from

    allocator = _state(tmp_path)
    last = _signed_list(allocator)
    last["validFrom"] = "2026-04-01T00:00:00Z"
    assert _valid_from(allocator.log, WHEN, last, allocator.bits()) == WHEN  # same bits
    allocator.set_status(B, "revocation", True, "registrar", WHEN)  # logged before April
    moved = _valid_from(allocator.log, WHEN, last, allocator.bits())
    assert moved == dt.datetime(2026, 4, 1, 0, 0, 1, tzinfo=dt.UTC)
