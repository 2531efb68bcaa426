"""Import pyld's processor without its network stack (issue 12: start-up time).

``import pyld`` runs the package ``__init__``, which imports every document loader, and
``pyld.jsonld`` builds a default loader from ``requests`` (or ``aiohttp``) at import time:
about 0.1 s of start-up for code microcred never runs, since every call passes microcred's
offline loader. Here the package is registered without running its ``__init__`` (the real
one still runs on first access to an attribute it defines, e.g. ``pyld.ContextResolver``),
and the two network loaders are hidden while ``pyld.jsonld`` is imported, so pyld falls back
to its own loader that refuses every URL. pyld's ``jsonld`` module names the contexts it
processes with random UUIDs instead of ``uuid1`` (see :class:`_ContextNames`). Nothing else
about pyld changes.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import uuid
from types import ModuleType
from typing import TYPE_CHECKING, Any

__all__ = ["pyld_jsonld"]

_NETWORK_LOADERS = ("pyld.documentloader.requests", "pyld.documentloader.aiohttp")


def _install_package_stub() -> None:
    if "pyld" in sys.modules:
        return
    spec = importlib.util.find_spec("pyld")
    if spec is None or spec.loader is None:
        return  # not installed: the ordinary import below reports it
    package = importlib.util.module_from_spec(spec)
    state = {"ran": False}

    def __getattr__(name: str) -> Any:
        if name.startswith("__") or state["ran"]:
            raise AttributeError(name)
        # `from pyld import jsonld` (pyld's own modules do it) names a submodule: import it.
        submodule = sys.modules.get(f"pyld.{name}")
        if submodule is None and importlib.util.find_spec(f"pyld.{name}") is not None:
            submodule = importlib.import_module(f"pyld.{name}")
        if submodule is not None:
            return submodule
        state["ran"] = True
        assert spec.loader is not None
        spec.loader.exec_module(package)  # the real __init__, on demand
        return getattr(package, name)

    package.__getattr__ = __getattr__  # type: ignore[method-assign]
    sys.modules["pyld"] = package


def _defer_lxml_html() -> None:
    """pyld imports ``lxml.html`` (13 ms) only to read JSON-LD embedded in HTML, which the
    offline loader never serves: register a stand-in that imports the real module on first
    attribute use (importlib's LazyLoader would load at once: ``import`` reads ``__spec__``)."""
    if "lxml.html" in sys.modules:
        return
    try:
        spec = importlib.util.find_spec("lxml.html")
    except ImportError:
        return
    if spec is None:
        return  # not installed: pyld's own import reports it
    stand_in = ModuleType("lxml.html")
    stand_in.__spec__ = spec

    def __getattr__(name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        if sys.modules.get("lxml.html") is stand_in:
            del sys.modules["lxml.html"]
        real = importlib.import_module("lxml.html")
        sys.modules["lxml"].html = real  # type: ignore[attr-defined]
        return getattr(real, name)

    stand_in.__getattr__ = __getattr__  # type: ignore[method-assign]
    sys.modules["lxml.html"] = stand_in
    sys.modules["lxml"].html = stand_in  # type: ignore[attr-defined]


def _import_jsonld() -> ModuleType:
    if "pyld.jsonld" in sys.modules:
        return sys.modules["pyld.jsonld"]
    _install_package_stub()
    _defer_lxml_html()
    hidden = [name for name in _NETWORK_LOADERS if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]  # makes the import fail
    try:
        return importlib.import_module("pyld.jsonld")
    finally:
        for name in hidden:
            if sys.modules.get(name, ModuleType("x")) is None:
                del sys.modules[name]


class _ContextNames:
    """What pyld's ``jsonld`` module sees as ``uuid``: it names every context it processes
    ``str(uuid.uuid1())``, and on Linux ``uuid1`` asks the uuidd daemon over a UNIX socket and
    reads the network interfaces' hardware addresses through another, for each context (87
    times in a one-file verify). The names only tell contexts apart within a process (memo
    keys), so random ones serve as well, made from ``os.urandom``: a verify opens no socket."""

    uuid1 = staticmethod(uuid.uuid4)
    UUID = uuid.UUID


def _quiet_names(module: ModuleType) -> ModuleType:
    if getattr(module, "uuid", None) is uuid:
        module.uuid = _ContextNames  # type: ignore[attr-defined]
    return module


if TYPE_CHECKING:
    from pyld import jsonld as pyld_jsonld
else:
    pyld_jsonld = _quiet_names(_import_jsonld())
