"""Progress bars live on stderr only: with a terminal there, stdout carries the same bytes."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

from microcred.proof.keys import generate_keypair

CLI = [sys.executable, "-c", "from microcred.cli import main; main(prog_name='microcred')"]
DOC = {
    "@context": ["https://www.w3.org/ns/credentials/v2"],
    "type": ["VerifiableCredential"],
    "issuer": "did:example:issuer",
    "validFrom": "2026-01-01T00:00:00Z",
    "credentialSubject": {"id": "did:example:subject", "name": "x" * 300},  # a long line
}


def _sign(args: list[str], *, terminal: bool) -> bytes:
    primary, secondary = pty.openpty()
    try:
        stderr = secondary if terminal else subprocess.DEVNULL
        run = subprocess.run([*CLI, *args], stdout=subprocess.PIPE, stderr=stderr, check=True)
    finally:
        os.close(primary)
        os.close(secondary)
    return run.stdout


def test_signed_stdout_is_identical_with_a_terminal_on_stderr(tmp_path: Path) -> None:
    keyfile = tmp_path / "key.json"
    keyfile.write_text(json.dumps(generate_keypair().to_secret_json()))
    document = tmp_path / "d.json"
    document.write_text(json.dumps(DOC))
    args = ["sign", "--key", str(keyfile), "--created", "2026-03-04T05:06:07Z", str(document)]
    plain = _sign(args, terminal=False)
    assert plain.startswith(b"{") and len(plain) > 300
    assert _sign(args, terminal=True) == plain
