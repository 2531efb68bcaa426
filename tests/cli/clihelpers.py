"""Shared by the command-line tests: a folder of unsigned copies of the corpus baseline."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

BASELINE: dict[str, Any] = json.loads(
    (Path(__file__).parents[1] / "adversarial/corpus/valid_baseline.json").read_text("utf-8")
)


def key_and_unsigned(base: Path, count: int) -> tuple[Path, Path]:
    """A fresh issuer key file (``base/key.json``) and ``count`` unsigned credentials it is
    to sign (``base/in``)."""
    from microcred.proof.keys import generate_keypair

    key = generate_keypair()
    keyfile = base / "key.json"
    keyfile.write_text(json.dumps(key.to_secret_json()))
    return keyfile, write_unsigned(base / "in", count, key.controller)


def write_unsigned(folder: Path, count: int, issuer: str) -> Path:
    """``count`` distinct credentials issued by ``issuer``, without proof or status, as
    ``c000.json``... in ``folder`` (made)."""
    folder.mkdir(parents=True)
    for index in range(count):
        doc = {k: v for k, v in BASELINE.items() if k not in ("proof", "credentialStatus")}
        doc["id"] = f"urn:uuid:00000000-0000-4000-8000-{index:012d}"
        doc["issuer"] = {**doc["issuer"], "id": issuer}
        (folder / f"c{index:03d}.json").write_text(json.dumps(doc), "utf-8")
    return folder


def quick_answer(function: str, argv: Sequence[str], modules: Sequence[str]) -> list[object]:
    """In a fresh interpreter: ``microcred.cli._quick.<function>(argv)``'s exit code, then
    whether each of ``modules`` got loaded."""
    script = (
        "import json, sys\n"
        f"from microcred.cli._quick import {function}\n"
        f"code = {function}({list(argv)!r})\n"
        f"print(json.dumps([code] + [m in sys.modules for m in {list(modules)!r}]))\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    found: list[object] = json.loads(run.stdout.strip().splitlines()[-1])
    return found
