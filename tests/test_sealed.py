"""sealed.py: a seal holds only for the bytes this account's key sealed; the key is made once,
kept private, and never taken from a folder or file others could have written."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from microcred import sealed


@pytest.fixture
def home(tmp_path: Path, user_cache: Callable[[str], None]) -> Path:
    """A fresh user cache folder and no key read yet; the session's key again afterwards."""
    user_cache(str(tmp_path / "cache"))
    return tmp_path / "cache" / "seal"


def test_bytes_unseal_only_unchanged_and_sealed_by_this_key(home: Path) -> None:
    data = b"\x80\x05 any bytes, a pickle say"
    blob = sealed.seal_bytes(data)
    assert sealed.unseal_bytes(blob) == data
    for bad in (
        data,  # never sealed
        blob[:-1],  # cut
        blob[:-1] + bytes([blob[-1] ^ 1]),  # one bit of the data
        blob[:25] + bytes([blob[25] ^ 1]) + blob[26:],  # one bit of the tag
        b"",
    ):
        assert sealed.unseal_bytes(bad) is None


def test_json_stays_json_and_unseals_to_what_was_sealed(home: Path) -> None:
    text = json.dumps({"entries": {"a": "<svg>"}, "version": 1}, sort_keys=True)
    blob = sealed.seal_json(text).encode("utf-8")
    assert json.loads(blob)["entries"] == {"a": "<svg>"}  # readable by anyone
    assert sealed.unseal_json(blob) == text.encode("utf-8")
    edited = blob.replace(b"<svg>", b"<svg onload=x>")
    assert sealed.unseal_json(edited) is None
    assert sealed.unseal_json(text.encode("utf-8")) is None  # unsealed
    with pytest.raises(ValueError):
        sealed.seal_json("{}")
    with pytest.raises(ValueError):
        sealed.seal_json("[1]")


def test_the_key_is_made_once_private_and_kept(home: Path) -> None:
    blob = sealed.seal_bytes(b"x")
    key_file = home / sealed.KEY_FILE
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    assert len(key_file.read_bytes()) == sealed.KEY_BYTES
    sealed._key.cache_clear()  # a later run reads the same key
    assert sealed.unseal_bytes(blob) == b"x"
    assert [p.name for p in home.iterdir()] == [sealed.KEY_FILE]  # no temporary file left


def test_a_key_file_cut_short_is_replaced_by_a_lasting_one(home: Path) -> None:
    home.mkdir(mode=0o700, parents=True)
    key_file = home / sealed.KEY_FILE
    key_file.write_bytes(b"short")
    os.chmod(key_file, 0o600)
    blob = sealed.seal_bytes(b"x")
    assert len(key_file.read_bytes()) == sealed.KEY_BYTES
    sealed._key.cache_clear()
    assert sealed.unseal_bytes(blob) == b"x"  # the new key lasts


def test_another_account_s_key_does_not_unseal(home: Path) -> None:
    blob = sealed.seal_bytes(b"x")
    sealed._key.cache_clear()
    (home / sealed.KEY_FILE).unlink()  # as on another machine: a new key
    assert sealed.unseal_bytes(blob) is None


@pytest.mark.parametrize("defect", ["folder_others_may_write", "key_others_may_write", "key_link"])
def test_a_key_others_could_have_written_is_not_used(home: Path, defect: str) -> None:
    """A key another user could have planted would let them seal caches this account
    trusts: such a key (or folder) is not used, and nothing sealed then outlives the run."""
    planted = b"p" * sealed.KEY_BYTES
    home.mkdir(mode=0o700, parents=True)
    key_file = home / sealed.KEY_FILE
    if defect == "key_link":
        (home / "elsewhere").write_bytes(planted)
        key_file.symlink_to(home / "elsewhere")
    else:
        key_file.write_bytes(planted)
        os.chmod(key_file, 0o666 if defect == "key_others_may_write" else 0o600)
    if defect == "folder_others_may_write":
        os.chmod(home, 0o777)
    try:
        assert sealed._key() != planted
    finally:
        os.chmod(home, 0o700)


def test_without_a_cache_folder_a_seal_lasts_one_process(
    user_cache: Callable[[str], None],
) -> None:
    user_cache("")
    blob = sealed.seal_bytes(b"x")
    assert sealed.unseal_bytes(blob) == b"x"
    sealed._key.cache_clear()  # "the next run"
    assert sealed.unseal_bytes(blob) is None


def test_a_cache_folder_ignores_itself_in_git(tmp_path: Path) -> None:
    folder = tmp_path / ".microcred" / "build-cache"
    sealed.cache_dir_ready(folder)
    assert (folder / ".gitignore").read_text("utf-8").splitlines()[-1] == "*"
    (folder / ".gitignore").write_text("*\n# kept as the user left it\n", "utf-8")
    sealed.cache_dir_ready(folder)
    assert "kept as the user left it" in (folder / ".gitignore").read_text("utf-8")
