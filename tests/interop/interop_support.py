"""Interop support: Digital Bazaar's reference stack driven through ``js/harness.mjs``.

The harness is spawned as ``node harness.mjs`` with pipes (no socket, so pytest-socket is
happy), one process per *batch* of requests because node start-up dominates small requests.
When node or ``js/node_modules`` is missing every ``interop`` test is skipped and the run ends
with a loud banner; set ``MICROCRED_REQUIRE_INTEROP=1`` (CI) to turn that into failures.

Randomised tests draw from ONE seed per run, printed in the header and in every failure;
``MICROCRED_INTEROP_SEED=<hex>`` replays a run.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import re
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

INTEROP_DIR = Path(__file__).resolve().parent
JS_DIR = INTEROP_DIR / "js"
HARNESS = JS_DIR / "harness.mjs"
REPO = INTEROP_DIR.parent.parent
SHIPPED_CONTEXTS = REPO / "src" / "microcred" / "jsonld" / "contexts"

INTEROP_SEED = os.environ.get("MICROCRED_INTEROP_SEED") or os.urandom(8).hex()
REQUIRE = os.environ.get("MICROCRED_REQUIRE_INTEROP", "") not in ("", "0")


def _node_problem() -> str | None:
    """Why the reference harness cannot run here, or None when it can."""
    node = shutil.which("node")
    if node is None:
        return "node is not on PATH"
    if not (JS_DIR / "node_modules" / "@digitalbazaar" / "vc").is_dir():
        return f"{JS_DIR}/node_modules is missing (run `npm ci` in {JS_DIR})"
    out = subprocess.run([node, "--version"], capture_output=True, text=True, check=False)
    match = re.match(r"v(\d+)\.", out.stdout.strip())
    if match is None or int(match.group(1)) < 18:
        return f"node >= 18 needed, found {out.stdout.strip() or out.stderr.strip()!r}"
    return None


NODE_PROBLEM = _node_problem()


class HarnessError(AssertionError):
    """The harness itself broke (not a per-request error, those come back as data)."""


class Reference:
    """Client of js/harness.mjs: every call is one node process."""

    def __init__(self, node: str) -> None:
        self.node = node

    def call(self, request: Mapping[str, Any], *, timeout: float = 120) -> dict[str, Any]:
        proc = subprocess.run(
            [self.node, str(HARNESS)],
            input=json.dumps(request, ensure_ascii=False).encode("utf-8"),
            capture_output=True,
            cwd=JS_DIR,
            timeout=timeout,
            check=False,
        )
        if proc.returncode != 0:
            raise HarnessError(
                f"harness exited {proc.returncode}: {proc.stderr.decode('utf-8', 'replace')}"
            )
        try:
            answer = json.loads(proc.stdout.decode("utf-8"))
        except ValueError as exc:
            raise HarnessError(f"harness wrote no JSON ({exc}): {proc.stdout[:500]!r}") from exc
        if not isinstance(answer, dict):
            raise HarnessError(f"harness answered {answer!r}")
        return answer

    def batch(
        self, requests: Sequence[Mapping[str, Any]], defaults: Mapping[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """Run many requests in one node process; answers come back in order.

        ``defaults`` (typically ``{"contexts": ...}``) is merged under every request.
        """
        if not requests:
            return []
        answer = self.call({"op": "batch", "requests": list(requests), "defaults": defaults or {}})
        if "error" in answer:
            raise HarnessError(f"batch failed: {answer['error']}")
        responses = answer["responses"]
        if len(responses) != len(requests):
            raise HarnessError(f"{len(requests)} requests but {len(responses)} answers")
        return list(responses)


def require_module(name: str) -> ModuleType:
    """Import a microcred module; skip (not fail) only while its file does not exist yet.

    A module that exists but fails to import is an error, so a rename cannot hide behind a skip.
    """
    try:
        spec = importlib.util.find_spec(name)
    except ModuleNotFoundError:
        spec = None
    if spec is None:
        pytest.skip(f"{name} is not built yet")
    return importlib.import_module(name)


def load_shipped_contexts() -> dict[str, Any]:
    """url -> parsed context, exactly the bytes microcred ships (manifest.json names them)."""
    manifest = json.loads((SHIPPED_CONTEXTS / "manifest.json").read_text("utf-8"))
    contexts: dict[str, Any] = {}
    for url, entry in manifest["contexts"].items():
        name = entry["file"] if isinstance(entry, dict) else entry
        contexts[url] = json.loads((SHIPPED_CONTEXTS / name).read_text("utf-8"))
    return contexts


def seed_note() -> str:
    return f"(replay: MICROCRED_INTEROP_SEED={INTEROP_SEED})"


class Microcred:
    """microcred's library API as these tests drive it: the one place to adapt to its changes.

    Follows docs/internal-api.md; modules not written yet skip the tests that need them.
    """

    def __init__(self) -> None:
        self._loader: Any = None

    @property
    def loader(self) -> Any:
        if self._loader is None:
            self._loader = require_module("microcred.jsonld.loader").default_loader()
        return self._loader

    def canonicalize(self, document: Mapping[str, Any]) -> str:
        rdfc = require_module("microcred.jsonld.rdfc")
        return str(rdfc.canonicalize(document, self.loader))

    def jcs(self, value: Any) -> bytes:
        return bytes(require_module("microcred.jsonld.jcs").jcs(value))

    def check_data_loss(self, document: Mapping[str, Any]) -> None:
        require_module("microcred.jsonld.safe").check_data_loss(document, self.loader)

    def key_from_seed(self, seed: bytes, controller: str | None, fragment: str | None) -> Any:
        """A KeyPair from a known seed, so a seeded run can replay its keys."""
        keys = require_module("microcred.proof.keys")
        public = keys.public_key_from_seed(seed)
        if controller is None:
            multikey = keys.multikey_from_public(public)
            controller, fragment = f"did:key:{multikey}", multikey
        return keys.KeyPair(public, seed, controller, f"{controller}#{fragment}")

    def generate_keypair(self) -> Any:
        return require_module("microcred.proof.keys").generate_keypair()

    def add_proof(
        self, document: Mapping[str, Any], key: Any, suite: str, created: datetime
    ) -> dict[str, Any]:
        suites = require_module("microcred.proof.suites")
        signed = suites.add_proof(
            document, key, suite=suite, created=created, rdfc=self.canonicalize, jcs=self.jcs
        )
        assert isinstance(signed, dict)
        return signed

    def verify_proof(self, secured: Mapping[str, Any], proof: Mapping[str, Any], key: Any) -> None:
        """Raises microcred's ProofError when the proof does not verify."""
        suites = require_module("microcred.proof.suites")
        suites.verify_proof(secured, proof, key.public_key, rdfc=self.canonicalize, jcs=self.jcs)

    @property
    def error_type(self) -> type[Exception]:
        errors = require_module("microcred.errors")
        return errors.MicrocredError  # type: ignore[no-any-return]
