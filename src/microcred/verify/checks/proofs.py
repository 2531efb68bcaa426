"""Checks 4 and 5: ``proof`` (every proof's signature) and ``issuer_binding`` (who signed).

Separate layers, as in Digital Bazaar's stack: the cryptosuite says "this key signed these
bytes"; binding says "this key may speak for this issuer". Keys are resolved once, offline:
did:key from the identifier, anything else only from a pinned document. A key that cannot be
resolved offline leaves both checks *indeterminate*, never valid. A key that resolves to
something wrong (fragment swap, wrong controller, not an assertion key, revoked) fails binding;
key material that is itself unusable (small-order, wrong length or codec) fails the proof.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from microcred.errors import MicrocredError
from microcred.jsonld.jcs import jcs
from microcred.jsonld.rdfc import ORDERS, Order, canonicalize
from microcred.jsonld.safe import check_data_loss
from microcred.proof._jsoncopy import json_copy
from microcred.proof.dispatch import (
    LEGACY,
    UnsupportedProof,
    classify,
    is_known_unsupported,
    verify_any,
)
from microcred.proof.pubkeys import SELF_CERTIFYING, key_named_by
from microcred.proof.resolve import (
    ensure_method_active,
    method_key,
    resolve_verification_method,
    split_verification_method,
)
from microcred.proof.suites import ECDSA_JCS_2019, EDDSA_JCS_2022, ReadsOnly
from microcred.proof.timestamps import parse_datetimestamp
from microcred.verify.checks.clr import carry_embedded
from microcred.verify.checks.endorsements import SIGNATURE_STEPS, carry
from microcred.verify.checks.parse import MAX_PROOFS
from microcred.verify.context import Ctx, ProofState, ResolvedKey, result
from microcred.verify.report import (
    INVALID_CONTROLLED_IDENTIFIER_DOCUMENT,
    INVALID_CONTROLLED_IDENTIFIER_DOCUMENT_ID,
    INVALID_VERIFICATION_METHOD,
    LEGACY_SUITE,
    PARSING_ERROR,
    PROOF_VERIFICATION_ERROR,
    CheckResult,
    Finding,
)

_KEY_MATERIAL = ("invalidPublicKeyLength", "invalidPublicKey", "unsupportedPublicKeyType")
_REQUIRED = ("type", "verificationMethod", "proofPurpose")


def _vm_id(proof: Mapping[str, Any]) -> object:
    vm = proof.get("verificationMethod")
    return vm.get("id") if isinstance(vm, Mapping) else vm


_SELF_KEYS: dict[str, ResolvedKey] = {}
_MAX_SELF_KEYS = 1024


def resolve_key(vm: object, ctx: Ctx) -> ResolvedKey:
    """Resolve a proof's verification method from did:key or the pinned documents only.

    A self-certifying key with no pinned document depends on its identifier alone, so it is
    resolved once per process (a batch signed by one issuer names one key); each proof gets
    its own copy."""
    if isinstance(vm, str) and vm.startswith(SELF_CERTIFYING):
        pinned = ctx.options.did_documents.get(vm.split("#", 1)[0])
        if pinned is None:
            hit = _SELF_KEYS.get(vm)
            if hit is None:
                hit = _resolve_key(vm, ctx)
                if len(_SELF_KEYS) >= _MAX_SELF_KEYS:
                    _SELF_KEYS.clear()
                _SELF_KEYS[vm] = hit
            return replace(hit, method=json_copy(hit.method))
    return _resolve_key(vm, ctx)


def _resolve_key(vm: object, ctx: Ctx) -> ResolvedKey:
    shown = vm if isinstance(vm, str) else repr(vm)
    key = ResolvedKey(vm_id=str(shown))
    try:
        base, _ = split_verification_method(vm)
    except MicrocredError as exc:
        key.error_code, key.error_detail = exc.code, exc.message
        return key
    pinned = ctx.options.did_documents.get(base)
    if not base.startswith(SELF_CERTIFYING) and pinned is None:
        key.unavailable = True
        key.error_code = INVALID_CONTROLLED_IDENTIFIER_DOCUMENT
        unused = ctx.options.site_unused.get(base)
        how = (
            f"the site folder's copy {unused} was not used: that folder is not authoritative "
            f"for {base}; pass the issuer's did.json with --did-doc or pin it in your trust file"
            if unused is not None
            else "pass its did.json with --did-doc, a trust file entry, or verify the site folder"
            if base.startswith("did:web:")
            else "microcred never fetches keys, nor takes them from a URL fragment"
        )
        key.error_detail = (
            f"the key {shown} cannot be resolved offline: no document for {base} ({how})"
        )
        return key
    documents = {base: pinned.document} if pinned is not None else {}
    try:
        method = resolve_verification_method(str(vm), documents, purpose="assertionMethod")
        key.pub = method_key(method)
        key.public_key = key.pub.data
    except MicrocredError as exc:
        code, detail = exc.code, exc.message
        if detail.startswith(INVALID_CONTROLLED_IDENTIFIER_DOCUMENT_ID + ":"):
            code, detail = (
                INVALID_CONTROLLED_IDENTIFIER_DOCUMENT_ID,
                detail.split(":", 1)[1].strip(),
            )
        key.error_code, key.error_detail = code, detail
        return key
    key.method = method
    key.controller = method.get("controller") if isinstance(method.get("controller"), str) else None
    key.source = pinned.source if pinned is not None else "derived from the did:key itself"
    return key


def _is_key_material_error(key: ResolvedKey) -> bool:
    return key.error_code == INVALID_VERIFICATION_METHOD and any(
        name in key.error_detail for name in _KEY_MATERIAL
    )


def _label(state: ProofState) -> str:
    suite = f" ({state.suite})" if state.suite else ""
    return f"proof[{state.index}]{suite}"


def _rdfc(ctx: Ctx, order: Order = "utf16") -> Any:
    # canonicalize only reads (pyld's own expansion deep-copies): no defensive copy needed
    return ReadsOnly(lambda document: canonicalize(document, ctx.loader, order=order))


_JCS = ReadsOnly(jcs)  # rfc8785 serializes, never changes its input


_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def _has_astral(value: Any) -> bool:
    return _ASTRAL.search(json.dumps(value, ensure_ascii=False)) is not None


def _verify_either_order(
    ctx: Ctx, doc: Mapping[str, Any], proof: Mapping[str, Any], public_key: Any
) -> None:
    """RDFC-1.0 sorts N-Quads by code point; rdf-canonize and Java validators by UTF-16 code
    unit (microcred signs like them). The two differ only for astral characters next to
    U+E000..U+FFFF ones, and both describe the same signed dataset: accept either. The
    second order is tried only for a signature that does not verify in the first and a
    document or proof holding an astral character (without one the orders agree)."""
    last: MicrocredError | None = None
    for order in ORDERS:
        if last is not None and not (_has_astral(doc) or _has_astral(proof)):
            break
        try:
            verify_any(
                doc,
                proof,
                public_key,
                rdfc=_rdfc(ctx, order),
                jcs=_JCS,
                now=ctx.now,
                max_clock_skew=ctx.options.skew,
            )
            return
        except MicrocredError as exc:
            if exc.code != "CRYPTOGRAPHIC_SECURITY_ERROR":
                raise
            last = exc
    assert last is not None
    raise last


def _proof_data_loss(ctx: Ctx, proof: Mapping[str, Any]) -> None:
    """The proof options are signed through RDF too: nothing in them may be dropped (MC-08)."""
    config = {k: v for k, v in proof.items() if k not in ("proofValue", "@context")}
    doc = ctx.doc or {}
    config["@context"] = doc.get("@context")
    check_data_loss(config, ctx.loader)


def _tamper_check(ctx: Ctx, doc: Mapping[str, Any], proof: Any, label: str) -> Finding | None:
    """A proof whose key is not vouched for is undecided, unless its signature does not match
    even the key its verificationMethod spells out: then the document was changed (or the
    proof forged) and it is invalid whoever the key belongs to."""
    key = key_named_by(_vm_id(proof)) if isinstance(proof, Mapping) else None
    if key is None:
        return None
    try:
        _verify_either_order(ctx, doc, proof, key)
    except MicrocredError as exc:
        if exc.code == "CRYPTOGRAPHIC_SECURITY_ERROR":
            detail = (
                f"{label}: the signature does not match even the key its verificationMethod "
                f"names ({_vm_id(proof)}): the credential was changed after signing"
            )
            return Finding(exc.code, detail)
    return None


def check_proof(ctx: Ctx) -> CheckResult:
    doc = ctx.doc
    assert doc is not None
    if ctx.jwt is not None:
        from microcred.verify.checks.jwt import check_jwt_proof  # VC-JWTs only

        return check_jwt_proof(ctx)  # VC-JWT: the JWS is the proof (checks/jwt.py)
    if "proof" not in doc:
        return result(
            "proof",
            [Finding(PROOF_VERIFICATION_ERROR, "the credential has no proof: it is not signed")],
        )
    raw = doc["proof"]
    if not isinstance(raw, Mapping | list):
        return result(
            "proof",
            [
                Finding(
                    PARSING_ERROR,
                    f"'proof' must be an object or an array, not {type(raw).__name__}",
                )
            ],
        )
    items = raw if isinstance(raw, list) else [raw]
    if not items:
        return result("proof", [Finding(PROOF_VERIFICATION_ERROR, "'proof' is an empty array")])
    if len(items) > MAX_PROOFS:
        return result(
            "proof",
            [
                Finding(
                    PROOF_VERIFICATION_ERROR,
                    f"{len(items)} proofs; at most {MAX_PROOFS} are checked",
                )
            ],
        )
    problems: list[Finding] = []
    unknown: list[Finding] = []
    warnings: list[Finding] = []
    verified: list[str] = []
    ctx.proofs = []
    for index, proof in enumerate(items):
        state = ProofState(index, proof)
        ctx.proofs.append(state)
        label = _label(state)
        # 1. A map with the required members, naming a suite we implement (MC-23, MC-24, MC-16).
        if not isinstance(proof, Mapping):
            problems.append(Finding(PARSING_ERROR, f"{label} is not a JSON object"))
            continue
        missing = [name for name in _REQUIRED if proof.get(name) in (None, "")]
        if missing and not is_known_unsupported(proof):
            problems.append(
                Finding(PROOF_VERIFICATION_ERROR, f"{label} lacks {', '.join(missing)}")
            )
            continue
        try:
            state.suite = classify(proof)
        except UnsupportedProof as exc:  # a real format microcred lacks: undecided (issue 9)
            state.unsupported = exc.message
            unknown.append(Finding(exc.code, f"{label}: {exc.message}"))
            continue
        except MicrocredError as exc:
            problems.append(Finding(exc.code, f"{label}: {exc.message}"))
            continue
        label = _label(state)
        if state.suite in LEGACY:
            warnings.append(Finding(LEGACY_SUITE, f"{label} uses the legacy suite {state.suite}"))
        # 2. The key, resolved offline (problems other than key material belong to binding).
        state.key = resolve_key(_vm_id(proof), ctx)
        if state.key.public_key is None:
            if _is_key_material_error(state.key):
                problems.append(
                    Finding(
                        state.key.error_code or INVALID_VERIFICATION_METHOD,
                        f"{label}: {state.key.error_detail}",
                    )
                )
            else:
                why = (
                    "no offline copy of the key"
                    if state.key.unavailable
                    else "the key could not be resolved"
                )
                tamper = _tamper_check(ctx, doc, proof, label)
                if tamper is not None:
                    problems.append(tamper)  # it does not even match the key it names
                    continue
                unknown.append(
                    Finding(
                        state.key.error_code or INVALID_VERIFICATION_METHOD,
                        f"{label}: signature not checked: {why} {state.key.vm_id} "
                        "(see issuer_binding)",
                    )
                )
            continue
        try:
            # 3. The cryptosuite: canonical form, hashes, Ed25519 (MC-08..13, MC-17..22).
            _verify_either_order(ctx, doc, proof, state.key.pub)
            # 4. Nothing in the proof options was silently dropped from the signed RDF: a lax
            # signer's undefined proof option would otherwise ride along unsigned (MC-08).
            if state.suite not in (EDDSA_JCS_2022, ECDSA_JCS_2019):
                _proof_data_loss(ctx, proof)
        except MicrocredError as exc:
            problems.append(Finding(exc.code, f"{label}: {exc.message}"))
            continue
        state.verified = True
        verified.append(f"{label} by {state.key.vm_id}")
    notes = ["verified: " + "; ".join(verified)] if verified else []
    if not problems:
        # 5. Every embedded EndorsementCredential verifies too (OB 3.0 section 9, step 6).
        carried = carry(ctx, SIGNATURE_STEPS, opinion=False)
        problems += carried.problems
        unknown += carried.unknown
        warnings += carried.warnings
        if carried.notes:
            notes.append("endorsements: " + "; ".join(carried.notes))
        # 6. Every credential a CLR 2.0 transcript embeds verifies too (checks/clr.py).
        embedded = carry_embedded(ctx, SIGNATURE_STEPS)
        problems += embedded.problems
        unknown += embedded.unknown
        warnings += embedded.warnings
        if embedded.notes:
            notes.append("embedded credentials: " + "; ".join(embedded.notes))
    note = "; ".join(notes)
    return result("proof", problems, warnings=warnings, indeterminate=unknown, note=note)


def _proof_time(state: ProofState, ctx: Ctx) -> Any:
    proof = state.proof
    if isinstance(proof, Mapping) and "created" in proof:
        try:
            return parse_datetimestamp(proof["created"], field="proof created")
        except MicrocredError:
            return ctx.now
    return ctx.now


def check_issuer_binding(ctx: Ctx) -> CheckResult:
    issuer = ctx.issuer_id
    problems: list[Finding] = []
    unknown: list[Finding] = []
    bound: list[str] = []
    if issuer is None:
        return result(
            "issuer_binding",
            [
                Finding(
                    INVALID_VERIFICATION_METHOD,
                    "the credential names no issuer id to bind the key to",
                )
            ],
        )
    for state in ctx.proofs:
        key = state.key
        if state.unsupported:
            unknown.append(Finding("UNSUPPORTED_FORMAT", f"{_label(state)}: {state.unsupported}"))
            continue
        if key is None:
            continue  # the proof itself is malformed; the proof check reported it
        label = _label(state)
        if key.public_key is None:
            if key.unavailable:
                unknown.append(
                    Finding(
                        key.error_code or INVALID_CONTROLLED_IDENTIFIER_DOCUMENT,
                        f"{label}: {key.error_detail}",
                    )
                )
            elif not _is_key_material_error(key):
                problems.append(
                    Finding(
                        key.error_code or INVALID_VERIFICATION_METHOD,
                        f"{label}: {key.error_detail}",
                    )
                )
            continue
        # A key revoked or expired before the proof was made is refused (MC-31).
        try:
            ensure_method_active(key.method or {}, _proof_time(state, ctx))
        except MicrocredError as exc:
            problems.append(Finding(exc.code, f"{label}: {exc.message}"))
            continue
        if key.controller == issuer and state.verified:
            bound.append(f"{label}: key {key.vm_id} ({key.source})")
    if not bound and not unknown and not problems:
        signers = sorted(
            {s.key.controller or "?" for s in ctx.proofs if s.key and s.key.public_key}
        )
        problems.append(
            Finding(
                INVALID_VERIFICATION_METHOD,
                f"no proof is made by a key of the issuer {issuer}: signed by "
                f"{', '.join(signers) or 'nobody'} (the issuer must control the signing key)",
            )
        )
    if bound and unknown:
        # The issuer's own proof verified; proofs by keys we cannot see still leave the set
        # undecided (every proof must verify), which the proof check already reports.
        unknown = []
    note = "bound to the issuer: " + "; ".join(bound) if bound else ""
    return result("issuer_binding", problems, indeterminate=unknown, note=note)
