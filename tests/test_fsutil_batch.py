"""fsutil.atomic_write_batch: many files, one flush; old or new content, never half (issue 12)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from microcred.fsutil import atomic_write_batch


def test_writes_every_file_and_keeps_modes(tmp_path: Path) -> None:
    kept = tmp_path / "a.json"
    kept.write_bytes(b"old")
    kept.chmod(0o600)
    items = [(tmp_path / "a.json", b"new a"), (tmp_path / "sub" / "b.json", b"new b")]
    atomic_write_batch(items)
    assert kept.read_bytes() == b"new a" and kept.stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "sub" / "b.json").read_bytes() == b"new b"
    assert (tmp_path / "sub" / "b.json").stat().st_mode & 0o777 == 0o644
    assert not list(tmp_path.rglob("*.tmp"))


def test_a_failed_batch_leaves_old_files_and_no_temp_files(tmp_path: Path) -> None:
    old = tmp_path / "a.json"
    old.write_bytes(b"old")
    blocker = tmp_path / "not-a-folder"
    blocker.write_bytes(b"")
    items = [(old, b"new"), (blocker / "b.json", b"x")]  # the second cannot be created
    with pytest.raises(OSError):
        atomic_write_batch(items)
    assert old.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
    assert sorted(os.listdir(tmp_path)) == ["a.json", "not-a-folder"]


def test_the_if_changed_batch_leaves_identical_files_untouched(tmp_path: Path) -> None:
    from microcred.fsutil import write_batch_if_changed

    same, other = tmp_path / "same.json", tmp_path / "other.json"
    same.write_bytes(b"kept")
    other.write_bytes(b"old")
    os.utime(same, ns=(1_000_000_000, 1_000_000_000))
    write_batch_if_changed([(same, b"kept"), (other, b"new"), (tmp_path / "n.json", b"n")])
    assert same.stat().st_mtime_ns == 1_000_000_000
    assert other.read_bytes() == b"new" and (tmp_path / "n.json").read_bytes() == b"n"


def test_link_or_copy_links_where_it_can_and_copies_where_it_cannot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from microcred.fsutil import link_or_copy

    source = tmp_path / "a.txt"
    source.write_bytes(b"bytes")
    assert link_or_copy(source, tmp_path / "linked.txt") is True
    assert (tmp_path / "linked.txt").stat().st_ino == source.stat().st_ino

    def refused(*args: object) -> None:
        raise OSError(18, "Invalid cross-device link")

    monkeypatch.setattr(os, "link", refused)
    assert link_or_copy(source, tmp_path / "copied.txt") is False
    copied = tmp_path / "copied.txt"
    assert copied.read_bytes() == b"bytes" and copied.stat().st_ino != source.stat().st_ino
