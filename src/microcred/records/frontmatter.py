"""Reading a Markdown file with YAML front matter, strictly and with line numbers.

The split goes through python-frontmatter (a handler with microcred's delimiters: ``---`` to
open, ``---`` or ``...`` to close); the YAML is parsed by :mod:`microcred.records.yamlsafe`,
which keeps the line of every node, never by a site engine: MkDocs swallows YAML errors and
renders a page with no metadata (DESIGN section 7), whereas here a broken header is a problem
with its file and line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from frontmatter.default_handlers import YAMLHandler

from microcred.errors import Problem
from microcred.records.hints import syntax_hint
from microcred.records.yamlsafe import Located, YamlProblem, load_located

MAX_FILE_BYTES = 1_000_000
_DELIM = re.compile(r"---[ \t]*\Z")
_BAD_CHAR = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class _Delimiters(YAMLHandler):
    """python-frontmatter's split, with the delimiters microcred documents (not ``----``)."""

    FM_BOUNDARY = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE)


_SPLITTER = _Delimiters()


class SourceProblem(Exception):
    """A file that cannot be read as a front-matter document; carries its problem."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


@dataclass(frozen=True)
class FrontMatter:
    """A Markdown file split into its YAML header and its body (line numbers are 1-based)."""

    yaml_text: str
    yaml_line: int  # file line of the first YAML line (after the opening '---')
    body: str
    body_line: int  # file line where the body starts


def read_text(path: Path, rel: str) -> str:
    """Read a regular UTF-8 file, normalising newlines; refuses links and control characters."""
    if path.is_symlink():
        raise SourceProblem(Problem(rel, 1, "", "is a symbolic link; put the file itself here"))
    if not path.is_file():
        raise SourceProblem(Problem(rel, 1, "", "is not a regular file"))
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise SourceProblem(
            Problem(rel, 1, "", f"cannot be read ({exc.strerror or exc})")
        ) from None
    if len(data) > MAX_FILE_BYTES:
        raise SourceProblem(Problem(rel, 1, "", f"is larger than {MAX_FILE_BYTES} bytes"))
    return decode(data, rel)


def decode(data: bytes, rel: str) -> str:
    """UTF-8 text with LF newlines and no BOM; control characters are refused by line."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise SourceProblem(
            Problem(
                rel,
                line,
                "",
                f"is not UTF-8 (byte 0x{data[exc.start]:02X} at column "
                f"{column}); save the file as UTF-8",
            )
        ) from None
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    bad = _BAD_CHAR.search(text)
    if bad is not None:
        line = text.count("\n", 0, bad.start()) + 1
        raise SourceProblem(
            Problem(
                rel, line, "", f"contains the control character U+{ord(bad.group()):04X}; remove it"
            )
        )
    return text


def split_front_matter(text: str, rel: str) -> FrontMatter:
    """Split ``---`` YAML ``---`` from the Markdown body, or raise :class:`SourceProblem`."""
    lines = text.split("\n")
    if not lines or not _DELIM.match(lines[0]):
        raise SourceProblem(
            Problem(
                rel,
                1,
                "",
                "has no front matter: start the file with a line '---', then "
                "the YAML fields, then another '---' line, then the Markdown text",
            )
        )
    try:
        header, content = _SPLITTER.split(text)
    except ValueError:
        raise SourceProblem(
            Problem(
                rel, 1, "", "front matter is never closed: add a line '---' after the YAML fields"
            )
        ) from None
    index = header.count("\n")  # the closing line's index (the header runs from line 1)
    rest = content[1:].split("\n") if content else []
    skipped = 0
    while skipped < len(rest) and not rest[skipped].strip():
        skipped += 1
    body = "\n".join(rest[skipped:]).rstrip()
    return FrontMatter(
        yaml_text=header[1:] or "\n",
        yaml_line=2,
        body=body + "\n" if body else "",
        body_line=index + 2 + skipped,
    )


def parse_front_matter(text: str, rel: str) -> tuple[Located, FrontMatter]:
    """The header as located data (must be a mapping) plus the split file."""
    parts = split_front_matter(text, rel)
    try:
        located = load_located(parts.yaml_text, parts.yaml_line)
    except YamlProblem as exc:
        hint = syntax_hint(parts.yaml_text, parts.yaml_line, exc.line)
        raise SourceProblem(Problem(rel, exc.line, exc.pointer, exc.message + hint)) from None
    if located.data is None:
        raise SourceProblem(
            Problem(
                rel, 1, "", "front matter is empty: write the fields between the two '---' lines"
            )
        )
    if not isinstance(located.data, dict):
        raise SourceProblem(
            Problem(
                rel,
                located.root_line,
                "$",
                "front matter must be fields ('name: value' lines), not a list or a single value",
            )
        )
    return located, parts
