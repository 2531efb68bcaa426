"""Data Integrity EdDSA cryptosuites: eddsa-rdfc-2022 and eddsa-jcs-2022 (create and verify),
plus verify-only legacy forms (Ed25519Signature2020, DataIntegrityProof/eddsa-2022).

The cryptosuite is a small unit: transform (RDFC-1.0 or JCS), hash (proof configuration hash
FIRST, then document hash), Ed25519. Canonicalizers come in as callables so this layer needs no
JSON-LD library; resolving who controls the key is the caller's business (``resolve.py``);
proof sets and ``previousProof`` chains are walked by ``chains.py`` (shared with ECDSA).
Inputs are never mutated; every refusal is a ProofError whose ``code`` says which check failed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from microcred.errors import KeyError_, MicrocredError, ProofError
from microcred.proof import _curve
from microcred.proof._jsoncopy import json_copy as _copy
from microcred.proof.chains import previous_ids as _previous_ids
from microcred.proof.chains import proof_list as _proof_list
from microcred.proof.chains import referenced_proofs as _referenced_proofs
from microcred.proof.keys import KeyPair, check_public_key, verify_ed25519
from microcred.proof.multibase import b58decode, multibase_encode_b58
from microcred.proof.timestamps import format_datetimestamp, parse_datetimestamp

Canonicalizer = Callable[[Mapping[str, Any]], str]
"""RDFC-1.0 canonical N-Quads of a JSON-LD document (``jsonld.canonicalize`` bound to a loader)."""
JcsCanonicalizer = Callable[[Any], bytes]
"""RFC 8785 canonical UTF-8 bytes of a JSON value."""


class ReadsOnly:
    """A canonicalizer known never to change its input: it is given the document itself, not
    the defensive deep copy any other canonicalizer gets."""

    __slots__ = ("_run",)

    def __init__(self, run: Callable[[Any], Any]) -> None:
        self._run = run

    def __call__(self, value: Any) -> Any:
        return self._run(value)


def _input_for(canonicalizer: Any, value: Mapping[str, Any]) -> Any:
    return value if isinstance(canonicalizer, ReadsOnly) else _copy(dict(value))


EDDSA_RDFC_2022 = "eddsa-rdfc-2022"
EDDSA_JCS_2022 = "eddsa-jcs-2022"
EDDSA_2022 = "eddsa-2022"  # pre-standard name of eddsa-rdfc-2022 (VCDM 1.1 era)
ED25519_SIGNATURE_2020 = "Ed25519Signature2020"
# Verified by proof/ecdsa.py and proof/legacy.py, loaded only for such proofs (start-up time).
ECDSA_RDFC_2019 = "ecdsa-rdfc-2019"
ECDSA_JCS_2019 = "ecdsa-jcs-2019"
ECDSA_SUITES = (ECDSA_RDFC_2019, ECDSA_JCS_2019)
ED25519_SIGNATURE_2018 = "Ed25519Signature2018"
CREATE_SUITES = (EDDSA_RDFC_2022, EDDSA_JCS_2022)
VERIFY_SUITES = (EDDSA_RDFC_2022, EDDSA_JCS_2022, EDDSA_2022, ED25519_SIGNATURE_2020)
ED25519_2020_CONTEXT = "https://w3id.org/security/suites/ed25519-2020/v1"
MAX_CLOCK_SKEW = timedelta(minutes=5)
_REQUIRED = ("type", "verificationMethod", "proofPurpose")


def _error(message: str, code: str = "PROOF_VERIFICATION_ERROR") -> ProofError:
    return ProofError(message, code=code)


@dataclass(frozen=True)
class HashStages:
    """Every intermediate value of the transformation and hashing steps (for tests and
    ``--explain``); ``hash_data`` is what Ed25519 signs."""

    canonical_proof_config: bytes
    canonical_document: bytes

    @property
    def proof_config_hash(self) -> bytes:
        return hashlib.sha256(self.canonical_proof_config).digest()

    @property
    def document_hash(self) -> bytes:
        return hashlib.sha256(self.canonical_document).digest()

    @property
    def hash_data(self) -> bytes:
        return self.proof_config_hash + self.document_hash


@dataclass(frozen=True)
class ProofCheck:
    """Outcome of one member of a proof set; ``error`` is None when it verified."""

    index: int
    proof: Any
    error: MicrocredError | None

    @property
    def verified(self) -> bool:
        return self.error is None


def suite_of(proof: Mapping[str, Any]) -> str:
    """The suite a proof (or proof configuration) names; unknown ones are refused (MC-16)."""
    proof_type = proof.get("type")
    cryptosuite = proof.get("cryptosuite")
    if proof_type == "DataIntegrityProof":
        if cryptosuite in (EDDSA_RDFC_2022, EDDSA_JCS_2022, EDDSA_2022):
            return str(cryptosuite)
        raise _error(
            f"unsupported suite: DataIntegrityProof with cryptosuite {cryptosuite!r} (supported: "
            f"{EDDSA_RDFC_2022}, {EDDSA_JCS_2022}, and {EDDSA_2022} for verification)"
        )
    if proof_type == ED25519_SIGNATURE_2020:
        if cryptosuite is not None:
            raise _error("unsupported suite: an Ed25519Signature2020 proof has no cryptosuite")
        return ED25519_SIGNATURE_2020
    raise _error(
        f"unsupported suite: proof type {proof_type!r} (supported: DataIntegrityProof with "
        f"{EDDSA_RDFC_2022} or {EDDSA_JCS_2022}; Ed25519Signature2020 for verification)"
    )


def _contexts(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else [value]


def _run_rdfc(rdfc: Canonicalizer | None, value: Mapping[str, Any]) -> bytes:
    if rdfc is None:
        raise _error("no RDFC-1.0 canonicalizer was given", "PROOF_TRANSFORMATION_ERROR")
    try:
        result = rdfc(_input_for(rdfc, value))
    except MicrocredError:
        raise
    except Exception as exc:  # a third-party canonicalizer's own error: report, never crash
        raise _error(
            f"RDFC-1.0 canonicalization failed: {type(exc).__name__}: {exc}",
            "PROOF_TRANSFORMATION_ERROR",
        ) from exc
    if not isinstance(result, str):
        raise _error(
            "the RDFC canonicalizer must return N-Quads text", "PROOF_TRANSFORMATION_ERROR"
        )
    return result.encode("utf-8")


def _run_jcs(jcs: JcsCanonicalizer | None, value: Mapping[str, Any]) -> bytes:
    if jcs is None:
        raise _error("no JCS (RFC 8785) canonicalizer was given", "PROOF_TRANSFORMATION_ERROR")
    try:
        result = jcs(_input_for(jcs, value))
    except MicrocredError:
        raise
    except Exception as exc:  # a third-party canonicalizer's own error: report, never crash
        raise _error(
            f"JCS canonicalization failed: {type(exc).__name__}: {exc}",
            "PROOF_TRANSFORMATION_ERROR",
        ) from exc
    if not isinstance(result, bytes):
        raise _error("the JCS canonicalizer must return bytes", "PROOF_TRANSFORMATION_ERROR")
    return result


def compute_hash_stages(
    unsecured_document: Mapping[str, Any],
    proof_config: Mapping[str, Any],
    *,
    rdfc: Canonicalizer | None = None,
    jcs: JcsCanonicalizer | None = None,
) -> HashStages:
    """Transformation + proof configuration + hashing for the suite ``proof_config`` names.

    ``unsecured_document`` is exactly what is signed (no ``proof``, or the previous proofs of a
    chain); ``proof_config`` is the proof without ``proofValue``.
    """
    suite = suite_of(proof_config)
    document = dict(unsecured_document)
    config = {k: v for k, v in proof_config.items() if k != "proofValue"}
    if "@context" in config:
        # VC-DI "Verify Proof": the document may only have gained contexts after the ones the
        # proof names (MC-20). For RDFC suites too: a proof whose own @context was changed
        # after signing (to 1, or an inline context with @vocab/@import) is refused (issue 8).
        signed, present = _contexts(config["@context"]), _contexts(document.get("@context"))
        if (
            "@context" not in document
            or not signed
            or not all(isinstance(c, str) for c in signed)
            or present[: len(signed)] != signed
        ):
            raise _error(
                "the proof's @context is not a prefix of the document's @context "
                "(contexts were changed, removed or reordered after signing)"
            )
    if suite == EDDSA_JCS_2022:
        if "@context" in config:
            document["@context"] = config["@context"]
        return HashStages(_run_jcs(jcs, config), _run_jcs(jcs, document))
    if "@context" not in document:
        raise _error(
            f"{suite} needs a JSON-LD document: the document has no @context",
            "PROOF_TRANSFORMATION_ERROR",
        )
    config["@context"] = document["@context"]
    return HashStages(_run_rdfc(rdfc, config), _run_rdfc(rdfc, document))


def create_proof(
    document: Mapping[str, Any],
    key: KeyPair,
    *,
    suite: str,
    created: datetime | None,
    rdfc: Canonicalizer | None = None,
    jcs: JcsCanonicalizer | None = None,
    proof_id: str | None = None,
    previous_proof: str | list[str] | None = None,
    proof_purpose: str = "assertionMethod",
) -> dict[str, Any]:
    """Return the new proof object (with ``proofValue``) for ``document``.

    The document is signed without its existing proofs (proof set), except the ones named by
    ``previous_proof``, which are signed with it (proof chain).
    """
    gen = "PROOF_GENERATION_ERROR"
    if not isinstance(document, Mapping):
        raise _error("the document to sign must be a JSON object", gen)
    if suite not in CREATE_SUITES:
        raise _error(f"unsupported suite {suite!r}: choose {' or '.join(CREATE_SUITES)}", gen)
    if not key.has_secret:
        raise KeyError_(f"key {key.id} has no secret key; it cannot sign")
    existing = _proof_list(document, gen)
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    options: dict[str, Any] = {"type": "DataIntegrityProof"}
    if proof_id is not None:
        if not isinstance(proof_id, str) or not proof_id or any(c.isspace() for c in proof_id):
            raise _error("proof id must be a URL such as urn:uuid:…", gen)
        if any(item.get("id") == proof_id for item in existing):
            raise _error(f"the document already has a proof with id {proof_id}", gen)
        options["id"] = proof_id
    options["cryptosuite"] = suite
    if created is not None:
        options["created"] = format_datetimestamp(created)
    options["verificationMethod"] = key.id
    options["proofPurpose"] = proof_purpose
    if previous_proof is not None:
        ids = _previous_ids(previous_proof, gen)
        unsecured["proof"] = _referenced_proofs(existing, {"previousProof": previous_proof}, gen)
        options["previousProof"] = previous_proof if isinstance(previous_proof, str) else ids
    if suite == EDDSA_JCS_2022 and "@context" in document:
        options["@context"] = _copy(document["@context"])
    stages = compute_hash_stages(unsecured, options, rdfc=rdfc, jcs=jcs)
    signature = key.sign(stages.hash_data)
    return {**_copy(options), "proofValue": multibase_encode_b58(signature)}


def add_proof(document: Mapping[str, Any], key: KeyPair, **options: Any) -> dict[str, Any]:
    """A copy of ``document`` whose ``proof`` is an array ending with a new proof (proof set;
    a chain when ``previous_proof`` is given). Options are those of :func:`create_proof`."""
    proof = create_proof(document, key, **options)
    secured: dict[str, Any] = _copy(dict(document))
    secured["proof"] = [*_proof_list(secured, "PROOF_GENERATION_ERROR"), proof]
    return secured


def _decode_proof_value(value: Any) -> bytes:
    if value is None:
        raise _error("the proof has no proofValue")
    if not isinstance(value, str) or not value.startswith("z"):
        raise _error(
            "proofValue must be a base58btc multibase string starting with 'z' (these suites "
            "allow no other encoding)"
        )
    try:
        signature = b58decode(value[1:], max_length=200)
    except MicrocredError as exc:
        raise _error(f"proofValue does not decode: {exc.message}") from exc
    if len(signature) != 64:
        raise _error(f"proofValue decodes to {len(signature)} bytes; an Ed25519 signature is 64")
    return signature


def _check_times(proof: Mapping[str, Any], now: datetime | None, skew: timedelta) -> None:
    created = expires = None
    if "created" in proof:
        created = parse_datetimestamp(
            proof["created"], field="proof created", code="PROOF_VERIFICATION_ERROR"
        )
    if "expires" in proof:
        expires = parse_datetimestamp(
            proof["expires"], field="proof expires", code="PROOF_VERIFICATION_ERROR"
        )
    if now is None:
        return
    if now.tzinfo is None:
        raise _error("the verification time must be timezone-aware", "PROOF_VERIFICATION_ERROR")
    if expires is not None and now >= expires:
        raise _error(f"the proof expired at {proof['expires']}")
    if created is not None and created - now > skew:  # a difference never overflows
        raise _error(f"the proof claims to be created in the future ({proof['created']})")


def verify_proof(
    document: Mapping[str, Any],
    proof: Mapping[str, Any],
    public_key: bytes,
    *,
    rdfc: Canonicalizer | None = None,
    jcs: JcsCanonicalizer | None = None,
    expected_purpose: str = "assertionMethod",
    now: datetime | None = None,
    max_clock_skew: timedelta = MAX_CLOCK_SKEW,
) -> None:
    """Verify one proof of the secured ``document`` with an already-resolved ``public_key``.

    Raises ProofError: PARSING_ERROR (not a map), PROOF_VERIFICATION_ERROR (malformed proof,
    unsupported suite, wrong purpose, broken chain, bad time), INVALID_VERIFICATION_METHOD (bad
    key), PROOF_TRANSFORMATION_ERROR (canonicalization), CRYPTOGRAPHIC_SECURITY_ERROR (the
    signature does not verify). ``now`` (aware) enables the expires / created-in-future checks.
    """
    # 1. Both are maps (MC-23).
    if not isinstance(document, Mapping):
        raise _error("the secured document is not a JSON object", "PARSING_ERROR")
    if not isinstance(proof, Mapping):
        raise _error("the proof is not a JSON object", "PARSING_ERROR")
    # 2. A suite we implement (MC-16; an unknown type may have other members), with the
    #    members every Data Integrity proof needs, for the purpose we expect (MC-26).
    if proof.get("type") is not None:
        suite_of(proof)
    missing = [name for name in _REQUIRED if proof.get(name) in (None, "")]
    if missing:
        raise _error(f"the proof lacks {', '.join(missing)}")
    suite = suite_of(proof)
    if proof["proofPurpose"] != expected_purpose:
        raise _error(f"proofPurpose is {proof['proofPurpose']!r}; expected {expected_purpose!r}")
    vm = proof["verificationMethod"]
    if isinstance(vm, Mapping):  # embedded key material is never used (MC-29)
        vm = vm.get("id")
    if not isinstance(vm, str):
        raise _error("verificationMethod must be a URL")
    if suite == ED25519_SIGNATURE_2020 and ED25519_2020_CONTEXT not in _contexts(
        document.get("@context")
    ):
        raise _error(f"an Ed25519Signature2020 proof needs {ED25519_2020_CONTEXT} in @context")
    # 3. proofValue is 'z' + exactly 64 bytes (MC-11, MC-12); dates are dateTimeStamps (MC-33).
    signature = _decode_proof_value(proof.get("proofValue"))
    _check_times(proof, now, max_clock_skew)
    # 4. The signed input: the document without proofs, plus the proofs this one chains (MC-22).
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    if "previousProof" in proof:
        proofs = _proof_list(document, "PROOF_VERIFICATION_ERROR")
        unsecured["proof"] = _referenced_proofs(proofs, proof, "PROOF_VERIFICATION_ERROR")
    # 5. The key is a usable Ed25519 key (MC-14).
    public_key = check_public_key(public_key)
    # 6. Rebuild hashData and check the signature (MC-13, MC-08, MC-10).
    stages = compute_hash_stages(unsecured, proof, rdfc=rdfc, jcs=jcs)
    if verify_ed25519(public_key, signature, stages.hash_data):
        return
    if int.from_bytes(signature[32:], "little") >= _curve.L:
        reason = "the signature is not canonical (S >= L), a malleated signature"
    else:
        r_point = _curve.decode_point(signature[:32])
        if r_point is not None and _curve.is_small_order_point(r_point):
            reason = "the signature's R is a small-order point, a forgery pattern"
        else:
            reason = (
                "the signature does not match: the document or proof options changed after "
                "signing, or another key signed it"
            )
    raise _error(f"{suite} proof by {vm}: {reason}", "CRYPTOGRAPHIC_SECURITY_ERROR")


def verify_proof_set(
    document: Mapping[str, Any],
    key_for: Callable[[Mapping[str, Any]], bytes],
    *,
    rdfc: Canonicalizer | None = None,
    jcs: JcsCanonicalizer | None = None,
    expected_purpose: str = "assertionMethod",
    now: datetime | None = None,
) -> list[ProofCheck]:
    """Verify every proof (VC-DI "Verify Proof Sets and Chains"): the caller decides what the
    set means (microcred: all must verify, MC-21). A chained proof fails when a proof it
    references fails. ``key_for(proof)`` resolves a proof's key or raises MicrocredError."""
    if not isinstance(document, Mapping):
        raise _error("the secured document is not a JSON object", "PARSING_ERROR")
    if "proof" not in document or document["proof"] in ([], None):
        raise _error("the document has no proof")
    proofs = document["proof"]
    if not isinstance(proofs, Mapping | list):
        raise _error("'proof' must be a JSON object or an array of them", "PARSING_ERROR")
    items = proofs if isinstance(proofs, list) else [proofs]
    results: list[ProofCheck] = []
    for index, proof in enumerate(items):
        error: MicrocredError | None = None
        try:
            if not isinstance(proof, Mapping):
                raise _error(f"proof #{index} is not a JSON object", "PARSING_ERROR")
            verify_proof(
                document,
                proof,
                key_for(proof),
                rdfc=rdfc,
                jcs=jcs,
                expected_purpose=expected_purpose,
                now=now,
            )
        except MicrocredError as exc:
            error = exc
        results.append(ProofCheck(index, proof, error))
    changed = True
    while changed:
        changed = False
        failed = {
            r.proof.get("id")
            for r in results
            if not r.verified
            and isinstance(r.proof, Mapping)
            and isinstance(r.proof.get("id"), str)
        }
        for i, r in enumerate(results):
            if not r.verified or "previousProof" not in r.proof:
                continue
            refs = r.proof["previousProof"]
            bad = [ref for ref in (refs if isinstance(refs, list) else [refs]) if ref in failed]
            if bad:
                results[i] = ProofCheck(
                    r.index, r.proof, _error(f"it chains proof {bad[0]}, which did not verify")
                )
                changed = True
    return results
