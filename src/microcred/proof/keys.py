"""Ed25519 keys as Multikey values, the KEYFILE format, and a verifier that fails closed.

``verify_ed25519`` adds the checks OpenSSL leaves out (MC-13, MC-14): a 64-byte signature,
``S < L``, and neither the public key ``A`` nor the signature's ``R`` in the small-order subgroup.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from microcred.errors import KeyError_, MicrocredError, ProofError
from microcred.proof import _curve
from microcred.proof.multibase import b58decode, multibase_encode_b58

ED25519_PUB_HEADER = b"\xed\x01"  # varint(0xed), multicodec ed25519-pub
ED25519_PRIV_HEADER = b"\x80\x26"  # varint(0x1300), multicodec ed25519-priv
IDENTITY_MULTIHASH_32 = b"\x00\x20"  # identity multihash, 32 bytes (DCC seed export)

KEY_TYPES = frozenset({"Multikey", "Ed25519VerificationKey2020"})
_FRAGMENT_RE = re.compile(r"[A-Za-z0-9._~-]+", re.ASCII)
_URI_RE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s#]+", re.ASCII)

# Multicodec names for public keys a user might paste by mistake; only ed25519-pub is usable.
_KNOWN_CODECS = {
    0xE7: "secp256k1-pub",
    0xEC: "x25519-pub",
    0xEB: "bls12_381-g2-pub",
    0x1200: "p256-pub",
    0x1201: "p384-pub",
    0x1300: "ed25519-priv (a SECRET key: never publish it)",
}


def _invalid_vm(message: str) -> ProofError:
    return ProofError(message, code="INVALID_VERIFICATION_METHOD")


def _read_varint(data: bytes) -> tuple[int, int] | None:
    """Unsigned LEB128 varint (at most 9 bytes, minimal form) -> (value, length)."""
    value = 0
    for i, byte in enumerate(data[:9]):
        value |= (byte & 0x7F) << (7 * i)
        if not byte & 0x80:
            if byte == 0 and i > 0:
                return None  # non-minimal encoding
            return value, i + 1
    return None


@lru_cache(maxsize=4096)
def _decodes(encoded: bytes) -> bool:
    # One modular square root per distinct key and run (a batch has a handful of keys).
    return _curve.decode_point(encoded) is not None


@lru_cache(maxsize=4096)
def _openssl_public(public_key: bytes) -> Ed25519PublicKey:
    # A batch verifies many signatures by a handful of keys: load each key once.
    return Ed25519PublicKey.from_public_bytes(public_key)


def is_valid_point(public_key: bytes) -> bool:
    """True when the 32 bytes are the canonical encoding of a point on edwards25519."""
    return _decodes(bytes(public_key))


def is_small_order(public_key: bytes) -> bool:
    """True for the eight torsion points (identity, all-zero encoding...), under which any
    signature ``R || 0`` with small-order ``R`` verifies for every message."""
    return _curve.is_small_order_encoding(public_key)


def check_public_key(public_key: bytes, *, what: str = "public key") -> bytes:
    """Raise INVALID_VERIFICATION_METHOD unless this is a usable Ed25519 public key."""
    if not isinstance(public_key, bytes | bytearray):
        raise _invalid_vm(f"{what}: invalidPublicKey: expected bytes")
    if len(public_key) != 32:
        raise _invalid_vm(
            f"{what}: invalidPublicKeyLength: an Ed25519 key is 32 bytes, got {len(public_key)}"
        )
    if not is_valid_point(public_key):
        raise _invalid_vm(f"{what}: invalidPublicKey: not a point on the Ed25519 curve")
    if is_small_order(public_key):
        raise _invalid_vm(
            f"{what}: invalidPublicKey: small-order point (anyone can forge signatures for it)"
        )
    return bytes(public_key)


def multikey_from_public(public_key: bytes) -> str:
    """``z6Mk…`` Multikey value of a 32-byte Ed25519 public key."""
    return multibase_encode_b58(ED25519_PUB_HEADER + check_public_key(public_key))


def public_key_from_multikey(value: str) -> bytes:
    """Strict Multikey decoding: ``z``, header 0xed01, exactly 32 key bytes, a valid, not
    small-order point. Errors use the did:key spec names and code INVALID_VERIFICATION_METHOD."""
    if not isinstance(value, str):
        raise _invalid_vm(
            f"publicKeyMultibase must be a string, not {type(value).__name__}: invalidPublicKey"
        )
    shown = value if len(value) <= 60 else value[:57] + "..."
    if not value.startswith("z"):
        raise _invalid_vm(
            f"publicKeyMultibase {shown!r}: invalidPublicKey: must start with 'z' (base58btc)"
        )
    try:
        raw = b58decode(value[1:], max_length=200)
    except MicrocredError as exc:
        raise _invalid_vm(f"publicKeyMultibase {shown!r}: invalidPublicKey: {exc.message}") from exc
    header = _read_varint(raw)
    if header is None:
        raise _invalid_vm(
            f"publicKeyMultibase {shown!r}: invalidPublicKey: the multicodec header is not a varint"
        )
    codec, used = header
    if codec != 0xED:
        name = _KNOWN_CODECS.get(codec, "unknown codec")
        raise _invalid_vm(
            f"publicKeyMultibase {shown!r}: unsupportedPublicKeyType: multicodec 0x{codec:x} "
            f"({name}); only Ed25519 (0xed, z6Mk...) is supported"
        )
    key = raw[used:]
    if len(key) != 32:
        raise _invalid_vm(
            f"publicKeyMultibase {shown!r}: invalidPublicKeyLength: an Ed25519 key is 32 bytes, "
            f"got {len(key)}"
        )
    return check_public_key(key, what=f"publicKeyMultibase {shown!r}")


def public_key_from_seed(seed: bytes) -> bytes:
    """RFC 8032 key derivation (the seed is what the W3C formats call the secret key)."""
    return Ed25519PrivateKey.from_private_bytes(bytes(seed)).public_key().public_bytes_raw()


def verify_ed25519(public_key: bytes, signature: bytes, message: bytes) -> bool:
    """Pure Ed25519 verification that fails closed on every malleable or forgeable input."""
    if len(public_key) != 32 or len(signature) != 64:
        return False
    if int.from_bytes(signature[32:], "little") >= _curve.L:
        return False  # non-canonical S (MC-13)
    if not is_valid_point(public_key):
        return False
    if is_small_order(public_key) or _curve.is_small_order_encoding(signature[:32]):
        return False  # MC-14
    # R is not decoded: OpenSSL compares the canonical encoding of [S]B - [k]A with these
    # bytes, so an R that is not a canonical point encoding can never verify there either.
    try:
        _openssl_public(bytes(public_key)).verify(bytes(signature), bytes(message))
    except (InvalidSignature, ValueError):
        return False
    return True


@dataclass(frozen=True)
class KeyPair:
    """An Ed25519 key bound to its controller and verification-method id.

    Validated on construction, so a KeyPair whose seed does not derive its public key, or whose
    id is not ``controller#fragment``, cannot exist.
    """

    public_key: bytes
    secret_seed: bytes | None = field(repr=False)
    controller: str
    id: str
    _signer: Ed25519PrivateKey | None = field(
        default=None, init=False, repr=False, compare=False, hash=False
    )
    """OpenSSL's key object, made on first use (deriving it costs 0.1 ms per signature)."""

    def __post_init__(self) -> None:
        try:
            check_public_key(self.public_key)
        except ProofError as exc:
            raise KeyError_(exc.message) from exc
        if self.secret_seed is not None:
            if not isinstance(self.secret_seed, bytes) or len(self.secret_seed) != 32:
                raise KeyError_("an Ed25519 secret seed is 32 bytes")
            if public_key_from_seed(self.secret_seed) != self.public_key:
                raise KeyError_("the secret key does not derive the public key")
        if not isinstance(self.controller, str) or not _URI_RE.fullmatch(self.controller):
            raise KeyError_(
                f"controller {self.controller!r} must be an absolute URI without a fragment "
                "(did:key:…, did:web:…)"
            )
        prefix = self.controller + "#"
        if (
            not isinstance(self.id, str)
            or not self.id.startswith(prefix)
            or not _FRAGMENT_RE.fullmatch(self.id[len(prefix) :])
        ):
            raise KeyError_(
                f"verification method id {self.id!r} must be {prefix}<fragment> "
                "(letters, digits, '.', '_', '~', '-')"
            )
        did_key = "did:key:" + self.public_key_multibase
        if self.controller.startswith("did:key:"):
            if self.controller != did_key:
                raise KeyError_(
                    f"key file for another DID: controller {self.controller} is not the did:key of "
                    f"this public key ({did_key})"
                )
            if self.id != f"{did_key}#{self.public_key_multibase}":
                raise KeyError_(
                    f"a did:key verification method id must be {did_key}#"
                    f"{self.public_key_multibase}, not {self.id}"
                )

    @property
    def public_key_multibase(self) -> str:
        return multibase_encode_b58(ED25519_PUB_HEADER + self.public_key)

    @property
    def secret_key_multibase(self) -> str | None:
        """CID form ``0x8026 + seed`` (``z3u2…``), the only secret encoding microcred writes."""
        if self.secret_seed is None:
            return None
        return multibase_encode_b58(ED25519_PRIV_HEADER + self.secret_seed)

    @property
    def has_secret(self) -> bool:
        return self.secret_seed is not None

    def public_only(self) -> KeyPair:
        return KeyPair(self.public_key, None, self.controller, self.id)

    def __getstate__(self) -> dict[str, Any]:
        # The OpenSSL object cannot be pickled (spawned signing workers get the key this way).
        return {**self.__dict__, "_signer": None}

    def sign(self, data: bytes) -> bytes:
        if self.secret_seed is None:
            raise KeyError_(
                f"key {self.id} has no secret key (public-only key file): it cannot sign"
            )
        if self._signer is None:
            signer = Ed25519PrivateKey.from_private_bytes(self.secret_seed)
            object.__setattr__(self, "_signer", signer)  # frozen: set once, like a cache
            return signer.sign(bytes(data))
        return self._signer.sign(bytes(data))

    def to_public_json(self) -> dict[str, Any]:
        """A Multikey verification method, also the public half of the KEYFILE format."""
        return {
            "id": self.id,
            "type": "Multikey",
            "controller": self.controller,
            "publicKeyMultibase": self.public_key_multibase,
        }

    def to_secret_json(self) -> dict[str, Any]:
        """KEYFILE format (DESIGN section 4): the public fields plus ``secretKeyMultibase``."""
        secret = self.secret_key_multibase
        if secret is None:
            raise KeyError_(f"key {self.id} has no secret key to export")
        return {**self.to_public_json(), "secretKeyMultibase": secret}


def generate_keypair(controller: str | None = None, fragment: str | None = None) -> KeyPair:
    """New random key; ``controller=None`` makes it a did:key (whose fragment is fixed)."""
    seed = Ed25519PrivateKey.generate().private_bytes_raw()
    public = public_key_from_seed(seed)
    multikey = multibase_encode_b58(ED25519_PUB_HEADER + public)
    if controller is None:
        controller = "did:key:" + multikey
        if fragment not in (None, multikey):
            raise KeyError_("a did:key verification method fragment is always the key itself")
    elif controller.startswith("did:key:"):
        raise KeyError_(
            "a did:key controller is derived from the key: pass controller=None to make one"
        )
    else:
        _check_controller(controller)
    return KeyPair(public, seed, controller, f"{controller}#{fragment or multikey}")


def _check_controller(controller: str) -> None:
    if controller.startswith("did:web:"):
        # Imported here because didweb imports this module for KeyPair.
        from microcred.proof.didweb import did_web_to_url

        try:
            did_web_to_url(controller)
        except ProofError as exc:
            raise KeyError_(exc.message) from exc


def decode_secret_key(value: str) -> bytes:
    """Seed from ``z3u2…`` (0x8026+seed), ``zrv…`` (0x8026+seed+public, public must match) or
    ``z1A…`` (identity multihash 0x0020+seed, DCC)."""
    if not isinstance(value, str) or not value.startswith("z"):
        raise KeyError_("secretKeyMultibase must be a 'z' (base58btc) multibase string")
    try:
        raw = b58decode(value[1:], max_length=200)
    except MicrocredError as exc:
        raise KeyError_(f"secretKeyMultibase does not decode: {exc.message}") from exc
    if raw.startswith(ED25519_PRIV_HEADER) and len(raw) == 34:
        return raw[2:]
    if raw.startswith(ED25519_PRIV_HEADER) and len(raw) == 66:
        seed, public = raw[2:34], raw[34:]
        if public_key_from_seed(seed) != public:
            raise KeyError_(
                "secretKeyMultibase holds seed||public, and that public key is not the seed's"
            )
        return seed
    if raw.startswith(IDENTITY_MULTIHASH_32) and len(raw) == 34:
        return raw[2:]
    raise KeyError_(
        "secretKeyMultibase is not an Ed25519 secret key: expected 0x8026 + 32-byte seed "
        "(z3u2…), 0x8026 + seed + public key (zrv…) or identity multihash 0x0020 + seed (z1A…)"
    )


def load_keyfile(data: Mapping[str, Any], *, source: str | None = None) -> KeyPair:
    """KeyPair from a parsed KEYFILE; ``source`` (a file name) is used in error messages.

    Accepts ``privateKeyMultibase`` as an alias of ``secretKeyMultibase`` (W3C vectors) and
    refuses a secret that does not derive the given public key.
    """
    where = source
    if not isinstance(data, Mapping):
        raise KeyError_("a key file must hold a JSON object", where=where)
    if "encryptedSecretKey" in data:
        raise KeyError_("this key file is encrypted: load it with its passphrase", where=where)
    key_type = data.get("type", "Multikey")
    if not isinstance(key_type, str) or key_type not in KEY_TYPES:
        raise KeyError_(
            f"key type {key_type!r} is not supported; expected Multikey (Ed25519)", where=where
        )
    secret_values = {
        name: data[name] for name in ("secretKeyMultibase", "privateKeyMultibase") if name in data
    }
    if len(set(map(repr, secret_values.values()))) > 1:
        raise KeyError_(
            "secretKeyMultibase and privateKeyMultibase disagree; keep one of them", where=where
        )
    try:
        seed = decode_secret_key(next(iter(secret_values.values()))) if secret_values else None
        if "publicKeyMultibase" in data:
            try:
                public = public_key_from_multikey(data["publicKeyMultibase"])
            except ProofError as exc:
                raise KeyError_(exc.message) from exc
            if seed is not None and public_key_from_seed(seed) != public:
                derived = multibase_encode_b58(ED25519_PUB_HEADER + public_key_from_seed(seed))
                raise KeyError_(
                    "the secret key does not derive publicKeyMultibase "
                    f"(it derives {derived}); the key file is corrupt or mixes two keys"
                )
        elif seed is not None:
            public = public_key_from_seed(seed)
        else:
            raise KeyError_("key file has neither publicKeyMultibase nor secretKeyMultibase")
        multikey = multibase_encode_b58(ED25519_PUB_HEADER + public)
        vm_id = data.get("id")
        controller = data.get("controller")
        if vm_id is not None and not isinstance(vm_id, str):
            raise KeyError_("id must be a string (controller#fragment)")
        if controller is None:
            controller = vm_id.split("#", 1)[0] if vm_id else "did:key:" + multikey
        if not isinstance(controller, str):
            raise KeyError_("controller must be a string (did:key:… or did:web:…)")
        _check_controller(controller)
        if vm_id is None:
            vm_id = f"{controller}#{multikey}"
        return KeyPair(public, seed, controller, vm_id)
    except KeyError_ as exc:
        if exc.where is None and where is not None:
            raise KeyError_(exc.message, where=where, hint=exc.hint) from exc
        raise
