"""Front matter already parsed and checked against its schema, kept between runs (issue 12).

``microcred issue`` and ``microcred build`` both read ``microcred.toml`` and every brief and
record; parsing the YAML and checking it against the JSON Schema is most of that (about
1.5 ms a file: 15 s at 10,000 records, the largest serial part of a build). Both depend
only on the file's text and on this code, so the located data of each file that passed is
kept in ``.microcred/build-cache/parsed.pickle``, keyed by its kind and the SHA-256 of its
text, under a key naming the bytes of the parsers and the schemas and the libraries they
use; a later run takes it instead of parsing and checking again. The models are still built
(and validated) from it, exactly as from a fresh parse, so a file is never trusted for more
than its text.

The file is read back with an unpickler that admits plain data and ``Decimal`` only; any
doubt (another key, a damaged or foreign file) means the cache is not used. It holds the files
of the last run that kept it, nothing older, and only runs that issue or build keep it.
"""

from __future__ import annotations

import hashlib
import importlib.util
import io
import os
import pickle  # read back by _PlainUnpickler: plain data and Decimal only
import sys
from decimal import Decimal
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from microcred.fsutil import atomic_write_bytes
from microcred.layout import BUILD_CACHE_DIR
from microcred.records.yamlsafe import Located
from microcred.sealed import cache_dir_ready, seal_bytes, unseal_bytes

PARSED_FILE = "parsed.pickle"
Parsed = tuple[Located, str, int]
"""(the located front matter, the body, the body's first line)."""

_CODE = ("yamlsafe.py", "frontmatter.py", "tomlconf.py", "schema.py", "paths.py", "parsed.py")


@cache
def code_key() -> str:
    """The bytes of the parser and the schemas, and the installed YAML and JSON Schema
    libraries (their files' size and time: an upgrade rewrites them): what the cached
    entries were made by (looked at once per process)."""
    digest = hashlib.sha256(b"microcred parsed front matter 2\0")
    digest.update(sys.version.encode() + b"\0")  # tomllib is the interpreter's
    for library in ("yaml", "jsonschema"):  # found, not imported (jsonschema: 46 ms)
        spec = importlib.util.find_spec(library)
        if spec is None or spec.origin is None:
            digest.update(f"{library}:absent\0".encode())
            continue
        info = os.stat(spec.origin)
        digest.update(f"{library}:{info.st_size}:{info.st_mtime_ns}\0".encode())
    package = resources.files("microcred.records")
    for name in _CODE:
        digest.update(name.encode() + b"\0" + package.joinpath(name).read_bytes())
    schemas = package.joinpath("schemas")
    for entry in sorted(schemas.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".json"):
            digest.update(entry.name.encode() + b"\0" + entry.read_bytes())
    return digest.hexdigest()


class _PlainUnpickler(pickle.Unpickler):
    """Plain containers, text, numbers and ``Decimal``; never any other class or callable."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) == ("decimal", "Decimal"):
            return Decimal
        raise pickle.UnpicklingError(f"{module}.{name} is not plain front-matter data")


_ODD = (AttributeError, IndexError, KeyError, RecursionError, MemoryError)


_PLAIN = (str, int, float, bool, Decimal, type(None))


def _plain(value: Any) -> bool:
    """Only what :class:`_PlainUnpickler` reads back: containers of text, numbers, Decimal."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if not all(isinstance(key, _PLAIN) for key in item):
                return False
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
        elif not isinstance(item, _PLAIN):
            return False
    return True


def _key(kind: str, text: str) -> str:
    return kind + ":" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


class ParsedCache:
    """The cache of one program folder: :meth:`get` before parsing, :meth:`put` after a
    file passed, :meth:`save` to keep this run's files for the next."""

    def __init__(self, root: Path) -> None:
        self.path = Path(root) / BUILD_CACHE_DIR / PARSED_FILE
        self._old: dict[str, tuple[Any, ...]] | None = None
        self._new: dict[str, tuple[Any, ...]] = {}

    def _load(self) -> dict[str, tuple[Any, ...]]:
        if self._old is None:
            self._old = {}
            try:
                data = unseal_bytes(self.path.read_bytes())
                if data is None:  # not written by this account's microcred: not read
                    return self._old
                found = _PlainUnpickler(io.BytesIO(data)).load()
            except (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError, *_ODD):
                return self._old
            if isinstance(found, dict) and found.get("code") == code_key():
                entries = found.get("entries")
                if isinstance(entries, dict):
                    self._old = entries
        return self._old

    def get(self, kind: str, text: str) -> Parsed | None:
        """What a file of this kind with exactly this text parsed into, if kept."""
        key = _key(kind, text)
        entry = self._load().get(key)
        if not (isinstance(entry, tuple) and len(entry) == 5):
            return None
        data, lines, root_line, body, body_line = entry
        if not (
            isinstance(data, dict)
            and isinstance(lines, dict)
            and type(root_line) is int
            and isinstance(body, str)
            and type(body_line) is int
        ):
            return None
        self._new[key] = entry
        return Located(data, dict(lines), root_line), body, body_line

    def put(self, kind: str, text: str, located: Located, body: str, body_line: int) -> None:
        """A file that parsed and passed its schema check; not kept when its data is not
        plain (a TOML date, say): the reader would refuse the whole file."""
        if _plain(located.data):
            entry = (located.data, located.lines, located.root_line, body, body_line)
            self._new[_key(kind, text)] = entry

    def save(self) -> None:
        """Keep this run's files (only these: the cache never grows past the program); a
        cache that cannot be written only costs time."""
        if self._new.keys() == self._load().keys():  # a key names its entry's content
            return
        try:
            data = pickle.dumps({"code": code_key(), "entries": self._new}, protocol=5)
            cache_dir_ready(self.path.parent)
            atomic_write_bytes(self.path, seal_bytes(data))
        except (OSError, pickle.PicklingError, TypeError, RecursionError):
            pass
