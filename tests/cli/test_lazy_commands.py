"""Commands import only their own module (issue 12: a one-file verify starts fast)."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

from microcred.cli import COMMAND_MODULES, main
from microcred.issue import SUITES, sign_document
from microcred.proof.keys import generate_keypair

HEAVY = ("mkdocs", "jinja2", "requests", "sqlite3", "microcred.site", "microcred.publish")


def test_verify_loads_neither_the_site_nor_network_nor_sql(tmp_path: object) -> None:
    code = (
        "import sys, json\n"
        "from microcred.cli import main\n"
        "try:\n"
        "    main(['verify', '--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = json.loads(run.stdout.splitlines()[-1])
    assert "microcred.cli.verify_cmd" in loaded
    assert "microcred.cli.build_cmd" not in loaded
    heavy = [m for m in loaded if m.split(".")[0] in HEAVY or m.startswith(HEAVY)]
    assert heavy == []


def test_the_command_table_is_complete_when_read() -> None:
    names = set(main.commands)
    assert {"verify", "sign", "build", "issue", "keys", "bake", "unbake"} <= names
    assert len(COMMAND_MODULES) == len(set(COMMAND_MODULES))


# What a one-file verify of an Ed25519 Open Badge without status never needs: progress bars
# (rich), pyld's HTML reader (lxml.html, a stand-in until used), the records model behind
# issuing, key files, transcripts, status lists, RSA/DER key handling, VC-JWT handling.
ONE_FILE_NEVER = (
    "rich",
    "lxml.html.defs",
    "lxml.etree",
    "microcred.model",
    "microcred.issue",
    "microcred.proof.keystore",  # key files
    "microcred.credential.clr",  # CLR transcripts
    "microcred.credential.build",
    "microcred.status.check",  # a credential without credentialStatus
    "cryptography.hazmat.primitives.serialization.ssh",  # RSA and DER keys
    "microcred.verify.checks.jwt",  # a JSON credential is no VC-JWT
    "microcred.proof.jwt",
    "microcred.proof.ecdsa",  # an Ed25519 proof needs neither ECDSA nor the 2018 suite
    "microcred.proof.legacy",
)


def test_one_file_verify_loads_only_what_verifying_needs(tmp_path: Path) -> None:
    key = generate_keypair()
    document = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": key.controller, "type": ["Profile"], "name": "Lazy Academy"},
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {
            "id": "did:example:learner",
            "type": ["AchievementSubject"],
            "achievement": {
                "id": "https://example.org/a",
                "type": ["Achievement"],
                "name": "A",
                "description": "A",
                "criteria": {"narrative": "n"},
            },
        },
    }
    signed = sign_document(
        document, key, created=dt.datetime(2026, 1, 1, tzinfo=dt.UTC), suites=SUITES
    )
    path = tmp_path / "badge.json"
    path.write_text(json.dumps(signed), "utf-8")
    code = (
        "import sys, json\n"
        "from microcred.cli import main\n"
        "try:\n"
        f"    main(['verify', '--json', {str(path)!r}])\n"
        "except SystemExit as exc:\n"
        "    print(json.dumps([exc.code, sorted(sys.modules)]))\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    report = json.loads(run.stdout.splitlines()[0])
    assert report["result"] == "valid", report
    exit_code, loaded = json.loads(run.stdout.splitlines()[-1])
    assert exit_code == 0
    unwanted = [m for m in loaded if m.startswith(ONE_FILE_NEVER) or m.split(".")[0] in HEAVY]
    assert unwanted == []
