"""Model -> OB 3.0 ``EndorsementCredential`` (unsigned), issued by the endorser, not the issuer.

The subject is what is endorsed: an issued credential (its ``urn:uuid`` id), a brief (its
Achievement id, the catalog URL) or the issuer (its DID). The endorser's Profile says who
they are and in which capacity (mentor, peer, organisation).
"""

from __future__ import annotations

import uuid
from typing import Any

from microcred.credential.build import CONTEXT, achievement_url, credential_id, timestamp
from microcred.model import Program
from microcred.model.endorsements import Endorsement

ENDORSEMENT_TYPE = ("VerifiableCredential", "EndorsementCredential")
_NAMESPACE = uuid.UUID("0c7d9d3e-5a1f-5b7e-8f6a-2b4e6c8d0a13")
_CAPACITY = {"mentor": "Mentor", "peer": "Peer", "organisation": "Organisation"}


def endorsement_id(endorser_did: str, slug: str) -> str:
    """Stable per endorser and endorsement file: re-issuing never mints a second one."""
    return f"urn:uuid:{uuid.uuid5(_NAMESPACE, f'{endorser_did}/endorsements/{slug}')}"


def endorsed_id(program: Program, endorsement: Endorsement, issuer_did: str) -> str:
    """The id of what is endorsed, exactly as the endorsed document names itself."""
    if endorsement.target_kind == "credential":
        return credential_id(issuer_did, endorsement.target)
    if endorsement.target_kind == "achievement":
        return achievement_url(program.site, program.achievement(endorsement.target))
    return issuer_did


def endorsed_name(program: Program, endorsement: Endorsement) -> str:
    if endorsement.target_kind == "credential":
        record = next(r for r in program.records if r.slug == endorsement.target)
        return f"the {program.achievement(record.achievement).name} credential"
    if endorsement.target_kind == "achievement":
        return program.achievement(endorsement.target).name
    return program.issuer.name


def build_endorsement(
    program: Program, endorsement: Endorsement, *, endorser_did: str, issuer_did: str
) -> dict[str, Any]:
    """The unsigned EndorsementCredential for one ``endorsements/<slug>.md``."""
    who = endorsement.endorser
    profile: dict[str, Any] = {"id": endorser_did, "type": ["Profile"], "name": who.name}
    if who.url:
        profile["url"] = who.url
    capacity = _CAPACITY[who.kind]
    profile["description"] = f"{capacity}: {who.description}" if who.description else capacity
    return {
        "@context": list(CONTEXT),
        "id": endorsement_id(endorser_did, endorsement.slug),
        "type": list(ENDORSEMENT_TYPE),
        "name": f"{who.name} endorses {endorsed_name(program, endorsement)}",
        "issuer": profile,
        "validFrom": timestamp(endorsement.date),
        "credentialSubject": {
            "id": endorsed_id(program, endorsement, issuer_did),
            "type": ["EndorsementSubject"],
            "endorsementComment": endorsement.comment,
        },
    }
