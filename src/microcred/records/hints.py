"""Plain-words hints for the YAML mistakes people make most in front matter.

PyYAML reports where it gave up, which is often lines after the real mistake (an unclosed
quote swallows the rest of the header) or a message about "expected keys". These helpers look
at the text itself and name the line the author has to fix.
"""

from __future__ import annotations

import re

from microcred.errors import Problem

_KEY_VALUE = re.compile(r"^(\s*)(?:-\s+)?(?:[^\s#:'\"][^:#]*?:\s+|-\s+)(.*)$")
_INDENT = re.compile(r"^( *)\S")


def _unclosed_quote(value: str) -> bool:
    """True when ``value`` opens a quoted scalar that does not end on the same line."""
    value = value.rstrip()
    if value.startswith('"'):
        body = re.sub(r"\\.", "", value[1:])
        return '"' not in body
    if value.startswith("'"):
        body = value[1:].replace("''", "")
        return "'" not in body
    return False


def _indent_of(line: str) -> int | None:
    match = _INDENT.match(line)
    return None if match is None or line.lstrip().startswith("#") else len(match.group(1))


def syntax_hint(yaml_text: str, first_line: int, error_line: int) -> str:
    """A sentence to add to a YAML syntax error, or "" when nothing typical is found."""
    lines = yaml_text.split("\n")
    last = min(len(lines), max(1, error_line - first_line + 1))
    for index in range(last):
        match = _KEY_VALUE.match(lines[index])
        if match and _unclosed_quote(match.group(2)):
            return (
                f"; hint: the quote opened on line {first_line + index} is never closed "
                "(end the value with the same quote character, or remove the opening one)"
            )
    seen: set[int] = {0}
    above = 0
    for index in range(last):
        indent = _indent_of(lines[index])
        if indent is None:
            continue
        if indent not in seen and any(abs(indent - s) == 1 for s in seen):
            return (
                f"; hint: line {first_line + index} is indented by {indent} space(s), the line "
                f"above by {above}; YAML nests by indentation, so line it up with the field "
                "it belongs with (2 spaces per level)"
            )
        seen.add(indent)
        above = indent
    return ""


def flow_mapping_hints(text: str, problems: list[Problem]) -> list[Problem]:
    """Explain "unknown field" problems caused by a comma inside ``{ ... }`` on one line."""
    lines = text.split("\n")
    out = []
    for problem in problems:
        line = lines[problem.line - 1] if problem.line and problem.line <= len(lines) else ""
        field = re.search(r"unknown field '([^']*)'", problem.message)
        inside = line[line.find("{") + 1 :] if "{" in line else ""
        if field and "," in inside and field.group(1) in inside:
            problem = Problem(
                problem.path,
                problem.line,
                problem.pointer,
                problem.message + "; hint: inside { ... } a comma starts a new field, so a "
                'value with a comma must be quoted ("Head, Analytics"), or write the '
                "fields one per line (block style)",
            )
        out.append(problem)
    return out
