"""Data Integrity proofs, Ed25519 keys and DIDs; knows nothing about badges.

Names are imported from their submodule on first use (issue 12: start-up time).
Imports only :mod:`microcred.errors`: canonicalizers, DID documents and the clock come in as
arguments, so this layer stays pure and testable against the W3C vectors byte for byte.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from microcred import _lazy_exports

if TYPE_CHECKING:
    from microcred.proof.didkey import did_key_from_public, resolve_did_key
    from microcred.proof.didweb import RetiredKey, did_web_document, did_web_to_url
    from microcred.proof.keys import (
        KeyPair,
        generate_keypair,
        is_small_order,
        load_keyfile,
        public_key_from_multikey,
        verify_ed25519,
    )
    from microcred.proof.keystore import load_keyfile_path, save_keyfile
    from microcred.proof.multibase import b58decode, b58encode, multibase_decode
    from microcred.proof.resolve import (
        ensure_method_active,
        method_public_key,
        resolve_verification_method,
    )
    from microcred.proof.suites import (
        Canonicalizer,
        HashStages,
        JcsCanonicalizer,
        ProofCheck,
        add_proof,
        compute_hash_stages,
        create_proof,
        verify_proof,
        verify_proof_set,
    )
    from microcred.proof.timestamps import parse_datetimestamp

_WHERE = {
    "did_key_from_public": "didkey",
    "resolve_did_key": "didkey",
    "RetiredKey": "didweb",
    "did_web_document": "didweb",
    "did_web_to_url": "didweb",
    "KeyPair": "keys",
    "generate_keypair": "keys",
    "is_small_order": "keys",
    "load_keyfile": "keys",
    "public_key_from_multikey": "keys",
    "verify_ed25519": "keys",
    "load_keyfile_path": "keystore",
    "save_keyfile": "keystore",
    "b58decode": "multibase",
    "b58encode": "multibase",
    "multibase_decode": "multibase",
    "ensure_method_active": "resolve",
    "method_public_key": "resolve",
    "resolve_verification_method": "resolve",
    "Canonicalizer": "suites",
    "HashStages": "suites",
    "JcsCanonicalizer": "suites",
    "ProofCheck": "suites",
    "add_proof": "suites",
    "compute_hash_stages": "suites",
    "create_proof": "suites",
    "verify_proof": "suites",
    "verify_proof_set": "suites",
    "parse_datetimestamp": "timestamps",
}

__all__ = [
    "Canonicalizer",
    "HashStages",
    "JcsCanonicalizer",
    "KeyPair",
    "ProofCheck",
    "RetiredKey",
    "add_proof",
    "b58decode",
    "b58encode",
    "compute_hash_stages",
    "create_proof",
    "did_key_from_public",
    "did_web_document",
    "did_web_to_url",
    "ensure_method_active",
    "generate_keypair",
    "is_small_order",
    "load_keyfile",
    "load_keyfile_path",
    "method_public_key",
    "multibase_decode",
    "parse_datetimestamp",
    "public_key_from_multikey",
    "resolve_did_key",
    "resolve_verification_method",
    "save_keyfile",
    "verify_ed25519",
    "verify_proof",
    "verify_proof_set",
]

__getattr__ = _lazy_exports("microcred.proof", globals(), _WHERE)
