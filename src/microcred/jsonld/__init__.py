"""Offline JSON-LD for microcred: pinned contexts, RDFC-1.0, data-loss check, JCS, strict JSON.

Names are imported from their submodule on first use (issue 12: start-up time): a build that
signs and verifies nothing, or a module that only needs the loader or the JSON writer, never
loads pyld. Every submodule that uses pyld imports :mod:`microcred.jsonld._pyld_import` first
(pyld without its network stack).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from microcred import _lazy_exports

# Not lazy: the function has its module's name, which the package attribute becomes once the
# module is imported (the module is small and has no dependencies).
from microcred.jsonld.jcs import jcs

if TYPE_CHECKING:
    from microcred.jsonld.loader import OfflineLoader, default_loader, loader_with_contexts
    from microcred.jsonld.rdfc import canonical_variants, canonicalize, canonicalize_nquads
    from microcred.jsonld.safe import check_data_loss
    from microcred.jsonld.strictjson import loads_strict
    from microcred.jsonld.stringify import reference_json

_WHERE = {
    "OfflineLoader": "loader",
    "default_loader": "loader",
    "loader_with_contexts": "loader",
    "canonical_variants": "rdfc",
    "canonicalize": "rdfc",
    "canonicalize_nquads": "rdfc",
    "check_data_loss": "safe",
    "loads_strict": "strictjson",
    "reference_json": "stringify",
}

__all__ = [
    "OfflineLoader",
    "canonical_variants",
    "canonicalize",
    "canonicalize_nquads",
    "check_data_loss",
    "default_loader",
    "jcs",
    "loader_with_contexts",
    "loads_strict",
    "reference_json",
]

__getattr__ = _lazy_exports(__name__, globals(), _WHERE)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_WHERE))
