"""The issue's bar, end to end through the command line on the whole bundled example:
re-issuing is byte-stable, and revoking one credential makes exactly that one fail (status)
when the rebuilt site folder is verified."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from lchelpers import all_files, credential_files

from microcred.cli import run


def test_reissue_is_byte_stable_and_revoking_fails_exactly_one(
    program: Callable[..., Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = program(keep=None)
    p = ["-p", str(root)]
    assert run([*p, "issue", "--now", "2026-11-01T12:00:00Z"]) == 0
    issued = all_files(root, "credentials", "status")
    assert len(issued) >= 13
    assert run([*p, "issue", "--now", "2026-11-09T12:00:00Z"]) == 0
    assert all_files(root, "credentials", "status") == issued
    slugs = sorted(credential_files(root))
    victim = slugs[len(slugs) // 2]
    assert run([*p, "revoke", victim, "--by", "Bar", "--now", "2026-11-10T12:00:00Z"]) == 0
    site = tmp_path / "site"
    assert run([*p, "build", "--out", str(site), "--now", "2026-11-10T13:00:00Z"]) == 0
    capsys.readouterr()
    code = run(["verify", "--json", "--at", "2026-11-10T14:00:00Z", str(site)])
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    # The site publishes the credentials and the endorsements (EndorsementCredentials).
    endorsements = sorted(p.stem for p in (root / "credentials" / "endorsements").glob("*.json"))
    assert code == 1 and sorted(Path(line["path"]).stem for line in lines) == sorted(
        slugs + endorsements
    )
    failed = {}
    for line in lines:
        if line["result"] != "valid":
            failed[Path(line["path"]).stem] = [
                (c["id"], [p["code"] for p in c["problems"]])
                for c in line["checks"]
                if c["outcome"] == "failed"
            ]
    assert failed == {victim: [("status", ["REVOKED"])]}
