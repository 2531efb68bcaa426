"""Verification needs no network: run `microcred verify` with no network namespace at all.

pytest-socket already blocks sockets in-process for the whole suite; this is the CI-usable,
process-level check: ``unshare -n`` gives the command a network namespace with only a down
loopback interface, so any attempt to fetch a context, key or status list would fail loudly.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from .conftest import CORPUS, gen


def _unshare_works() -> str | None:
    unshare = shutil.which("unshare")
    if unshare is None:
        return "unshare(1) is not installed"
    try:
        probe = subprocess.run(
            [unshare, "-n", "true"], capture_output=True, timeout=30, check=False
        )
    except OSError as exc:
        return f"unshare cannot run: {exc}"
    if probe.returncode != 0:
        return f"unshare -n is not permitted here: {probe.stderr.decode(errors='replace').strip()}"
    return None


def test_verify_works_without_any_network() -> None:
    reason = _unshare_works()
    if reason is not None:
        pytest.skip(reason)
    command = [
        "unshare",
        "-n",
        sys.executable,
        "-c",
        "from microcred.cli import main; main()",
        "verify",
        "--json",
        "--at",
        gen.AT,
        "--status-list",
        str(CORPUS / "support/revocation-1.json"),
        "--status-list",
        str(CORPUS / "support/web-revocation-1.json"),
        "--did-doc",
        str(CORPUS / "support/school.example.did.json"),
        str(CORPUS / "valid_baseline.json"),
        str(CORPUS / "valid_did_web_pinned.json"),
        str(CORPUS / "mc01_tamper_changed_claim.json"),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    results = [json.loads(line)["result"] for line in done.stdout.splitlines()]
    assert results == ["valid", "valid", "invalid"], done.stderr
    assert done.returncode == 1
