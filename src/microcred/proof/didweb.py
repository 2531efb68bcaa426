"""did:web identifiers and the DID document microcred publishes for its issuer.

Rotation keeps old badges valid: a retired key stays in ``verificationMethod`` and
``assertionMethod``; when it was compromised it carries ``revoked`` (CID), and verifiers reject
only proofs made at or after that time (MC-31).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from microcred.errors import KeyError_, ProofError
from microcred.proof.keys import KeyPair
from microcred.proof.timestamps import format_datetimestamp, parse_datetimestamp

DID_V1 = "https://www.w3.org/ns/did/v1"
MULTIKEY_V1 = "https://w3id.org/security/multikey/v1"

_LABEL_RE = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?", re.ASCII)
_SEGMENT_RE = re.compile(r"[A-Za-z0-9._~-]+", re.ASCII)
_PORT_RE = re.compile(r"%3[Aa]([0-9]{1,5})", re.ASCII)


def _invalid(did: str, why: str) -> ProofError:
    return ProofError(
        f"{did!r} is not a usable did:web: invalidDid: {why}", code="INVALID_VERIFICATION_METHOD"
    )


def _check_host(did: str, host: str) -> None:
    if not host:
        raise _invalid(did, "the domain is empty")
    if host != host.lower():
        # DIDs compare as strings, so did:web:Example.com and did:web:example.com would be two
        # issuers for one web site; refuse rather than normalise silently.
        raise _invalid(
            did, f"the domain must be lower case: use did:web:{host.lower()}{did[8 + len(host) :]}"
        )
    if host.startswith("[") or ":" in host:
        raise _invalid(did, "IP address literals are not allowed; use a DNS name")
    labels = host.split(".")
    if all(label.isdigit() for label in labels if label):
        raise _invalid(did, "IP address literals are not allowed; use a DNS name")
    if len(host) > 253 or not all(_LABEL_RE.fullmatch(label) for label in labels):
        raise _invalid(
            did, f"{host!r} is not a DNS name (labels of a-z, 0-9 and inner '-', no empty labels)"
        )
    if labels[-1].isdigit():
        raise _invalid(did, f"{host!r} ends with a numeric label, which is not a DNS name")


def did_web_to_url(did: str) -> str:
    """HTTPS URL of the DID document (did:web "Read"): ``:`` -> ``/``, ``%3A`` -> port colon,
    ``/.well-known`` when there is no path, then ``/did.json``. Invalid DIDs raise invalidDid."""
    if not isinstance(did, str) or not did.startswith("did:web:"):
        raise _invalid(str(did), "it must start with did:web:")
    if any(ch in did for ch in "#?/ \t\r\n\\"):
        raise _invalid(did, "a DID has no fragment, query, '/', '\\' or whitespace")
    if not did.isascii():
        raise _invalid(did, "use the ASCII (punycode) form of the domain")
    host_part, *segments = did[len("did:web:") :].split(":")
    port = ""
    if "%" in host_part:
        host, _, port_text = host_part.partition("%")
        match = _PORT_RE.fullmatch("%" + port_text)
        if not match or not 0 < int(match[1]) < 65536:
            raise _invalid(
                did, "only a percent-encoded port is allowed in the domain, e.g. example.com%3A3000"
            )
        port = f":{int(match[1])}"
    else:
        host = host_part
    _check_host(did, host)
    if segments and segments[0].isdigit():
        raise _invalid(
            did,
            f"':{segments[0]}' looks like a port; a port must be percent-encoded: "
            f"did:web:{host}%3A{segments[0]}",
        )
    for segment in segments:
        if not segment:
            raise _invalid(did, "empty path segment ('::' or a trailing ':')")
        if segment in {".", ".."}:
            raise _invalid(did, f"path segment {segment!r} is not allowed")
        if not _SEGMENT_RE.fullmatch(segment):
            raise _invalid(
                did, f"path segment {segment!r} may only use letters, digits, '.', '_', '~', '-'"
            )
    path = "/".join(segments) if segments else ".well-known"
    return f"https://{host}{port}/{path}/did.json"


@dataclass(frozen=True)
class RetiredKey:
    """A key no longer used for signing; ``revoked`` set when proofs from then on are invalid."""

    key: KeyPair
    revoked: datetime | str | None = None


def _revoked_text(value: datetime | str | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return format_datetimestamp(value)
    parse_datetimestamp(value, field="revoked")
    return value


Retired = RetiredKey | KeyPair | tuple[KeyPair, datetime | str | None]


def did_web_document(
    did: str, active: Sequence[KeyPair], retired: Sequence[Retired] = ()
) -> dict[str, Any]:
    """The did.json to publish: every active AND retired key in ``verificationMethod`` and
    ``assertionMethod`` (absolute ids only), never any secret material.

    A retired key is a KeyPair, a :class:`RetiredKey`, or a ``(KeyPair, revoked)`` pair.
    """
    did_web_to_url(did)
    if not active:
        raise KeyError_(f"{did}: the DID document needs at least one active key")
    entries: list[tuple[KeyPair, str | None]] = [(key, None) for key in active]
    for item in retired:
        if isinstance(item, RetiredKey):
            entries.append((item.key, _revoked_text(item.revoked)))
        elif isinstance(item, tuple):
            entries.append((item[0], _revoked_text(item[1])))
        else:
            entries.append((item, None))
    methods: list[dict[str, Any]] = []
    seen_ids: set[str] = set()
    seen_keys: set[bytes] = set()
    for key, revoked in entries:
        if key.controller != did:
            raise KeyError_(f"key {key.id} is controlled by {key.controller}, not by {did}")
        if key.id in seen_ids:
            raise KeyError_(f"{did}: two keys share the verification method id {key.id}")
        if key.public_key in seen_keys:
            raise KeyError_(f"{did}: the key {key.public_key_multibase} is listed twice")
        seen_ids.add(key.id)
        seen_keys.add(key.public_key)
        method = key.to_public_json()
        if revoked is not None:
            method["revoked"] = revoked
        methods.append(method)
    return {
        "@context": [DID_V1, MULTIKEY_V1],
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": [method["id"] for method in methods],
    }
