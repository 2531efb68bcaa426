"""Splitting Markdown files ourselves, with exact line offsets (DESIGN section 7)."""

from __future__ import annotations

import pytest

from microcred.records import split_front_matter
from microcred.records.frontmatter import SourceProblem, decode, parse_front_matter


def test_split_keeps_line_offsets() -> None:
    parts = split_front_matter("---\na: 1\nb: 2\n---\n\n\nBody *text*.\n\nMore.\n", "x.md")
    assert parts.yaml_text == "a: 1\nb: 2\n"
    assert parts.yaml_line == 2
    assert parts.body == "Body *text*.\n\nMore.\n"
    assert parts.body_line == 7


def test_dots_close_front_matter_and_body_may_be_empty() -> None:
    parts = split_front_matter("---\na: 1\n...\n", "x.md")
    assert parts.yaml_text == "a: 1\n"
    assert parts.body == ""


def test_crlf_bom_and_lone_cr_keep_lines() -> None:
    text = decode("\ufeff---\r\na: 1\r\nb: [\r\n---\r\nbody\r".encode(), "x.md")
    assert text == "---\na: 1\nb: [\n---\nbody\n"
    with pytest.raises(SourceProblem) as caught:
        parse_front_matter(text, "x.md")
    assert str(caught.value.problem).startswith("x.md:4: YAML:")


def test_front_matter_must_be_first() -> None:
    with pytest.raises(SourceProblem) as caught:
        split_front_matter("\n---\na: 1\n---\n", "x.md")
    assert "has no front matter" in caught.value.problem.message


def test_empty_front_matter() -> None:
    with pytest.raises(SourceProblem) as caught:
        parse_front_matter("---\n---\nbody\n", "x.md")
    assert str(caught.value.problem) == (
        "x.md:1: front matter is empty: write the fields between the two '---' lines"
    )


def test_yaml_error_lines_include_the_opening_delimiter() -> None:
    with pytest.raises(SourceProblem) as caught:
        parse_front_matter("---\nname: ok\ndescription: [broken\n---\n", "b.md")
    assert caught.value.problem.line == 4
