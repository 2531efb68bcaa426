"""The unsigned ``BitstringStatusListCredential`` the issue layer signs and the site publishes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from microcred.errors import StatusError
from microcred.status._dates import format_stamp
from microcred.status.bitstring import MIN_ENTRIES, encode_list
from microcred.status.entry import PURPOSES

VC2_CONTEXT = "https://www.w3.org/ns/credentials/v2"


def status_list_credential(
    list_url: str,
    issuer_did: str,
    bits: bytes | bytearray,
    purpose: str | Sequence[str],
    *,
    valid_from: dt.datetime,
    valid_until: dt.datetime | None = None,
    ttl: int | None = None,
) -> dict[str, Any]:
    """Build the list credential (no proof) for ``list_url``.

    At least one of ``valid_until`` / ``ttl`` (milliseconds) is required: without one a
    verifier holding an old snapshot cannot tell it is old. Only the VC 2.0 context is needed:
    it defines every Bitstring Status List term. Identical inputs give an identical dict.
    """
    if not isinstance(list_url, str) or not list_url.startswith(("https://", "http://")):
        raise StatusError(f"status list URL {list_url!r} is not an http(s) URL", code="USAGE_ERROR")
    if "#" in list_url:
        raise StatusError(
            f"status list URL {list_url!r} must not have a fragment", code="USAGE_ERROR"
        )
    if not isinstance(issuer_did, str) or not issuer_did.startswith("did:"):
        raise StatusError(f"issuer {issuer_did!r} is not a DID", code="USAGE_ERROR")
    purposes = [purpose] if isinstance(purpose, str) else list(purpose)
    if not purposes or any(p not in PURPOSES for p in purposes):
        raise StatusError(
            f"status purpose {purpose!r} must be one or more of {', '.join(PURPOSES)}",
            code="USAGE_ERROR",
        )
    if len(bits) * 8 < MIN_ENTRIES:
        raise StatusError(
            f"a status list of {len(bits) * 8} entries is below the {MIN_ENTRIES} minimum",
            code="STATUS_LIST_LENGTH_ERROR",
            hint="allocate at least 16 KiB (131072 bits)",
        )
    if valid_until is None and ttl is None:
        raise StatusError(
            "a status list needs valid_until or ttl so stale snapshots can be recognised",
            code="USAGE_ERROR",
        )
    if ttl is not None and (isinstance(ttl, bool) or not isinstance(ttl, int) or ttl <= 0):
        raise StatusError(
            f"ttl {ttl!r} must be a positive number of milliseconds", code="USAGE_ERROR"
        )
    start = format_stamp(valid_from)
    credential: dict[str, Any] = {
        "@context": [VC2_CONTEXT],
        "id": list_url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_did,
        "validFrom": start,
    }
    if valid_until is not None:
        end = format_stamp(valid_until)
        if end <= start:
            raise StatusError(
                f"validUntil {end} is not after validFrom {start}", code="USAGE_ERROR"
            )
        credential["validUntil"] = end
    subject: dict[str, Any] = {
        "id": f"{list_url}#list",
        "type": "BitstringStatusList",
        "statusPurpose": purposes[0] if len(purposes) == 1 else purposes,
        "encodedList": encode_list(bits),
    }
    if ttl is not None:
        subject["ttl"] = ttl
    credential["credentialSubject"] = subject
    return credential
