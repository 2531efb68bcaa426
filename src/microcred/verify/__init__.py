"""Offline, fail-closed verification of OB 3.0 / VC credentials with a per-check report.

Door 1 (the engine): :func:`iter_checks` yields the nine checks in order. Door 2:
:func:`check_credential` returns the :class:`VerificationReport`. Door 3 (fail closed):
:func:`verify_credential` raises :class:`VerificationFailed` unless the credential is valid
(and trusted, with a trust file). :func:`verify_paths` finds credentials in files, baked
images, folders and built sites. See docs/verify.md for the checks and codes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from microcred import _lazy_exports

if TYPE_CHECKING:
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
    from microcred.verify.trust import TrustedIssuer, TrustStore, load_trust_file
    from microcred.verify.userpins import is_jwk_document, jwks_from, load_jwks, user_contexts

_WHERE = {
    "VerificationFailed": "engine",
    "check_credential": "engine",
    "iter_checks": "engine",
    "verify_credential": "engine",
    "VerifyOptions": "options",
    "verify_paths_parallel": "parallel",
    "verify_paths_rendered": "parallel",
    "PinnedDocument": "pinned",
    "StatusSnapshot": "pinned",
    "load_did_document": "pinned",
    "load_status_list": "pinned",
    "read_json_file": "pinned",
    "CHECK_IDS": "report",
    "CheckResult": "report",
    "Finding": "report",
    "VerificationReport": "report",
    "exit_code": "report",
    "explain": "report",
    "human_lines": "report",
    "printable": "report",
    "verdict_word": "report",
    "SITE_MANIFEST": "sources",
    "Source": "sources",
    "check_source": "sources",
    "discover": "sources",
    "verify_paths": "sources",
    "is_jwk_document": "userpins",
    "jwks_from": "userpins",
    "load_jwks": "userpins",
    "user_contexts": "userpins",
    "TrustedIssuer": "trust",
    "TrustStore": "trust",
    "load_trust_file": "trust",
}
"""Each exported name's module, imported on first use (issue 12: start-up time). A module
that needs one part (the report's dataclasses, the options) loads only that part: the
build reads kept verdicts without the checks, pyld or the canonicalizer; a verify without
``--trust`` never loads the trust store."""

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

__getattr__ = _lazy_exports(__name__, globals(), _WHERE)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_WHERE))
