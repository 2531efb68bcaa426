"""KeyPair keeps OpenSSL's key object after the first signature (issue 12) and still pickles."""

from __future__ import annotations

import copy
import pickle

from microcred.proof.keys import generate_keypair, verify_ed25519


def test_cached_signer_signs_the_same_and_survives_pickling() -> None:
    key = generate_keypair()
    first = key.sign(b"message")
    assert key.sign(b"message") == first  # Ed25519 is deterministic
    assert verify_ed25519(key.public_key, first, b"message")
    for clone in (pickle.loads(pickle.dumps(key)), copy.deepcopy(key)):
        assert clone == key
        assert clone.sign(b"message") == first
