"""School import: trust list, credit policy, SQL registry (SQLAlchemy Core + Alembic), exports.

Public names: :class:`Registry` (open / write / read, the transcript API), :class:`RegistryError`,
:func:`masked`, :func:`parse_url`. They load on first use: a verification worker imports
``microcred.registry.pool`` and must not pay for SQLAlchemy.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from microcred.registry.dburl import DEFAULT_URL, RegistryError, masked, parse_url
    from microcred.registry.store import AcceptedCredential, Registry

_EXPORTS = {
    "DEFAULT_URL": "microcred.registry.dburl",
    "RegistryError": "microcred.registry.dburl",
    "masked": "microcred.registry.dburl",
    "parse_url": "microcred.registry.dburl",
    "AcceptedCredential": "microcred.registry.store",
    "Registry": "microcred.registry.store",
}
__all__ = [
    "DEFAULT_URL",
    "AcceptedCredential",
    "Registry",
    "RegistryError",
    "masked",
    "parse_url",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'microcred.registry' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
