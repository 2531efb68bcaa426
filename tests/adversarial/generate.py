"""Build the adversarial corpus (``tests/adversarial/corpus/``) from one valid credential.

    python3 tests/adversarial/generate.py           # rewrite corpus/ in place
    python3 tests/adversarial/generate.py --check   # exit 1 if corpus/ differs from the output

Every case of ../shared/security-cases.md section 1 that applies to a verifier is a file named
for its defect (``mc01_tamper_changed_claim.json``) plus an entry in ``expectations.json``:
expected result, the first failing check and its problem code. Output is deterministic: the
keys below are fixed TEST-ONLY seeds (published here, never usable for anything real), dates
are fixed, Ed25519 signatures are deterministic and status lists are gzip streams of *stored*
deflate blocks written here byte by byte, so no zlib version can change a single byte.

Signing goes through microcred's own hashing (``proof.suites.compute_hash_stages``) with a
raw Ed25519 key, so a case can carry proof options no well-behaved signer would produce.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import struct
import sys
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from microcred.jsonld.jcs import jcs
from microcred.jsonld.loader import default_loader
from microcred.jsonld.rdfc import canonicalize
from microcred.proof.multibase import b58decode, b58encode
from microcred.proof.suites import compute_hash_stages

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"

# --------------------------------------------------------------------------- TEST-ONLY keys
# Derived from public strings: anyone can recompute them. TEST ONLY — never trust these keys.
TEST_ONLY_ISSUER_SEED = hashlib.sha256(b"microcred TEST-ONLY adversarial corpus: issuer").digest()
TEST_ONLY_ATTACKER_SEED = hashlib.sha256(
    b"microcred TEST-ONLY adversarial corpus: attacker"
).digest()
TEST_ONLY_WEB_SEED = hashlib.sha256(b"microcred TEST-ONLY adversarial corpus: did:web key").digest()
TEST_ONLY_OTHER_SEED = hashlib.sha256(
    b"microcred TEST-ONLY adversarial corpus: other issuer"
).digest()

AT = "2026-06-01T00:00:00Z"  # the verification time every case is checked at
ISSUED = "2026-01-15T00:00:00Z"
VALID_UNTIL = "2031-01-15T00:00:00Z"
LIST_FROM = "2026-05-01T00:00:00Z"
LIST_UNTIL = "2026-12-31T00:00:00Z"

V2 = "https://www.w3.org/ns/credentials/v2"
V1 = "https://www.w3.org/2018/credentials/v1"
OB303 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB302 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json"
DI_V2 = "https://w3id.org/security/data-integrity/v2"
RDFC = "eddsa-rdfc-2022"
JCS = "eddsa-jcs-2022"
BOTH = (RDFC, JCS)

WEB_DID = "did:web:school.example"
WEB_VM = f"{WEB_DID}#key-1"
REV_URL = "https://school.example/status/revocation-1.json"
WEB_REV_URL = "https://school.example/status/web-revocation-1.json"
SUS_URL = "https://school.example/status/suspension-1.json"
ENTRIES = 131_072
REVOKED_INDEX = 7
SUSPENDED_INDEX = 99
CLEAR_INDEX = 1234
RECIPIENT = "alice@example.com"
SALT = "TEST-ONLY-salt-5f2a"
SMALL_ORDER_DID = "did:key:z6MkeXATEjyXENzBXBxgC5EHk2JE5aqd7qMGGtDpLUH1e2Sj"
SMALL_ORDER_PROOF_VALUE = (
    "z2AFv15MNPuA84RmU66xw2uMzGipcVxNpzAffoacGVvjFue3CBmf633fAWuiP9cwL9C3z3CJiGgRSFjJfeEcA6QX"
)
ED25519_L = 2**252 + 27742317777372353535851937790883648493


def _public(seed: bytes) -> bytes:
    return Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes_raw()


def multikey(public: bytes, header: bytes = b"\xed\x01") -> str:
    return "z" + b58encode(header + public)


def did_key(seed: bytes) -> str:
    return "did:key:" + multikey(_public(seed))


def did_key_vm(seed: bytes) -> str:
    return f"{did_key(seed)}#{multikey(_public(seed))}"


ISSUER = did_key(TEST_ONLY_ISSUER_SEED)
ISSUER_VM = did_key_vm(TEST_ONLY_ISSUER_SEED)
ATTACKER = did_key(TEST_ONLY_ATTACKER_SEED)
ATTACKER_VM = did_key_vm(TEST_ONLY_ATTACKER_SEED)
OTHER = did_key(TEST_ONLY_OTHER_SEED)
OTHER_VM = did_key_vm(TEST_ONLY_OTHER_SEED)

# --------------------------------------------------------------------------- signing


def _rdfc(document: Any) -> str:
    return canonicalize(document, default_loader())


def make_proof(
    document: dict[str, Any],
    seed: bytes,
    vm: str,
    *,
    suite: str = RDFC,
    created: str | None = ISSUED,
    purpose: str = "assertionMethod",
    proof_id: str | None = None,
    previous: str | list[str] | None = None,
    chained: list[dict[str, Any]] | None = None,
    transform: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
    signed_as: str | None = None,
) -> dict[str, Any]:
    """One Data Integrity proof over ``document`` (its own proofs excluded).

    ``transform`` edits the proof configuration before signing; ``signed_as`` hashes with
    another suite than the one the proof names (MC-17); ``chained`` are the earlier proofs a
    chained proof signs along with the document.
    """
    config: dict[str, Any] = {"type": "DataIntegrityProof"}
    if proof_id is not None:
        config["id"] = proof_id
    config["cryptosuite"] = suite
    if created is not None:
        config["created"] = created
    config["verificationMethod"] = vm
    config["proofPurpose"] = purpose
    if previous is not None:
        config["previousProof"] = previous
    if suite == JCS:
        config["@context"] = copy.deepcopy(document["@context"])
    if transform is not None:
        config = transform(config)
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    if chained is not None:
        unsecured["proof"] = chained
    hashing = dict(config)
    if signed_as is not None:
        hashing["cryptosuite"] = signed_as
        if signed_as == JCS:
            hashing["@context"] = copy.deepcopy(document["@context"])
    stages = compute_hash_stages(unsecured, hashing, rdfc=_rdfc, jcs=jcs)
    signature = Ed25519PrivateKey.from_private_bytes(seed).sign(stages.hash_data)
    return {**config, "proofValue": "z" + b58encode(signature)}


def secure(
    document: dict[str, Any],
    seed: bytes = TEST_ONLY_ISSUER_SEED,
    vm: str = ISSUER_VM,
    suites: tuple[str, ...] = BOTH,
    **options: Any,
) -> dict[str, Any]:
    """``document`` with a proof set by one key (like microcred: rdfc + jcs)."""
    out = copy.deepcopy(document)
    out.pop("proof", None)
    out["proof"] = [make_proof(out, seed, vm, suite=s, **options) for s in suites]
    return out


# --------------------------------------------------------------------------- gzip, stored


def _stored_deflate(data: bytes) -> bytes:
    """Raw deflate of stored blocks only: the same bytes with every zlib version."""
    out = bytearray()
    chunks = [data[i : i + 65535] for i in range(0, len(data), 65535)] or [b""]
    for n, chunk in enumerate(chunks):
        final = 1 if n == len(chunks) - 1 else 0
        out += bytes([final]) + struct.pack("<HH", len(chunk), len(chunk) ^ 0xFFFF) + chunk
    return bytes(out)


def gzip_stored(data: bytes) -> bytes:
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
    trailer = struct.pack("<II", zlib.crc32(data) & 0xFFFFFFFF, len(data) & 0xFFFFFFFF)
    return header + _stored_deflate(data) + trailer


def zlib_stored(data: bytes) -> bytes:
    return b"\x78\x01" + _stored_deflate(data) + struct.pack(">I", zlib.adler32(data))


def b64url(data: bytes) -> str:
    import base64

    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def bitstring(set_bits: tuple[int, ...] = (), entries: int = ENTRIES) -> bytes:
    bits = bytearray(entries // 8)
    for index in set_bits:
        bits[index >> 3] |= 0x80 >> (index & 7)
    return bytes(bits)


def encoded(set_bits: tuple[int, ...] = (), entries: int = ENTRIES) -> str:
    return "u" + b64url(gzip_stored(bitstring(set_bits, entries)))


def status_list(
    url: str,
    purpose: str,
    set_bits: tuple[int, ...] = (),
    *,
    issuer: str = ISSUER,
    seed: bytes | None = TEST_ONLY_ISSUER_SEED,
    vm: str = ISSUER_VM,
    encoded_list: str | None = None,
    types: list[str] | None = None,
    subject_type: str = "BitstringStatusList",
    valid_from: str = LIST_FROM,
    valid_until: str | None = LIST_UNTIL,
    ttl: int | None = None,
) -> dict[str, Any]:
    """A BitstringStatusListCredential, signed (rdfc + jcs) unless ``seed`` is None."""
    doc: dict[str, Any] = {
        "@context": [V2],
        "id": url,
        "type": types or ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer,
        "validFrom": valid_from,
    }
    if valid_until is not None:
        doc["validUntil"] = valid_until
    subject: dict[str, Any] = {
        "id": f"{url}#list",
        "type": subject_type,
        "statusPurpose": purpose,
        "encodedList": encoded_list if encoded_list is not None else encoded(set_bits),
    }
    if ttl is not None:
        subject["ttl"] = ttl
    doc["credentialSubject"] = subject
    return secure(doc, seed, vm) if seed is not None else doc


# --------------------------------------------------------------------------- the credential


def identity_hash(value: str, salt: str, algorithm: str = "sha256") -> str:
    digest = hashlib.new(algorithm, (value + salt).encode("utf-8")).hexdigest()
    return f"{algorithm}${digest}"


def entry(index: int | str, *, purpose: str = "revocation", url: str = REV_URL) -> dict[str, Any]:
    return {
        "id": f"{url}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": purpose,
        "statusListIndex": str(index) if isinstance(index, int) else index,
        "statusListCredential": url,
    }


def credential(
    issuer: str = ISSUER, *, index: int = CLEAR_INDEX, cid: str = "1", name: str | None = None
) -> dict[str, Any]:
    """The unsigned base credential V: the shape microcred issues (DESIGN section 5)."""
    status_url = WEB_REV_URL if issuer == WEB_DID else REV_URL
    return {
        "@context": [V2, OB303],
        "id": f"urn:uuid:7d2c9a4e-0b1f-4c55-9e1d-{int(cid):012d}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {
            "id": issuer,
            "type": ["Profile"],
            "name": name or "Example Test School (TEST ONLY)",
            "url": "https://school.example/",
        },
        "validFrom": ISSUED,
        "validUntil": VALID_UNTIL,
        "name": "Data Analysis Sprint",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityHash": identity_hash(RECIPIENT, SALT),
                    "identityType": "emailAddress",
                    "hashed": True,
                    "salt": SALT,
                }
            ],
            "achievement": {
                "id": "https://school.example/catalog/data-analysis/",
                "type": ["Achievement"],
                "achievementType": "Course",
                "name": "Data Analysis Sprint",
                "description": "A two-week micro-internship analysing a public data set.",
                "criteria": {"narrative": "Deliver a reproducible analysis and present it."},
            },
        },
        "credentialStatus": entry(index, url=status_url),
    }


def web_document(
    *,
    doc_id: str = WEB_DID,
    vm_id: str = WEB_VM,
    controller: str = WEB_DID,
    relationships: tuple[str, ...] = ("assertionMethod",),
    extra: dict[str, Any] | None = None,
    method_extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    method = {
        "id": vm_id,
        "type": "Multikey",
        "controller": controller,
        "publicKeyMultibase": multikey(_public(TEST_ONLY_WEB_SEED)),
        **(method_extra or {}),
    }
    doc: dict[str, Any] = {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": doc_id,
        "verificationMethod": [method],
    }
    for name in relationships:
        doc[name] = [vm_id]
    doc.update(extra or {})
    return doc


# --------------------------------------------------------------------------- images


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_with(chunks: list[bytes]) -> bytes:
    """A 1x1 grey PNG carrying ``chunks`` after IHDR (IDAT is a stored zlib stream)."""
    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    idat = zlib_stored(b"\x00\x80")
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", ihdr)
        + b"".join(chunks)
        + _png_chunk(b"IDAT", idat)
        + _png_chunk(b"IEND", b"")
    )


def itxt(text: str, keyword: bytes = b"openbadgecredential") -> bytes:
    return _png_chunk(b"iTXt", keyword + b"\x00\x00\x00\x00\x00" + text.encode("utf-8"))


def svg_with(inner: str, prolog: str = "") -> str:
    return (
        f'{prolog}<svg xmlns="http://www.w3.org/2000/svg" '
        'xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0" width="10" height="10">'
        f'{inner}<rect width="10" height="10"/></svg>\n'
    )


# --------------------------------------------------------------------------- corpus


def dumps(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


class Corpus:
    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.cases: dict[str, dict[str, Any]] = {}

    def support(self, name: str, value: Any) -> str:
        path = f"support/{name}"
        self.files[path] = dumps(value).encode("utf-8")
        return path

    def add(
        self,
        name: str,
        content: Any,
        case: str,
        result: str,
        check: str | None = None,
        code: str | None = None,
        *,
        raw: bool = False,
        **extra: Any,
    ) -> None:
        assert name not in self.files, name
        if raw:
            data = content if isinstance(content, bytes) else content.encode("utf-8")
        else:
            data = dumps(content).encode("utf-8")
        self.files[name] = data
        spec: dict[str, Any] = {"case": case, "result": result}
        if check is not None:
            spec["check"] = check
            spec["code"] = code
        spec.update(extra)
        self.cases[name] = spec


def _flip_char(value: str, position: int = 10) -> str:
    alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
    old = value[position]
    new = alphabet[(alphabet.index(old) + 1) % len(alphabet)]
    return value[:position] + new + value[position + 1 :]


def _with_proof_value(signed: dict[str, Any], value: Any, index: int = 0) -> dict[str, Any]:
    out = copy.deepcopy(signed)
    if value is _DELETE:
        del out["proof"][index]["proofValue"]
    else:
        out["proof"][index]["proofValue"] = value
    return out


_DELETE = object()


def _sig(signed: dict[str, Any], index: int = 0) -> bytes:
    value: str = signed["proof"][index]["proofValue"]
    return b58decode(value[1:])


def build() -> Corpus:
    c = Corpus()
    v_plain = credential()
    v = secure(v_plain)
    rdfc_only = secure(v_plain, suites=(RDFC,))
    jcs_only = secure(v_plain, suites=(JCS,))

    # Support files: the issuer's lists (7 revoked, 99 suspended), a did:web document, trust.
    rev_list = c.support("revocation-1.json", status_list(REV_URL, "revocation", (REVOKED_INDEX,)))
    sus_list = c.support(
        "suspension-1.json", status_list(SUS_URL, "suspension", (SUSPENDED_INDEX,))
    )
    web_doc = c.support("school.example.did.json", web_document())
    web_list = c.support(
        "web-revocation-1.json",
        status_list(WEB_REV_URL, "revocation", issuer=WEB_DID, seed=TEST_ONLY_WEB_SEED, vm=WEB_VM),
    )
    c.support(
        "trust.json",
        {
            "microcred_trust": 1,
            "issuers": [{"did": ISSUER, "name": "Example Test School (TEST ONLY)"}],
        },
    )
    defaults = {
        "status_lists": {REV_URL: rev_list, SUS_URL: sus_list, WEB_REV_URL: web_list},
        "did_documents": {WEB_DID: web_doc},
    }

    # Baseline and positive controls -------------------------------------------------------
    c.add("valid_baseline.json", v, "baseline", "valid")
    c.add("valid_trusted.json", v, "MC-32", "valid", trust="support/trust.json", trusted=True)
    c.add(
        "valid_recipient_email_case_and_spaces.json",
        v,
        "MC-34",
        "valid",
        recipient="  Alice@Example.COM ",
    )

    # A. Tamper ---------------------------------------------------------------------------
    t = copy.deepcopy(v)
    t["credentialSubject"]["achievement"]["name"] = "Data Analysis Sprinx"
    c.add(
        "mc01_tamper_changed_claim.json",
        t,
        "MC-01",
        "invalid",
        "proof",
        "CRYPTOGRAPHIC_SECURITY_ERROR",
    )
    t = copy.deepcopy(v)
    del t["validUntil"]
    c.add(
        "mc02_tamper_deleted_validuntil.json",
        t,
        "MC-02",
        "invalid",
        "proof",
        "CRYPTOGRAPHIC_SECURITY_ERROR",
    )
    t = copy.deepcopy(v)
    del t["credentialSubject"]
    c.add(
        "mc02_tamper_deleted_subject.json",
        t,
        "MC-02",
        "invalid",
        "data_model",
        "MALFORMED_VALUE_ERROR",
    )
    t = copy.deepcopy(v)
    t["description"] = "Added after signing."
    c.add(
        "mc03_tamper_added_defined_property.json",
        t,
        "MC-03",
        "invalid",
        "proof",
        "CRYPTOGRAPHIC_SECURITY_ERROR",
    )
    t = copy.deepcopy(v)
    t["credentialSubject"] = [
        t["credentialSubject"],
        {"id": "did:example:mallory", "type": ["AchievementSubject"]},
    ]
    c.add(
        "mc03_tamper_added_second_subject.json",
        t,
        "MC-03",
        "invalid",
        "data_model",
        "MALFORMED_VALUE_ERROR",
    )
    t = copy.deepcopy(v)
    t["credentialSubject"]["undefinedTerm"] = "IfDroppedWillVerify"
    c.add(
        "mc04_tamper_added_undefined_term.json",
        t,
        "MC-04",
        "invalid",
        "contexts",
        "DATA_LOSS_DETECTION_ERROR",
    )
    t = copy.deepcopy(v)
    t["type"].append("UndefinedType")
    c.add(
        "mc05_tamper_added_undefined_type.json",
        t,
        "MC-05",
        "invalid",
        "contexts",
        "DATA_LOSS_DETECTION_ERROR",
    )
    lax = copy.deepcopy(v_plain)
    lax["credentialSubject"]["undefinedTerm"] = "signed but dropped by RDF"
    c.add(
        "mc06_tamper_lossy_signing_lax_issuer.json",
        secure(lax),
        "MC-06",
        "invalid",
        "contexts",
        "DATA_LOSS_DETECTION_ERROR",
    )
    t = copy.deepcopy(v)
    t["@context"].append({"@base": "https://invalid.example.com/"})
    t["type"].append("UndefinedCredential")
    c.add(
        "mc07_tamper_base_injection.json", t, "MC-07", "invalid", "contexts", "CONTEXT_NOT_ALLOWED"
    )
    for label, edit in (
        ("created_changed", lambda p: p.__setitem__("created", "2026-01-16T00:00:00Z")),
        ("expires_added", lambda p: p.__setitem__("expires", "2030-01-01T00:00:00Z")),
        ("created_removed", lambda p: p.pop("created")),
        ("vm_swapped_to_attacker", lambda p: p.__setitem__("verificationMethod", ATTACKER_VM)),
    ):
        t = copy.deepcopy(v)
        edit(t["proof"][0])
        c.add(
            f"mc08_tamper_proof_{label}.json",
            t,
            "MC-08",
            "invalid",
            "proof",
            "CRYPTOGRAPHIC_SECURITY_ERROR",
        )
    t = copy.deepcopy(v)
    t["proof"][0]["proofPurpose"] = "authentication"
    c.add(
        "mc08_tamper_proof_purpose_changed.json",
        t,
        "MC-08",
        "invalid",
        "proof",
        "PROOF_VERIFICATION_ERROR",
    )
    other = secure(credential(cid="2", index=CLEAR_INDEX + 1))
    t = copy.deepcopy(v)
    t["proof"] = other["proof"]
    c.add(
        "mc08_tamper_proof_transplanted.json",
        t,
        "MC-08",
        "invalid",
        "proof",
        "CRYPTOGRAPHIC_SECURITY_ERROR",
    )
    # MC-09 differential positive controls.
    c.add(
        "mc09_control_reindented_reordered_keys.json",
        dumps(dict(reversed(list(v.items())))).replace("  ", "\t"),
        "MC-09",
        "valid",
        raw=True,
    )
    t = copy.deepcopy(rdfc_only)
    t["type"] = list(reversed(t["type"]))
    c.add("mc09_control_rdfc_type_reordered.json", t, "MC-09", "valid")
    t = copy.deepcopy(rdfc_only)
    t["credentialSubject"]["achievement"]["type"] = "Achievement"
    c.add("mc09_control_rdfc_type_as_string.json", t, "MC-09", "valid")
    t = copy.deepcopy(jcs_only)
    t["type"] = list(reversed(t["type"]))
    c.add(
        "mc09_jcs_type_reordered.json",
        t,
        "MC-09",
        "invalid",
        "proof",
        "CRYPTOGRAPHIC_SECURITY_ERROR",
    )
    t = copy.deepcopy(jcs_only)
    t["credentialSubject"]["achievement"]["type"] = "Achievement"
    c.add(
        "mc09_jcs_type_as_string.json",
        t,
        "MC-09",
        "invalid",
        "proof",
        "CRYPTOGRAPHIC_SECURITY_ERROR",
    )

    # B. Crypto ---------------------------------------------------------------------------
    pv = v["proof"][0]["proofValue"]
    c.add(
        "mc10_crypto_proofvalue_mutated.json",
        _with_proof_value(v, _flip_char(pv)),
        "MC-10",
        "invalid",
        "proof",
        "CRYPTOGRAPHIC_SECURITY_ERROR",
    )
    for label, value in (
        ("missing", _DELETE),
        ("null", None),
        ("no_header", pv[1:]),
        ("base64url_header", "u" + b64url(_sig(v))),
        ("hex_header", "f" + _sig(v).hex()),
    ):
        c.add(
            f"mc11_crypto_proofvalue_{label}.json",
            _with_proof_value(v, value),
            "MC-11",
            "invalid",
            "proof",
            "PROOF_VERIFICATION_ERROR",
        )
    for label, raw_sig in (
        ("96_bytes", _sig(v) + bytes(range(32))),
        ("63_bytes", _sig(v)[:63]),
    ):
        c.add(
            f"mc12_crypto_signature_{label}.json",
            _with_proof_value(v, "z" + b58encode(raw_sig)),
            "MC-12",
            "invalid",
            "proof",
            "PROOF_VERIFICATION_ERROR",
        )
    c.add(
        "mc12_crypto_signature_leading_zero_bytes.json",
        _with_proof_value(v, "z11" + pv[1:]),
        "MC-12",
        "invalid",
        "proof",
        "PROOF_VERIFICATION_ERROR",
    )
    c.add(
        "mc12_crypto_signature_non_alphabet_chars.json",
        _with_proof_value(v, pv[:20] + "0OIl" + pv[24:]),
        "MC-12",
        "invalid",
        "proof",
        "PROOF_VERIFICATION_ERROR",
    )
    sig = _sig(v)
    s_plus_l = (int.from_bytes(sig[32:], "little") + ED25519_L).to_bytes(32, "little")
    c.add(
        "mc13_crypto_non_canonical_s.json",
        _with_proof_value(v, "z" + b58encode(sig[:32] + s_plus_l)),
        "MC-13",
        "invalid",
        "proof",
        "CRYPTOGRAPHIC_SECURITY_ERROR",
    )
    small = credential(SMALL_ORDER_DID)
    small_vm = f"{SMALL_ORDER_DID}#{SMALL_ORDER_DID.split(':')[-1]}"
    small["proof"] = [make_proof(small, TEST_ONLY_ATTACKER_SEED, small_vm)]
    small["proof"][0]["proofValue"] = SMALL_ORDER_PROOF_VALUE
    c.add(
        "mc14_crypto_small_order_key_forgery.json",
        small,
        "MC-14",
        "invalid",
        "proof",
        "INVALID_VERIFICATION_METHOD",
    )
    pub = _public(TEST_ONLY_ATTACKER_SEED)
    for label, key_text in (
        ("x25519_codec", multikey(pub, b"\xec\x01")),
        ("p256_codec", multikey(b"\x02" + pub, b"\x80\x24")),
        ("ed25519_private_codec", multikey(pub, b"\x80\x26")),
        ("31_byte_key", multikey(pub[:31])),
        ("33_byte_key", multikey(pub + b"\x01")),
    ):
        bad_did = f"did:key:{key_text}"
        t = credential(bad_did)
        t["proof"] = [make_proof(t, TEST_ONLY_ATTACKER_SEED, f"{bad_did}#{key_text}")]
        c.add(
            f"mc15_crypto_bad_multikey_{label}.json",
            t,
            "MC-15",
            "invalid",
            "proof",
            "INVALID_VERIFICATION_METHOD",
        )
    t = credential(ATTACKER)
    t["proof"] = [
        make_proof(t, TEST_ONLY_ATTACKER_SEED, "did:key:u" + b64url(b"\xed\x01" + pub) + "#x")
    ]
    c.add(
        "mc15_crypto_bad_multikey_base64url_did.json",
        t,
        "MC-15",
        "invalid",
        "issuer_binding",
        "INVALID_VERIFICATION_METHOD",
    )
    for label, edit in (
        ("unknown_cryptosuite", lambda p: p.__setitem__("cryptosuite", "UnknownCryptosuite")),
        ("unknown_proof_type", lambda p: p.__setitem__("type", "UnknownProofType")),
        (
            "ed25519signature2018",
            lambda p: (p.__setitem__("type", "Ed25519Signature2018"), p.pop("cryptosuite")),
        ),
    ):
        t = copy.deepcopy(rdfc_only)
        edit(t["proof"][0])
        c.add(
            f"mc16_crypto_suite_{label}.json",
            t,
            "MC-16",
            "invalid",
            "proof",
            "PROOF_VERIFICATION_ERROR",
        )
    t = copy.deepcopy(rdfc_only)
    t["proof"][0]["cryptosuite"] = JCS
    c.add(
        "mc16_crypto_suite_rdfc_relabelled_jcs.json",
        t,
        "MC-16",
        "invalid",
        "proof",
        "CRYPTOGRAPHIC_SECURITY_ERROR",
    )
    t = copy.deepcopy(jcs_only)
    t["proof"][0]["cryptosuite"] = RDFC
    c.add(
        "mc16_crypto_suite_jcs_relabelled_rdfc.json",
        t,
        "MC-16",
        "invalid",
        "proof",
        "CRYPTOGRAPHIC_SECURITY_ERROR",
    )
    t = copy.deepcopy(v_plain)
    t["proof"] = [make_proof(t, TEST_ONLY_ISSUER_SEED, ISSUER_VM, suite=RDFC, signed_as=JCS)]
    c.add(
        "mc17_crypto_signed_jcs_labelled_rdfc.json",
        t,
        "MC-17",
        "invalid",
        "proof",
        "CRYPTOGRAPHIC_SECURITY_ERROR",
    )
    t = copy.deepcopy(v_plain)
    t["credentialSubject"]["achievement"]["name"] = "Data\bAnalysis\fSprint\x01\x7f"
    c.add(
        "mc18_control_rdfc_control_char_escaping.json", secure(t, suites=(RDFC,)), "MC-18", "valid"
    )
    text = dumps(v)
    for label, bad in (
        (
            "duplicate_key",
            text.replace(
                '"name": "Data Analysis Sprint",',
                '"name": "A",\n  "name": "Data Analysis Sprint",',
                1,
            ),
        ),
        ("lone_surrogate", text.replace('"Data Analysis Sprint"', '"Data \\ud800 Sprint"', 1)),
        ("nan", text.replace('"hashed": true', '"hashed": NaN', 1)),
        ("infinity", text.replace('"hashed": true', '"hashed": Infinity', 1)),
        ("huge_exponent", text.replace('"hashed": true', '"hashed": 1e400', 1)),
        ("negative_zero", text.replace('"hashed": true', '"hashed": -0', 1)),
        ("integer_above_2_53", text.replace('"hashed": true', '"hashed": 9007199254740993', 1)),
    ):
        assert bad != text, label
        c.add(
            f"mc19_crypto_not_ijson_{label}.json",
            bad,
            "MC-19",
            "invalid",
            "parse",
            "PARSING_ERROR",
            raw=True,
        )
    t = copy.deepcopy(jcs_only)
    t["proof"][0]["@context"] = [OB303, V2]
    c.add(
        "mc20_crypto_jcs_proof_context_not_prefix.json",
        t,
        "MC-20",
        "invalid",
        "proof",
        "PROOF_VERIFICATION_ERROR",
    )
    t = copy.deepcopy(v)
    t["proof"][1]["proofValue"] = _flip_char(t["proof"][1]["proofValue"])
    c.add(
        "mc21_crypto_proof_set_second_bad.json",
        t,
        "MC-21",
        "invalid",
        "proof",
        "CRYPTOGRAPHIC_SECURITY_ERROR",
    )
    t = copy.deepcopy(v_plain)
    garbage = make_proof(t, TEST_ONLY_ISSUER_SEED, ISSUER_VM)
    garbage["proofValue"] = _flip_char(garbage["proofValue"])
    t["proof"] = [garbage, make_proof(t, TEST_ONLY_ATTACKER_SEED, ATTACKER_VM)]
    c.add(
        "mc21_crypto_proof_set_bad_issuer_good_attacker.json",
        t,
        "MC-21",
        "invalid",
        "proof",
        "CRYPTOGRAPHIC_SECURITY_ERROR",
    )
    chain = copy.deepcopy(v_plain)
    first = make_proof(chain, TEST_ONLY_ISSUER_SEED, ISSUER_VM, proof_id="urn:uuid:proof-1")
    second = make_proof(
        chain,
        TEST_ONLY_ISSUER_SEED,
        ISSUER_VM,
        proof_id="urn:uuid:proof-2",
        previous="urn:uuid:proof-1",
        chained=[first],
        created="2026-01-16T00:00:00Z",
    )
    chain["proof"] = [first, second]
    c.add("mc22_control_valid_proof_chain.json", chain, "MC-22", "valid")
    for label, value in (
        ("missing_string", "urn:uuid:proof-9"),
        ("missing_in_array", ["urn:uuid:proof-9"]),
        ("not_a_string", 42),
    ):
        t = copy.deepcopy(chain)
        t["proof"][1]["previousProof"] = value
        c.add(
            f"mc22_crypto_previousproof_{label}.json",
            t,
            "MC-22",
            "invalid",
            "proof",
            "PROOF_VERIFICATION_ERROR",
        )
    t = copy.deepcopy(chain)
    t["proof"][0]["previousProof"] = "urn:uuid:proof-2"
    c.add(
        "mc22_crypto_previousproof_cycle.json",
        t,
        "MC-22",
        "invalid",
        "proof",
        "PROOF_VERIFICATION_ERROR",
    )
    c.add(
        "mc23_crypto_document_is_json_string.json",
        json.dumps(json.dumps(v)) + "\n",
        "MC-23",
        "invalid",
        "parse",
        "PARSING_ERROR",
        raw=True,
    )
    for label, value in (("null", None), ("string", "z3FXQ"), ("number", 7)):
        t = copy.deepcopy(v)
        t["proof"] = value
        c.add(f"mc23_crypto_proof_{label}.json", t, "MC-23", "invalid", "proof", "PARSING_ERROR")
    t = copy.deepcopy(v)
    del t["proof"]
    c.add("mc24_crypto_no_proof.json", t, "MC-24", "invalid", "proof", "PROOF_VERIFICATION_ERROR")
    for field in ("type", "verificationMethod", "proofPurpose"):
        t = copy.deepcopy(rdfc_only)
        del t["proof"][0][field]
        c.add(
            f"mc24_crypto_proof_without_{field.lower()}.json",
            t,
            "MC-24",
            "invalid",
            "proof",
            "PROOF_VERIFICATION_ERROR",
        )
    t = copy.deepcopy(rdfc_only)
    t["proof"][0]["verificationMethod"] = "did:key:invalidVm"
    c.add(
        "mc24_crypto_proof_invalid_vm.json",
        t,
        "MC-24",
        "invalid",
        "issuer_binding",
        "INVALID_VERIFICATION_METHOD",
    )

    # C. Identity -------------------------------------------------------------------------
    web = credential(WEB_DID)
    c.add("valid_did_web_pinned.json", secure(web, TEST_ONLY_WEB_SEED, WEB_VM), "MC-30", "valid")
    c.add(
        "mc30_identity_did_web_not_pinned.json",
        secure(web, TEST_ONLY_WEB_SEED, WEB_VM),
        "MC-30",
        "indeterminate",
        "proof",
        "INVALID_CONTROLLED_IDENTIFIER_DOCUMENT",
        defaults=False,
        options={"status_lists": defaults["status_lists"]},
    )
    c.add(
        "mc25_identity_issuer_not_key_controller.json",
        secure(web, TEST_ONLY_ATTACKER_SEED, ATTACKER_VM),
        "MC-25",
        "invalid",
        "issuer_binding",
        "INVALID_VERIFICATION_METHOD",
    )
    c.add(
        "mc25_identity_did_key_issuer_signed_by_attacker.json",
        secure(v_plain, TEST_ONLY_ATTACKER_SEED, ATTACKER_VM),
        "MC-25",
        "invalid",
        "issuer_binding",
        "INVALID_VERIFICATION_METHOD",
    )
    auth_doc = c.support(
        "school.example.authentication-only.did.json",
        web_document(relationships=("authentication",)),
    )
    c.add(
        "mc26_identity_key_only_for_authentication.json",
        secure(web, TEST_ONLY_WEB_SEED, WEB_VM),
        "MC-26",
        "invalid",
        "issuer_binding",
        "INVALID_RELATIONSHIP_FOR_VERIFICATION_METHOD",
        options={"did_documents": {WEB_DID: auth_doc}},
    )
    for purpose in ("authentication", "invalidPurpose"):
        c.add(
            f"mc26_identity_proof_purpose_{purpose.lower()}.json",
            secure(v_plain, suites=(RDFC,), purpose=purpose),
            "MC-26",
            "invalid",
            "proof",
            "PROOF_VERIFICATION_ERROR",
        )
    t = copy.deepcopy(v_plain)
    swapped_vm = f"{ISSUER}#{multikey(_public(TEST_ONLY_ATTACKER_SEED))}"
    t["proof"] = [make_proof(t, TEST_ONLY_ATTACKER_SEED, swapped_vm)]
    c.add(
        "mc27_identity_did_key_fragment_swap.json",
        t,
        "MC-27",
        "invalid",
        "issuer_binding",
        "INVALID_VERIFICATION_METHOD",
    )
    t = copy.deepcopy(v_plain)
    t["proof"] = [make_proof(t, TEST_ONLY_ISSUER_SEED, ISSUER)]
    c.add(
        "mc28_identity_vm_without_fragment.json",
        t,
        "MC-28",
        "invalid",
        "issuer_binding",
        "INVALID_VERIFICATION_METHOD",
    )
    t = copy.deepcopy(v_plain)
    t["proof"] = [make_proof(t, TEST_ONLY_ATTACKER_SEED, ISSUER_VM)]
    t["proof"][0]["verificationMethod"] = {
        "id": ISSUER_VM,
        "type": "Multikey",
        "publicKeyMultibase": multikey(pub),
    }
    c.add(
        "mc29_identity_embedded_attacker_key.json",
        t,
        "MC-29",
        "invalid",
        "proof",
        "CRYPTOGRAPHIC_SECURITY_ERROR",
    )
    signed_web = secure(web, TEST_ONLY_WEB_SEED, WEB_VM)
    for label, doc, code in (
        (
            "document_id_mismatch",
            web_document(
                doc_id="did:web:evil.example",
                vm_id="did:web:evil.example#key-1",
                controller="did:web:evil.example",
            ),
            "INVALID_CONTROLLED_IDENTIFIER_DOCUMENT_ID",
        ),
        (
            "vm_controller_other_did",
            web_document(controller="did:web:evil.example"),
            "INVALID_VERIFICATION_METHOD",
        ),
        ("bare_key_name_without_hash", web_document(vm_id="key-1"), "INVALID_VERIFICATION_METHOD"),
        (
            "key_id_reused_by_service",
            web_document(
                extra={
                    "service": [
                        {
                            "id": WEB_VM,
                            "type": "LinkedDomains",
                            "serviceEndpoint": "https://school.example/",
                        }
                    ]
                }
            ),
            "INVALID_CONTROLLED_IDENTIFIER_DOCUMENT",
        ),
    ):
        path = c.support(f"school.example.{label}.did.json", doc)
        c.add(
            f"mc30_identity_pinned_{label}.json",
            signed_web,
            "MC-30",
            "invalid",
            "issuer_binding",
            code,
            options={"did_documents": {WEB_DID: path}},
        )
    # DID Core: "#key-1" in a DID document is a relative reference to did:web:…#key-1.
    path = c.support("school.example.relative_key_ids.did.json", web_document(vm_id="#key-1"))
    c.add(
        "valid_did_web_pinned_relative_key_ids.json",
        signed_web,
        "MC-30",
        "valid",
        options={"did_documents": {WEB_DID: path}},
    )
    for label, field in (("revoked", "revoked"), ("expired", "expires")):
        path = c.support(
            f"school.example.key-{label}.did.json",
            web_document(method_extra={field: "2026-01-01T00:00:00Z"}),
        )
        c.add(
            f"mc31_identity_key_{label}_before_proof.json",
            signed_web,
            "MC-31",
            "invalid",
            "issuer_binding",
            "INVALID_VERIFICATION_METHOD",
            options={"did_documents": {WEB_DID: path}},
        )
    for label, name in (
        ("lookalike_name", "Lycée Victor Hugo"),
        ("bidi_override_name", "Example Test School\u202e (TEST ONLY)"),
    ):
        lookalike = secure(credential(ATTACKER, name=name), TEST_ONLY_ATTACKER_SEED, ATTACKER_VM)
        # It names the school's status list, which the school signed, not the attacker: the
        # status is unknown, whoever the trust file trusts (issue 8: no trusted issuer speaks
        # for another's revocations).
        c.add(
            f"mc32_identity_untrusted_{label}.json",
            lookalike,
            "MC-32",
            "indeterminate",
            "status",
            "STATUS_VERIFICATION_ERROR",
            trust="support/trust.json",
            trusted=False,
        )
    for label, created in (
        ("created_next_year", "2027-06-01T00:00:00Z"),
        ("created_invalid", "invalidDate"),
        ("created_no_timezone", "2026-01-15T00:00:00"),
    ):
        c.add(
            f"mc33_identity_proof_{label}.json",
            secure(v_plain, suites=(RDFC,), created=created),
            "MC-33",
            "invalid",
            "proof",
            "PROOF_VERIFICATION_ERROR",
        )
    c.add(
        "mc33_identity_proof_expired.json",
        secure(
            v_plain, suites=(RDFC,), transform=lambda p: {**p, "expires": "2026-02-01T00:00:00Z"}
        ),
        "MC-33",
        "invalid",
        "proof",
        "PROOF_VERIFICATION_ERROR",
    )
    c.add(
        "mc34_identity_recipient_other_person.json",
        v,
        "MC-34",
        "invalid",
        "recipient",
        "RECIPIENT_MISMATCH",
        recipient="mallory@example.com",
    )
    t = copy.deepcopy(v_plain)
    t["credentialSubject"]["identifier"][0]["identityHash"] = (
        identity_hash(RECIPIENT, SALT, "md5").upper().replace("MD5$", "md5$")
    )
    c.add(
        "mc34_control_recipient_md5_uppercase_hex.json",
        secure(t),
        "MC-34",
        "valid",
        recipient=RECIPIENT,
    )
    t = copy.deepcopy(v_plain)
    t["credentialSubject"]["identifier"][0].update({"hashed": False, "identityHash": RECIPIENT})
    del t["credentialSubject"]["identifier"][0]["salt"]
    c.add(
        "mc34_control_recipient_plaintext.json",
        secure(t),
        "MC-34",
        "valid",
        recipient=RECIPIENT.upper(),
    )
    c.add(
        "mc34_identity_recipient_plaintext_other.json",
        secure(t),
        "MC-34",
        "invalid",
        "recipient",
        "RECIPIENT_MISMATCH",
        recipient="bob@example.com",
    )

    # D. Context --------------------------------------------------------------------------
    def with_context(value: Any) -> dict[str, Any]:
        out = copy.deepcopy(v)
        if value is _DELETE:
            del out["@context"]
        else:
            out["@context"] = value
        return out

    for label, value, code in (
        ("missing", _DELETE, "MALFORMED_VALUE_ERROR"),
        ("base_not_first", [OB303, V2], "MALFORMED_VALUE_ERROR"),
        ("v1_and_v2_mixed", [V2, V1, OB303], "CONTEXT_NOT_ALLOWED"),
    ):
        c.add(
            f"mc35_context_{label}.json", with_context(value), "MC-35", "invalid", "contexts", code
        )
    for label, value, code in (
        ("space_in_url", "https ://not-a-url/contexts/example/v1", "CONTEXT_NOT_ALLOWED"),
        ("number", 123192875, "MALFORMED_VALUE_ERROR"),
        ("not_a_context", "https://example.com", "CONTEXT_NOT_ALLOWED"),
    ):
        c.add(
            f"mc36_context_garbage_{label}.json",
            with_context([V2, OB303, value]),
            "MC-36",
            "invalid",
            "contexts",
            code,
        )
    c.add(
        "mc37_context_unknown_remote.json",
        with_context([V2, OB303, "https://attacker.example/context.jsonld"]),
        "MC-37",
        "invalid",
        "contexts",
        "CONTEXT_NOT_ALLOWED",
    )
    c.add(
        "mc39_context_protected_term_redefined.json",
        with_context(
            [V2, OB303, {"VerifiableCredential": "https://example.org/#BadVerifiableCredential"}]
        ),
        "MC-39",
        "invalid",
        "contexts",
        "CONTEXT_NOT_ALLOWED",
    )
    c.add(
        "mc40_context_semantic_swap_inline.json",
        with_context([V2, OB303, {"@protected": False, "summary": "https://schema.org/name"}]),
        "MC-40",
        "invalid",
        "contexts",
        "CONTEXT_NOT_ALLOWED",
    )
    t = copy.deepcopy(v)
    t["credentialSubject"]["@context"] = {"name": "https://schema.org/description"}
    c.add(
        "mc41_context_nested_in_subject.json",
        t,
        "MC-41",
        "invalid",
        "contexts",
        "CONTEXT_NOT_ALLOWED",
    )
    t = copy.deepcopy(v)
    t["credentialSubject"]["achievement"]["@context"] = [V2]
    c.add(
        "mc41_context_nested_in_achievement.json",
        t,
        "MC-41",
        "invalid",
        "contexts",
        "CONTEXT_NOT_ALLOWED",
    )
    c.add(
        "mc42_context_type_mapped_to_non_url.json",
        with_context([V2, OB303, {"ExampleTestCredential": "https ://not-a-url#X"}]),
        "MC-42",
        "invalid",
        "contexts",
        "CONTEXT_NOT_ALLOWED",
    )
    c.add(
        "mc42_context_vocab_null.json",
        with_context([V2, OB303, {"@vocab": None}]),
        "MC-42",
        "invalid",
        "contexts",
        "CONTEXT_NOT_ALLOWED",
    )
    bomb: dict[str, Any] = {"@version": 1.1}
    for depth in range(20):
        bomb = {f"T{depth}": {"@id": f"https://example.org/T{depth}", "@context": bomb}}
    c.add(
        "mc62_resource_context_bomb_scoped.json",
        with_context([V2, OB303, bomb]),
        "MC-62",
        "invalid",
        "contexts",
        "CONTEXT_NOT_ALLOWED",
    )

    # E. Status ---------------------------------------------------------------------------
    c.add(
        "mc43_status_revoked.json",
        secure(credential(index=REVOKED_INDEX, cid="43")),
        "MC-43",
        "invalid",
        "status",
        "REVOKED",
    )
    t = credential(cid="44")
    t["credentialStatus"] = entry(SUSPENDED_INDEX, purpose="suspension", url=SUS_URL)
    c.add("mc43_status_suspended.json", secure(t), "MC-43", "invalid", "status", "SUSPENDED")
    t = credential(cid="45")
    t["credentialStatus"] = entry(REVOKED_INDEX, purpose="suspension", url=REV_URL)
    c.add(
        "mc44_status_purpose_mismatch.json",
        secure(t),
        "MC-44",
        "invalid",
        "status",
        "STATUS_VERIFICATION_ERROR",
    )
    clear = secure(credential(cid="46"))
    bad_sig = status_list(REV_URL, "revocation")
    bad_sig["proof"][0]["proofValue"] = _flip_char(bad_sig["proof"][0]["proofValue"])
    bad_sig["proof"][1]["proofValue"] = _flip_char(bad_sig["proof"][1]["proofValue"])
    for label, doc in (
        ("unsigned", status_list(REV_URL, "revocation", seed=None)),
        ("bad_signature", bad_sig),
        (
            "other_issuer",
            status_list(
                REV_URL, "revocation", issuer=OTHER, seed=TEST_ONLY_OTHER_SEED, vm=OTHER_VM
            ),
        ),
        ("no_list_type", status_list(REV_URL, "revocation", types=["VerifiableCredential"])),
        ("wrong_subject_type", status_list(REV_URL, "revocation", subject_type="StatusList2021")),
        (
            "expired",
            status_list(
                REV_URL,
                "revocation",
                valid_from="2026-01-01T00:00:00Z",
                valid_until="2026-05-15T00:00:00Z",
            ),
        ),
    ):
        path = c.support(f"revocation-1.{label}.json", doc)
        # A list signed by another issuer is not used: the status is unknown (issue 8).
        c.add(
            f"mc45_status_list_{label}.json",
            clear,
            "MC-45",
            "indeterminate" if label == "other_issuer" else "invalid",
            "status",
            "STATUS_VERIFICATION_ERROR",
            options={"status_lists": {REV_URL: path}},
        )
    c.add(
        "mc46_status_index_out_of_range.json",
        secure(credential(index=ENTRIES + 5, cid="47")),
        "MC-46",
        "invalid",
        "status",
        "RANGE_ERROR",
    )
    for n, (label, value) in enumerate(
        (
            ("negative", "-1"),
            ("leading_zeros", "007"),
            ("plus_sign", "+5"),
            ("leading_space", " 5"),
            ("underscore", "1_000"),
            ("arabic_indic_digit", "\u0663"),
            ("hex", "0x10"),
            ("exponent", "1e3"),
            ("trailing_letters", "5abc"),
            ("5000_digits", "9" * 5000),
        )
    ):
        t = credential(cid=str(100 + n))
        t["credentialStatus"]["statusListIndex"] = value
        c.add(
            f"mc47_status_index_{label}.json",
            secure(t),
            "MC-47",
            "invalid",
            "status",
            "MALFORMED_VALUE_ERROR",
        )
    t = credential(cid="120")
    t["credentialStatus"]["statusListIndex"] = CLEAR_INDEX
    c.add(
        "mc47_status_index_json_number.json",
        secure(t),
        "MC-47",
        "valid",
        warning="NONSTANDARD_VALUE",
    )
    c.add(
        "mc47_status_index_json_number_strict.json",
        secure(t),
        "MC-47",
        "invalid",
        "status",
        "NONSTANDARD_VALUE",
        strict=True,
    )
    short = c.support(
        "revocation-1.short.json",
        status_list(REV_URL, "revocation", encoded_list=encoded(entries=65_536)),
    )
    c.add(
        "mc48_status_list_too_short.json",
        clear,
        "MC-48",
        "invalid",
        "status",
        "STATUS_LIST_LENGTH_ERROR",
        options={"status_lists": {REV_URL: short}},
    )
    bits = bitstring()
    gz = gzip_stored(bits)
    for label, value in (
        ("no_u_prefix", b64url(gz)),
        ("base64_padding", "u" + b64url(gz) + "=="),
        ("plus_slash_alphabet", "u" + b64url(gz).replace("-", "+").replace("_", "/") + "+/"),
        ("zlib_not_gzip", "u" + b64url(zlib_stored(bits))),
        ("raw_deflate", "u" + b64url(_stored_deflate(bits))),
        ("truncated_gzip", "u" + b64url(gz[:-100])),
        ("trailing_bytes", "u" + b64url(gz + b"\x00\x01\x02")),
        ("two_gzip_members", "u" + b64url(gz + gzip_stored(b"\x00" * 16))),
    ):
        path = c.support(
            f"revocation-1.encoded-{label}.json",
            status_list(REV_URL, "revocation", encoded_list=value),
        )
        c.add(
            f"mc49_status_encodedlist_{label}.json",
            clear,
            "MC-49",
            "invalid",
            "status",
            "MALFORMED_VALUE_ERROR",
            options={"status_lists": {REV_URL: path}},
        )
    lsb = c.support("revocation-1.lsb-of-byte-0.json", status_list(REV_URL, "revocation", (7,)))
    c.add(
        "mc50_status_bit_order_index7_revoked.json",
        secure(credential(index=7, cid="50")),
        "MC-50",
        "invalid",
        "status",
        "REVOKED",
        options={"status_lists": {REV_URL: lsb}},
    )
    c.add(
        "mc50_status_bit_order_index0_clear.json",
        secure(credential(index=0, cid="51")),
        "MC-50",
        "valid",
        options={"status_lists": {REV_URL: lsb}},
    )
    t = credential(cid="52")
    t["credentialStatus"] = [
        entry(CLEAR_INDEX),
        entry(SUSPENDED_INDEX, purpose="suspension", url=SUS_URL),
    ]
    c.add(
        "mc51_status_clear_revocation_set_suspension.json",
        secure(t),
        "MC-51",
        "invalid",
        "status",
        "SUSPENDED",
    )
    rev2_url = "https://school.example/status/revocation-2.json"
    rev2 = c.support("revocation-2.json", status_list(rev2_url, "revocation", (CLEAR_INDEX,)))
    t = credential(cid="53")
    t["credentialStatus"] = [entry(CLEAR_INDEX), entry(CLEAR_INDEX, url=rev2_url)]
    c.add(
        "mc51_status_second_revocation_list_set.json",
        secure(t),
        "MC-51",
        "invalid",
        "status",
        "REVOKED",
        options={"status_lists": {REV_URL: rev_list, rev2_url: rev2}},
    )
    for label, edit in (
        ("id_is_list_url", lambda e: e.__setitem__("id", REV_URL)),
        ("status_size_zero", lambda e: e.__setitem__("statusSize", 0)),
        ("status_size_2_without_messages", lambda e: e.__setitem__("statusSize", 2)),
        (
            "message_count_wrong",
            lambda e: e.update(
                {
                    "statusSize": 2,
                    "statusMessage": [
                        {"status": "0x0", "message": "ok"},
                        {"status": "0x1", "message": "revoked"},
                    ],
                }
            ),
        ),
    ):
        t = credential(cid=str(60 + len(c.cases)))
        edit(t["credentialStatus"])
        c.add(
            f"mc52_status_entry_{label}.json",
            secure(t),
            "MC-52",
            "invalid",
            "status",
            "MALFORMED_VALUE_ERROR",
        )
    t = credential(cid="70")
    t["@context"].append("https://purl.imsglobal.org/spec/ob/v3p0/extensions.json")
    t["credentialStatus"] = {
        "id": "https://school.example/revocations",
        "type": "1EdTechRevocationList",
    }
    c.add(
        "mc53_status_unsupported_type_1edtech_revocation_list.json",
        secure(t),
        "MC-53",
        "indeterminate",
        "status",
        "STATUS_RETRIEVAL_ERROR",
    )
    for label, status_type in (("statuslist2021", "StatusList2021Entry"), ("foo", "Foo")):
        # Types no pinned context defines: their terms would be dropped from the signature, so
        # the credential is refused before status is even looked at (never "not revoked").
        t = credential(cid=str(70 + len(c.cases)))
        t["credentialStatus"]["type"] = status_type
        c.add(
            f"mc53_status_unsupported_type_{label}.json",
            secure(t),
            "MC-53",
            "invalid",
            "contexts",
            "DATA_LOSS_DETECTION_ERROR",
        )
    c.add(
        "mc53_status_no_snapshot.json",
        v,
        "MC-53",
        "indeterminate",
        "status",
        "STATUS_RETRIEVAL_ERROR",
        defaults=False,
    )
    stale = c.support(
        "revocation-1.stale-ttl.json",
        status_list(REV_URL, "revocation", valid_until=None, ttl=86_400_000),
    )
    c.add(
        "mc53_status_snapshot_stale.json",
        v,
        "MC-53",
        "valid",
        warning="STATUS_LIST_STALE",
        options={"status_lists": {REV_URL: stale}},
    )
    c.add(
        "mc53_status_snapshot_stale_strict.json",
        v,
        "MC-53",
        "invalid",
        "status",
        "STATUS_LIST_STALE",
        strict=True,
        options={"status_lists": {REV_URL: stale}},
    )

    # F. Schema / data model --------------------------------------------------------------
    def mutated(edit: Callable[[dict[str, Any]], Any]) -> dict[str, Any]:
        out = copy.deepcopy(v)
        edit(out)
        return out

    for label, edit in (
        ("type_missing", lambda d: d.pop("type")),
        (
            "type_without_verifiablecredential",
            lambda d: d.__setitem__("type", ["OpenBadgeCredential"]),
        ),
        ("issuer_missing", lambda d: d.pop("issuer")),
        ("issuer_not_url", lambda d: d.__setitem__("issuer", "fake-issuer")),
        ("issuer_null", lambda d: d.__setitem__("issuer", None)),
        ("issuer_id_null", lambda d: d["issuer"].__setitem__("id", None)),
        ("issuer_id_not_url", lambda d: d["issuer"].__setitem__("id", "not a url")),
        ("subject_missing", lambda d: d.pop("credentialSubject")),
        ("subject_empty", lambda d: d.__setitem__("credentialSubject", {})),
        (
            "subject_array_with_empty",
            lambda d: d.__setitem__("credentialSubject", [d["credentialSubject"], {}]),
        ),
        ("id_null", lambda d: d.__setitem__("id", None)),
        ("id_multiple", lambda d: d.__setitem__("id", ["urn:uuid:1", "urn:uuid:2"])),
        ("id_not_url", lambda d: d.__setitem__("id", "not a url")),
        ("status_without_type", lambda d: d["credentialStatus"].pop("type")),
        (
            "schema_without_id",
            lambda d: d.__setitem__(
                "credentialSchema", [{"type": "1EdTechJsonSchemaValidator2019"}]
            ),
        ),
        (
            "schema_numeric_id",
            lambda d: d.__setitem__(
                "credentialSchema", [{"id": 3, "type": "1EdTechJsonSchemaValidator2019"}]
            ),
        ),
        (
            "evidence_without_type",
            lambda d: d.__setitem__("evidence", [{"id": "https://school.example/evidence/1"}]),
        ),
    ):
        c.add(
            f"mc54_schema_{label}.json",
            mutated(edit),
            "MC-54",
            "invalid",
            "data_model",
            "MALFORMED_VALUE_ERROR",
        )
    c.add(
        "mc54_schema_nonconforming_document.json",
        {"type": ["NonconformingDocument"]},
        "MC-54",
        "invalid",
        "data_model",
        "MALFORMED_VALUE_ERROR",
    )
    for label, value in (
        ("validfrom_human_text", "Sat 25 Feb 2023 07:16:31 PM CST"),
        ("validfrom_rfc2822", "Sun, 26 Feb 2023 01:22:14 +0000"),
        ("validfrom_no_timezone", "2026-01-15T00:00:00"),
        ("validfrom_lowercase_z", "2026-01-15T00:00:00z"),
        ("validfrom_date_only", "2026-01-15"),
    ):
        c.add(
            f"mc55_schema_{label}.json",
            mutated(lambda d, x=value: d.__setitem__("validFrom", x)),
            "MC-55",
            "invalid",
            "data_model",
            "MALFORMED_VALUE_ERROR",
        )
    c.add(
        "mc55_schema_validfrom_after_validuntil.json",
        mutated(lambda d: d.__setitem__("validFrom", "2032-01-01T00:00:00Z")),
        "MC-55",
        "invalid",
        "data_model",
        "MALFORMED_VALUE_ERROR",
    )
    t = credential(cid="55")
    t["validFrom"] = "2026-07-01T00:00:00Z"
    c.add(
        "mc55_schema_not_yet_valid.json",
        secure(t),
        "MC-55",
        "invalid",
        "validity_period",
        "NOT_YET_VALID",
    )
    t = credential(cid="56")
    t["validFrom"], t["validUntil"] = "2025-01-01T00:00:00Z", "2026-05-31T23:00:00Z"
    c.add("mc55_schema_expired.json", secure(t), "MC-55", "invalid", "validity_period", "EXPIRED")
    t = credential(cid="57")
    t["validFrom"], t["validUntil"] = "2025-01-01T00:00:00Z", "2026-05-31T23:57:00Z"
    c.add("mc55_control_expired_within_skew.json", secure(t), "MC-55", "valid")
    c.add(
        "mc56_schema_language_value_extra_key.json",
        mutated(
            lambda d: d.__setitem__(
                "name",
                {"@value": "Data Analysis Sprint", "@language": "en", "url": "https://example.org"},
            )
        ),
        "MC-56",
        "invalid",
        "data_model",
        "MALFORMED_VALUE_ERROR",
    )
    c.add(
        "mc57_schema_type_without_openbadgecredential.json",
        mutated(lambda d: d.__setitem__("type", ["VerifiableCredential"])),
        "MC-57",
        "invalid",
        "data_model",
        "MALFORMED_VALUE_ERROR",
    )
    t = copy.deepcopy(v_plain)
    del t["credentialSubject"]["identifier"]
    c.add(
        "mc57_schema_subject_without_id_or_identifier.json",
        secure(t),
        "MC-57",
        "valid",
        warning="RECIPIENT_NOT_IDENTIFIED",
    )
    c.add(
        "mc57_schema_subject_without_id_or_identifier_strict.json",
        secure(t),
        "MC-57",
        "invalid",
        "data_model",
        "RECIPIENT_NOT_IDENTIFIED",
        strict=True,
    )
    c.add(
        "mc57_schema_achievement_without_id.json",
        mutated(lambda d: d["credentialSubject"]["achievement"].pop("id")),
        "MC-57",
        "invalid",
        "data_model",
        "MALFORMED_VALUE_ERROR",
    )
    c.add(
        "mc57_schema_achievement_without_criteria.json",
        mutated(lambda d: d["credentialSubject"]["achievement"].pop("criteria")),
        "MC-57",
        "invalid",
        "data_model",
        "MALFORMED_VALUE_ERROR",
    )
    t = copy.deepcopy(v_plain)
    t["credentialSchema"] = [{"id": "https://attacker.example/schema.json", "type": "JsonSchema"}]
    c.add(
        "mc57_schema_attacker_schema_never_fetched.json",
        secure(t),
        "MC-57",
        "valid",
        warning="SCHEMA_NOT_CHECKED",
    )
    c.add(
        "mc57_schema_attacker_schema_never_fetched_strict.json",
        secure(t),
        "MC-57",
        "invalid",
        "data_model",
        "SCHEMA_NOT_CHECKED",
        strict=True,
    )
    t = copy.deepcopy(v_plain)
    t["credentialSchema"] = [
        {
            "id": "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json",
            "type": "JsonSchema",
        }
    ]
    t["credentialSubject"]["achievement"]["achievementType"] = "Program"
    c.add(
        "mc57_schema_fails_ob_json_schema.json",
        secure(t),
        "MC-57",
        "invalid",
        "data_model",
        "MALFORMED_VALUE_ERROR",
        needs_schemas=True,
    )
    for label, value in (
        ("no_digest", [{"id": "https://school.example/badge.png"}]),
        (
            "duplicate_ids",
            [
                {"id": "https://school.example/a", "digestSRI": "sha384-x"},
                {"id": "https://school.example/a", "digestSRI": "sha384-y"},
            ],
        ),
        ("array_of_strings", ["https://school.example/a"]),
    ):
        c.add(
            f"mc58_schema_related_resource_{label}.json",
            mutated(lambda d, x=value: d.__setitem__("relatedResource", x)),
            "MC-58",
            "invalid",
            "data_model",
            "MALFORMED_VALUE_ERROR",
        )

    # G. Resource exhaustion ---------------------------------------------------------------
    t = copy.deepcopy(v)
    nodes = [f"_:b{i}" for i in range(10)]
    clique = [
        {"id": node, "type": ["Profile"], "parentOrg": [o for o in nodes if o != node]}
        for node in nodes
    ]
    t["credentialSubject"]["source"] = {"id": "_:root", "type": ["Profile"], "parentOrg": clique}
    c.add(
        "mc59_resource_rdfc_poison_clique.json",
        t,
        "MC-59",
        "invalid",
        "proof",
        "RESOURCE_LIMIT_ERROR",
    )
    c.add(
        "mc61_resource_nesting_20000_deep.json",
        "[" * 20_000 + "]" * 20_000,
        "MC-61",
        "invalid",
        "parse",
        "PARSING_ERROR",
        raw=True,
    )
    t = copy.deepcopy(v)
    t["proof"] = [{"type": "DataIntegrityProof"}] * 1000
    c.add("mc61_resource_1000_proofs.json", t, "MC-61", "invalid", "parse", "MALFORMED_VALUE_ERROR")
    t = credential(cid="61")
    t["credentialStatus"] = [entry(i) for i in range(100)]
    c.add(
        "mc61_resource_100_status_entries.json",
        secure(t, suites=(JCS,)),
        "MC-61",
        "invalid",
        "parse",
        "MALFORMED_VALUE_ERROR",
    )
    t = copy.deepcopy(v)
    t["credentialSubject"]["achievement"]["tag"] = [f"tag-{i}" for i in range(300)]
    c.add(
        "mc61_resource_300_item_array.json", t, "MC-61", "invalid", "parse", "MALFORMED_VALUE_ERROR"
    )
    c.add(
        "mc61_resource_5000_digit_number.json",
        text.replace('"hashed": true', '"hashed": ' + "9" * 5000, 1),
        "MC-61",
        "invalid",
        "parse",
        "PARSING_ERROR",
        raw=True,
    )

    # H. Hostile containers and versions (MC-68) --------------------------------------------
    v_text = json.dumps(v, ensure_ascii=False)
    c.add("mc68_control_baked.png", png_with([itxt(v_text)]), "MC-68", "valid", raw=True)
    c.add(
        "mc68_container_png_two_credential_chunks.png",
        png_with([itxt(v_text), itxt(json.dumps(other))]),
        "MC-68",
        "invalid",
        "parse",
        "PARSING_ERROR",
        raw=True,
    )
    c.add(
        "mc68_control_baked.svg",
        svg_with(f"<openbadges:credential><![CDATA[{v_text}]]></openbadges:credential>"),
        "MC-68",
        "valid",
        raw=True,
    )
    c.add(
        "mc68_container_svg_script_is_ignored.svg",
        svg_with(
            f"<openbadges:credential><![CDATA[{v_text}]]></openbadges:credential><script>alert(1)</script>"
        ),
        "MC-68",
        "valid",
        raw=True,
    )
    entities = (
        '<!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>\n'
    )
    c.add(
        "mc68_container_svg_entity_expansion.svg",
        svg_with("<openbadges:credential>&b;</openbadges:credential>", entities),
        "MC-68",
        "invalid",
        "parse",
        "PARSING_ERROR",
        raw=True,
    )
    xxe = '<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
    c.add(
        "mc68_container_svg_external_entity.svg",
        svg_with("<openbadges:credential>&x;</openbadges:credential>", xxe),
        "MC-68",
        "invalid",
        "parse",
        "PARSING_ERROR",
        raw=True,
    )
    v1 = copy.deepcopy(v_plain)
    v1["@context"] = [V1, OB303, DI_V2]
    v1["issuanceDate"] = v1.pop("validFrom")
    v1["expirationDate"] = v1.pop("validUntil")
    del v1["credentialStatus"]  # BitstringStatusListEntry is not a VC 1.1 term
    c.add(
        "mc68_version_vcdm11_verified_with_v1_rules.json",
        secure(v1, suites=(RDFC,)),
        "MC-68",
        "valid",
        warning="LEGACY_DATA_MODEL",
    )
    v1x = copy.deepcopy(v1)
    v1x["issuanceDate"], v1x["expirationDate"] = "2025-01-01T00:00:00Z", "2026-01-01T00:00:00Z"
    c.add(
        "mc68_version_vcdm11_expired.json",
        secure(v1x, suites=(RDFC,)),
        "MC-68",
        "invalid",
        "validity_period",
        "EXPIRED",
    )
    c.add(
        "mc68_version_enveloped_credential.json",
        {
            "@context": [V2],
            "id": "data:application/vc+jwt,eyJhbGciOiJFUzI1NiJ9.e30.AAAA",
            "type": "EnvelopedVerifiableCredential",
        },
        "MC-68",
        "invalid",
        "data_model",
        "MALFORMED_VALUE_ERROR",
    )
    c.add(
        "mc68_version_vc_jwt.jwt",
        "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJkaWQ6ZXhhbXBsZSJ9.c2lnbmF0dXJl\n",
        "MC-68",
        "invalid",
        "parse",
        "PARSING_ERROR",
        raw=True,
    )
    return c


NOT_IN_CORPUS = {
    "MC-38": "an altered pinned context needs a tampered copy of microcred's context folder: "
    "test_mc38_altered_pinned_context builds one at run time",
    "MC-60": "a gzip bomb is generated at run time (test_mc60_status_list_gzip_bomb) rather than "
    "committed; its compressed form depends on the zlib version",
    "MC-61": "the 50 MB file, the 10**6-element array, 200,000-deep nesting and 1,000 status "
    "entries are generated at run time (test_mc61_runtime_bombs); smaller ones are in the corpus",
    "MC-63": "site builder only: Markdown/HTML rendering, not verification (tests/site)",
    "MC-64": "site builder only: rendering signed-but-hostile content (tests/site)",
    "MC-65": "site builder only (display); verify's side, escaping bidi and control characters "
    "in names it prints, is tested by test_mc65_names_are_printed_escaped",
    "MC-66": "site builder only: output paths from front matter (tests/site, tests/records)",
    "MC-67": "import/registry only: cache paths from identifiers; verify keeps no cache",
    "MC-68c": "records only: YAML front matter (tests/records); a compressed-iTXt bomb is "
    "generated at run time (test_mc68_compressed_itxt_bomb)",
}


def expectations(corpus: Corpus) -> dict[str, Any]:
    return {
        "description": "Expected verdict for every file of the adversarial corpus. 'check' and "
        "'code' are the first check with the outcome matching 'result' (failed for invalid, "
        "indeterminate for indeterminate; for a valid credential only when a check that does "
        "not change the result, issuer_trust, fails) and its first problem code. Regenerate "
        "with: python3 tests/adversarial/generate.py",
        "at": AT,
        "defaults": {
            "status_lists": {
                REV_URL: "support/revocation-1.json",
                SUS_URL: "support/suspension-1.json",
                WEB_REV_URL: "support/web-revocation-1.json",
            },
            "did_documents": {WEB_DID: "support/school.example.did.json"},
        },
        "not_in_corpus": NOT_IN_CORPUS,
        "cases": dict(sorted(corpus.cases.items())),
    }


def render() -> dict[str, bytes]:
    corpus = build()
    files = dict(corpus.files)
    files["expectations.json"] = dumps(expectations(corpus)).encode("utf-8")
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    parser.add_argument("--out", type=Path, default=CORPUS)
    args = parser.parse_args(argv)
    files = render()
    if args.check:
        existing = {
            str(p.relative_to(args.out)): p.read_bytes() for p in args.out.rglob("*") if p.is_file()
        }
        if existing != files:
            changed = sorted(set(existing) ^ set(files)) + sorted(
                k for k in set(existing) & set(files) if existing[k] != files[k]
            )
            print("corpus differs from the generator:", ", ".join(changed[:10]), file=sys.stderr)
            return 1
        return 0
    if args.out.exists():
        for old in sorted(args.out.rglob("*"), reverse=True):
            if old.is_file():
                old.unlink()
            elif old.is_dir():
                old.rmdir()
    for name, data in files.items():
        path = args.out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    print(f"wrote {len(files)} files to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
