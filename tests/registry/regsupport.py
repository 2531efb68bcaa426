"""Credentials for registry tests, signed by microcred's own proof code with TEST-ONLY keys.

Built on the adversarial corpus generator (tests/adversarial/generate.py): its keys, status
lists and base credential, with the variations an import has to tell apart.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from tests.jsonld.corpora import load_by_path

ADVERSARIAL = Path(__file__).resolve().parent.parent / "adversarial" / "generate.py"
PG_URL = os.environ.get("MICROCRED_TEST_PG", "")
"""A PostgreSQL server for the registry tests (.ci/run starts one; unset: those tests skip)."""
REQUIRE_PG = os.environ.get("MICROCRED_REQUIRE_PG", "") not in ("", "0")


gen = load_by_path("adversarial_generate", ADVERSARIAL)
AT = gen.AT  # every import in these tests verifies "as of" this time
LEARNER = gen.RECIPIENT  # the e-mail the credentials' salted IdentityHash names
OTHER_LEARNER = "bob@example.com"
REVOKED_INDEX = gen.REVOKED_INDEX
ISSUER = gen.ISSUER
OTHER_ISSUER = gen.OTHER
_counter = iter(range(1, 1_000_000))


def credential(
    *,
    issuer_seed: bytes = gen.TEST_ONLY_ISSUER_SEED,
    recipient: str = LEARNER,
    credits: float | None = 2,
    unit: str | None = "ECTS",
    index: int | None = None,
    valid_until: str | None = gen.VALID_UNTIL,
    achievement_type: str = "Course",
    alignment: str | None = None,
    cid: int | None = None,
    name: str = "Data Analysis Sprint",
    issuer: str | None = None,
) -> dict[str, Any]:
    """A signed OB 3.0 credential (rdfc + jcs proof set) with the given variations; with
    ``issuer`` (a DID) it is returned unsigned, for another implementation to sign."""
    number = cid if cid is not None else next(_counter)
    unsigned = issuer is not None
    issuer = issuer or gen.did_key(issuer_seed)
    doc = copy.deepcopy(gen.credential(issuer, index=index or 1000 + number, cid=str(number)))
    if index is None:
        doc.pop("credentialStatus")
    subject = doc["credentialSubject"]
    salt = f"TEST-ONLY-salt-{number}"
    subject["identifier"][0]["salt"] = salt
    subject["identifier"][0]["identityHash"] = gen.identity_hash(recipient, salt)
    achievement = subject["achievement"]
    achievement["achievementType"] = achievement_type
    achievement["name"] = name
    if credits is not None:
        subject["creditsEarned"] = credits
        achievement["creditsAvailable"] = credits
        if unit is not None:
            achievement["tag"] = [f"credits: {credits:g} {unit}"]
    if alignment is not None:
        achievement["alignment"] = [
            {"type": ["Alignment"], "targetName": "Skill", "targetUrl": alignment}
        ]
    if valid_until is None:
        doc.pop("validUntil")
    else:
        doc["validUntil"] = valid_until
    if unsigned:
        return doc
    vm = gen.did_key_vm(issuer_seed)
    signed: dict[str, Any] = gen.secure(doc, issuer_seed, vm)
    return signed


def revocation_list(revoked: tuple[int, ...] = (REVOKED_INDEX,)) -> dict[str, Any]:
    result: dict[str, Any] = gen.status_list(gen.REV_URL, "revocation", revoked)
    return result


def tampered(signed: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(signed)
    out["credentialSubject"]["achievement"]["name"] = "Quantum Physics PhD"
    return out


def write(path: Path, document: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False), encoding="utf-8")
    return path


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def trust_file(path: Path, *issuers: tuple[str, str], extra: dict[str, Any] | None = None) -> Path:
    entries = [{"did": did, "name": name, **(extra or {})} for did, name in issuers]
    return write(path, {"microcred_trust": 1, "issuers": entries})
