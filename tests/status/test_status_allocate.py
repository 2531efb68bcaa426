"""microcred.status.allocate: random never-reused indexes, committed state, audit log."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest

from microcred.errors import StatusError
from microcred.status import StatusAllocator, get_bit

LIST = "https://example.org/program/status/revocation-1.json"
WHEN = dt.datetime(2026, 3, 4, 5, 6, 7, tzinfo=dt.UTC)


def allocator(tmp_path: Path, purpose: str = "revocation", size: int = 131072) -> StatusAllocator:
    return StatusAllocator.open(
        tmp_path / "status" / f"{purpose}.json", list_url=LIST, purpose=purpose, size=size
    )


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


# --------------------------------------------------------------------------- allocation


def test_index_is_stable_and_persisted(tmp_path: Path) -> None:
    alloc = allocator(tmp_path)
    first = alloc.index_for("urn:uuid:a")
    assert alloc.index_for("urn:uuid:a") == first
    assert 0 <= first < 131072
    reloaded = allocator(tmp_path)
    assert reloaded.index_for("urn:uuid:a") == first
    state = json.loads((tmp_path / "status" / "revocation.json").read_text())
    assert state["allocated"] == {"urn:uuid:a": first}
    assert state["list_url"] == LIST and state["purpose"] == "revocation"


def test_asking_again_writes_nothing(tmp_path: Path) -> None:
    alloc = allocator(tmp_path)
    alloc.index_for("urn:uuid:a")
    path = tmp_path / "status" / "revocation.json"
    before = path.stat().st_mtime_ns
    os.utime(path, ns=(before - 10**9, before - 10**9))
    allocator(tmp_path).index_for("urn:uuid:a")
    assert path.stat().st_mtime_ns == before - 10**9


def test_never_repeats_over_many_draws(tmp_path: Path) -> None:
    alloc = allocator(tmp_path)
    with alloc.batch():
        indexes = [alloc.index_for(f"urn:uuid:{n}") for n in range(20_000)]
    assert len(set(indexes)) == len(indexes)
    assert all(0 <= i < 131072 for i in indexes)
    # random, not sequential: spread over the whole list, not in allocation order
    assert indexes != sorted(indexes)
    assert min(indexes) < 131072 // 8 and max(indexes) > 131072 * 7 // 8
    assert len(allocator(tmp_path).allocated) == 20_000


def test_whole_list_then_full(tmp_path: Path) -> None:
    alloc = allocator(tmp_path)
    with alloc.batch():
        indexes = {alloc.index_for(f"c{n}") for n in range(131072)}
    assert indexes == set(range(131072))
    with pytest.raises(StatusError) as info:
        alloc.index_for("one-too-many")
    assert info.value.code == "RANGE_ERROR"
    assert "full" in info.value.message


def test_two_machines_agree_through_the_committed_file(tmp_path: Path) -> None:
    alloc = allocator(tmp_path)
    with alloc.batch():
        expected = {f"urn:uuid:{n}": alloc.index_for(f"urn:uuid:{n}") for n in range(50)}
    committed = (tmp_path / "status" / "revocation.json").read_bytes()
    other = tmp_path / "clone"
    (other / "status").mkdir(parents=True)
    (other / "status" / "revocation.json").write_bytes(committed)
    clone = allocator(other)
    assert {cid: clone.index_for(cid) for cid in expected} == expected
    assert (other / "status" / "revocation.json").read_bytes() == committed


def test_state_file_is_sorted_and_deterministic(tmp_path: Path) -> None:
    alloc = allocator(tmp_path)
    for cid in ("urn:uuid:c", "urn:uuid:a", "urn:uuid:b"):
        alloc.index_for(cid)
    text = (tmp_path / "status" / "revocation.json").read_text()
    assert list(json.loads(text)["allocated"]) == ["urn:uuid:a", "urn:uuid:b", "urn:uuid:c"]
    assert text.endswith("\n") and "\n  " in text  # indented, one item per line
    assert allocator(tmp_path).to_json() == text


@pytest.mark.parametrize("bad", ["", "a\nb", 5, None])
def test_bad_credential_id(tmp_path: Path, bad: object) -> None:
    with pytest.raises(StatusError):
        allocator(tmp_path).index_for(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("purpose", "size"), [("message", 131072), ("revocation", 65536), ("revocation", 131073)]
)
def test_bad_list_parameters(tmp_path: Path, purpose: str, size: int) -> None:
    with pytest.raises(StatusError):
        allocator(tmp_path, purpose=purpose, size=size)


# --------------------------------------------------------------------------- atomic writes


def test_save_leaves_no_temp_files(tmp_path: Path) -> None:
    alloc = allocator(tmp_path)
    for n in range(5):
        alloc.index_for(f"c{n}")
    assert leftovers(tmp_path / "status") == []
    assert sorted(p.name for p in (tmp_path / "status").iterdir()) == ["revocation.json"]


def test_crash_between_write_and_rename_keeps_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    alloc = allocator(tmp_path)
    alloc.index_for("urn:uuid:kept")
    path = tmp_path / "status" / "revocation.json"
    before = path.read_bytes()

    def crash(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(StatusError) as info:
        alloc.index_for("urn:uuid:lost")
    monkeypatch.undo()
    assert info.value.code == "IO_ERROR"
    assert "unchanged" in info.value.diagnostics()
    assert path.read_bytes() == before
    assert leftovers(path.parent) == []
    assert json.loads(before)["allocated"].keys() == {"urn:uuid:kept"}


def test_batch_saves_once_and_even_on_error(tmp_path: Path) -> None:
    alloc = allocator(tmp_path)
    path = tmp_path / "status" / "revocation.json"
    with pytest.raises(RuntimeError), alloc.batch():
        alloc.index_for("a")
        assert not path.exists()  # deferred
        raise RuntimeError("issue failed half-way")
    assert json.loads(path.read_text())["allocated"].keys() == {"a"}


# --------------------------------------------------------------------------- status changes


def test_revocation_is_permanent_and_logged(tmp_path: Path) -> None:
    alloc = allocator(tmp_path)
    index = alloc.index_for("urn:uuid:x")
    assert alloc.set_status("urn:uuid:x", "revocation", True, "registrar", WHEN, "plagiarism")
    assert alloc.set_status("urn:uuid:x", "revocation", True, "registrar", WHEN) is False
    with pytest.raises(StatusError) as info:
        alloc.set_status("urn:uuid:x", "revocation", False, "registrar", WHEN)
    assert "permanent" in info.value.message
    reloaded = allocator(tmp_path)
    assert reloaded.is_set("urn:uuid:x")
    assert get_bit(reloaded.bits(), index)
    assert sum(bin(b).count("1") for b in reloaded.bits()) == 1
    assert reloaded.log == [
        {
            "when": "2026-03-04T05:06:07Z",
            "who": "registrar",
            "action": "revoked",
            "credential": "urn:uuid:x",
            "index": index,
            "reason": "plagiarism",
        }
    ]
    state = json.loads((tmp_path / "status" / "revocation.json").read_text())
    assert state["revoked"] == ["urn:uuid:x"]


def test_suspension_is_reversible(tmp_path: Path) -> None:
    alloc = allocator(tmp_path, purpose="suspension")
    index = alloc.index_for("urn:uuid:x")
    alloc.set_status("urn:uuid:x", "suspension", True, "lead", WHEN, "under review")
    assert get_bit(alloc.bits(), index)
    later = WHEN + dt.timedelta(days=1)
    assert alloc.set_status("urn:uuid:x", "suspension", False, "lead", later, "cleared")
    reloaded = allocator(tmp_path, purpose="suspension")
    assert not reloaded.is_set("urn:uuid:x") and not any(reloaded.bits())
    assert [e["action"] for e in reloaded.log] == ["suspended", "reinstated"]
    assert reloaded.index_for("urn:uuid:x") == index  # the index is never given back


def test_set_status_refusals(tmp_path: Path) -> None:
    alloc = allocator(tmp_path)
    alloc.index_for("urn:uuid:x")
    with pytest.raises(StatusError):
        alloc.set_status("urn:uuid:unknown", "revocation", True, "me", WHEN)
    with pytest.raises(StatusError):
        alloc.set_status("urn:uuid:x", "suspension", True, "me", WHEN)
    with pytest.raises(StatusError):
        alloc.set_status("urn:uuid:x", "revocation", True, "me", dt.datetime(2026, 1, 1))
    with pytest.raises(StatusError):
        alloc.set_status("urn:uuid:x", "revocation", True, "  ", WHEN)
    with pytest.raises(StatusError):
        alloc.set_status("urn:uuid:x", "revocation", 1, "me", WHEN)  # type: ignore[arg-type]
    assert not alloc.is_set("urn:uuid:x") and alloc.log == []


# --------------------------------------------------------------------------- damaged state


def _state(**changes: object) -> str:
    data: dict[str, object] = {
        "format": "microcred-status-state/1",
        "list_url": LIST,
        "purpose": "revocation",
        "size": 131072,
        "allocated": {"urn:uuid:a": 1, "urn:uuid:b": 2},
        "revoked": [],
        "log": [],
    }
    data.update(changes)
    return json.dumps(data)


DAMAGED = {
    "merge_conflict_markers": "<<<<<<< HEAD\n"
    + _state()
    + "\n=======\n"
    + _state()
    + "\n>>>>>>> x\n",
    "shared_index": _state(allocated={"urn:uuid:a": 1, "urn:uuid:b": 1}),
    "index_out_of_range": _state(allocated={"urn:uuid:a": 131072}),
    "index_not_int": _state(allocated={"urn:uuid:a": "1"}),
    "revoked_unknown_id": _state(revoked=["urn:uuid:z"]),
    "revoked_repeated": _state(revoked=["urn:uuid:a", "urn:uuid:a"]),
    "wrong_format": _state(format="something/2"),
    "bad_purpose": _state(purpose="message"),
    "small_size": _state(size=8),
    "not_json": "{",
    "duplicate_keys": _state()[:-1] + ', "allocated": {}}',
    "log_not_list": _state(log={}),
}


@pytest.mark.parametrize("case", sorted(DAMAGED))
def test_damaged_state_is_refused_with_its_path(tmp_path: Path, case: str) -> None:
    path = tmp_path / "revocation.json"
    path.write_text(DAMAGED[case])
    with pytest.raises(StatusError) as info:
        StatusAllocator.load(path)
    assert info.value.code == "INVALID_STATUS_STATE"
    assert str(path) in info.value.diagnostics()


def test_valid_hand_written_state_loads(tmp_path: Path) -> None:
    path = tmp_path / "revocation.json"
    path.write_text(_state(revoked=["urn:uuid:b"]))
    alloc = StatusAllocator.load(path)
    assert alloc.index_of("urn:uuid:b") == 2 and alloc.is_set("urn:uuid:b")
    assert get_bit(alloc.bits(), 2) and not get_bit(alloc.bits(), 1)


@pytest.mark.parametrize(
    ("field", "value"),
    [("list_url", "https://moved.example/status/revocation-1.json"), ("size", 262144)],
)
def test_open_refuses_a_different_list(tmp_path: Path, field: str, value: object) -> None:
    allocator(tmp_path).index_for("a")
    kwargs: dict[str, object] = {"list_url": LIST, "purpose": "revocation", "size": 131072}
    kwargs[field] = value
    with pytest.raises(StatusError) as info:
        StatusAllocator.open(tmp_path / "status" / "revocation.json", **kwargs)  # type: ignore[arg-type]
    assert field in info.value.message
