"""Fixtures for the jsonld layer: loaders over the pinned contexts plus standards-pack extras."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from microcred.jsonld.loader import OfflineLoader

REPO = Path(__file__).resolve().parents[2]
# Same rule as tests/conftest.py; needed at collection time to parametrize by test id.
STANDARDS_AT_COLLECTION = Path(
    os.environ.get("MICROCRED_STANDARDS", str(REPO.parent / "shared" / "standards"))
).resolve()


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def standards_extra(standards: Path) -> dict[str, Any]:
    """Standards-pack contexts microcred does not pin (examples/v2, citizenship, CLR...)."""
    pinned = OfflineLoader().urls()
    index = read_json(standards / "contexts" / "contexts.json")
    return {
        url: read_json(standards / "contexts" / name)
        for url, name in index.items()
        if url not in pinned
    }


@pytest.fixture(scope="session")
def test_loader(standards: Path) -> OfflineLoader:
    """Pinned contexts plus the standards pack's test-only contexts, via ``extra``."""
    return OfflineLoader(extra=standards_extra(standards))


@pytest.fixture(scope="session")
def ob_unsigned(standards: Path) -> dict[str, Any]:
    data = read_json(standards / "vectors" / "eddsa-rdfc-2022" / "openbadges-3.0" / "unsigned.json")
    assert isinstance(data, dict)
    return data


@pytest.fixture
def ob_doc() -> dict[str, Any]:
    """A small, valid OB 3.0 credential (fresh per test, so tests may edit it)."""
    return {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": "urn:uuid:5b9b9e4e-1a2b-4c3d-8e9f-000000000001",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": "did:example:issuer", "type": ["Profile"], "name": "Issuer"},
        "validFrom": "2024-01-01T00:00:00Z",
        "name": "Badge",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "achievement": {
                "id": "urn:uuid:5b9b9e4e-1a2b-4c3d-8e9f-000000000002",
                "type": ["Achievement"],
                "name": "A",
                "description": "D",
                "criteria": {"narrative": "N"},
            },
        },
    }


# --- the reference stack (tests/interop/js/harness.mjs), for a few cross-checks here --------

HARNESS = REPO / "tests" / "interop" / "js" / "harness.mjs"


def _harness_problem() -> str | None:
    if shutil.which("node") is None:
        return "node is not on PATH"
    if not (HARNESS.parent / "node_modules" / "@digitalbazaar" / "vc").is_dir():
        return f"{HARNESS.parent}/node_modules is missing (npm ci there)"
    return None


@pytest.fixture(scope="session")
def reference_batch() -> Callable[[list[dict[str, Any]]], list[dict[str, Any]]]:
    """Answers of the reference harness to a batch of requests (one node process per call).
    Skips without node and the harness's node_modules."""
    problem = _harness_problem()
    if problem is not None:
        pytest.skip(f"reference JS harness unavailable: {problem}")

    def batch(requests: list[dict[str, Any]]) -> list[dict[str, Any]]:
        proc = subprocess.run(
            [str(shutil.which("node")), str(HARNESS)],
            input=json.dumps({"op": "batch", "requests": requests}).encode("utf-8"),
            capture_output=True,
            cwd=HARNESS.parent,
            timeout=120,
            check=True,
        )
        answers: list[dict[str, Any]] = json.loads(proc.stdout.decode("utf-8"))["responses"]
        assert len(answers) == len(requests)
        return answers

    return batch


@pytest.fixture(scope="session")
def reference_canonize(
    reference_batch: Callable[[list[dict[str, Any]]], list[dict[str, Any]]],
) -> Callable[[list[dict[str, Any]]], list[str]]:
    """RDFC-1.0 N-Quads from the reference's eddsa-rdfc-2022 canonize (jsonld.js +
    rdf-canonize, safe mode) for documents with inline contexts."""

    def canonize(documents: list[dict[str, Any]]) -> list[str]:
        answers = reference_batch([{"op": "canonize", "document": doc} for doc in documents])
        assert all("nquads" in a for a in answers), answers
        return [str(a["nquads"]) for a in answers]

    return canonize
