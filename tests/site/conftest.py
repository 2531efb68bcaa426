"""Site test fixtures: the example program built once per session with a fixed key and clock."""

from __future__ import annotations

import datetime as dt
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # sitehelpers, shared with scripts/

from sitehelpers import NOW, copy_example, fixed_key

from microcred.site import BuildResult, build_site


@dataclass(frozen=True)
class Built:
    project: Path
    site: Path
    source: Path
    result: BuildResult
    now: dt.datetime


@pytest.fixture(scope="session")
def built_example(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The bundled example, issued and built once (about ten seconds)."""
    base = tmp_path_factory.mktemp("example")
    project = copy_example(base / "program")
    result = build_site(
        project, base / "site", now=NOW, key=fixed_key(), keep_source=base / "source"
    )
    return Built(project, base / "site", base / "source", result, NOW)
