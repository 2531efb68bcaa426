"""Fixtures for verify tests: the adversarial generator's TEST-ONLY signer and corpus files."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from microcred.proof.timestamps import parse_datetimestamp
from microcred.verify import VerifyOptions
from microcred.verify.pinned import PinnedDocument, StatusSnapshot

ADVERSARIAL = Path(__file__).resolve().parent.parent / "adversarial"
CORPUS = ADVERSARIAL / "corpus"


def _generator() -> ModuleType:
    name = "adversarial_generate"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, ADVERSARIAL / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


gen = _generator()
AT = parse_datetimestamp(gen.AT)


def corpus_json(name: str) -> Any:
    return json.loads((CORPUS / name).read_text(encoding="utf-8"))


def default_options(**changes: Any) -> VerifyOptions:
    """The corpus's own status lists and did:web document (what a site folder would supply)."""
    lists = {
        gen.REV_URL: StatusSnapshot(corpus_json("support/revocation-1.json"), "revocation-1.json"),
        gen.SUS_URL: StatusSnapshot(corpus_json("support/suspension-1.json"), "suspension-1.json"),
        gen.WEB_REV_URL: StatusSnapshot(
            corpus_json("support/web-revocation-1.json"), "web-revocation-1.json"
        ),
    }
    docs = {gen.WEB_DID: PinnedDocument(corpus_json("support/school.example.did.json"), "did.json")}
    return VerifyOptions(did_documents=docs, status_lists=lists, **changes)


@pytest.fixture
def baseline() -> dict[str, Any]:
    value: dict[str, Any] = corpus_json("valid_baseline.json")
    return value


@pytest.fixture
def options() -> VerifyOptions:
    return default_options()
