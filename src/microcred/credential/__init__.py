"""Model -> OB 3.0 credential documents, recipient identity hashing, schema validation.

Names are imported from their submodule on first use (PEP 562): the verifier reads
``credential.clr`` without paying for jsonschema and the builder (issue 12: start-up time).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from microcred import _lazy_exports

if TYPE_CHECKING:
    from microcred.credential.build import (
        CONTEXT,
        CREDENTIAL_TYPE,
        build_credential,
        credential_id,
        timestamp,
    )
    from microcred.credential.identity import (
        email_identity,
        identity_hash,
        matches_identity,
        new_salt,
        normalise_email,
    )
    from microcred.credential.schemas import ob_schema, schema_errors

_WHERE = {
    "CONTEXT": "build",
    "CREDENTIAL_TYPE": "build",
    "build_credential": "build",
    "credential_id": "build",
    "timestamp": "build",
    "email_identity": "identity",
    "identity_hash": "identity",
    "matches_identity": "identity",
    "new_salt": "identity",
    "normalise_email": "identity",
    "ob_schema": "schemas",
    "schema_errors": "schemas",
}

__all__ = [
    "CONTEXT",
    "CREDENTIAL_TYPE",
    "build_credential",
    "credential_id",
    "email_identity",
    "identity_hash",
    "matches_identity",
    "new_salt",
    "normalise_email",
    "ob_schema",
    "schema_errors",
    "timestamp",
]


__getattr__ = _lazy_exports("microcred.credential", globals(), _WHERE)
