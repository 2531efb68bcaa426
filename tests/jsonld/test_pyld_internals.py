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


def test_pyld_names_contexts_without_uuid1_so_a_verify_opens_no_socket() -> None:
    """pyld names each context it processes with ``str(uuid.uuid1())``, which on Linux asks
    the uuidd daemon over a UNIX socket. microcred gives pyld random names instead: in a fresh
    interpreter whose ``uuid.uuid1`` and ``socket.socket`` refuse to run, a signed credential's
    proof still verifies, and the names of distinct contexts differ."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    probe = """
import socket, sys, uuid
def refuse(*args, **kwargs):
    raise AssertionError("uuid1 or a socket was used")
uuid.uuid1 = refuse
socket.socket = refuse
import datetime as dt, json
from pathlib import Path
from microcred.jsonld._pyld_import import pyld_jsonld
from microcred.proof import parse_datetimestamp
from microcred.verify import check_credential
text = Path(sys.argv[1]).read_bytes()
proof = json.loads(text)["proof"]
created = (proof[0] if isinstance(proof, list) else proof)["created"]
now = parse_datetimestamp(created) + dt.timedelta(hours=1)
report = check_credential(text, now=now)
names = set()
processor = pyld_jsonld.JsonLdProcessor()
for context in ({"a": "https://example.org/a"}, {"b": "https://example.org/b"}):
    active = processor._get_initial_context({})
    names.add(processor.process_context(active, context, {"documentLoader": None})["_uuid"])
print(json.dumps([next(c.outcome for c in report.checks if c.id == "proof"), len(names)]))
"""
    credential = Path(__file__).parents[1] / "adversarial" / "corpus" / "valid_baseline.json"
    done = subprocess.run(
        [sys.executable, "-c", probe, str(credential)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == ["passed", 2]
