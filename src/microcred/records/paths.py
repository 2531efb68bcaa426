"""JSON paths as tuples (for lookups) and as ``$.a.b[0]`` text (for people)."""

from __future__ import annotations

import json
import re

from microcred._util import loads_strict

Path_ = tuple[str | int, ...]

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_PART = re.compile(r"\.([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]|\[(\"(?:[^\"\\]|\\.)*\")\]")


def format_path(path: Path_) -> str:
    """``("rubric", "criteria", 1)`` -> ``$.rubric.criteria[1]``; odd keys as ``["a b"]``."""
    out = "$"
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _IDENT.match(part):
            out += f".{part}"
        else:
            out += f"[{json.dumps(part, ensure_ascii=False)}]"
    return out


def parse_path(text: str) -> Path_:
    """Inverse of :func:`format_path`; stops at the first part it cannot read."""
    if not text.startswith("$"):
        return ()
    parts: list[str | int] = []
    pos = 1
    while pos < len(text):
        match = _PART.match(text, pos)
        if match is None:
            break
        name, index, quoted = match.groups()
        if name is not None:
            parts.append(name)
        elif index is not None:
            parts.append(int(index))
        else:
            parts.append(str(loads_strict(quoted)))
        pos = match.end()
    return tuple(parts)


def join(prefix: Path_, model_field: str) -> Path_:
    """A ``ModelError.field`` (relative to the object built) under ``prefix``."""
    return prefix + parse_path(model_field)
