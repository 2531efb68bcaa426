"""``microcred.toml``: parsed with tomllib, with a line for each table and key.

tomllib reports syntax errors as ``... (at line N, column M)`` but keeps no positions for
values, so a small scan of the text maps ``[table]`` headers and ``key =`` lines to paths.
"""

from __future__ import annotations

import re
import tomllib

from microcred.records.paths import Path_
from microcred.records.yamlsafe import Located

_AT = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*\Z")
_AT_END = re.compile(r"\s*\(at end of document\)\s*\Z")
_HEADER = re.compile(r"\s*\[\s*([^\[\]]+?)\s*\]\s*(?:#.*)?\Z")
_KEY = re.compile(
    r"\s*((?:[A-Za-z0-9_-]+|\"[^\"]*\"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|\"[^\"]*\"|'[^']*'))*)\s*="
)


class TomlProblem(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def _keys(text: str) -> Path_:
    parts = re.findall(r"[A-Za-z0-9_-]+|\"[^\"]*\"|'[^']*'", text)
    return tuple(p[1:-1] if p[:1] in "\"'" else p for p in parts)


def load_toml(text: str) -> Located:
    """Parsed TOML plus the line of every ``[table]`` and ``key =`` (best effort)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        match = _AT.search(message)
        if match is not None:
            raise TomlProblem(
                int(match.group(1)), f"TOML: {message[: match.start()]} (column {match.group(2)})"
            ) from None
        last = text.count("\n") + (0 if text.endswith("\n") else 1)
        raise TomlProblem(max(last, 1), f"TOML: {_AT_END.sub('', message)}") from None
    lines: dict[Path_, int] = {}
    table: Path_ = ()
    for number, line in enumerate(text.split("\n"), start=1):
        header = _HEADER.match(line)
        if header is not None:
            table = _keys(header.group(1))
            lines.setdefault(table, number)
            continue
        key = _KEY.match(line)
        if key is not None:
            lines.setdefault(table + _keys(key.group(1)), number)
    return Located(data, lines, 1)
