"""Offline JSON-LD for microcred: pinned contexts, RDFC-1.0, data-loss check, JCS, strict JSON."""

from microcred.jsonld import _pyld_import  # noqa: F401  (first: pyld without its network stack)
from microcred.jsonld.jcs import jcs
from microcred.jsonld.loader import OfflineLoader, default_loader, loader_with_contexts
from microcred.jsonld.rdfc import canonical_variants, canonicalize, canonicalize_nquads
from microcred.jsonld.safe import check_data_loss
from microcred.jsonld.strictjson import loads_strict
from microcred.jsonld.stringify import reference_json

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
