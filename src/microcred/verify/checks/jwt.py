"""VC-JWT (OB 3.0 section 8.2, VC-JOSE-COSE): the credential inside a compact JWS.

``parse`` opens the JWT and hands every later check the credential it carries:

* the OB 3.0 / VC-JWT 1.1 form, a ``vc`` claim, with the registered claims mapped as OB 3.0
  section 8.2 says: ``iss`` -> ``issuer`` (its ``id``), ``jti`` -> ``id``, ``sub`` ->
  ``credentialSubject.id``, ``nbf`` -> ``validFrom`` (``issuanceDate`` in VC 1.1), ``exp`` ->
  ``validUntil`` (``expirationDate``). A claim fills a property the credential lacks; when both
  are present they must agree, or the credential is malformed;
* the VC-JOSE-COSE form, the credential itself as the payload (JWT claims beside it).

``proof`` then checks the JWS signature with a key microcred can vouch for: the issuer's pinned
DID / controller document (``kid`` names the method; without ``kid`` every assertion key of the
issuer's document is tried) or a JWK the user gave with ``--jwk``. A key in the JWT header
(``jwk``) is never enough: anyone can sign with their own key.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from microcred.errors import MicrocredError
from microcred.jsonld.strictjson import loads_strict
from microcred.proof.jwt import ALGORITHMS, CompactJws, parse_compact, verify_compact
from microcred.proof.pubkeys import (
    SELF_CERTIFYING,
    PublicKey,
    key_from_jwk,
    key_named_by,
    resolve_any_did_key,
)
from microcred.proof.resolve import method_key, resolve_verification_method
from microcred.proof.timestamps import format_datetimestamp, parse_datetimestamp
from microcred.verify.checks.parse import OB2_HINT, is_ob2
from microcred.verify.context import Ctx, ProofState, ResolvedKey, issuer_id, result, types_of
from microcred.verify.report import (
    CRYPTOGRAPHIC_SECURITY_ERROR,
    INVALID_CONTROLLED_IDENTIFIER_DOCUMENT,
    MALFORMED_VALUE_ERROR,
    PARSING_ERROR,
    UNSUPPORTED_FORMAT,
    UNSUPPORTED_VERSION,
    CheckResult,
    Finding,
)

REGISTERED = ("iss", "sub", "aud", "exp", "nbf", "iat", "jti", "cnf")


@dataclass
class JwtState:
    jws: CompactJws
    form: str  # "vc claim" or "JOSE-COSE payload"


def _stamp(value: Any, claim: str) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"the {claim} claim must be a NumericDate (seconds since 1970)")
    try:
        return format_datetimestamp(datetime.fromtimestamp(int(value), UTC))
    except (OverflowError, OSError, ValueError):
        raise ValueError(f"the {claim} claim {value!r} is not a representable date") from None


def _same_instant(a: str, b: Any) -> bool:
    try:
        left = parse_datetimestamp(a).replace(microsecond=0)
        right = parse_datetimestamp(b).replace(microsecond=0)
    except MicrocredError:
        return False
    return left == right


def _map_claims(doc: dict[str, Any], claims: Mapping[str, Any], strict: bool) -> list[str]:
    """Apply iss/jti/sub/nbf/exp to ``doc``; the disagreements found (when ``strict``)."""
    bad: list[str] = []
    vcdm1 = _first_context(doc) == "https://www.w3.org/2018/credentials/v1"
    if "iss" in claims:
        if "issuer" not in doc:
            doc["issuer"] = claims["iss"]
        elif issuer_id(doc) != claims["iss"]:
            bad.append(f"iss {claims['iss']!r} is not the credential's issuer {issuer_id(doc)!r}")
    if "jti" in claims:
        if "id" not in doc:
            doc["id"] = claims["jti"]
        elif doc["id"] != claims["jti"]:
            bad.append(f"jti {claims['jti']!r} is not the credential's id {doc['id']!r}")
    subject = doc.get("credentialSubject")
    if "sub" in claims and isinstance(subject, dict):
        if "id" not in subject:
            subject["id"] = claims["sub"]
        elif subject["id"] != claims["sub"]:
            bad.append(f"sub {claims['sub']!r} is not credentialSubject.id {subject['id']!r}")
    for claim, v2, v1 in (
        ("nbf", "validFrom", "issuanceDate"),
        ("exp", "validUntil", "expirationDate"),
    ):
        if claim not in claims:
            continue
        stamp = _stamp(claims[claim], claim)
        key = v1 if vcdm1 else v2
        if key not in doc:
            doc[key] = stamp
        elif strict and not _same_instant(stamp, doc[key]):
            bad.append(f"{claim} ({stamp}) is not the credential's {key} ({doc[key]})")
    return bad if strict else []


def _first_context(doc: Mapping[str, Any]) -> Any:
    ctx = doc.get("@context")
    return ctx[0] if isinstance(ctx, list) and ctx else ctx


def open_jwt(ctx: Ctx, text: str) -> CheckResult:
    """The parse check for a compact JWS: decode, find the credential, map the claims."""
    try:
        jws = parse_compact(text)
        payload = loads_strict(jws.payload)
    except MicrocredError as exc:
        return result("parse", [Finding(exc.code, f"VC-JWT: {exc.message}")])
    if not isinstance(payload, dict):
        return result("parse", [Finding(PARSING_ERROR, "VC-JWT: the payload is not an object")])
    if jws.alg not in ALGORITHMS:
        return result(
            "parse",
            indeterminate=[
                Finding(
                    UNSUPPORTED_FORMAT,
                    f"microcred does not check JWTs signed with {jws.alg!r} (it checks "
                    f"{', '.join(ALGORITHMS)}) — verify it with a JOSE library that supports "
                    "it (for example jose)",
                )
            ],
        )
    vc = payload.get("vc")
    if isinstance(vc, dict):
        doc, form, strict = copy.deepcopy(vc), "vc claim", True
    elif "@context" in payload and "VerifiableCredential" in types_of(payload.get("type")):
        doc = {k: copy.deepcopy(v) for k, v in payload.items() if k not in REGISTERED}
        form, strict = "JOSE-COSE payload", False
    elif is_ob2(payload) or (isinstance(vc, Mapping) and is_ob2(vc)):
        detail = (
            f"this is a signed Open Badges 2.0 assertion; microcred does not check it — {OB2_HINT}"
        )
        return result("parse", indeterminate=[Finding(UNSUPPORTED_VERSION, detail)])
    else:
        detail = "VC-JWT: the payload holds no credential (no 'vc' claim, no @context/type)"
        return result("parse", [Finding(PARSING_ERROR, detail)])
    try:
        bad = _map_claims(doc, payload, strict)
    except ValueError as exc:
        return result("parse", [Finding(MALFORMED_VALUE_ERROR, f"VC-JWT: {exc}")])
    if bad:
        return result(
            "parse",
            [
                Finding(MALFORMED_VALUE_ERROR, "VC-JWT claims disagree with the credential: " + d)
                for d in bad
            ],
        )
    ctx.doc = doc
    ctx.jwt = JwtState(jws, form)
    return result("parse", note=f"VC-JWT ({form}, alg {jws.alg})")


def _candidates(ctx: Ctx, jws: CompactJws) -> tuple[list[ResolvedKey], list[Finding]]:
    """Keys microcred can vouch for: --jwk files, then the issuer's pinned document."""
    keys: list[ResolvedKey] = []
    trouble: list[Finding] = []
    issuer = ctx.issuer_id or ""
    for source, jwk in ctx.options.jwks:
        if jws.kid and isinstance(jwk.get("kid"), str) and jwk["kid"] != jws.kid:
            continue
        try:
            pub = key_from_jwk(jwk)
        except MicrocredError as exc:
            trouble.append(Finding(exc.code, f"--jwk {source}: {exc.message}"))
            continue
        keys.append(
            ResolvedKey(jws.kid or source, pub.data, None, issuer, None, f"--jwk {source}", pub=pub)
        )
    kid = jws.kid
    if kid and kid.startswith("#"):
        kid = issuer + kid
    base = kid.split("#", 1)[0] if kid else issuer
    pinned = ctx.options.did_documents.get(base)
    docs = {base: pinned.document} if pinned is not None else {}
    document: Any = pinned.document if pinned is not None else None
    if document is None and base.startswith(SELF_CERTIFYING):
        try:
            document = resolve_any_did_key(base)
        except MicrocredError as exc:
            trouble.append(Finding(exc.code, f"{base}: {exc.message}"))
    if kid and "#" in kid:
        wanted = [kid]
    elif isinstance(document, Mapping):
        relation = document.get("assertionMethod") or []
        items = relation if isinstance(relation, list) else [relation]
        wanted = [i if isinstance(i, str) else str(i.get("id")) for i in items]
        wanted = [w if not w.startswith("#") else base + w for w in wanted]
    else:
        wanted = []
    for vm in wanted:
        if not vm.startswith(SELF_CERTIFYING) and pinned is None:
            continue
        try:
            method = resolve_verification_method(vm, docs, purpose="assertionMethod")
            pub = method_key(method)
        except MicrocredError as exc:
            trouble.append(Finding(exc.code, f"{vm}: {exc.message}"))
            continue
        controller = method.get("controller") if isinstance(method.get("controller"), str) else None
        source = pinned.source if pinned is not None else "derived from the did:key itself"
        keys.append(ResolvedKey(vm, pub.data, method, controller, None, source, pub=pub))
    return keys, trouble


def _header_key(jws: CompactJws) -> PublicKey | None:
    """The public key a JWT header carries (``jwk``) or its ``kid`` spells out (``…#z6Mk…``):
    never the issuer's key on its own word, only a way to tell a changed JWT apart."""
    try:
        key = key_from_jwk(jws.header.get("jwk")) if "jwk" in jws.header else None
    except MicrocredError:
        key = None
    if key is None:
        key = key_named_by(jws.kid)
    return key if key is not None and key.kind == ALGORITHMS.get(jws.alg) else None


def check_jwt_proof(ctx: Ctx) -> CheckResult:
    """The proof check for a VC-JWT: the JWS signature under a key microcred can vouch for."""
    state = ctx.jwt
    assert isinstance(state, JwtState)
    jws = state.jws
    label = f"VC-JWT ({jws.alg})"
    proof = ProofState(0, dict(jws.header), suite=label)
    ctx.proofs = [proof]
    keys, trouble = _candidates(ctx, jws)
    usable = [k for k in keys if isinstance(k.pub, PublicKey) and k.pub.kind == ALGORITHMS[jws.alg]]
    for key in usable:
        if verify_compact(jws, key.pub):
            proof.key, proof.verified = key, True
            return result("proof", note=f"verified: {label} by {key.vm_id} ({key.source})")
    if usable:
        proof.key = usable[0]
        detail = (
            f"{label}: the signature does not match: the JWT was changed after signing, or "
            f"another key signed it (tried {', '.join(k.vm_id for k in usable)})"
        )
        return result("proof", [Finding(CRYPTOGRAPHIC_SECURITY_ERROR, detail)])
    if trouble and not keys:
        return result("proof", trouble)
    carried_key = _header_key(jws)
    if carried_key is not None and not verify_compact(jws, carried_key):
        detail = (
            f"{label}: the signature does not match even the key the JWT header carries or "
            "names: the JWT was changed after signing"
        )
        return result("proof", [Finding(CRYPTOGRAPHIC_SECURITY_ERROR, detail)])
    carried = (
        " (its header carries a key, which proves nothing about the issuer)"
        if ("jwk" in jws.header or "x5c" in jws.header)
        else ""
    )
    detail = (
        f"{label}: no key to check it with{carried}: pin the issuer's key with --did-doc FILE "
        f"(its DID or controller document) or --jwk FILE (kid {jws.kid or 'not given'})"
    )
    proof.key = ResolvedKey(jws.kid or "", unavailable=True)
    proof.key.error_code, proof.key.error_detail = INVALID_CONTROLLED_IDENTIFIER_DOCUMENT, detail
    return result("proof", indeterminate=[Finding(INVALID_CONTROLLED_IDENTIFIER_DOCUMENT, detail)])
