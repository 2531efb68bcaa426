"""Endorsements -> EndorsementCredentials signed by each endorser's own key.

Keys: an endorser who brings their own ``did`` + ``key_file`` signs with that file, and only
if the key really is theirs (its controller is the DID they named); anyone else gets a
did:key generated once and kept in ``.microcred/keys/endorsers/<name>.json`` (secret, never
committed or published). The issuer's key never signs an endorsement.

Signed endorsements are written to ``SIGNED_DIR/<slug>.json`` (public: commit
them) and kept byte for byte while their content and signer are unchanged. A credential
embeds, in its ``endorsement`` array, every endorsement of it, of its brief or of the issuer
dated on or before the credential's award: those existed when it was issued.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from microcred.credential.endorsement import build_endorsement
from microcred.errors import ConfigError, KeyError_
from microcred.fsutil import write_if_changed
from microcred.issue import SUITES
from microcred.issue.keypolicy import KeyPolicy
from microcred.issue.write import _read_credential, dump_json
from microcred.jsonld import OfflineLoader
from microcred.layout import CREDENTIALS_DIR, KEYS_DIR
from microcred.model import Program, Record
from microcred.model.endorsements import Endorsement
from microcred.proof.keys import KeyPair, generate_keypair
from microcred.proof.keystore import load_keyfile_path, save_keyfile
from microcred.records.build import slugify
from microcred.records.endorsements import key_file_path, load_endorsements

SIGNED_DIR = f"{CREDENTIALS_DIR}/endorsements"
ENDORSER_KEYS_DIR = f"{KEYS_DIR}/endorsers"


@dataclass(frozen=True)
class SignedEndorsement:
    endorsement: Endorsement
    document: Mapping[str, Any]
    issued: bool  # signed by this run (False: the file on disk was kept)


def endorser_key_path(root: Path, name: str) -> Path:
    """Where the generated key of the endorser called ``name`` is kept."""
    return root / ENDORSER_KEYS_DIR / f"{slugify(name) or 'endorser'}.json"


def endorser_key(root: Path, endorsement: Endorsement) -> KeyPair:
    """The endorser's own signing key; refuses a key file that is not the endorser's."""
    who = endorsement.endorser
    brought = key_file_path(root, endorsement)
    if brought is not None:
        key = load_keyfile_path(brought)
        if not key.has_secret:
            raise KeyError_(
                f"{brought} holds no secret key, so it cannot sign",
                where=endorsement.source,
                hint="the endorser brings the key file they sign with",
            )
        if who.did is not None and key.controller != who.did:
            raise KeyError_(
                f"refusing to sign: the key file belongs to {key.controller}, not to the "
                f"endorser's DID {who.did}",
                where=endorsement.source,
                hint="an endorsement is signed by the endorser's own key; fix did or key_file",
            )
        if not key.controller.startswith("did:key:"):
            raise KeyError_(
                f"the key file is controlled by {key.controller}; endorsers sign with a did:key",
                where=endorsement.source,
            )
        return key
    path = endorser_key_path(root, who.name)
    if path.exists():
        return load_keyfile_path(path)
    key = generate_keypair()
    save_keyfile(path, key)
    return key


def issue_endorsements(
    root: Path,
    program: Program,
    *,
    issuer_did: str,
    now: dt.datetime,
    suites: tuple[str, ...] = SUITES,
    loader: OfflineLoader | None = None,
) -> list[SignedEndorsement]:
    """Sign what changed, keep what did not, drop files whose source is gone."""
    endorsements = load_endorsements(
        root,
        briefs=[a.slug for a in program.achievements],
        credentials=[r.slug for r in program.records],
    )
    out_dir = root / SIGNED_DIR
    signed: list[SignedEndorsement] = []
    for endorsement in endorsements:
        key = endorser_key(root, endorsement)
        if key.controller == issuer_did:
            raise ConfigError(
                "refusing to sign: the endorser's key is the issuer's own key",
                where=endorsement.source,
                hint="an endorsement must come from someone else",
            )
        unsigned = build_endorsement(
            program, endorsement, endorser_did=key.controller, issuer_did=issuer_did
        )
        path = out_dir / f"{endorsement.slug}.json"
        existing = _read_credential(path)
        if (
            existing is not None
            and {k: v for k, v in existing.items() if k != "proof"} == unsigned
            and KeyPolicy(key).verdict(existing.get("proof"), suites) == "ok"
        ):
            signed.append(SignedEndorsement(endorsement, existing, False))
            continue
        from microcred.issue.sign import sign_document  # the signer: only when one is signed

        document = sign_document(unsigned, key, created=now, suites=suites, loader=loader)
        write_if_changed(path, dump_json(document).encode("utf-8"))
        signed.append(SignedEndorsement(endorsement, document, True))
    keep = {f"{s.endorsement.slug}.json" for s in signed}
    if out_dir.is_dir():
        for stale in out_dir.glob("*.json"):
            if stale.name not in keep:
                stale.unlink()  # the endorser's file is gone: the endorsement is withdrawn
    return signed


def embedded_for(record: Record, signed: Sequence[SignedEndorsement]) -> list[Mapping[str, Any]]:
    """Endorsements a credential carries: of it, its brief or the issuer, made before it."""
    out = []
    for item in sorted(signed, key=lambda s: (s.endorsement.date, s.endorsement.slug)):
        e = item.endorsement
        relevant = (
            (e.target_kind == "credential" and e.target == record.slug)
            or (e.target_kind == "achievement" and e.target == record.achievement)
            or e.target_kind == "issuer"
        )
        if relevant and e.date <= record.awarded_at:
            out.append(item.document)
    return out


def with_endorsements(
    credential: Mapping[str, Any], endorsements: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    """The unsigned credential with its ``endorsement`` array (unchanged when there is none)."""
    out = dict(credential)
    if endorsements:
        out["endorsement"] = [dict(e) for e in endorsements]
    return out
