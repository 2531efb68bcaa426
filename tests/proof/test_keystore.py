from __future__ import annotations

import copy
import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from microcred.errors import KeyError_
from microcred.proof.keys import KeyPair, generate_keypair
from microcred.proof.keystore import load_keyfile_path, save_keyfile


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_plain_round_trip_mode_0600_and_no_leftovers(tmp_path: Path) -> None:
    pair = generate_keypair("did:web:school.example", "key-1")
    target = tmp_path / "keys" / "issuer.json"
    old_umask = os.umask(0)  # even a permissive umask must not widen the file
    try:
        save_keyfile(target, pair, None)
    finally:
        os.umask(old_umask)
    assert _mode(target) == 0o600
    assert sorted(p.name for p in target.parent.iterdir()) == ["issuer.json"]
    assert json.loads(target.read_text())["secretKeyMultibase"] == pair.secret_key_multibase
    assert load_keyfile_path(target) == pair
    assert load_keyfile_path(target, "ignored for a plain file") == pair


def test_existing_key_is_not_replaced_unless_asked(tmp_path: Path) -> None:
    first, second = generate_keypair(), generate_keypair()
    target = tmp_path / "k.json"
    save_keyfile(target, first)
    with pytest.raises(KeyError_, match="already exists"):
        save_keyfile(target, second)
    assert load_keyfile_path(target) == first
    save_keyfile(target, second, overwrite=True)
    assert load_keyfile_path(target) == second
    assert _mode(target) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["k.json"]


def test_encrypted_round_trip_keeps_public_fields_readable(tmp_path: Path) -> None:
    pair = generate_keypair()
    target = tmp_path / "enc.json"
    save_keyfile(target, pair, "correct horse battery staple")
    text = target.read_text()
    data = json.loads(text)
    assert "secretKeyMultibase" not in data
    assert str(pair.secret_key_multibase) not in text
    assert pair.secret_seed is not None and pair.secret_seed.hex() not in text
    assert data["publicKeyMultibase"] == pair.public_key_multibase
    assert data["controller"] == pair.controller and data["id"] == pair.id
    assert data["encryptedSecretKey"]["kdf"]["name"] == "scrypt"
    assert _mode(target) == 0o600
    assert load_keyfile_path(target, "correct horse battery staple") == pair


def test_wrong_or_missing_passphrase(tmp_path: Path) -> None:
    target = tmp_path / "enc.json"
    save_keyfile(target, generate_keypair(), "right")
    with pytest.raises(KeyError_, match=f"wrong passphrase for {target}"):
        load_keyfile_path(target, "wrong")
    with pytest.raises(KeyError_, match="passphrase") as info:
        load_keyfile_path(target, None)
    assert "encrypted" in info.value.message and info.value.where == str(target)


def test_encrypted_secret_cannot_be_moved_to_another_public_key(tmp_path: Path) -> None:
    victim, other = generate_keypair(), generate_keypair()
    target = tmp_path / "enc.json"
    save_keyfile(target, victim, "pw")
    data = json.loads(target.read_text())
    data["publicKeyMultibase"] = other.public_key_multibase
    data["controller"] = other.controller
    data["id"] = other.id
    target.write_text(json.dumps(data))
    with pytest.raises(KeyError_, match="wrong passphrase"):
        load_keyfile_path(target, "pw")


def test_empty_passphrase_is_refused(tmp_path: Path) -> None:
    with pytest.raises(KeyError_, match="empty passphrase"):
        save_keyfile(tmp_path / "k.json", generate_keypair(), "")
    assert not (tmp_path / "k.json").exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not a JSON key file"),
        ('{"publicKeyMultibase": "a", "publicKeyMultibase": "b"}', "duplicate"),
        ('{"x": NaN}', "NaN"),
        ("[1, 2]", "JSON object"),
    ],
    ids=["broken-json", "duplicate-key", "nan", "array"],
)
def test_malformed_key_files(tmp_path: Path, content: str, message: str) -> None:
    target = tmp_path / "bad.json"
    target.write_text(content)
    with pytest.raises(KeyError_, match=message) as info:
        load_keyfile_path(target)
    assert info.value.where == str(target)


def test_missing_and_huge_files(tmp_path: Path) -> None:
    with pytest.raises(KeyError_, match="not found"):
        load_keyfile_path(tmp_path / "nope.json")
    huge = tmp_path / "huge.json"
    huge.write_text(" " * 70_000 + "{}")
    with pytest.raises(KeyError_, match="too large"):
        load_keyfile_path(huge)


@pytest.fixture(scope="module")
def encrypted(tmp_path_factory: pytest.TempPathFactory) -> tuple[KeyPair, dict[str, Any]]:
    """One encrypted key file (scrypt is deliberately slow), copied by the tests that edit it."""
    pair = generate_keypair()
    target = tmp_path_factory.mktemp("enc") / "enc.json"
    save_keyfile(target, pair, "pw")
    return pair, json.loads(target.read_text())


@pytest.mark.parametrize(
    ("field", "value"),
    [("n", 2**30), ("n", 1000), ("r", 4096), ("p", 0), ("n", True)],
    ids=["n-huge", "n-not-power-of-two", "r-huge", "p-zero", "n-bool"],
)
def test_hostile_kdf_parameters_are_refused_before_deriving(
    tmp_path: Path, encrypted: tuple[KeyPair, dict[str, Any]], field: str, value: object
) -> None:
    data = copy.deepcopy(encrypted[1])
    data["encryptedSecretKey"]["kdf"][field] = value
    target = tmp_path / "enc.json"
    target.write_text(json.dumps(data))
    with pytest.raises(KeyError_, match="scrypt"):
        load_keyfile_path(target, "pw")


def test_encrypted_and_plain_secret_together_is_refused(
    tmp_path: Path, encrypted: tuple[KeyPair, dict[str, Any]]
) -> None:
    pair, original = encrypted
    data = {**copy.deepcopy(original), "secretKeyMultibase": pair.secret_key_multibase}
    target = tmp_path / "enc.json"
    target.write_text(json.dumps(data))
    with pytest.raises(KeyError_, match="both"):
        load_keyfile_path(target, "pw")
