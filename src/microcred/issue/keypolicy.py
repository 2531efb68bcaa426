"""Which existing proofs the issuer still stands behind (rotation, compromise)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from microcred.errors import MicrocredError
from microcred.keyring import KeyEntry
from microcred.proof.keys import KeyPair, public_key_from_multikey
from microcred.proof.timestamps import parse_datetimestamp

if TYPE_CHECKING:
    from microcred.jsonld import OfflineLoader


class KeyPolicy:
    """Which existing proofs the issuer still stands behind.

    Proofs by the active key or a retired one stand (rotation must not break old badges);
    proofs by a revoked (compromised) key stand only if made before its ``revoked`` instant,
    exactly as a verifier decides. Anything else is re-signed by the active key.
    """

    def __init__(self, signing_key: KeyPair, entries: Iterable[KeyEntry] = ()) -> None:
        self.signing_key = signing_key
        self.entries = {e.id: e for e in entries}

    def verdict(self, proofs: object, suites: Sequence[str]) -> str:
        """``ok``, ``compromised`` (made by a revoked key after its cutoff) or ``foreign``."""
        if not isinstance(proofs, list) or not all(isinstance(p, dict) for p in proofs):
            return "foreign"
        if [p.get("cryptosuite") for p in proofs] != list(suites):
            return "foreign"
        methods = {p.get("verificationMethod") for p in proofs}
        if len(methods) != 1:
            return "foreign"
        vm = methods.pop()
        if vm == self.signing_key.id:
            return "ok"
        entry = self.entries.get(str(vm))
        if entry is None or entry.controller != self.signing_key.controller:
            return "foreign"
        if entry.status != "revoked" or entry.revoked is None:
            return "ok"
        try:
            cutoff = parse_datetimestamp(entry.revoked, field="revoked")
            made = [parse_datetimestamp(p.get("created"), field="created") for p in proofs]
        except MicrocredError:
            return "compromised"
        return "ok" if all(m < cutoff for m in made) else "compromised"

    def public_key(self, vm: str) -> bytes | None:
        if vm == self.signing_key.id:
            return self.signing_key.public_key
        entry = self.entries.get(vm)
        return public_key_from_multikey(entry.public_key_multibase) if entry else None


def _proofs_verify(
    credential: Mapping[str, Any], policy: KeyPolicy, loader: OfflineLoader | None
) -> bool:
    # The canonicalizer and the proof suites load here: an unchanged credential whose receipt
    # holds (every credential of a build after ``issue``) never needs them.
    from microcred.jsonld import canonicalize, default_loader, jcs
    from microcred.proof.suites import verify_proof

    active_loader = loader or default_loader()
    body = {k: v for k, v in credential.items() if k != "proof"}
    try:
        for proof in credential["proof"]:
            public = policy.public_key(str(proof.get("verificationMethod")))
            if public is None:
                return False
            verify_proof(
                body,
                proof,
                public,
                rdfc=lambda d: canonicalize(d, active_loader),
                jcs=jcs,
            )
    except MicrocredError:
        return False
    return True
