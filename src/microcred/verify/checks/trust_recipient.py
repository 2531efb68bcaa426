"""Checks 8 and 9: ``issuer_trust`` (is the issuer DID in the trust file?) and ``recipient``
(was the credential issued to the value given?).

Trust never changes ``result``: a genuine credential from an unknown issuer is valid and
untrusted (MC-32). The issuer's self-declared name is shown as a claim, never as verified.
Recipient matching uses the credential layer's IdentityHash rules (docs/standards.md section 14):
salted sha256 (md5 accepted on input), hex in either case, e-mails trimmed and lower-cased.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from microcred.credential.identity import matches_identity, normalise_email
from microcred.errors import MicrocredError
from microcred.proof.timestamps import parse_datetimestamp
from microcred.verify.context import Ctx, result
from microcred.verify.report import (
    RECIPIENT_MISMATCH,
    UNTRUSTED_ISSUER,
    CheckResult,
    Finding,
    printable,
)


def self_declared_name(doc: Mapping[str, Any] | None) -> str | None:
    issuer = doc.get("issuer") if isinstance(doc, Mapping) else None
    if isinstance(issuer, Mapping) and isinstance(issuer.get("name"), str):
        name: str = issuer["name"]
        return name
    return None


def check_issuer_trust(ctx: Ctx) -> CheckResult:
    trust = ctx.options.trust
    assert trust is not None
    issuer = ctx.issuer_id
    entry = trust.lookup(issuer)
    if entry is not None:
        window = entry.window_problem(_issued(ctx))
        if window is not None:
            return result(
                "issuer_trust",
                [
                    Finding(
                        UNTRUSTED_ISSUER,
                        f"the trust file {trust.source} trusts {issuer} ('{printable(entry.name)}')"
                        f" only from {_day(entry.since)} until {_day(entry.until)}; {window}",
                    )
                ],
            )
        document = ctx.options.did_documents.get(issuer) if issuer else None
        pinned = entry.did_document is not None or entry.did_document_sha256 is not None
        if document is not None and pinned and not entry.pins(document):
            return result(
                "issuer_trust",
                [
                    Finding(
                        UNTRUSTED_ISSUER,
                        f"the key of {issuer} comes from {document.source}, not from the "
                        f"document the trust file {trust.source} pins for it",
                    )
                ],
            )
        if issuer is not None and not issuer.startswith("did:key:") and not pinned:
            where = f"its key comes from {document.source}" if document else "no key document"
            return result(
                "issuer_trust",
                note=(
                    f"{issuer} is trusted by DID only ('{printable(entry.name)}', {trust.source}):"
                    f" {where}, and the trust file pins no document for it (add did_document or"
                    " did_document_sha256 to the entry)"
                ),
            )
        return result(
            "issuer_trust",
            note=f"{issuer} is trusted as '{printable(entry.name)}' ({trust.source})",
        )
    claimed = self_declared_name(ctx.view)
    claim = (
        f"; it calls itself '{printable(claimed)}' (self-declared, not verified)" if claimed else ""
    )
    return result(
        "issuer_trust",
        [
            Finding(
                UNTRUSTED_ISSUER,
                f"the issuer {issuer} is not in the trust file {trust.source}{claim}",
            )
        ],
    )


def _issued(ctx: Ctx) -> datetime | None:
    """The signed issuance date (validFrom; VC 1.1 issuanceDate), if it can be read."""
    view = ctx.view or {}
    value = view.get("issuanceDate" if ctx.vcdm1 else "validFrom")
    try:
        return parse_datetimestamp(value, field="validFrom") if value is not None else None
    except MicrocredError:
        return None


def _day(when: datetime | None) -> str:
    return f"{when:%Y-%m-%d}" if when is not None else "(open)"


def _subjects(doc: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    raw = doc.get("credentialSubject")
    items = raw if isinstance(raw, list) else [raw]
    return [s for s in items if isinstance(s, Mapping)]


def _identities(subject: Mapping[str, Any]) -> list[dict[str, Any]]:
    raw = subject.get("identifier")
    items = raw if isinstance(raw, list) else [raw]
    return [dict(i) for i in items if isinstance(i, Mapping)]


def check_recipient(ctx: Ctx) -> CheckResult:
    doc = ctx.view
    assert doc is not None and ctx.options.recipient is not None
    value = ctx.options.recipient.strip()
    email = normalise_email(value) if "@" in value else None
    checked = 0
    for subject in _subjects(doc):
        subject_id = subject.get("id")
        if isinstance(subject_id, str):
            checked += 1
            if subject_id == value or (email and subject_id.lower() == f"mailto:{email}"):
                return result("recipient", note="matches credentialSubject.id")
        for identity in _identities(subject):
            checked += 1
            if matches_identity(identity, value):
                kind = identity.get("identityType")
                how = "hashed" if identity.get("hashed") is True else "plain"
                return result("recipient", note=f"matches a {how} {kind} identifier")
    what = f"{checked} identifier(s) compared" if checked else "the credential names no recipient"
    return result(
        "recipient",
        [Finding(RECIPIENT_MISMATCH, f"the credential was not issued to the value given ({what})")],
    )
