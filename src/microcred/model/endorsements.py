"""Endorsements: a mentor, peer or organisation vouching for a credential, a brief or the issuer.

Each becomes an OB 3.0 ``EndorsementCredential`` signed by the endorser's own key (never the
issuer's: an endorsement the issuer signs for someone else would be worth nothing).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from microcred.model.rules import DID_KEY_RE, _require, _slug, _text, _url

ENDORSER_KINDS = ("mentor", "peer", "organisation")
TARGET_KINDS = ("credential", "achievement", "issuer")
TargetKind = Literal["credential", "achievement", "issuer"]


@dataclass(frozen=True)
class Endorser:
    name: str
    kind: str  # one of ENDORSER_KINDS
    url: str | None = None
    description: str | None = None
    did: str | None = None  # their own did:key, signed with the key file they bring
    key_file: str | None = None  # path to that key file (kept outside git)

    def __post_init__(self) -> None:
        _text(self.name, "$.name", max_len=200)
        _require(
            self.kind in ENDORSER_KINDS, "$.kind", f"must be one of {', '.join(ENDORSER_KINDS)}"
        )
        if self.url is not None:
            _url(self.url, "$.url")
        if self.description is not None:
            _text(self.description, "$.description", max_len=500)
        if self.did is not None:
            _require(
                bool(DID_KEY_RE.match(self.did)),
                "$.did",
                "must be a did:key (a did:web would need its DID document at verify time)",
            )
            _require(
                self.key_file is not None,
                "$.key_file",
                "an endorser who brings a DID must bring the key file that signs for it",
            )


@dataclass(frozen=True)
class Endorsement:
    slug: str
    endorser: Endorser
    target_kind: TargetKind
    target: str  # record slug, brief slug, or "" for the issuer
    date: dt.datetime  # when it was made (time zone aware); the credential's validFrom
    comment: str  # Markdown: the endorsementComment
    source: str = ""

    def __post_init__(self) -> None:
        _slug(self.slug, "$.slug")
        _require(self.target_kind in TARGET_KINDS, "$.endorses", "names nothing to endorse")
        if self.target_kind != "issuer":
            _slug(self.target, f"$.endorses.{self.target_kind}")
        _require(self.date.tzinfo is not None, "$.date", "needs a time zone")
        _text(self.comment, "$", max_len=10_000)
