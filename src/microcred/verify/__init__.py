"""Offline, fail-closed verification of OB 3.0 / VC credentials with a per-check report.

Door 1 (the engine): :func:`iter_checks` yields the nine checks in order. Door 2:
:func:`check_credential` returns the :class:`VerificationReport`. Door 3 (fail closed):
:func:`verify_credential` raises :class:`VerificationFailed` unless the credential is valid
(and trusted, with a trust file). :func:`verify_paths` finds credentials in files, baked
images, folders and built sites. See docs/verify.md for the checks and codes.
"""

from typing import TYPE_CHECKING, Any

from microcred.verify.engine import (
    VerificationFailed,
    check_credential,
    iter_checks,
    verify_credential,
)
from microcred.verify.options import VerifyOptions
from microcred.verify.parallel import verify_paths_parallel, verify_paths_rendered
from microcred.verify.pinned import (
    PinnedDocument,
    StatusSnapshot,
    load_did_document,
    load_status_list,
    read_json_file,
)
from microcred.verify.report import (
    CHECK_IDS,
    CheckResult,
    Finding,
    VerificationReport,
    exit_code,
    explain,
    human_lines,
    printable,
    verdict_word,
)
from microcred.verify.sources import SITE_MANIFEST, Source, check_source, discover, verify_paths
from microcred.verify.userpins import is_jwk_document, jwks_from, load_jwks, user_contexts

if TYPE_CHECKING:
    from microcred.verify.trust import TrustedIssuer, TrustStore, load_trust_file

_LAZY = {"TrustedIssuer", "TrustStore", "load_trust_file"}
"""Names of the trust store, loaded on first use (PEP 562): a verify without ``--trust`` never
needs it, and its import is 4 ms of a one-file verify's start-up."""


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from microcred.verify import trust

        return getattr(trust, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "CHECK_IDS",
    "SITE_MANIFEST",
    "CheckResult",
    "Finding",
    "PinnedDocument",
    "Source",
    "StatusSnapshot",
    "TrustStore",
    "TrustedIssuer",
    "VerificationFailed",
    "VerificationReport",
    "VerifyOptions",
    "check_credential",
    "check_source",
    "discover",
    "exit_code",
    "explain",
    "human_lines",
    "is_jwk_document",
    "iter_checks",
    "jwks_from",
    "load_did_document",
    "load_jwks",
    "load_status_list",
    "load_trust_file",
    "printable",
    "read_json_file",
    "user_contexts",
    "verdict_word",
    "verify_credential",
    "verify_paths",
    "verify_paths_parallel",
    "verify_paths_rendered",
]
