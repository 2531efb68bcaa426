"""Everything a site publishes, ready to write: credentials, signed status lists, DID documents;
and the one way to change a credential's status (``microcred revoke``).

Signed status lists are kept in ``status/published/`` and re-signed only when their content
changes, so rebuilding an unchanged program changes no byte anywhere. A list's ``validFrom`` is
the instant of its last status change (or, before any change, the earliest credential's
``validFrom``): "this list has said exactly this since then". Its ``ttl`` tells a verifier how
long a downloaded copy may be treated as current.

Modules: :mod:`.publication` (``prepare_publication``), :mod:`.status_lists` (signing and
dating the lists), :mod:`.revocation` (``change_status``).
"""

from microcred.publish.publication import Publication, prepare_publication, publication_frame
from microcred.publish.reset import apply_reset, plan_reset
from microcred.publish.revocation import (
    ACTIONS,
    MAX_REASON,
    Action,
    StatusChange,
    change_status,
    resolve_credential,
)
from microcred.publish.status_lists import (
    PUBLISHED_DIR,
    STATUS_TTL_MS,
    record_statuses,
    signed_status_lists,
    status_changes,
    status_epoch,
)

__all__ = [
    "ACTIONS",
    "MAX_REASON",
    "PUBLISHED_DIR",
    "STATUS_TTL_MS",
    "Action",
    "Publication",
    "StatusChange",
    "apply_reset",
    "change_status",
    "plan_reset",
    "prepare_publication",
    "publication_frame",
    "record_statuses",
    "resolve_credential",
    "signed_status_lists",
    "status_changes",
    "status_epoch",
]
