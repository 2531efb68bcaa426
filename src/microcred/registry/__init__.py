"""School import: trust list, credit policy, SQL registry (SQLAlchemy Core + Alembic), exports.

Public names: :class:`Registry` (open / write / read, the transcript API), :class:`RegistryError`,
:func:`masked`, :func:`parse_url`, and the entry points the CLI calls (import, ledger, policy,
school, transcript, trust list). They load on first use: a verification worker imports
``microcred.registry.pool`` and must not pay for SQLAlchemy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from microcred import _lazy_exports

if TYPE_CHECKING:
    from microcred.registry.dburl import DEFAULT_URL, RegistryError, masked, parse_url
    from microcred.registry.importer import ImportRequest, Outcome, import_sources
    from microcred.registry.ledger import (
        export_rows,
        pending_review,
        record_decision,
        reverify,
        summary,
        write_csv,
        write_json,
    )
    from microcred.registry.policy import Policy, load_policy
    from microcred.registry.school import SchoolConfig, load_school
    from microcred.registry.store import AcceptedCredential, Registry
    from microcred.registry.transcript import Transcript, issue_transcript, revoke_transcript
    from microcred.registry.trustlist import Window, load_trust_list

_EXPORTS = {
    "DEFAULT_URL": "microcred.registry.dburl",
    "RegistryError": "microcred.registry.dburl",
    "masked": "microcred.registry.dburl",
    "parse_url": "microcred.registry.dburl",
    "AcceptedCredential": "microcred.registry.store",
    "Registry": "microcred.registry.store",
    "ImportRequest": "microcred.registry.importer",
    "Outcome": "microcred.registry.importer",
    "import_sources": "microcred.registry.importer",
    "export_rows": "microcred.registry.ledger",
    "pending_review": "microcred.registry.ledger",
    "record_decision": "microcred.registry.ledger",
    "reverify": "microcred.registry.ledger",
    "summary": "microcred.registry.ledger",
    "write_csv": "microcred.registry.ledger",
    "write_json": "microcred.registry.ledger",
    "Policy": "microcred.registry.policy",
    "load_policy": "microcred.registry.policy",
    "SchoolConfig": "microcred.registry.school",
    "load_school": "microcred.registry.school",
    "Transcript": "microcred.registry.transcript",
    "issue_transcript": "microcred.registry.transcript",
    "revoke_transcript": "microcred.registry.transcript",
    "Window": "microcred.registry.trustlist",
    "load_trust_list": "microcred.registry.trustlist",
}
__all__ = [
    "DEFAULT_URL",
    "AcceptedCredential",
    "ImportRequest",
    "Outcome",
    "Policy",
    "Registry",
    "RegistryError",
    "SchoolConfig",
    "Transcript",
    "Window",
    "export_rows",
    "import_sources",
    "issue_transcript",
    "load_policy",
    "load_school",
    "load_trust_list",
    "masked",
    "parse_url",
    "pending_review",
    "record_decision",
    "reverify",
    "revoke_transcript",
    "summary",
    "write_csv",
    "write_json",
]


__getattr__ = _lazy_exports("microcred.registry", globals(), _EXPORTS)
