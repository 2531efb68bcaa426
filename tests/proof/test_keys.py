from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from microcred.errors import KeyError_, ProofError
from microcred.proof.keys import (
    KeyPair,
    generate_keypair,
    is_small_order,
    is_valid_point,
    load_keyfile,
    public_key_from_multikey,
    public_key_from_seed,
    verify_ed25519,
)
from microcred.proof.multibase import b58decode, b58encode

from .conftest import read_json

L = 2**252 + 27742317777372353535851937790883648493

# The eight canonical encodings of the edwards25519 torsion points (identity, the point of
# order 2, two of order 4 -- y = 0 with either sign -- and four of order 8).
SMALL_ORDER_HEX = [
    "0100000000000000000000000000000000000000000000000000000000000000",
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "0000000000000000000000000000000000000000000000000000000000000000",
    "0000000000000000000000000000000000000000000000000000000000000080",
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
]
SMALL_ORDER = [bytes.fromhex(h) for h in SMALL_ORDER_HEX]


def _multikey(raw: bytes) -> str:
    return "z" + b58encode(raw)


@pytest.mark.conformance
def test_keys_json_every_encoding_derives_the_listed_public_key(vectors: Path) -> None:
    keys = read_json(vectors / "multikey" / "test-keys.json")["keys"]
    formats = set()
    for entry in keys:
        formats.add(entry["secretFormat"])
        if entry["secretFormat"] == "hex-seed32":
            seed = bytes.fromhex(entry["secret"])
            pair = KeyPair(
                public_key_from_seed(seed),
                seed,
                entry["didKey"],
                f"{entry['didKey']}#{entry['publicKeyMultibase']}",
            )
        else:
            pair = load_keyfile({"secretKeyMultibase": entry["secret"]})
        assert pair.public_key.hex() == entry["publicKeyHex"], entry["label"]
        assert pair.secret_seed is not None and pair.secret_seed.hex() == entry["seedHex"]
        assert pair.public_key_multibase == entry["publicKeyMultibase"]
        assert pair.controller == entry["didKey"]
        assert pair.id == f"{entry['didKey']}#{entry['publicKeyMultibase']}"
        assert pair.secret_key_multibase == entry["canonicalSecretKeyMultibase"]
        # the same with the W3C alias name and an explicit public key
        alias = {
            "privateKeyMultibase": entry["canonicalSecretKeyMultibase"],
            "publicKeyMultibase": entry["publicKeyMultibase"],
        }
        assert load_keyfile(alias) == pair
    assert formats == {
        "multikey-0x8026-seed32",
        "multikey-0x8026-seed32+pub32",
        "multihash-identity-0x0020-seed32",
        "hex-seed32",
    }


@pytest.mark.conformance
def test_vector_keypair_files_load(vectors: Path) -> None:
    w3c = load_keyfile(read_json(vectors / "eddsa-rdfc-2022" / "alumni" / "keyPair.json"))
    assert w3c.controller == "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
    ob = load_keyfile(read_json(vectors / "eddsa-rdfc-2022" / "openbadges-3.0" / "keyPair.json"))
    assert ob.controller == "https://example.edu/issuers/565049"
    assert ob.id.endswith("#z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi")


def test_secret_that_does_not_derive_the_public_key_is_refused() -> None:
    a, b = generate_keypair(), generate_keypair()
    mixed = {
        "publicKeyMultibase": a.public_key_multibase,
        "secretKeyMultibase": b.secret_key_multibase,
    }
    with pytest.raises(KeyError_, match="does not derive") as info:
        load_keyfile(mixed, source="keys/mixed.json")
    assert info.value.where == "keys/mixed.json"


def test_seed_plus_public_encoding_with_foreign_public_half_is_refused() -> None:
    a, b = generate_keypair(), generate_keypair()
    assert a.secret_seed is not None
    forged = _multikey(b"\x80\x26" + a.secret_seed + b.public_key)
    with pytest.raises(KeyError_, match="seed"):
        load_keyfile({"secretKeyMultibase": forged})


def test_alias_and_name_disagreeing_is_refused() -> None:
    a, b = generate_keypair(), generate_keypair()
    with pytest.raises(KeyError_, match="disagree"):
        load_keyfile(
            {
                "secretKeyMultibase": a.secret_key_multibase,
                "privateKeyMultibase": b.secret_key_multibase,
            }
        )


@pytest.mark.parametrize(
    "secret",
    [
        "u" + "A" * 43,  # not base58btc
        _multikey(b"\x80\x26" + b"\x01" * 31),  # 31-byte seed
        _multikey(b"\x13\x00" + b"\x01" * 32),  # not a multicodec varint prefix we know
        _multikey(b"\xed\x01" + b"\x01" * 32),  # a PUBLIC key header
        "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjx0",  # '0' is not base58
    ],
    ids=["u-header", "short-seed", "unknown-header", "public-header", "non-alphabet"],
)
def test_unusable_secret_encodings_are_refused(secret: str) -> None:
    with pytest.raises(KeyError_):
        load_keyfile({"secretKeyMultibase": secret})


def test_did_key_controller_must_be_this_keys_did() -> None:
    a, b = generate_keypair(), generate_keypair()
    data = {**a.to_secret_json(), "controller": b.controller}
    del data["id"]
    with pytest.raises(KeyError_, match="key file for another DID"):
        load_keyfile(data)


def test_id_defaults_to_controller_and_public_key() -> None:
    pair = generate_keypair("did:web:school.example")
    data = pair.to_secret_json()
    del data["id"]
    loaded = load_keyfile(data)
    assert loaded.id == f"did:web:school.example#{pair.public_key_multibase}"
    only_secret = load_keyfile({"secretKeyMultibase": pair.secret_key_multibase})
    assert only_secret.controller == "did:key:" + pair.public_key_multibase


@pytest.mark.parametrize(
    ("controller", "vm_id"),
    [
        ("did:web:school.example", "did:web:other.example#key-1"),
        ("did:web:school.example", "did:web:school.example"),
        ("did:web:school.example", "did:web:school.example#"),
        ("did:web:School.example", "did:web:School.example#k"),
        ("not a uri", "not a uri#k"),
    ],
    ids=["other-did", "no-fragment", "empty-fragment", "upper-case-did-web", "not-uri"],
)
def test_keyfile_id_and_controller_are_checked(controller: str, vm_id: str) -> None:
    pair = generate_keypair()
    data = {"publicKeyMultibase": pair.public_key_multibase, "controller": controller, "id": vm_id}
    with pytest.raises(KeyError_):
        load_keyfile(data)


def test_keyfile_round_trip_and_public_json_has_no_secret() -> None:
    pair = generate_keypair("did:web:school.example", "key-2024")
    assert pair.id == "did:web:school.example#key-2024"
    secret = pair.to_secret_json()
    assert set(secret) == {"id", "type", "controller", "publicKeyMultibase", "secretKeyMultibase"}
    assert (
        secret["secretKeyMultibase"].startswith("z3u2") and len(secret["secretKeyMultibase"]) == 48
    )
    assert load_keyfile(secret) == pair
    public = pair.to_public_json()
    assert "secretKeyMultibase" not in public and public["type"] == "Multikey"
    public_pair = load_keyfile(public)
    assert public_pair == pair.public_only() and not public_pair.has_secret
    with pytest.raises(KeyError_, match="cannot sign"):
        public_pair.sign(b"x")
    with pytest.raises(KeyError_):
        public_pair.to_secret_json()


def test_keypair_is_frozen_and_repr_hides_the_secret() -> None:
    pair = generate_keypair()
    assert pair.secret_seed is not None
    assert pair.secret_seed.hex() not in repr(pair)
    assert str(pair.secret_key_multibase) not in repr(pair)
    with pytest.raises(dataclasses.FrozenInstanceError):
        pair.id = "x"  # type: ignore[misc]
    with pytest.raises(KeyError_, match="does not derive"):
        KeyPair(generate_keypair().public_key, pair.secret_seed, pair.controller, pair.id)


def test_generate_keypair_rules() -> None:
    pair = generate_keypair()
    assert pair.controller == "did:key:" + pair.public_key_multibase
    assert pair.id == f"{pair.controller}#{pair.public_key_multibase}"
    assert pair.public_key_multibase.startswith("z6Mk") and len(pair.public_key_multibase) == 48
    assert generate_keypair().public_key != pair.public_key
    with pytest.raises(KeyError_, match="derived"):
        generate_keypair(pair.controller)
    with pytest.raises(KeyError_, match="fragment"):
        generate_keypair(None, "key-1")
    with pytest.raises(KeyError_, match="invalidDid"):
        generate_keypair("did:web:127.0.0.1")


def test_sign_and_verify() -> None:
    pair = generate_keypair()
    signature = pair.sign(b"message")
    assert verify_ed25519(pair.public_key, signature, b"message")
    assert not verify_ed25519(pair.public_key, signature, b"messagf")
    assert not verify_ed25519(generate_keypair().public_key, signature, b"message")


def test_non_canonical_s_is_rejected_mc13() -> None:
    pair = generate_keypair()
    signature = pair.sign(b"m")
    s = int.from_bytes(signature[32:], "little")
    malleated = signature[:32] + (s + L).to_bytes(32, "little")
    assert verify_ed25519(pair.public_key, signature, b"m")
    assert not verify_ed25519(pair.public_key, malleated, b"m")


@pytest.mark.parametrize("length", [0, 63, 65, 96])
def test_signature_length_must_be_64_mc12(length: int) -> None:
    pair = generate_keypair()
    signature = pair.sign(b"m")
    resized = (signature * 2)[:length]
    assert not verify_ed25519(pair.public_key, resized, b"m")


def test_the_eight_small_order_points_are_detected() -> None:
    for point in SMALL_ORDER:
        assert is_valid_point(point)
        assert is_small_order(point), point.hex()
    for _ in range(20):
        assert not is_small_order(generate_keypair().public_key)


def test_small_order_keys_forge_with_cryptography_but_not_here_mc14() -> None:
    # With A and R both small-order and S = 0, OpenSSL's cofactorless check passes for the
    # identity key and any message: the reason for the screen.
    identity = SMALL_ORDER[0]
    forged = identity + bytes(32)
    for message in (b"any", b"message at all"):
        Ed25519PublicKey.from_public_bytes(identity).verify(forged, message)  # no exception
        assert not verify_ed25519(identity, forged, message)
    for point in SMALL_ORDER:
        assert not verify_ed25519(point, point + bytes(32), b"x")


def test_small_order_r_is_rejected_even_with_a_good_key() -> None:
    pair = generate_keypair()
    for point in SMALL_ORDER:
        assert not verify_ed25519(pair.public_key, point + bytes(32), b"x")


def test_public_key_from_multikey_round_trip() -> None:
    pair = generate_keypair()
    assert public_key_from_multikey(pair.public_key_multibase) == pair.public_key


def _not_on_curve() -> bytes:
    for y in range(2, 100):
        candidate = y.to_bytes(32, "little")
        if not is_valid_point(candidate):
            return candidate
    raise AssertionError("unreachable")


@pytest.mark.parametrize(
    ("value", "name"),
    [
        ("u7QE" + "A" * 43, "must start with 'z'"),
        (_multikey(b"\xed\x01" + b"\x11" * 31), "invalidPublicKeyLength"),
        (_multikey(b"\xed\x01" + b"\x11" * 33), "invalidPublicKeyLength"),
        (_multikey(b"\x80\x26" + b"\x11" * 32), "unsupportedPublicKeyType"),
        (_multikey(b"\xec\x01" + b"\x11" * 32), "unsupportedPublicKeyType"),
        (_multikey(b"\x80\x24\x02" + b"\x11" * 32), "unsupportedPublicKeyType"),
        (_multikey(b"\xed\x81\x00" + b"\x11" * 32), "varint"),
        (_multikey(b"\xff" * 10), "varint"),
        (_multikey(b"\xed\x01" + SMALL_ORDER[0]), "small-order"),
        (_multikey(b"\xed\x01" + bytes(32)), "small-order"),
        (_multikey(b"\xed\x01" + _not_on_curve()), "not a point"),
    ],
    ids=[
        "u-prefix",
        "31-bytes",
        "33-bytes",
        "ed25519-priv",
        "x25519",
        "p256",
        "non-minimal-varint",
        "bad-varint",
        "identity-point",
        "all-zero",
        "not-on-curve",
    ],
)
def test_public_key_from_multikey_is_strict_mc15(value: str, name: str) -> None:
    with pytest.raises(ProofError, match=name) as info:
        public_key_from_multikey(value)
    assert info.value.code == "INVALID_VERIFICATION_METHOD"


def test_non_canonical_y_encoding_is_not_a_valid_point() -> None:
    # y = p + 1 encodes the same field element as y = 1 (the identity) but is not canonical.
    p = 2**255 - 19
    assert not is_valid_point((p + 1).to_bytes(32, "little"))
    assert b58decode(_multikey(b"\xed\x01" + SMALL_ORDER[0])[1:])[:2] == b"\xed\x01"


def _loaded(data: dict[str, Any]) -> KeyPair:
    return load_keyfile(data)


def test_load_keyfile_refuses_non_objects_and_unknown_types() -> None:
    with pytest.raises(KeyError_, match="JSON object"):
        load_keyfile(["not", "a", "map"])  # type: ignore[arg-type]
    pair = generate_keypair()
    with pytest.raises(KeyError_, match="not supported"):
        _loaded({**pair.to_public_json(), "type": "JsonWebKey2020"})
    with pytest.raises(KeyError_, match="neither"):
        _loaded({"controller": pair.controller})
    with pytest.raises(KeyError_, match="encrypted"):
        _loaded({**pair.to_public_json(), "encryptedSecretKey": {}})
