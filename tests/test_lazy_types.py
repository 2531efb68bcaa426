"""The located problem and the layout's two dataclasses load on first use (an unchanged
``microcred build`` never imports ``dataclasses``), and are the same objects however asked."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest


def _fresh(script: str) -> object:
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    return json.loads(run.stdout.strip().splitlines()[-1])


def test_errors_and_layout_load_no_dataclass_until_one_is_asked_for() -> None:
    found = _fresh(
        "import json, sys\n"
        "import microcred.errors, microcred.layout\n"
        "before = 'dataclasses' in sys.modules\n"
        "from microcred.errors import Problem\n"
        "print(json.dumps([before, 'dataclasses' in sys.modules, Problem.__module__]))\n"
    )
    assert found == [False, True, "microcred.problem"]


def test_each_lazy_name_is_the_class_of_its_module() -> None:
    from microcred import errors, layout, manifest, problem, program_paths

    assert errors.Problem is problem.Problem
    assert layout.ProgramPaths is program_paths.ProgramPaths
    assert layout.SiteManifest is manifest.SiteManifest
    import microcred

    assert microcred.ProgramPaths is program_paths.ProgramPaths
    assert microcred.SiteManifest is manifest.SiteManifest
    with pytest.raises(AttributeError, match="no attribute 'Nothing'"):
        _ = errors.Nothing  # type: ignore[attr-defined]
    with pytest.raises(AttributeError, match="no attribute 'Nothing'"):
        _ = layout.Nothing  # type: ignore[attr-defined]


def test_problems_still_sort_and_print_as_located() -> None:
    from microcred.errors import Problem, ProblemsError

    late = Problem("b.md", 3, "$.x", "late")
    early = Problem("a.md", None, "", "early")
    error = ProblemsError([late, early])
    assert error.problems == [early, late]
    assert [str(p) for p in error.problems] == ["a.md: early", "b.md:3: $.x: late"]
