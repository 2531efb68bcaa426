"""KEYFILE storage: atomic, mode 0600 from the first byte, optionally passphrase-encrypted.

An encrypted file keeps its public fields readable (``keys list`` and DID documents need no
passphrase) and replaces ``secretKeyMultibase`` with ``encryptedSecretKey``: scrypt derives an
AES-256-GCM key; the public key is bound as associated data, so the ciphertext cannot be moved
onto another key's file.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import unicodedata
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag

from microcred._util import loads_strict
from microcred.errors import KeyError_, MicrocredError
from microcred.proof.keys import KeyPair, load_keyfile
from microcred.proof.multibase import b64url_decode, b64url_encode

ENCRYPTION_FORMAT = "microcred-keyfile-encryption-v1"
SCRYPT_N = 2**15  # 32 MiB with r=8: about 0.1 s per unlock
SCRYPT_R = 8
SCRYPT_P = 1
_MAX_SCRYPT_MEMORY = 256 * 1024 * 1024  # refuse files that would make us allocate more
MAX_KEYFILE_BYTES = 64 * 1024


def _normalise(passphrase: str) -> bytes:
    # NFC so that the same passphrase typed on two systems gives the same bytes.
    return unicodedata.normalize("NFC", passphrase).encode("utf-8")


def _aad(public_key_multibase: str) -> bytes:
    return f"{ENCRYPTION_FORMAT}\0{public_key_multibase}".encode()


def _derive(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    # imported on use: verifying never opens a key file, and these cost start-up time
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(_normalise(passphrase))


def _encrypt(keypair: KeyPair, passphrase: str) -> dict[str, Any]:
    if keypair.secret_seed is None:
        raise KeyError_(f"key {keypair.id} has no secret key to encrypt")
    salt, nonce = os.urandom(16), os.urandom(12)
    key = _derive(passphrase, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    ciphertext = AESGCM(key).encrypt(nonce, keypair.secret_seed, _aad(keypair.public_key_multibase))
    return {
        "format": ENCRYPTION_FORMAT,
        "kdf": {
            "name": "scrypt",
            "n": SCRYPT_N,
            "r": SCRYPT_R,
            "p": SCRYPT_P,
            "salt": b64url_encode(salt),
        },
        "cipher": {"name": "AES-256-GCM", "nonce": b64url_encode(nonce)},
        "ciphertext": b64url_encode(ciphertext),
    }


def _decrypt(blob: Any, public_key_multibase: str, passphrase: str, where: str) -> bytes:
    def bad(why: str) -> KeyError_:
        return KeyError_(f"encryptedSecretKey is malformed: {why}", where=where)

    if not isinstance(blob, dict) or blob.get("format") != ENCRYPTION_FORMAT:
        raise bad(f"expected format {ENCRYPTION_FORMAT!r}")
    kdf, cipher = blob.get("kdf"), blob.get("cipher")
    if not isinstance(kdf, dict) or kdf.get("name") != "scrypt":
        raise bad("kdf must be scrypt")
    if not isinstance(cipher, dict) or cipher.get("name") != "AES-256-GCM":
        raise bad("cipher must be AES-256-GCM")
    params: list[int] = []
    for name in ("n", "r", "p"):
        value = kdf.get(name)
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            raise bad("scrypt n, r and p must be positive integers")
        params.append(value)
    n, r, p = params
    if n < 2**14 or n & (n - 1) or 128 * n * r > _MAX_SCRYPT_MEMORY or p > 16:
        raise bad(f"scrypt parameters n={n} r={r} p={p} are out of the accepted range")
    fields = {
        "salt": kdf.get("salt"),
        "nonce": cipher.get("nonce"),
        "ciphertext": blob.get("ciphertext"),
    }
    decoded: dict[str, bytes] = {}
    for name, value in fields.items():
        if not isinstance(value, str):
            raise bad(f"{name} must be a base64url string")
        try:
            decoded[name] = b64url_decode(value)
        except MicrocredError as exc:
            raise bad(f"{name}: {exc.message}") from exc
    salt, nonce, ciphertext = decoded["salt"], decoded["nonce"], decoded["ciphertext"]
    if len(salt) < 16 or len(nonce) != 12:
        raise bad("salt must be at least 16 bytes and the nonce 12 bytes")
    key = _derive(passphrase, salt, n, r, p)
    try:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        seed = AESGCM(key).decrypt(nonce, ciphertext, _aad(public_key_multibase))
    except InvalidTag:
        raise KeyError_(
            f"wrong passphrase for {where} (or the file was altered)", where=None
        ) from None
    if len(seed) != 32:
        raise bad("the decrypted secret is not a 32-byte Ed25519 seed")
    return seed


def _read_json(path: Path) -> Any:
    where = str(path)
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_KEYFILE_BYTES + 1)
    except FileNotFoundError:
        raise KeyError_("key file not found", where=where) from None
    except OSError as exc:
        raise KeyError_(f"cannot read the key file: {exc.strerror}", where=where) from exc
    if len(raw) > MAX_KEYFILE_BYTES:
        raise KeyError_("this is too large to be a key file", where=where)
    try:
        return loads_strict(raw, max_bytes=MAX_KEYFILE_BYTES)
    except MicrocredError as exc:
        raise KeyError_(f"not a JSON key file: {exc.message}", where=where) from exc


def load_keyfile_path(path: str | os.PathLike[str], passphrase: str | None = None) -> KeyPair:
    """Read a KEYFILE; an encrypted one needs ``passphrase`` (the CLI takes it from
    ``MICROCRED_KEY_PASSPHRASE`` or a prompt). A passphrase given for a plain file is ignored."""
    path = Path(path)
    where = str(path)
    data = _read_json(path)
    if not isinstance(data, dict):
        raise KeyError_("a key file must hold a JSON object", where=where)
    if "encryptedSecretKey" not in data:
        return load_keyfile(data, source=where)
    if passphrase is None:
        raise KeyError_(
            "this key file is encrypted: give its passphrase (set MICROCRED_KEY_PASSPHRASE or "
            "answer the prompt)",
            where=where,
        )
    if any(name in data for name in ("secretKeyMultibase", "privateKeyMultibase")):
        raise KeyError_("the key file has both an encrypted and a plain secret key", where=where)
    public_multibase = data.get("publicKeyMultibase")
    if not isinstance(public_multibase, str):
        raise KeyError_("an encrypted key file needs publicKeyMultibase", where=where)
    seed = _decrypt(data["encryptedSecretKey"], public_multibase, passphrase, where)
    plain = {k: v for k, v in data.items() if k != "encryptedSecretKey"}
    public = load_keyfile(plain, source=where)
    try:
        return KeyPair(public.public_key, seed, public.controller, public.id)
    except KeyError_ as exc:
        raise KeyError_(exc.message, where=where) from exc


def keyfile_json(keypair: KeyPair, passphrase: str | None = None) -> dict[str, Any]:
    """The JSON object :func:`save_keyfile` writes (exposed for ``keys export``)."""
    if not keypair.has_secret:
        return keypair.to_public_json()
    if passphrase is None:
        return keypair.to_secret_json()
    if not passphrase:
        raise KeyError_("an empty passphrase would not protect the key; omit it or choose one")
    return {**keypair.to_public_json(), "encryptedSecretKey": _encrypt(keypair, passphrase)}


def _link_no_clobber(tmp: Path, path: Path) -> None:
    # link() fails if the name appeared meanwhile, so no race can clobber a key; file systems
    # without hard links fall back to a checked rename.
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise
    except OSError:
        if path.exists():
            raise FileExistsError(str(path)) from None
        tmp.replace(path)
        return
    tmp.unlink()


def save_keyfile(
    path: str | os.PathLike[str],
    keypair: KeyPair,
    passphrase: str | None = None,
    *,
    overwrite: bool = False,
) -> None:
    """Write atomically (temp file in the same folder, fsync, rename) with mode 0600 from
    creation. Refuses to replace an existing file unless ``overwrite`` (losing a signing key
    silently is worse than an error)."""
    path = Path(path)
    where = str(path)
    text = json.dumps(keyfile_json(keypair, passphrase), indent=2) + "\n"
    folder = path.parent
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise KeyError_(f"cannot create the key folder: {exc.strerror}", where=str(folder)) from exc
    if not overwrite and path.exists():
        raise KeyError_("a key file already exists here; refusing to replace it", where=where)
    fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    tmp = Path(tmp_name)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if overwrite:
            tmp.replace(path)
        else:
            _link_no_clobber(tmp, path)
    except FileExistsError:
        tmp.unlink(missing_ok=True)
        raise KeyError_(
            "a key file already exists here; refusing to replace it", where=where
        ) from None
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise KeyError_(f"cannot write the key file: {exc.strerror}", where=where) from exc
    with contextlib.suppress(OSError):
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
