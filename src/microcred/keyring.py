"""The program's issuer keys: secret files under ``.microcred/keys/`` and a public key ring.

``.microcred/keyring.json`` is public and committed: it lists every key the issuer ever used
(active, retired, revoked) so any machine can rebuild the DID document with retired keys and
old badges keep verifying. Secret key files live in ``.microcred/keys/`` (mode 0600, ignored by
git) or arrive through the ``MICROCRED_ISSUER_KEY`` environment variable (CI secrets).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from microcred import layout
from microcred._util import format_timestamp, loads_strict
from microcred.errors import ConfigError, KeyError_, MicrocredError
from microcred.fsutil import atomic_write_text
from microcred.model import Identity
from microcred.proof.didkey import did_key_from_public
from microcred.proof.didweb import did_web_document
from microcred.proof.keys import (
    KeyPair,
    generate_keypair,
    load_keyfile,
    public_key_from_multikey,
)
from microcred.proof.keystore import load_keyfile_path, save_keyfile

KEYS_DIR = Path(layout.KEYS_DIR)
KEYRING = Path(layout.KEYRING_FILE)
ENV_SECRET = "MICROCRED_ISSUER_KEY"  # noqa: S105 - a variable name, not a secret
ENV_PASSPHRASE = "MICROCRED_KEY_PASSPHRASE"  # noqa: S105 - a variable name
STATES = ("active", "retired", "revoked")


@dataclass(frozen=True)
class KeyEntry:
    """One public key the issuer has used, and what happened to it."""

    id: str
    controller: str
    public_key_multibase: str
    status: str
    created: str
    file: str
    encrypted: bool = False
    retired: str | None = None
    revoked: str | None = None  # the key is compromised from this instant on

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "controller": self.controller,
            "publicKeyMultibase": self.public_key_multibase,
            "status": self.status,
            "created": self.created,
            "file": self.file,
            "encrypted": self.encrypted,
        }
        if self.retired:
            out["retired"] = self.retired
        if self.revoked:
            out["revoked"] = self.revoked
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any], where: str) -> KeyEntry:
        try:
            entry = cls(
                id=str(data["id"]),
                controller=str(data["controller"]),
                public_key_multibase=str(data["publicKeyMultibase"]),
                status=str(data["status"]),
                created=str(data["created"]),
                file=str(data["file"]),
                encrypted=bool(data.get("encrypted", False)),
                retired=data.get("retired"),
                revoked=data.get("revoked"),
            )
        except (KeyError, TypeError) as exc:
            raise ConfigError(
                f"key ring entry is missing {exc}",
                where=where,
                hint="restore .microcred/keyring.json from version control",
            ) from exc
        if entry.status not in STATES:
            raise ConfigError(f"unknown key status {entry.status!r}", where=where)
        return entry


def _ignore_secrets(root: Path) -> None:
    """``.microcred/.gitignore`` keeps secret keys out of git even when the project's own
    .gitignore forgot them (the key ring and DID document next to them stay committable)."""
    marker = root / layout.PRIVATE_DIR / ".gitignore"
    wanted = "# written by microcred: secret keys never enter version control\nkeys/\n"
    try:
        if "keys/" in marker.read_text(encoding="utf-8").split():
            return
    except FileNotFoundError:
        pass
    atomic_write_text(marker, wanted)


def _stamp(now: dt.datetime) -> str:
    return format_timestamp(now)


class KeyRing:
    """Read/write access to a program's keys; writes are atomic."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.path = root / KEYRING

    def entries(self) -> list[KeyEntry]:
        if not self.path.is_file():
            return []
        where = str(self.path)
        try:
            data = loads_strict(self.path.read_bytes())
        except (OSError, MicrocredError) as exc:
            raise ConfigError(f"cannot read the key ring: {exc}", where=where) from exc
        if not isinstance(data, dict) or not isinstance(data.get("keys"), list):
            raise ConfigError('the key ring must be {"keys": [...]}', where=where)
        return [KeyEntry.from_json(k, where) for k in data["keys"]]

    def _save(self, entries: list[KeyEntry]) -> None:
        text = json.dumps({"version": 1, "keys": [e.to_json() for e in entries]}, indent=2)
        atomic_write_text(self.path, text + "\n")

    def active(self) -> KeyEntry:
        active = [e for e in self.entries() if e.status == "active"]
        if not active:
            raise KeyError_(
                "this program has no issuer key",
                where=str(self.root),
                hint="create one with 'microcred keys new'",
            )
        if len(active) > 1:
            raise KeyError_(
                "the key ring lists more than one active key",
                where=str(self.path),
                hint="mark all but one as retired",
            )
        return active[0]

    def controller_for(self, identity: Identity, public_key: bytes) -> str:
        if identity.kind == "did-web":
            assert identity.did is not None
            return identity.did
        return did_key_from_public(public_key)

    def new_key(
        self, identity: Identity, *, now: dt.datetime, passphrase: str | None = None
    ) -> KeyEntry:
        """Create the program's first key (rotation is ``rotate``)."""
        existing = self.entries()
        if any(e.status == "active" for e in existing):
            raise KeyError_(
                "this program already has an active key",
                where=str(self.path),
                hint="use 'microcred keys rotate' to replace it",
            )
        pair = generate_keypair(controller=identity.did if identity.kind == "did-web" else None)
        return self._store(pair, existing, now=now, passphrase=passphrase)

    def _store(
        self, pair: KeyPair, existing: list[KeyEntry], *, now: dt.datetime, passphrase: str | None
    ) -> KeyEntry:
        name = f"{_stamp(now)[:10]}-{pair.public_key_multibase[-10:]}.json"
        rel = (KEYS_DIR / name).as_posix()
        target = self.root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(target.parent, 0o700)
        _ignore_secrets(self.root)
        save_keyfile(target, pair, passphrase=passphrase)
        entry = KeyEntry(
            id=pair.id,
            controller=pair.controller,
            public_key_multibase=pair.public_key_multibase,
            status="active",
            created=_stamp(now),
            file=rel,
            encrypted=passphrase is not None,
        )
        self._save([*existing, entry])
        return entry

    def rotate(
        self,
        identity: Identity,
        *,
        now: dt.datetime,
        passphrase: str | None = None,
        compromised_since: dt.datetime | None = None,
    ) -> KeyEntry:
        """Retire the active key (kept public so earlier badges verify) and make a new one.

        ``compromised_since`` also marks the old key revoked from that instant (one atomic
        key-ring write): proofs it made from then on stop verifying, earlier ones still do.
        """
        if identity.kind != "did-web":
            raise KeyError_(
                "a did:key issuer cannot rotate keys: the key IS the identifier",
                hint="rotating means a new DID, and with it new credential ids: badges already "
                "issued keep verifying under the old did:key (it cannot be revoked, so keep that "
                "secret safe or revoke the badges), but verifiers that trust your issuer by DID "
                "must add the new one, and re-issued badges are new credentials. Switch to "
                'did:web ([identity] kind = "did-web", did = ...) to rotate without changing '
                "identity",
            )
        if compromised_since is not None and compromised_since > now:
            raise KeyError_(
                "the compromise time is in the future",
                hint="give the instant the key may first have been misused (at the latest, now)",
            )
        entries = self.entries()
        current = self.active()
        retired = replace(current, status="retired", retired=_stamp(now))
        if compromised_since is not None:
            retired = replace(retired, status="revoked", revoked=_stamp(compromised_since))
        entries = [retired if e.id == current.id else e for e in entries]
        pair = generate_keypair(controller=current.controller)
        return self._store(pair, entries, now=now, passphrase=passphrase)

    def revoke(self, key_id: str, *, since: dt.datetime) -> KeyEntry:
        """Mark a key compromised from ``since``: badges it signed after that instant fail."""
        entries = self.entries()
        match = [e for e in entries if e.id == key_id or e.public_key_multibase == key_id]
        if not match:
            raise KeyError_(
                f"no key {key_id!r} in the key ring",
                where=str(self.path),
                hint="'microcred keys list' shows the ids",
            )
        if match[0].status == "active":
            raise KeyError_(
                "the active key cannot be revoked directly",
                hint="rotate first ('microcred keys rotate'), then revoke the old key",
            )
        updated = replace(match[0], status="revoked", revoked=_stamp(since))
        self._save([updated if e.id == updated.id else e for e in entries])
        return updated

    def active_public(self) -> KeyPair:
        """The active key without its secret (no key derivation): what deciding what to
        sign reads; a signature loads the secret (:meth:`load_active_secret`)."""
        entry = self.active()
        try:
            public = public_key_from_multikey(entry.public_key_multibase)
            return KeyPair(public, None, entry.controller, entry.id)
        except MicrocredError as exc:
            raise KeyError_(
                f"the key ring's active key is malformed: {exc.message}", where=str(self.path)
            ) from exc

    def load_active_secret(self, *, passphrase: str | None = None) -> KeyPair:
        """The active signing key, from the environment (CI) or the local key file."""
        entry = self.active()
        env = os.environ.get(ENV_SECRET)
        if env:
            try:
                data = loads_strict(env)
            except MicrocredError as exc:
                raise KeyError_(
                    f"{ENV_SECRET} is not a JSON key file",
                    hint="paste the whole key file content into the secret",
                ) from exc
            pair = load_keyfile(data)
            where = f"${ENV_SECRET}"
        else:
            path = self.root / entry.file
            if not path.is_file():
                raise KeyError_(
                    "the active key's secret file is missing",
                    where=str(path),
                    hint=f"restore it, or set {ENV_SECRET} to its content",
                )
            pair = load_keyfile_path(path, passphrase or os.environ.get(ENV_PASSPHRASE))
            where = str(path)
        if (
            pair.public_key_multibase != entry.public_key_multibase
            or pair.controller != entry.controller
        ):
            raise KeyError_(
                f"this key file belongs to {pair.controller} ({pair.public_key_multibase}), "
                f"not to the program's active key {entry.id}",
                where=where,
                hint="use the key listed by 'microcred keys list'",
            )
        return pair

    def did_document(self) -> dict[str, Any] | None:
        """The did:web document with every key ever used (None for did:key programs)."""
        entries = self.entries()
        if not entries or not entries[0].controller.startswith("did:web:"):
            return None
        did = entries[0].controller
        active = [_public(e) for e in entries if e.status == "active"]
        retired = [(_public(e), e.revoked) for e in entries if e.status != "active"]
        return did_web_document(did, active, retired)


def _public(entry: KeyEntry) -> KeyPair:
    return load_keyfile(
        {
            "publicKeyMultibase": entry.public_key_multibase,
            "controller": entry.controller,
            "id": entry.id,
        }
    )
