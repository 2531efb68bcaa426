"""Verification keys of every kind microcred verifies with (it signs with Ed25519 only).

* Ed25519: Multikey ``z6Mk…`` (0xed01), ``Ed25519VerificationKey2020`` (the same),
  ``Ed25519VerificationKey2018`` (``publicKeyBase58``), JWK ``OKP``/``Ed25519``;
* ECDSA P-256 / P-384: Multikey ``zDn…`` (0x1200) / ``z82…`` (0x1201), compressed SEC1 points,
  and JWK ``EC``;
* RSA (VC-JWT ``RS256`` only): JWK ``RSA`` with at least 2048 bits.

Keys published with secret material are refused (the key is compromised). Every decoder is
strict: a point must be on its curve, lengths must be exact. Verification never raises for a
bad signature; it returns False.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes

from microcred._util import loads_strict
from microcred.errors import MicrocredError, ProofError
from microcred.proof.didkey import resolve_did_key
from microcred.proof.keys import check_public_key, public_key_from_multikey, verify_ed25519
from microcred.proof.multibase import b58decode, b64url_decode, multibase_encode_b58

# RSA, DER serialization and DSS encoding are imported where used: most credentials are
# Ed25519, and these cost a one-file verify ~8 ms of start-up.
KeyKind = Literal["Ed25519", "P-256", "P-384", "RSA"]
P256_HEADER = b"\x80\x24"  # varint(0x1200), multicodec p256-pub (compressed point)
P384_HEADER = b"\x81\x24"  # varint(0x1201), multicodec p384-pub (compressed point)
_EC = {"P-256": (32, P256_HEADER), "P-384": (48, P384_HEADER)}  # coordinate size, header


def _curve(kind: str) -> Any:
    """The curve object, imported only when a P-256/P-384 key is met (not at start-up)."""
    from cryptography.hazmat.primitives.asymmetric import ec

    return {"P-256": ec.SECP256R1, "P-384": ec.SECP384R1}[kind]()


METHOD_TYPES: Mapping[str, tuple[str, ...]] = {
    "Multikey": ("publicKeyMultibase",),
    "Ed25519VerificationKey2020": ("publicKeyMultibase", "publicKeyJwk"),
    "Ed25519VerificationKey2018": ("publicKeyBase58", "publicKeyJwk"),
    "JsonWebKey2020": ("publicKeyJwk",),
    "JsonWebKey": ("publicKeyJwk",),
    "EcdsaSecp256r1VerificationKey2019": ("publicKeyMultibase", "publicKeyJwk"),
}
"""Verification method type -> the properties that may carry its key. CID 1.0 defines Multikey
with publicKeyMultibase and JsonWebKey with publicKeyJwk only; the older named types are
published with a JWK too (DID Core lets any method carry publicKeyJwk, and Digital Bazaar's
verifiers read it), so they may, as long as the key is of the type's kind (below)."""
_TYPE_KINDS: Mapping[str, tuple[KeyKind, ...]] = {
    "Ed25519VerificationKey2020": ("Ed25519",),
    "Ed25519VerificationKey2018": ("Ed25519",),
    "EcdsaSecp256r1VerificationKey2019": ("P-256",),
}
_SECRET_JWK_MEMBERS = ("d", "p", "q", "dp", "dq", "qi", "k")
# member names only: a verification method that carries one publishes its secret key
_SECRET_METHOD_MEMBERS = (
    "secretKeyMultibase",
    "privateKeyMultibase",
    "privateKeyBase58",
    "privateKeyJwk",
)
MIN_RSA_BITS = 2048


def _invalid(message: str) -> ProofError:
    return ProofError(message, code="INVALID_VERIFICATION_METHOD")


@dataclass(frozen=True)
class PublicKey:
    """``data``: 32 raw bytes (Ed25519), a SEC1 point (P-256/P-384), DER SPKI (RSA)."""

    kind: KeyKind
    data: bytes


def _ec_point(kind: KeyKind, point: bytes, shown: str) -> PublicKey:
    from cryptography.hazmat.primitives.asymmetric import ec

    size, _ = _EC[kind]
    if len(point) not in (size + 1, 2 * size + 1):
        raise _invalid(f"{shown}: invalidPublicKeyLength: a {kind} point is {size + 1} bytes")
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(_curve(kind), point)
    except ValueError:
        raise _invalid(f"{shown}: invalidPublicKey: not a point on {kind}") from None
    return PublicKey(kind, bytes(point))


def key_from_multikey(value: Any) -> PublicKey:
    """A Multikey ``publicKeyMultibase``: Ed25519 (strict, as keys.py), P-256 or P-384."""
    if isinstance(value, str) and value.startswith("z6Mk"):
        return PublicKey("Ed25519", public_key_from_multikey(value))
    if not isinstance(value, str) or not value.startswith("z"):
        return PublicKey("Ed25519", public_key_from_multikey(value))  # its errors name the rule
    shown = value if len(value) <= 60 else value[:57] + "..."
    try:
        raw = b58decode(value[1:], max_length=200)
    except MicrocredError as exc:
        raise _invalid(f"publicKeyMultibase {shown!r}: invalidPublicKey: {exc.message}") from None
    for kind in ("P-256", "P-384"):
        header = _EC[kind][1]
        if raw.startswith(header):
            return _ec_point(kind, raw[len(header) :], f"publicKeyMultibase {shown!r}")
    if len(raw) == 32:
        # Early drafts of Ed25519VerificationKey2020 (and some did:web documents still online)
        # wrote the bare key; the published suite and Multikey require the 0xed01 header.
        raise _invalid(
            f"publicKeyMultibase {shown!r}: invalidPublicKey: 32 bytes without a multicodec "
            "header (an early-draft form); an Ed25519 key is published with the header 0xed01, "
            "so it starts with z6Mk: ask the issuer to republish its document"
        )
    return PublicKey("Ed25519", public_key_from_multikey(value))


def _jwk_part(jwk: Mapping[str, Any], name: str) -> bytes:
    value = jwk.get(name)
    if not isinstance(value, str) or not value:
        raise _invalid(f"publicKeyJwk has no '{name}'")
    try:
        return b64url_decode(value)
    except MicrocredError as exc:
        raise _invalid(f"publicKeyJwk '{name}': {exc.message}") from None


def key_from_jwk(jwk: Any) -> PublicKey:
    """A public JWK (RFC 7517/8037): OKP Ed25519, EC P-256/P-384, RSA (>= 2048 bits)."""
    if not isinstance(jwk, Mapping):
        raise _invalid("publicKeyJwk must be a JSON object")
    leaked = [m for m in _SECRET_JWK_MEMBERS if m in jwk]
    if leaked:
        raise _invalid(
            f"the JWK publishes secret key material ({', '.join(leaked)}); the key is compromised"
        )
    kty, crv = jwk.get("kty"), jwk.get("crv")
    if kty == "OKP" and crv == "Ed25519":
        return PublicKey("Ed25519", check_public_key(_jwk_part(jwk, "x"), what="JWK x"))
    if kty == "EC" and crv in _EC:
        size = _EC[crv][0]
        x, y = _jwk_part(jwk, "x"), _jwk_part(jwk, "y")
        if len(x) != size or len(y) != size:
            raise _invalid(f"publicKeyJwk: {crv} coordinates are {size} bytes each")
        return _ec_point(crv, b"\x04" + x + y, "publicKeyJwk")
    if kty == "RSA":
        n = int.from_bytes(_jwk_part(jwk, "n"), "big")
        e = int.from_bytes(_jwk_part(jwk, "e"), "big")
        if n.bit_length() < MIN_RSA_BITS or e < 3 or e % 2 == 0:
            raise _invalid(f"publicKeyJwk: RSA keys need at least {MIN_RSA_BITS} bits")
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa

        spki = (
            rsa.RSAPublicNumbers(e, n)
            .public_key()
            .public_bytes(
                serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        )
        return PublicKey("RSA", spki)
    raise _invalid(
        f"publicKeyJwk kty {kty!r} crv {crv!r} is not supported (OKP Ed25519, EC P-256/P-384, RSA)"
    )


def key_from_method(method: Mapping[str, Any], vm_id: str = "") -> PublicKey:
    """The key of a verification method, by the property that carries it."""
    shown = vm_id or str(method.get("id"))
    leaked = [n for n in _SECRET_METHOD_MEMBERS if n in method]
    if leaked:
        raise _invalid(
            f"{shown} publishes secret key material ({', '.join(leaked)}); the key is compromised"
        )
    kind = method.get("type")
    if not isinstance(kind, str) or kind not in METHOD_TYPES:
        raise _invalid(f"{shown} has type {kind!r}; supported: {', '.join(sorted(METHOD_TYPES))}")
    carriers = [n for n in ("publicKeyMultibase", "publicKeyBase58", "publicKeyJwk") if n in method]
    if not carriers:
        raise _invalid(f"{shown} has no {' or '.join(METHOD_TYPES[kind])}: it carries no key")
    if len(carriers) != 1 or carriers[0] not in METHOD_TYPES[kind]:
        raise _invalid(
            f"{shown}: a {kind} verification method carries its key in "
            f"{' or '.join(METHOD_TYPES[kind])} (and nothing else); its type and key disagree"
        )
    key = _method_material(method, carriers[0], shown)
    kinds = _TYPE_KINDS.get(kind)
    if kinds is not None and key.kind not in kinds:
        raise _invalid(
            f"{shown}: a {kind} verification method holds a {key.kind} key; its type and key "
            "disagree (use Multikey or JsonWebKey for other key kinds)"
        )
    return key


def _method_material(method: Mapping[str, Any], carrier: str, shown: str) -> PublicKey:
    try:
        if carrier == "publicKeyJwk":
            return key_from_jwk(method["publicKeyJwk"])
        if carrier == "publicKeyBase58":
            value = method["publicKeyBase58"]
            if not isinstance(value, str):
                raise _invalid("publicKeyBase58 must be a string")
            raw = b58decode(value, max_length=100)
            if len(raw) != 32:
                raise _invalid(f"publicKeyBase58 is {len(raw)} bytes; an Ed25519 key is 32")
            return PublicKey("Ed25519", check_public_key(raw, what="publicKeyBase58"))
        return key_from_multikey(method["publicKeyMultibase"])
    except ProofError as exc:
        raise _invalid(f"{shown}: {exc.message}") from None
    except MicrocredError as exc:
        raise _invalid(f"{shown}: invalidPublicKey: {exc.message}") from None


def key_named_by(vm: object) -> PublicKey | None:
    """The key a verification method's own text spells out (``…#z6Mk…``, ``…#zDn…``, a bare
    ``did:key``), or None. Never trusted as an issuer's key: only a way to tell a changed
    document apart from an unverifiable one."""
    if not isinstance(vm, str):
        return None
    text = vm.split("#", 1)[1] if "#" in vm else vm.removeprefix("did:key:")
    if not text.startswith(("z6Mk", "zDn", "z82")):
        return None
    try:
        return key_from_multikey(text)
    except MicrocredError:
        return None


SELF_CERTIFYING = ("did:key:", "did:jwk:")
"""DID methods whose document is derived from the identifier itself (no lookup, no network)."""


def resolve_did_jwk(did: str) -> dict[str, Any]:
    """did:jwk: the DID is ``did:jwk:`` + base64url(JSON of one public JWK); its one key is
    ``#0``, usable for every relationship (did:jwk method specification)."""
    try:
        jwk = loads_strict(b64url_decode(did[len("did:jwk:") :]), max_bytes=10_000)
    except (MicrocredError, ValueError):
        raise _invalid(f"{did}: invalidDid: not base64url of a JSON Web Key") from None
    key_from_jwk(jwk)
    vm_id = f"{did}#0"
    document: dict[str, Any] = {
        "@context": [
            "https://www.w3.org/ns/did/v1",
            "https://w3id.org/security/suites/jws-2020/v1",
        ],
        "id": did,
        "verificationMethod": [
            {"id": vm_id, "type": "JsonWebKey2020", "controller": did, "publicKeyJwk": jwk}
        ],
    }
    for relationship in ("authentication", "assertionMethod", "capabilityInvocation"):
        document[relationship] = [vm_id]
    return document


def resolve_any_did_key(did: str) -> dict[str, Any]:
    """did:key document for Ed25519 (didkey.py) or a P-256/P-384 Multikey (``zDn…``/``z82…``)."""
    if did.startswith("did:jwk:"):
        return resolve_did_jwk(did)
    body = did[len("did:key:") :] if did.startswith("did:key:") else ""
    if body.startswith(("zDn", "z82")) and "#" not in did and ":" not in body:
        key = key_from_multikey(body)
        vm_id = f"{did}#{body}"
        document: dict[str, Any] = {
            "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
            "id": did,
            "verificationMethod": [
                {"id": vm_id, "type": "Multikey", "controller": did, "publicKeyMultibase": body}
            ],
        }
        if multibase_encode_b58(_EC[key.kind][1] + key.data) != body:
            raise _invalid(f"{did}: invalidPublicKey: the key is not in its canonical form")
        for relationship in ("authentication", "assertionMethod", "capabilityInvocation"):
            document[relationship] = [vm_id]
        return document
    return resolve_did_key(did)


def _hash_for(kind: KeyKind) -> hashes.HashAlgorithm:
    return hashes.SHA384() if kind == "P-384" else hashes.SHA256()


def verify_ecdsa_raw(key: PublicKey, signature: bytes, message: bytes) -> bool:
    """ECDSA over ``message`` (hashed with SHA-256 for P-256, SHA-384 for P-384); the signature
    is the IEEE P1363 form r || s that JOSE and the Data Integrity ECDSA suites use."""
    if key.kind not in _EC:
        return False
    from cryptography.hazmat.primitives.asymmetric import ec

    size, _ = _EC[key.kind]
    curve = _curve(key.kind)
    if len(signature) != 2 * size:
        return False
    r = int.from_bytes(signature[:size], "big")
    s = int.from_bytes(signature[size:], "big")
    if r == 0 or s == 0:
        return False
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

    public = ec.EllipticCurvePublicKey.from_encoded_point(curve, key.data)
    try:
        public.verify(encode_dss_signature(r, s), message, ec.ECDSA(_hash_for(key.kind)))
    except InvalidSignature:
        return False
    return True


def verify_rs256(key: PublicKey, signature: bytes, message: bytes) -> bool:
    if key.kind != "RSA":
        return False
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    public = serialization.load_der_public_key(key.data)
    if not isinstance(public, rsa.RSAPublicKey):
        return False
    try:
        public.verify(signature, message, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        return False
    return True


def verify_with(key: PublicKey, signature: bytes, message: bytes) -> bool:
    """Verify with the scheme the key's kind implies (Ed25519, ECDSA P1363, RSA PKCS#1 v1.5)."""
    if key.kind == "Ed25519":
        return verify_ed25519(key.data, signature, message)
    if key.kind == "RSA":
        return verify_rs256(key, signature, message)
    return verify_ecdsa_raw(key, signature, message)
