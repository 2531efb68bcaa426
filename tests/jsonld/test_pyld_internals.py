"""microcred subclasses pyld internals (jsonld/_pyld.py, safe.py, rdfc.py); pyproject pins the
minor version. These tests fail loudly, naming what moved, when a pyld release changes them."""

from __future__ import annotations

import inspect
from importlib import metadata

from pyld.canon import URDNA2015
from pyld.identifier_issuer import IdentifierIssuer

from microcred.jsonld._pyld_import import pyld_jsonld

# method -> parameter names, as microcred's overrides call them (super() with these arguments)
PROCESSOR_METHODS = {
    "__init__": ["self", "on_property_dropped"],
    "_process_context": [
        "self",
        "active_ctx",
        "local_ctx",
        "options",
        "override_protected",
        "propagate",
        "validate_scoped",
        "cycles",
    ],
    "_expand_iri": ["self", "active_ctx", "value", "base", "vocab", "local_ctx", "defined"],
    "expand": ["self", "input_", "options"],
    "_expand": [
        "self",
        "active_ctx",
        "active_property",
        "element",
        "options",
        "inside_list",
        "inside_index",
        "type_scoped_ctx",
    ],
    "_object_to_rdf": ["self", "item", "issuer", "triples", "options"],
}
URDNA2015_METHODS = {
    "__init__": ["self"],
    "create_hash": ["self"],
    "hash_first_degree_quads": ["self", "id_"],
    "hash_n_degree_quads": ["self", "id_", "issuer"],
}


def _params(function: object) -> list[str]:
    return list(inspect.signature(function).parameters)  # type: ignore[arg-type]


def test_pyld_is_the_minor_version_microcred_subclasses() -> None:
    version = metadata.version("pyld")
    assert version.startswith("3.3."), (
        f"pyld {version}: re-check jsonld/_pyld.py, safe.py and rdfc.py against its internals, "
        "then move the pin in pyproject.toml and this test together"
    )


def test_overridden_processor_methods_keep_their_signatures() -> None:
    moved = {
        name: _params(getattr(pyld_jsonld.JsonLdProcessor, name, None) or (lambda: None))
        for name, expected in PROCESSOR_METHODS.items()
        if _params(getattr(pyld_jsonld.JsonLdProcessor, name, None) or (lambda: None)) != expected
    }
    assert not moved, f"pyld JsonLdProcessor internals changed: {moved}"


def test_urdna2015_internals_rdfc_relies_on() -> None:
    moved = {
        name: _params(getattr(URDNA2015, name, None) or (lambda: None))
        for name, expected in URDNA2015_METHODS.items()
        if _params(getattr(URDNA2015, name, None) or (lambda: None)) != expected
    }
    assert not moved, f"pyld URDNA2015 internals changed: {moved}"
    state = vars(URDNA2015())
    assert {"blank_node_info", "canonical_issuer", "quads"} <= set(state), sorted(state)
    issuer = IdentifierIssuer("_:b")
    assert {"existing", "order"} <= set(vars(issuer)), sorted(vars(issuer))
    assert issuer.get_id("_:x") == "_:b0" and issuer.has_id("_:x")
    assert issuer.existing == {"_:x": "_:b0"} and issuer.order == ["_:x"]


def test_error_type_microcred_translates_exists() -> None:
    assert issubclass(pyld_jsonld.JsonLdError, Exception)
    assert callable(pyld_jsonld.JsonLdProcessor.expand)
