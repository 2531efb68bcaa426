"""Issue 8: hand edits and broken disks get a message that says what really happened.

A symlinked or hand-edited ``credentials/x.json`` is named as such (not as an identity
change); a write on a full disk names the file; a status state file edited by hand stops
``revoke`` and ``build`` with the entry named, before anything is signed.
"""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
import shutil
from pathlib import Path

import pytest

from microcred.errors import ConfigError, StatusError
from microcred.fsutil import atomic_write_bytes
from microcred.issue import issue_program
from microcred.keyring import KeyRing
from microcred.model import Identity
from microcred.publish import change_status, prepare_publication

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "northwind-microinternships"
NOW = dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.UTC)


@pytest.fixture()
def program(tmp_path: Path) -> Path:
    root = tmp_path / "program"
    shutil.copytree(EXAMPLE, root)
    KeyRing(root).new_key(Identity("did-key"), now=NOW)
    issue_program(root, now=NOW)
    return root


def _issued(root: Path) -> list[Path]:
    return sorted(p for p in (root / "credentials").glob("*.json") if p.name != "index.json")


def test_a_symlinked_credential_is_named_as_a_link(program: Path) -> None:
    first = _issued(program)[0]
    shutil.move(first, program / "elsewhere.json")
    first.symlink_to(program / "elsewhere.json")
    with pytest.raises(ConfigError) as info:
        issue_program(program, now=NOW)
    assert "is a symbolic link" in info.value.message
    assert info.value.where == str(first)
    assert "identity" not in info.value.message


def test_a_hand_edited_credential_is_named_as_edited(program: Path) -> None:
    first, second = _issued(program)[:2]
    data = json.loads(first.read_text())
    data["id"] = json.loads(second.read_text())["id"]
    first.write_text(json.dumps(data))
    with pytest.raises(ConfigError) as info:
        issue_program(program, now=NOW)
    assert "was edited by hand or copied from another record" in info.value.message
    assert "identity changed" not in info.value.message


def test_a_full_disk_names_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "credentials" / "x.json"
    target.parent.mkdir()
    target.write_bytes(b"old")

    def no_space(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", no_space)
    with pytest.raises(OSError) as info:
        atomic_write_bytes(target, b"new")
    assert info.value.filename == str(target)
    assert "No space left on device" in str(info.value.strerror)
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in target.parent.iterdir()) == ["x.json"]


def _revoke_first(root: Path) -> str:
    slug = _issued(root)[0].stem
    change_status(root, slug, action="revoke", who="registrar", now=NOW, reason="test")
    return slug


def test_un_revoking_by_hand_stops_revoke_and_build(program: Path) -> None:
    _revoke_first(program)
    state_file = program / "status" / "revocation.json"
    state = json.loads(state_file.read_text())
    revoked = state["revoked"][0]
    state["revoked"] = []
    state_file.write_text(json.dumps(state, indent=2))
    second = _issued(program)[1].stem
    with pytest.raises(StatusError) as info:
        change_status(program, second, action="revoke", who="registrar", now=NOW)
    assert info.value.code == "INVALID_STATUS_STATE"
    assert revoked in info.value.message
    assert "is revoked in the audit log but not listed under 'revoked'" in info.value.message
    assert info.value.where == str(state_file)
    with pytest.raises(StatusError) as info:
        prepare_publication(program, now=NOW)
    assert "was not signed or published" in info.value.message
