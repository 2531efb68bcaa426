"""Front-matter YAML: safe, YAML 1.2 core typing, and a line for every JSON path.

PyYAML's ``safe_load`` follows YAML 1.1, which silently turns ``country: NO`` into ``False``,
``n: 1_000`` into ``1000``, ``010`` into ``8`` and ``cohort: 2026-05-01`` into a date
(security case MC-68c). Here plain scalars resolve only as YAML 1.2 core does (``true``/``false``,
decimal/0o/0x integers, decimal floats, ``null``/``~``); everything else stays text, dates
included (the schema and the builders parse the fields that are dates). Values are built from
the node graph by our own walker, so no tag can reach a Python constructor, aliases are counted
as expanded (an alias bomb is refused before anything is built), and each value's start line is
recorded under its JSON path.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml
from yaml.composer import Composer, ComposerError
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import BaseResolver

from microcred.records.paths import Path_, format_path

MAX_NODES = 20_000  # counted with aliases expanded; a real record has a few hundred
MAX_DEPTH = 64

_CORE = "tag:yaml.org,2002:"
STR, INT, FLOAT, BOOL, NULL = (_CORE + t for t in ("str", "int", "float", "bool", "null"))
SEQ, MAP = _CORE + "seq", _CORE + "map"

_INT_RE = re.compile(r"[-+]?[0-9]+\Z")
_OCT_RE = re.compile(r"0o[0-7]+\Z")
_HEX_RE = re.compile(r"0x[0-9a-fA-F]+\Z")
_FLOAT_RE = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?\Z")
_BOOL_RE = re.compile(r"(?:true|True|TRUE|false|False|FALSE)\Z")
_NULL_RE = re.compile(r"(?:~|null|Null|NULL|)\Z")


class YamlProblem(Exception):
    """A YAML document that cannot become data; ``line`` is a line of the whole file."""

    def __init__(self, line: int, message: str, pointer: str = "") -> None:
        super().__init__(message)
        self.line = line
        self.message = message
        self.pointer = pointer


class _CoreResolver(BaseResolver):
    """Implicit typing of plain scalars as YAML 1.2 core does it (no timestamps either)."""

    yaml_implicit_resolvers: dict[Any, list[tuple[str, re.Pattern[str]]]] = {}  # noqa: RUF012


for _tag, _regex, _first in (
    (BOOL, _BOOL_RE, "tTfF"),
    (NULL, _NULL_RE, ["~", "n", "N", ""]),
    (INT, _INT_RE, "-+0123456789"),
    (INT, _OCT_RE, "0"),
    (INT, _HEX_RE, "0"),
    (FLOAT, _FLOAT_RE, "-+.0123456789"),
):
    _CoreResolver.add_implicit_resolver(_tag, _regex, list(_first))


class _CappedComposer(Composer):
    """Composes nodes counting aliases as expanded copies, with caps on count and depth.

    The count is kept per node, so checking a billion-laughs document costs one pass over
    its (small) text and is refused long before anything is expanded.
    """

    def _start_caps(self) -> None:
        self._nodes = 0
        self._depth = 0
        self._sizes: dict[int, int] = {}

    def _count(self, amount: int, mark: Any) -> None:
        self._nodes += amount
        if self._nodes > MAX_NODES:
            raise ComposerError(
                None,
                None,
                f"more than {MAX_NODES} values (aliases counted as copies); "
                "front matter this large is refused",
                mark,
            )

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        if self.check_event(AliasEvent):  # type: ignore[attr-defined]
            event: Any = self.peek_event()  # type: ignore[attr-defined]
            target = self.anchors.get(event.anchor)
            if target is not None:
                size = self._sizes.get(id(target))
                if size is None:
                    raise ComposerError(
                        None, None, f"alias *{event.anchor} refers to itself", event.start_mark
                    )
                self._count(size, event.start_mark)
            return super().compose_node(parent, index)
        mark = self.peek_event().start_mark  # type: ignore[attr-defined]
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise ComposerError(None, None, f"nested deeper than {MAX_DEPTH} levels", mark)
        before = self._nodes
        self._count(1, mark)
        node = super().compose_node(parent, index)
        self._depth -= 1
        self._sizes[id(node)] = self._nodes - before
        return node


class CoreLoader(_CappedComposer, yaml.SafeLoader):
    """PyYAML's pure-Python SafeLoader with YAML 1.2 core typing and the composer caps.

    Only scanning, parsing and composing are used; values are built by :func:`load_located`.
    """

    yaml_implicit_resolvers = _CoreResolver.yaml_implicit_resolvers

    def __init__(self, stream: str) -> None:
        yaml.SafeLoader.__init__(self, stream)
        self._start_caps()


if yaml.__with_libyaml__:
    from yaml._yaml import CParser

    class CoreCLoader(_CappedComposer, CParser, _CoreResolver):
        """Same as :class:`CoreLoader`, with libyaml scanning and parsing (about 10x faster).

        libyaml only produces events; composing (with the caps) stays in Python.
        """

        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            _CappedComposer.__init__(self)
            _CoreResolver.__init__(self)
            self._start_caps()

    LOADERS: tuple[type[Any], ...] = (CoreCLoader, CoreLoader)
else:  # pragma: no cover - PyYAML wheels ship libyaml
    LOADERS = (CoreLoader,)


@dataclass
class Located:
    """Plain data plus the file line where each JSON path's node starts."""

    data: Any
    lines: dict[Path_, int] = field(default_factory=dict)
    root_line: int = 1

    def line_of(self, path: Path_) -> int:
        """Line of ``path`` or of its nearest ancestor that has one."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(path[:end])
            if line is not None:
                return line
        return self.root_line


class _LineMap:
    """Maps a character index of the YAML text to a line of the whole file."""

    def __init__(self, text: str, first_line: int) -> None:
        self._breaks = [m.start() for m in re.finditer("\n", text)]
        self._first = first_line

    def line(self, index: int) -> int:
        return self._first + bisect.bisect_left(self._breaks, index)


def _show_tag(tag: str) -> str:
    return "!!" + tag[len(_CORE) :] if tag.startswith(_CORE) else tag


def _mark_index(mark: Any) -> int:
    return int(getattr(mark, "index", 0) or 0)


class _Builder:
    def __init__(self, lines: _LineMap) -> None:
        self._lines = lines
        self.located: dict[Path_, int] = {}

    def line(self, node: Node) -> int:
        return self._lines.line(_mark_index(node.start_mark))

    def fail(self, node: Node, message: str, path: Path_) -> YamlProblem:
        return YamlProblem(self.line(node), message, format_path(path))

    def value(self, node: Node, path: Path_) -> Any:
        self.located.setdefault(path, self.line(node))
        if isinstance(node, ScalarNode):
            return self.scalar(node, path)
        if isinstance(node, SequenceNode):
            if node.tag != SEQ:
                raise self.fail(
                    node,
                    f"the YAML tag {_show_tag(node.tag)} is not allowed; "
                    "front matter holds plain data only",
                    path,
                )
            return [self.value(item, (*path, i)) for i, item in enumerate(node.value)]
        if isinstance(node, MappingNode):
            return self.mapping(node, path)
        raise self.fail(node, "unsupported YAML node", path)  # pragma: no cover

    def mapping(self, node: MappingNode, path: Path_) -> dict[str, Any]:
        if node.tag != MAP:
            raise self.fail(
                node,
                f"the YAML tag {_show_tag(node.tag)} is not allowed; "
                "front matter holds plain data only",
                path,
            )
        out: dict[str, Any] = {}
        first: dict[str, int] = {}
        for key_node, value_node in node.value:
            if not (isinstance(key_node, ScalarNode) and key_node.tag == STR):
                if isinstance(key_node, ScalarNode):
                    why = f"quote the key {key_node.value!r} or rename it"
                else:
                    why = "a list or a group of fields cannot be a field name"
                raise self.fail(key_node, f"field names must be text; {why}", path)
            key = str(key_node.value)
            key_line = self.line(key_node)
            if key in first:
                raise YamlProblem(
                    key_line,
                    f"duplicate field {key!r} (first on line {first[key]}); keep one",
                    format_path((*path, key)),
                )
            first[key] = key_line
            self.located[(*path, key)] = key_line
            out[key] = self.value(value_node, (*path, key))
        return out

    def scalar(self, node: ScalarNode, path: Path_) -> Any:
        tag, text = node.tag, str(node.value)
        if tag == STR:
            return text
        if tag == NULL and _NULL_RE.match(text):
            return None
        if tag == BOOL and _BOOL_RE.match(text):
            return text.lower() == "true"
        if tag == INT:
            try:
                if _INT_RE.match(text):
                    return int(text, 10)
                if _OCT_RE.match(text):
                    return int(text[2:], 8)
                if _HEX_RE.match(text):
                    return int(text[2:], 16)
            except ValueError:
                raise self.fail(node, "number has too many digits", path) from None
        if tag == FLOAT and _FLOAT_RE.match(text):
            try:
                return Decimal(text)
            except InvalidOperation:  # pragma: no cover - the regex admits only valid text
                pass
        if tag in (NULL, BOOL, INT, FLOAT):
            raise self.fail(node, f"{text!r} is not a valid {_show_tag(tag)} value", path)
        raise self.fail(
            node,
            f"the YAML tag {_show_tag(tag)} is not allowed; front matter holds plain data only",
            path,
        )


def load_located(text: str, first_line: int, *, loader: type[Any] | None = None) -> Located:
    """Parse one YAML document whose first line is line ``first_line`` of its file.

    Raises :class:`YamlProblem` for syntax errors, forbidden tags, duplicate or non-text keys,
    bombs and over-deep nesting; numbers that are not whole come back as ``Decimal``.
    ``loader`` picks one of :data:`LOADERS` (tests compare them); the fastest is the default.
    """
    lines = _LineMap(text, first_line)
    try:
        parser = (loader or LOADERS[0])(text)  # the reader refuses control characters here
    except yaml.reader.ReaderError as exc:
        raise _reader_problem(exc, lines) from None
    try:
        node = parser.get_single_node()
    except yaml.MarkedYAMLError as exc:
        raise _syntax_problem(exc, lines) from None
    except yaml.reader.ReaderError as exc:
        raise _reader_problem(exc, lines) from None
    except yaml.YAMLError as exc:  # pragma: no cover - every other PyYAML error is marked
        raise YamlProblem(first_line, f"YAML: {exc}") from None
    finally:
        if hasattr(parser, "dispose"):
            parser.dispose()
    if node is None:
        return Located(None, {}, first_line)
    builder = _Builder(lines)
    data = builder.value(node, ())
    return Located(data, builder.located, builder.line(node))


def _reader_problem(exc: yaml.reader.ReaderError, lines: _LineMap) -> YamlProblem:
    code = exc.character if isinstance(exc.character, int) else None
    what = f"character U+{code:04X}" if code is not None else "a character"
    return YamlProblem(
        lines.line(int(exc.position)), f"YAML: {what} is not allowed here; remove it"
    )


def _syntax_problem(exc: yaml.MarkedYAMLError, lines: _LineMap) -> YamlProblem:
    mark = exc.problem_mark or exc.context_mark
    line = lines.line(_mark_index(mark)) if mark is not None else lines.line(0)
    column = (mark.column + 1) if mark is not None else 1
    what = (exc.problem or "syntax error").removeprefix("but ")
    if "maximum nesting depth" in what:
        # PyYAML >= 6.0.4's own depth limit fires before ours: one message either way.
        return YamlProblem(
            lines.line(_mark_index(mark)) if mark is not None else lines.line(0),
            f"YAML: nested deeper than {MAX_DEPTH} levels (column {column})",
        )
    if exc.context and exc.context_mark is not None and exc.context_mark is not mark:
        context = f"{exc.context} on line {lines.line(_mark_index(exc.context_mark))}"
        what = f"{what} ({context})"
    return YamlProblem(line, f"YAML: {what} (column {column})")
