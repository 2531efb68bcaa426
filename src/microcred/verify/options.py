"""What a verification may use besides the credential: pinned documents, snapshots, policy.

Everything external comes in here, already loaded from local files: the verifier never opens a
socket, so a DID document or status list that is not in these maps does not exist for it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from microcred.verify.pinned import PinnedDocument, StatusSnapshot

if TYPE_CHECKING:  # the trust store loads only with a trust file (4 ms of a verify's start-up)
    from microcred.verify.trust import TrustStore

DEFAULT_SKEW = timedelta(seconds=300)
"""Skew tolerated on validFrom/validUntil and proof.created (digitalbazaar/vc maxClockSkew)."""


@dataclass(frozen=True)
class VerifyOptions:
    """Inputs and policy for one verification run (immutable; derive with :meth:`merged`).

    ``did_documents`` maps a DID to its pinned document; ``status_lists`` maps a
    ``statusListCredential`` URL to a snapshot. ``strict`` turns warnings into failures.
    """

    did_documents: Mapping[str, PinnedDocument] = field(default_factory=dict)
    status_lists: Mapping[str, StatusSnapshot] = field(default_factory=dict)
    trust: TrustStore | None = None
    recipient: str | None = None
    strict: bool = False
    skew: timedelta = DEFAULT_SKEW
    jwks: tuple[tuple[str, Mapping[str, Any]], ...] = ()
    """(source, public JWK) pairs the user vouches for as issuers' VC-JWT keys (``--jwk``)."""
    contexts: Mapping[str, Any] = field(default_factory=dict)
    """URL -> JSON-LD context the user pinned from a local file (``--context URL=FILE``)."""
    site_unused: Mapping[str, str] = field(default_factory=dict)
    """DID -> a site folder's copy of its document that was not used (the folder is not
    authoritative for that DID), so the proof check's hint can say so."""
    cache: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)
    """Status-list verifications already done in this run (a site's lists are shared by all its
    credentials); keyed by the snapshot and everything its verdict depends on."""

    def merged(
        self,
        did_documents: Mapping[str, PinnedDocument] | None = None,
        status_lists: Mapping[str, StatusSnapshot] | None = None,
    ) -> VerifyOptions:
        """Add documents/snapshots that do not override ones already present.

        Precedence is first come: the trust file, then explicit flags, then a site folder's own
        files, so a site folder can never replace a key the user pinned.
        """
        docs = dict(did_documents or {})
        docs.update(self.did_documents)
        lists = dict(status_lists or {})
        lists.update(self.status_lists)
        return replace(self, did_documents=docs, status_lists=lists)
