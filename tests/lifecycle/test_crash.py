"""kill -9 at random points of a 200-record issue, re-run, and compare with an uninterrupted run.

"The same final result" cannot mean the same bytes as a separate clean run: salts and status
indexes are random by design (privacy), and a credential signed by a later run carries that
run's ``created``. So the test demands, strictly:
- the same records -> the same credential ids, nothing lost, nothing extra;
- each credential equal to the clean run's except salt/identityHash, its status index and its
  proof's created/proofValue; every proof verifies;
- status indexes: exactly the clean run's set of ids allocated, no index shared, every
  credential names its allocated index, and an allocation seen after any kill never changes;
- a credential file seen complete after any kill is byte-identical at the end (nothing signed
  twice), every file seen is complete JSON (atomic writes), no temp file is left;
- the index (receipt) matches every file; killed pool workers exit by themselves.

Replay a run with MICROCRED_CRASH_SEED=<n>.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from lchelpers import credential_files

from microcred.issue import INDEX, dump_json, fingerprint
from microcred.jsonld import canonicalize, default_loader, jcs
from microcred.keyring import KeyRing
from microcred.proof.suites import verify_proof

SEED = int(os.environ.get("MICROCRED_CRASH_SEED") or random.SystemRandom().randrange(10**6))
RECORDS = 200
MAX_KILLS = 6
START = dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.UTC)
CLI = "import sys; from microcred.cli import main; sys.exit(main())"


def _command(root: Path, run_no: int, workers: int | None) -> list[str]:
    now = (START + dt.timedelta(minutes=run_no)).strftime("%Y-%m-%dT%H:%M:%SZ")
    cmd = [sys.executable, "-c", CLI, "-p", str(root), "issue", "--now", now]
    return cmd + (["--workers", str(workers)] if workers else [])


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MICROCRED_")}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def _wait_for_group_to_exit(pgid: int, timeout: float = 15.0) -> None:
    """Pool workers notice their parent is gone and exit; fail (and clean up) if they do not."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    os.killpg(pgid, signal.SIGKILL)  # only processes this test started (their own session)
    pytest.fail(f"signing workers outlived their killed parent {pgid} (seed {SEED})")


def _count(root: Path) -> int:
    try:
        names = os.listdir(root / "credentials")
    except FileNotFoundError:
        return 0
    return sum(1 for n in names if n.endswith(".json") and n != "index.json")


def _snapshot(root: Path) -> tuple[dict[str, int], dict[str, bytes]]:
    state_path = root / "status" / "revocation.json"
    allocated: dict[str, int] = {}
    if state_path.exists():
        allocated = json.loads(state_path.read_text(encoding="utf-8"))["allocated"]
    files = credential_files(root)
    for slug, raw in files.items():
        doc = json.loads(raw)  # never half-written
        assert len(doc["proof"]) == 2, f"{slug}: incomplete proof set (seed {SEED})"
    return allocated, files


def _normalised(credential: dict[str, Any]) -> dict[str, Any]:
    doc = json.loads(json.dumps(credential))
    for ident in doc["credentialSubject"]["identifier"]:
        ident["salt"], ident["identityHash"] = "<salt>", "<hash>"
    status = doc["credentialStatus"]
    for entry in status if isinstance(status, list) else [status]:
        entry["statusListIndex"] = entry["id"] = "<index>"
    for proof in doc["proof"]:
        proof["created"] = proof["proofValue"] = "<signature>"
    for endorsement in doc.get("endorsement", []):  # signed when each run started
        for proof in endorsement["proof"]:
            proof["created"] = proof["proofValue"] = "<signature>"
    return doc


@pytest.mark.slow
def test_kill_9_at_random_points_then_rerun_equals_a_clean_run(
    program: Callable[..., Path], tmp_path: Path
) -> None:
    rng = random.Random(SEED)
    base = program("base", bulk=RECORDS - 3)
    clean, killed = tmp_path / "clean", tmp_path / "killed"
    shutil.copytree(base, clean)
    shutil.copytree(base, killed)
    env = _env()

    done = subprocess.run(_command(clean, 0, None), env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    reference = {s: json.loads(r) for s, r in credential_files(clean).items()}
    assert len(reference) == RECORDS

    snapshots: list[tuple[dict[str, int], dict[str, bytes]]] = []
    kills = 0
    for run_no in range(1, MAX_KILLS + 1):
        workers = 2 if run_no % 2 else 1  # kill the pool path and the serial path
        have = len(credential_files(killed))
        proc = subprocess.Popen(
            _command(killed, run_no, workers),
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        # The first kill lands early (start-up, locking, index allocation); the others once
        # the run has written a random number of further credentials, give or take a write.
        deadline = time.monotonic() + rng.uniform(0.05, 0.3) if run_no == 1 else None
        target = have + rng.randint(1, max(1, (RECORDS - have) // 2))
        while proc.poll() is None:
            if (deadline is not None and time.monotonic() >= deadline) or (
                deadline is None and _count(killed) >= target
            ):
                proc.kill()  # SIGKILL to the issuing process only, as a crash would
                kills += 1
                break
            time.sleep(rng.uniform(0.0, 0.03))
        proc.wait()
        assert proc.stderr is not None
        err = proc.stderr.read().decode("utf-8", "replace")
        proc.stderr.close()
        _wait_for_group_to_exit(proc.pid)
        assert "Traceback" not in err, err
        snapshots.append(_snapshot(killed))
        if proc.returncode == 0:
            break
    final_run = subprocess.run(
        _command(killed, MAX_KILLS + 1, None), env=env, capture_output=True, text=True
    )
    assert final_run.returncode == 0, final_run.stderr
    allocated, files = _snapshot(killed)
    creds = {s: json.loads(r) for s, r in files.items()}
    note = f"(seed {SEED}, {kills} kills)"
    assert kills >= 3, note
    assert any(0 < len(f) < RECORDS for _, f in snapshots), f"no kill landed mid-issue {note}"

    # same records -> same ids; nothing lost, nothing extra
    assert sorted(creds) == sorted(reference), note
    assert {s: c["id"] for s, c in creds.items()} == {s: c["id"] for s, c in reference.items()}
    # status indexes: the same ids allocated, none shared, each credential names its own
    clean_state = json.loads((clean / "status" / "revocation.json").read_text("utf-8"))
    assert sorted(allocated) == sorted(clean_state["allocated"]), note
    assert len(set(allocated.values())) == len(allocated) == RECORDS, note
    for cred in creds.values():
        assert int(cred["credentialStatus"]["statusListIndex"]) == allocated[cred["id"]], note
    # earlier allocations and complete files never changed afterwards
    owner: dict[int, str] = {}
    for seen_alloc, seen_files in snapshots:
        for cred_id, index in seen_alloc.items():
            assert allocated[cred_id] == index, f"{cred_id} moved {note}"
            assert owner.setdefault(index, cred_id) == cred_id, f"index {index} twice {note}"
        for slug, raw in seen_files.items():
            assert files[slug] == raw, f"{slug} was signed twice {note}"
    # content equal to the clean run apart from randomness and signing time
    for slug, cred in creds.items():
        assert _normalised(cred) == _normalised(reference[slug]), f"{slug} {note}"
    # the receipt matches every file; no temp file left
    index = json.loads((killed / INDEX).read_text("utf-8"))["credentials"]
    assert sorted(index) == sorted(creds), note
    for slug, cred in creds.items():
        assert index[slug]["id"] == cred["id"]
        assert index[slug]["issued"] == cred["proof"][0]["created"]
        assert index[slug]["verificationMethod"] == cred["proof"][0]["verificationMethod"]
        assert index[slug]["sha256"] == fingerprint(cred)
        assert dump_json(cred).encode("utf-8") == files[slug]
    litter = [p for d in ("credentials", "status") for p in (killed / d).rglob(".*.tmp")]
    assert litter == [], note
    # every proof verifies
    key = KeyRing(killed).active()
    public = bytes(KeyRing(killed).load_active_secret().public_key)
    loader = default_loader()
    for cred in creds.values():
        body = {k: v for k, v in cred.items() if k != "proof"}
        for proof in cred["proof"]:
            assert proof["verificationMethod"] == key.id
            verify_proof(body, proof, public, rdfc=lambda d: canonicalize(d, loader), jcs=jcs)
