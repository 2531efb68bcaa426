"""Verification-method dereferencing (CID "Retrieve Verification Method"), fully offline.

did:key documents are derived from the identifier; every other document (did:web, an https
controller document) must be handed in by the caller, who got it from ``--did-doc`` or a pinned
store. Nothing is fetched and no key is ever taken from a URL fragment (MC-27).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from microcred.errors import ProofError
from microcred.proof.didweb import did_web_to_url
from microcred.proof.keys import public_key_from_multikey
from microcred.proof.pubkeys import (
    SELF_CERTIFYING,
    PublicKey,
    key_from_method,
    resolve_any_did_key,
)
from microcred.proof.timestamps import parse_datetimestamp

RELATIONSHIPS = (
    "assertionMethod",
    "authentication",
    "capabilityInvocation",
    "capabilityDelegation",
    "keyAgreement",
)
CONTROLLER_CONTEXTS = (
    "https://www.w3.org/ns/did/v1",
    "https://www.w3.org/ns/did/v1.1",
    "https://w3id.org/did/v1",
    "https://www.w3.org/ns/cid/v1",
)
"""A DID document's @context, when it has one, names one of these (DID Core 1.0 and 1.1, the
pre-Recommendation alias still served by older did:web issuers, CID 1.0). Documents are read as
JSON for key lookup, never canonicalised, so any further (suite) contexts are irrelevant; a
document whose only contexts are key-suite ones (``https://w3id.org/security/...``) is read too."""
SECURITY_CONTEXTS = "https://w3id.org/security/"
_ABSOLUTE_RE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s#]+#[^\s#]*", re.ASCII)


def _vm_error(message: str) -> ProofError:
    return ProofError(message, code="INVALID_VERIFICATION_METHOD")


def _doc_error(message: str) -> ProofError:
    return ProofError(message, code="INVALID_CONTROLLED_IDENTIFIER_DOCUMENT")


def split_verification_method(vm_id: object) -> tuple[str, str]:
    """``(document URL, fragment)`` of an absolute DID URL; no fragment is an error (MC-28)."""
    if not isinstance(vm_id, str):
        raise _vm_error(f"verificationMethod must be a URL string, not {type(vm_id).__name__}")
    if "#" not in vm_id:
        raise _vm_error(
            f"verificationMethod {vm_id!r} has no '#fragment': it must name one key of the "
            "controller's document, e.g. did:key:z6Mk…#z6Mk… or did:web:example.com#key-1"
        )
    if not _ABSOLUTE_RE.fullmatch(vm_id):
        raise _vm_error(
            f"verificationMethod {vm_id!r} is not an absolute URL of the form <scheme>:…#<fragment>"
        )
    base, fragment = vm_id.split("#", 1)
    if not fragment:
        raise _vm_error(f"verificationMethod {vm_id!r} has an empty fragment")
    if "?" in base:
        raise _vm_error(f"verificationMethod {vm_id!r}: DID URL queries are not supported")
    return base, fragment


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def absolute_id(value: object, base: str) -> object:
    """``#fragment`` resolved against the document ``base`` (DID Core "Relative DID URLs", CID
    "Fragment Resolution"); anything else is returned as it is. A bare ``key-1`` is NOT a
    reference to ``base#key-1`` (RFC 3986 would resolve it to another path), so it stays as it
    is and matches nothing."""
    if isinstance(value, str) and value.startswith("#") and len(value) > 1:
        return base + value
    return value


def _embedded_objects(document: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Every map that could be a verification method, with where it was found."""
    for section in ("verificationMethod", *RELATIONSHIPS, "service"):
        for item in _as_list(document.get(section)):
            if isinstance(item, Mapping):
                yield section, item


def _not_available(base: str) -> ProofError:
    if base.startswith("did:web:"):
        url = did_web_to_url(base)
        return _doc_error(
            f"the DID document of {base} is not available offline: save {url} (for example with "
            "curl) and pass it with --did-doc FILE"
        )
    return _doc_error(
        f"the controller document {base} is not available offline: pass a copy of it with "
        "--did-doc FILE (microcred never fetches keys and never trusts a key taken from the URL)"
    )


def _check_document(document: Any, base: str) -> Mapping[str, Any]:
    if not isinstance(document, Mapping):
        raise _doc_error(f"the document given for {base} is not a JSON object")
    if document.get("id") != base:
        raise _doc_error(
            f"INVALID_CONTROLLED_IDENTIFIER_DOCUMENT_ID: the document given for {base} has id "
            f"{document.get('id')!r}; a DID document's id must equal the DID it is resolved for"
        )
    if "@context" in document and base.startswith("did:"):
        # An https controller document (VC Data Integrity 2.1) may come with any @context or
        # none: it is read as JSON. A DID document that has one must say it is a DID document.
        contexts = _as_list(document["@context"])
        if not any(
            ctx in CONTROLLER_CONTEXTS
            or (isinstance(ctx, str) and ctx.startswith(SECURITY_CONTEXTS))
            for ctx in contexts
        ):
            raise _doc_error(
                f"the document of {base} has an @context without {CONTROLLER_CONTEXTS[0]} "
                f"(or {', '.join(CONTROLLER_CONTEXTS[1:])}): it is not a DID document"
            )
    return document


def _find_method(
    document: Mapping[str, Any], base: str, vm_id: str, fragment: str
) -> Mapping[str, Any]:
    found: list[tuple[str, Mapping[str, Any]]] = []
    relative = False
    for section, item in _embedded_objects(document):
        item_id = item.get("id")
        if absolute_id(item_id, base) == vm_id:
            found.append((section, {**item, "id": vm_id}))
        elif item_id == fragment:
            relative = True
    if any(section == "service" for section, _ in found):
        raise _doc_error(f"the document of {base} uses {vm_id} for a service as well as a key")
    distinct: list[Mapping[str, Any]] = []
    for _, item in found:
        if all(item != other for other in distinct):
            distinct.append(item)
    if len(distinct) > 1:
        raise _doc_error(
            f"the document of {base} defines {vm_id} {len(distinct)} times, differently"
        )
    if distinct:
        return distinct[0]
    if relative:
        raise _vm_error(
            f"the document of {base} names the key {fragment!r} without '#': an id is a URL "
            f"('{base}#{fragment}') or a '#{fragment}' reference to one, never a bare name"
        )
    if base.startswith("did:key:"):
        raise _vm_error(
            f"{vm_id} is not in the did:key document: a did:key has exactly one key, "
            f"{base}#{base[len('did:key:') :]}"
        )
    raise _vm_error(f"{vm_id} is not a verification method of {base}")


def _check_method(method: Mapping[str, Any], base: str, vm_id: str) -> None:
    controller = method.get("controller")
    if isinstance(controller, list):
        # CID 1.0 / DID Core: a verification method has ONE controller, a URL string (a whole
        # document's "controller" may be a set; microcred does not read it).
        raise _vm_error(
            f"{vm_id} has controller {controller!r}: a verification method's controller is one "
            f"URL string, here {base}"
        )
    if controller != base:
        raise _vm_error(f"{vm_id} has controller {controller!r}; it must be {base}")
    key_from_method(method, vm_id)  # a supported type carrying a valid public key
    for name in ("revoked", "expires"):
        if name in method:
            parse_datetimestamp(
                method[name], field=f"{vm_id} {name}", code="INVALID_VERIFICATION_METHOD"
            )


def _names(entry: object, base: str, vm_id: str) -> bool:
    """A relationship entry (a reference, relative or not, or an embedded method) is ``vm_id``."""
    if isinstance(entry, Mapping):
        entry = entry.get("id")
    return absolute_id(entry, base) == vm_id


def _check_relationship(document: Mapping[str, Any], base: str, vm_id: str, purpose: str) -> None:
    if any(_names(entry, base, vm_id) for entry in _as_list(document.get(purpose))):
        return
    listed = [
        name
        for name in RELATIONSHIPS
        if any(_names(e, base, vm_id) for e in _as_list(document.get(name)))
    ]
    where = f" (it is listed under {', '.join(listed)})" if listed else ""
    raise ProofError(
        f"{vm_id} is not authorised for {purpose} by {base}{where}",
        code="INVALID_RELATIONSHIP_FOR_VERIFICATION_METHOD",
    )


def resolve_verification_method(
    vm_id: str | Mapping[str, Any],
    documents: Mapping[str, Mapping[str, Any]] | None = None,
    *,
    purpose: str = "assertionMethod",
) -> dict[str, Any]:
    """Dereference a verification method and return a copy of it (with ``revoked``/``expires``
    if the document sets them: apply them with :func:`ensure_method_active`).

    ``vm_id`` may be an embedded object; only its ``id`` is used (MC-29). ``documents`` maps a
    DID (or controller URL) to its document; did:key never comes from there.
    """
    # 1. The method is named by an absolute URL with a fragment.
    raw_id: object = vm_id.get("id") if isinstance(vm_id, Mapping) else vm_id
    base, fragment = split_verification_method(raw_id)
    vm_url = f"{base}#{fragment}"
    if purpose not in RELATIONSHIPS:
        raise ProofError(f"unknown proof purpose {purpose!r}", code="PROOF_VERIFICATION_ERROR")
    # 2. Dereference the document: derived for did:key, supplied by the caller otherwise.
    if base.startswith(SELF_CERTIFYING):
        document: Any = resolve_any_did_key(base)
    else:
        document = (documents or {}).get(base)
        if document is None:
            raise _not_available(base)
    # 3. The document is for this identifier.
    document = _check_document(document, base)
    # 4. Exactly one object carries the full id; it is a usable Ed25519 key of this controller.
    method = _find_method(document, base, vm_url, fragment)
    _check_method(method, base, vm_url)
    # 5. The controller authorises it for this purpose.
    _check_relationship(document, base, vm_url, purpose)
    return copy.deepcopy(dict(method))


def method_public_key(method: Mapping[str, Any]) -> bytes:
    """32-byte key of a verification method returned by :func:`resolve_verification_method`."""
    return public_key_from_multikey(method.get("publicKeyMultibase"))  # type: ignore[arg-type]


def method_key(method: Mapping[str, Any]) -> PublicKey:
    """The key of a verification method returned by :func:`resolve_verification_method`, of any
    kind microcred verifies with (Ed25519, P-256, P-384, RSA)."""
    return key_from_method(method)


def ensure_method_active(method: Mapping[str, Any], at: datetime) -> None:
    """Refuse a key revoked or expired at or before ``at`` (CID ``revoked``/``expires``; MC-31).

    ``at`` is the proof's ``created`` time or the verification time, as the caller decides.
    """
    vm_id = method.get("id")
    for name, verb in (("revoked", "was revoked"), ("expires", "expired")):
        if name in method:
            limit = parse_datetimestamp(
                method[name], field=f"{vm_id} {name}", code="INVALID_VERIFICATION_METHOD"
            )
            if at >= limit:
                raise _vm_error(
                    f"key {vm_id} {verb} at {method[name]}; proofs made at or after that time "
                    "are not valid"
                )
