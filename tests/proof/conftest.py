"""Fixtures for the proof layer: canonicalizers over the standards pack and vector readers."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from ._canon import jcs as _jcs
from ._canon import make_rdfc


@pytest.fixture(scope="session")
def rdfc(standards: Path) -> Callable[[Mapping[str, Any]], str]:
    return make_rdfc(standards)


@pytest.fixture(scope="session")
def jcs() -> Callable[[Any], bytes]:
    return _jcs


@pytest.fixture(scope="session")
def vectors(standards: Path) -> Path:
    return standards / "vectors"


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))
