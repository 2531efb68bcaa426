"""No input produces a traceback: random bytes, YAML-ish text and mutated records."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from microcred.errors import Problem
from microcred.records import check_program, parse_document

from .conftest import FIXTURES

YAMLISH = st.text(
    alphabet=st.sampled_from([*list(":-[]{}&*!|>'\"#%@`,?~. \n\tabxyNOyes01_2"), "é", "\x85"]),
    max_size=120,
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.text(max_size=12),
    st.sampled_from(
        [
            "2026-05-04",
            "2026-02-30",
            "yes",
            "1_000",
            "1e999",
            "-1",
            "0.001",
            "2026-05-04T10:00:00",
            "../x",
            "EUR",
            "good",
            "report",
        ]
    ),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)
RECORD = yaml.safe_load((FIXTURES / "base" / "records" / "ada.md").read_text().split("---")[1])


def sane(problems: list[Problem]) -> None:
    for problem in problems:
        assert isinstance(problem, Problem)
        assert problem.line is None or problem.line >= 1
        text = str(problem)
        assert "internal error" not in text and "too complex" not in text, text


@settings(max_examples=150, deadline=None, database=None)
@given(st.binary(max_size=300))
def test_random_bytes_as_front_matter(data: bytes) -> None:
    doc, problems = parse_document("record", "records/x.md", b"---\n" + data + b"\n---\nbody\n")
    sane(problems)
    assert doc is not None or problems


@settings(max_examples=150, deadline=None, database=None)
@given(YAMLISH)
def test_random_yamlish_front_matter(text: str) -> None:
    data = ("---\n" + text + "\n---\n").encode()
    for kind in ("record", "achievement"):
        _, problems = parse_document(kind, "f.md", data)
        sane(problems)


def _mutate(data: Any, path: list[Any], value: Any) -> Any:
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(data, dict):
        return {**data, head: _mutate(data.get(head), rest, value)}
    return value


@settings(
    max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(
                [
                    ["hours"],
                    ["candidate", "name"],
                    ["candidate", "email"],
                    ["candidate", "id"],
                    ["candidate", "slug"],
                    ["start_date"],
                    ["end_date"],
                    ["results"],
                    ["outcome"],
                    ["awarded"],
                    ["status"],
                    ["mentor"],
                    ["evidence"],
                    ["achievement"],
                    ["demographics"],
                    ["outcome", "offer_date"],
                    ["outcome", "offer_accepted"],
                ]
            ),
            VALUES,
        ),
        min_size=1,
        max_size=3,
    )
)
def test_mutated_record_through_the_whole_engine(changes: list[tuple[list[str], Any]]) -> None:
    data: Any = RECORD
    for path, value in changes:
        data = _mutate(data, path, value)
    text = "---\n" + yaml.safe_dump(data, allow_unicode=True) + "---\nnarrative\n"
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "p"
        shutil.copytree(FIXTURES / "base", root)
        (root / "records" / "ada.md").write_text(text, encoding="utf-8")
        sane(check_program(root))
