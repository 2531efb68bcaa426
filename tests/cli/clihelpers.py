"""Shared by the command-line tests: a folder of unsigned copies of the corpus baseline."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

BASELINE: dict[str, Any] = json.loads(
    (Path(__file__).parents[1] / "adversarial/corpus/valid_baseline.json").read_text("utf-8")
)


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
