"""YAML mistakes people make in front matter get a hint that names the line to fix."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from microcred.records import check_program


def _problems_after(program: Callable[[str], Path], old: str, new: str) -> list[str]:
    root = program("duplicate_record_copy")
    (root / "records" / "ada-copy.md").unlink()
    record = root / "records" / "ada.md"
    text = record.read_text(encoding="utf-8")
    assert old in text
    record.write_text(text.replace(old, new, 1), encoding="utf-8")
    return [str(p) for p in check_program(root)]


def test_unclosed_quote_names_the_line_that_opened_it(program: Callable[[str], Path]) -> None:
    problems = _problems_after(program, "  name: Ada Lovelace", '  name: "Ada Lovelace')
    assert len(problems) == 1
    assert problems[0].startswith("records/ada.md:")
    assert problems[0].endswith(
        "; hint: the quote opened on line 3 is never closed (end the value with the same "
        "quote character, or remove the opening one)"
    )


def test_comma_inside_a_flow_mapping(program: Callable[[str], Path]) -> None:
    problems = _problems_after(program, "role: Lead}", "role: Lead, Analytics}")
    assert problems == [
        "records/ada.md:10: $.mentor.Analytics: unknown field 'Analytics' (fields here: name, "
        "role); hint: inside { ... } a comma starts a new field, so a value with a comma must "
        'be quoted ("Head, Analytics"), or write the fields one per line (block style)'
    ]


def test_unknown_key_before_a_flow_mapping_gets_no_comma_hint(
    program: Callable[[str], Path],
) -> None:
    problems = _problems_after(program, "mentor: {", "mentr: {")
    assert not any("hint" in p for p in problems)


def test_one_space_indentation(program: Callable[[str], Path]) -> None:
    problems = _problems_after(program, "  email: ada", " email: ada")
    assert len(problems) == 1
    assert problems[0].startswith("records/ada.md:4: YAML: ")
    assert problems[0].endswith(
        "; hint: line 4 is indented by 1 space(s), the line above by 2; YAML nests by "
        "indentation, so line it up with the field it belongs with (2 spaces per level)"
    )
