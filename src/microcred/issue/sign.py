"""The one signer: a proof set by one key, after the JSON-LD data-loss check."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from microcred.errors import JsonLdError
from microcred.issue import SUITES
from microcred.jsonld import OfflineLoader, canonicalize, check_data_loss, default_loader, jcs
from microcred.proof.keys import KeyPair
from microcred.proof.suites import add_proof

__all__ = ["SUITES", "sign_document"]


def sign_document(
    document: Mapping[str, Any],
    key: KeyPair,
    *,
    created: dt.datetime,
    suites: tuple[str, ...] = SUITES,
    loader: OfflineLoader | None = None,
    warn: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Add one proof per suite (a proof set by one key); refuses lossy JSON-LD first.

    Used for credentials, status lists and ``microcred sign`` alike, so every signature
    microcred makes goes through the same data-loss check. The one exception: a JCS-only
    signature covers the exact JSON bytes, so a context microcred has not pinned cannot hide
    anything from it; then the check is skipped and ``warn`` is told why.
    """
    active_loader = loader or default_loader()
    if "@context" in document:
        try:
            check_data_loss(document, active_loader)
        except JsonLdError as exc:
            jcs_only = all(s == "eddsa-jcs-2022" for s in suites)
            if not (jcs_only and exc.code == "INVALID_CONTEXT"):
                raise
            if warn is not None:
                warn(
                    f"JSON-LD data-loss check skipped ({exc.message}); eddsa-jcs-2022 signs "
                    "the JSON exactly as it is"
                )

    def rdfc(doc: Mapping[str, Any]) -> str:
        # portable: never sign what the reference stack's verifiers cannot canonicalize
        return canonicalize(doc, active_loader, portable=True)

    signed: dict[str, Any] = dict(document)
    for suite in suites:
        signed = add_proof(signed, key, suite=suite, created=created, rdfc=rdfc, jcs=jcs)
    return signed
