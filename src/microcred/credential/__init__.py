"""Model -> OB 3.0 credential documents, recipient identity hashing, schema validation."""

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
