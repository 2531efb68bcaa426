"""School import: trust list, credit policy, SQL registry (SQLAlchemy Core + Alembic), exports.

Public names: :class:`Registry` (open / write / read, the transcript API), :func:`load_policy`,
:func:`import_sources` (verify + decide + record, one transaction per batch), exports.
"""

from microcred.registry.dburl import DEFAULT_URL, RegistryError, masked, parse_url
from microcred.registry.store import AcceptedCredential, Registry

__all__ = [
    "DEFAULT_URL",
    "AcceptedCredential",
    "Registry",
    "RegistryError",
    "masked",
    "parse_url",
]
