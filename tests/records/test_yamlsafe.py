"""YAML 1.2 core typing, line tracking and refusal of hostile documents (MC-68c)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from microcred.records.yamlsafe import LOADERS, MAX_DEPTH, MAX_NODES, YamlProblem, load_located


@pytest.fixture(params=LOADERS, ids=lambda cls: cls.__name__)
def loader(request: pytest.FixtureRequest) -> type[Any]:
    """Every test runs with libyaml's parser and with PyYAML's pure-Python one."""
    chosen: type[Any] = request.param
    return chosen


def value(text: str, loader: type[Any]) -> object:
    return load_located(f"v: {text}\n", 2, loader=loader).data["v"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("NO", "NO"),  # YAML 1.1 would say False (the Norway problem)
        ("yes", "yes"),
        ("on", "on"),
        ("Off", "Off"),
        ("y", "y"),
        ("1_000", "1_000"),  # YAML 1.1 would say 1000
        ("1:30", "1:30"),  # YAML 1.1 would say 90 (sexagesimal)
        ("2026-05-01", "2026-05-01"),  # dates stay text; date fields parse them
        ("2026-05-01T17:00:00Z", "2026-05-01T17:00:00Z"),
        (".inf", ".inf"),
        (".nan", ".nan"),
        ("0b101", "0b101"),
        ("'true'", "true"),
        ('"42"', "42"),
        ("!!str 42", "42"),
    ],
)
def test_yaml11_lookalikes_stay_text(text: str, expected: str, loader: type[Any]) -> None:
    assert value(text, loader) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("true", True),
        ("False", False),
        ("TRUE", True),
        ("010", 10),  # decimal in YAML 1.2; YAML 1.1 would say 8
        ("-7", -7),
        ("0o17", 15),
        ("0x1F", 31),
        ("!!int 12", 12),
        ("null", None),
        ("~", None),
        ("", None),
    ],
)
def test_core_scalars(text: str, expected: object, loader: type[Any]) -> None:
    got = value(text, loader)
    assert got == expected
    assert type(got) is type(expected)


@pytest.mark.parametrize(("text", "expected"), [("37.5", "37.5"), ("1.", "1"), ("1e3", "1E+3")])
def test_numbers_with_a_point_are_exact_decimals(
    text: str, expected: str, loader: type[Any]
) -> None:
    got = value(text, loader)
    assert isinstance(got, Decimal)
    assert str(got) == expected


def test_every_path_has_the_line_of_its_node(loader: type[Any]) -> None:
    text = (
        "name: x\n"
        "rubric:\n"
        "  criteria:\n"
        "    - id: a\n"
        "      levels:\n"
        "        - {id: one, points: 1}\n"
        "        - id: two\n"
        "          points: 2\n"
        "odd key: |\n"
        "  block\n"
        "  text\n"
        "after: 1\n"
    )
    located = load_located(text, 10, loader=loader)
    lines = located.lines
    assert lines[("name",)] == 10
    assert lines[("rubric",)] == 11
    assert lines[("rubric", "criteria", 0)] == 13
    assert lines[("rubric", "criteria", 0, "levels", 0, "points")] == 15
    assert lines[("rubric", "criteria", 0, "levels", 1)] == 16
    assert lines[("rubric", "criteria", 0, "levels", 1, "points")] == 17
    assert lines[("odd key",)] == 18
    assert lines[("after",)] == 21
    assert located.line_of(("rubric", "criteria", 0, "nothing", 3)) == 13
    assert located.line_of(("missing",)) == 10


def test_line_numbers_count_only_newlines(loader: type[Any]) -> None:
    # U+2028 and U+0085 are line breaks to YAML parsers but not to editors or to us.
    located = load_located('a: "x\u2028y\x85z"\nb: 1\néé: 2\nc: 3\n', 5, loader=loader)
    assert located.lines[("b",)] == 6
    assert located.lines[("c",)] == 8


def expect_problem(text: str, loader: type[Any]) -> YamlProblem:
    with pytest.raises(YamlProblem) as caught:
        load_located(text, 2, loader=loader)
    return caught.value


def test_billion_laughs_is_refused_before_expansion(loader: type[Any]) -> None:
    layers = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        ref = f"*l{i - 1}" if i > 1 else "*a"
        layers.append(f"l{i}: &l{i} [{', '.join([ref] * 10)}]")
    problem = expect_problem("\n".join(layers) + "\n", loader)
    assert f"more than {MAX_NODES} values" in problem.message
    assert problem.line == 6  # the fifth layer crosses the cap


def test_small_aliases_are_fine(loader: type[Any]) -> None:
    data = load_located("base: &b {x: 1}\ncopy: *b\n", 2, loader=loader).data
    assert data == {"base": {"x": 1}, "copy": {"x": 1}}


def test_recursive_alias_is_refused(loader: type[Any]) -> None:
    assert "refers to itself" in expect_problem("a: &x [1, *x]\n", loader).message


def test_deep_nesting_is_refused(loader: type[Any]) -> None:
    problem = expect_problem("[" * 100_000 + "]" * 100_000 + "\n", loader)
    assert f"nested deeper than {MAX_DEPTH}" in problem.message


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("a: !!python/object/apply:os.system ['id']\n", "!!python/object/apply:os.system"),
        ("a: !!python/name:os.system\n", "!!python/name:os.system"),
        ("a: !!binary aGk=\n", "!!binary"),
        ("a: !!timestamp 2026-01-01\n", "!!timestamp"),
        ("a: !!set {x, y}\n", "!!set"),
        ("a: !!omap [{x: 1}]\n", "!!omap"),
        ("a: !custom x\n", "!custom"),
    ],
)
def test_tags_other_than_plain_data_are_refused(
    text: str, fragment: str, loader: type[Any]
) -> None:
    problem = expect_problem(text, loader)
    assert fragment in problem.message
    assert problem.pointer == "$.a"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: !!int 1_000\n", "'1_000' is not a valid !!int value"),
        ("a: !!bool yes\n", "'yes' is not a valid !!bool value"),
        ("a: 9" + "9" * 5000 + "\n", "number has too many digits"),
        ("a: 1\na: 2\n", "duplicate field 'a' (first on line 2); keep one"),
        ("2026: x\n", "field names must be text; quote the key '2026' or rename it"),
        ("? [a]\n: b\n", "field names must be text; a list or a group of fields cannot be a"),
        ("a: \x07\n", "YAML: character U+0007 is not allowed here; remove it"),
        ("a: 1\n---\nb: 2\n", "YAML: found another document (expected a single document"),
        ("a: *nothing\n", "YAML: found undefined alias 'nothing'"),
    ],
)
def test_broken_yaml_is_a_located_problem(text: str, message: str, loader: type[Any]) -> None:
    problem = expect_problem(text, loader)
    assert problem.message.startswith(message)
    assert problem.line >= 2


# Syntax errors come from the parser, whose wording differs between libyaml and PyYAML;
# the line and column must not.
SYNTAX = {
    "CoreCLoader": [
        "YAML: mapping values are not allowed in this context (column 5)",
        "YAML: did not find expected ',' or ']' (while parsing a flow sequence on line 4) "
        "(column 1)",
        "YAML: did not find expected key (while parsing a block mapping on line 2) (column 2)",
    ],
    "CoreLoader": [
        "YAML: mapping values are not allowed here (column 5)",
        "YAML: expected ',' or ']', but got '<stream end>' (while parsing a flow sequence on "
        "line 4) (column 1)",
        "YAML: expected <block end>, but found '<block sequence start>' (while parsing a "
        "block mapping on line 2) (column 2)",
    ],
}


def test_syntax_errors_keep_line_and_column(loader: type[Any]) -> None:
    messages = SYNTAX[loader.__name__]
    problem = expect_problem("a: b: c\n", loader)
    assert (problem.line, problem.message) == (2, messages[0])
    problem = expect_problem("a: 1\nb: 2\nc: [\n  d: e\n", loader)
    # where the parser gave up: the end of the YAML, i.e. the file's closing '---' line
    assert (problem.line, problem.message) == (6, messages[1])
    problem = expect_problem("a: 1\nb:\n  - x\n - y\n", loader)
    assert (problem.line, problem.message) == (5, messages[2])


def test_both_loaders_agree_on_the_example() -> None:
    from .conftest import EXAMPLE

    for path in sorted((EXAMPLE / "records").glob("*.md")):
        text = path.read_text(encoding="utf-8").split("---\n")[1]
        results = [load_located(text, 2, loader=cls) for cls in LOADERS]
        assert all(r.data == results[0].data and r.lines == results[0].lines for r in results)


def test_empty_document(loader: type[Any]) -> None:
    assert load_located("# only a comment\n", 2, loader=loader).data is None
