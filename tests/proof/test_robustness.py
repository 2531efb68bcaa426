"""Bad input never escapes as anything but a MicrocredError (no traceback reaches a user)."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from microcred.errors import MicrocredError
from microcred.proof.didweb import did_web_to_url
from microcred.proof.keys import generate_keypair, load_keyfile, public_key_from_multikey
from microcred.proof.multibase import b58encode, multibase_decode
from microcred.proof.resolve import resolve_verification_method
from microcred.proof.suites import verify_proof, verify_proof_set
from microcred.proof.timestamps import parse_datetimestamp

from ._canon import jcs

KEY = generate_keypair()
FAKE_SIGNATURE = "z" + b58encode(bytes(range(1, 65)))  # well-formed, never valid
PROOF_KEYS = [
    "type",
    "cryptosuite",
    "verificationMethod",
    "proofPurpose",
    "proofValue",
    "created",
    "expires",
    "previousProof",
    "id",
    "@context",
]

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.text(max_size=12)
    | st.sampled_from(
        [
            "DataIntegrityProof",
            "eddsa-jcs-2022",
            "assertionMethod",
            KEY.id,
            FAKE_SIGNATURE,
            "urn:uuid:a",
            "2024-01-01T00:00:00Z",
        ]
    ),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.sampled_from(PROOF_KEYS), children, max_size=6)
    ),
    max_leaves=10,
)


def _only_microcred_errors(call: Any, *args: Any, **kwargs: Any) -> None:
    """Any exception other than a MicrocredError fails the test; refusals must say something."""
    try:
        call(*args, **kwargs)
    except MicrocredError as exc:
        assert exc.code and exc.code.isupper()
        assert exc.diagnostics().strip()


@settings(max_examples=60, deadline=None)
@given(proof=json_values, proofs=st.lists(json_values, max_size=3))
def test_verify_proof_fails_closed(proof: Any, proofs: list[Any]) -> None:
    document = {"@context": ["https://www.w3.org/ns/credentials/v2"], "proof": [proof, *proofs]}
    _only_microcred_errors(verify_proof, document, proof, KEY.public_key, jcs=jcs)
    _only_microcred_errors(verify_proof_set, document, lambda p: KEY.public_key, jcs=jcs)


@settings(max_examples=60, deadline=None)
@given(vm=json_values | st.text(max_size=40), document=json_values)
def test_resolution_fails_closed(vm: Any, document: Any) -> None:
    _only_microcred_errors(resolve_verification_method, vm, {"did:web:a.example": document})
    if isinstance(document, dict):
        _only_microcred_errors(load_keyfile, document)


@settings(max_examples=100, deadline=None)
@given(text=st.text(max_size=60))
def test_string_parsers_fail_closed(text: str) -> None:
    for parser in (did_web_to_url, multibase_decode, public_key_from_multikey, parse_datetimestamp):
        _only_microcred_errors(parser, text)
        _only_microcred_errors(parser, "did:web:" + text)
        _only_microcred_errors(parser, "z" + text)


def test_deep_chain_does_not_exhaust_the_stack() -> None:
    count = 3000
    proofs: list[dict[str, Any]] = []
    for i in range(count):
        proof = {
            "type": "DataIntegrityProof",
            "cryptosuite": "eddsa-jcs-2022",
            "id": f"urn:p{i}",
            "verificationMethod": KEY.id,
            "proofPurpose": "assertionMethod",
            "proofValue": FAKE_SIGNATURE,
        }
        if i:
            proof["previousProof"] = f"urn:p{i - 1}"
        proofs.append(proof)
    document = {"@context": ["https://www.w3.org/ns/credentials/v2"], "proof": proofs}
    try:
        verify_proof(document, proofs[-1], KEY.public_key, jcs=jcs)
    except MicrocredError as exc:
        assert exc.code == "CRYPTOGRAPHIC_SECURITY_ERROR"  # the chain itself resolved
    else:
        raise AssertionError("a made-up signature verified")
    proofs[0]["previousProof"] = f"urn:p{count - 1}"
    try:
        verify_proof(document, proofs[-1], KEY.public_key, jcs=jcs)
    except MicrocredError as exc:
        assert "cycle" in exc.message
    else:
        raise AssertionError("a cycle through 3000 proofs was accepted")
