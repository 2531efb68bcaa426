"""``microcred sign`` (the command, in a subprocess) signs like the reference stack.

Random credentials from the run's seed are signed by the CLI (one process per suite choice,
several files with ``--out-dir``; one more document goes stdin -> stdout) and by
the reference with the same freshly generated key and ``--created``. The parsed output must be
identical (same proofValue, same proof shape: an object for one proof, an array for a set), the
reference must verify it, and its text must be what JSON.stringify(doc, null, 2) writes.
Skipped, with the reason, while the command is not built.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from interop_credgen import OB303, VC2, make_specs
from interop_support import Microcred, Reference, seed_note

pytestmark = pytest.mark.interop

CREATED = "2026-03-04T05:06:07Z"
COUNT = 6
MODES = {
    "rdfc": ["eddsa-rdfc-2022"],
    "jcs": ["eddsa-jcs-2022"],
    "set": ["eddsa-rdfc-2022", "eddsa-jcs-2022"],
}
# spelled differently by Python's repr and ECMAScript's Number::toString
NUMBERS = [2.0, -334.0, 1e-07, 1e16, 1.5e-10, 1e21, 0.1, 123456.789, 5e-324]
CLI = [sys.executable, "-c", "from microcred.cli import console; console()"]


def _cli(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run(
        [*CLI, *args], input=stdin, capture_output=True, timeout=300, check=False, env=env
    )


def _portable(value: Any) -> Any:
    """Write inputs as a JS tool would: integral numbers without '.0' (and 0 for -0, which
    microcred's strict reader refuses by policy)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if isinstance(value, dict):
        return {k: _portable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_portable(v) for v in value]
    return value


def _not_built(run: subprocess.CompletedProcess[bytes]) -> bool:
    """Detected from the real call, never assumed: click's answer for an unknown command."""
    return run.returncode == 2 and b"No such command 'sign'" in run.stderr


@pytest.fixture(scope="module")
def signed(
    reference: Reference,
    mc: Microcred,
    shipped_contexts: dict[str, Any],
    interop_seed: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, Any]:
    key = mc.generate_keypair()
    root = tmp_path_factory.mktemp("cli")
    keyfile = root / "key.json"
    keyfile.write_text(json.dumps(key.to_secret_json()), "utf-8")
    keyfile.chmod(0o600)
    specs = make_specs(f"{interop_seed}cli", COUNT, lambda *_: str(key.controller))
    documents = [_portable(spec.document) for spec in specs]
    inputs = []
    for index, document in enumerate(documents):
        path = root / "in" / f"credential-{index}.json"
        path.parent.mkdir(exist_ok=True)
        path.write_text(json.dumps(document, ensure_ascii=False, indent=2), "utf-8")
        inputs.append(path)

    outputs: dict[str, list[Any]] = {}
    texts: dict[str, list[str]] = {}
    for mode, suites in MODES.items():
        out_dir = root / f"out-{mode}"
        suite_args = [arg for suite in suites for arg in ("--suite", suite)]
        run = _cli(
            "sign", "--key", str(keyfile), *suite_args, "--created", CREATED,
            "--out-dir", str(out_dir), *map(str, inputs),
        )  # fmt: skip
        if _not_built(run):
            pytest.skip("sign command not built yet")
        assert run.returncode == 0, run.stderr.decode("utf-8", "replace")
        texts[mode] = [(out_dir / path.name).read_text("utf-8") for path in inputs]
        outputs[mode] = [json.loads(text) for text in texts[mode]]
    numbers_doc = {
        "@context": [VC2, OB303],
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {
            "id": key.controller,
            "type": ["Profile"],
            "address": {
                "type": ["Address"],
                "geo": {"type": "GeoCoordinates", "latitude": NUMBERS, "longitude": 0.5},
            },
        },
        "validFrom": "2025-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:numbers"},
    }
    numbers = _cli(
        "sign", "--key", str(keyfile), "--suite", "eddsa-jcs-2022", "--created", CREATED, "-",
        stdin=json.dumps(numbers_doc).encode("utf-8"),
    )  # fmt: skip
    assert numbers.returncode == 0, numbers.stderr.decode("utf-8", "replace")

    requests = []
    for mode, suites in MODES.items():
        for document in documents:
            requests.append({"op": "sign", "suite": suites, "document": document,
                             "key": key.to_secret_json(), "created": CREATED})  # fmt: skip
        requests.extend({"op": "verify", "document": out} for out in outputs[mode])
        requests.extend({"op": "stringify", "value": out} for out in outputs[mode])
    requests.append({"op": "stringify", "value": json.loads(numbers.stdout)})
    requests.append({"op": "verify", "document": json.loads(numbers.stdout)})
    answers = iter(reference.batch(requests, defaults={"contexts": shipped_contexts}))
    result: dict[str, Any] = {"texts": texts}
    for mode in MODES:
        result[f"ref-{mode}"] = [next(answers) for _ in documents]
        result[f"verify-{mode}"] = [next(answers) for _ in documents]
        result[f"stringify-{mode}"] = [next(answers)["text"] for _ in documents]
        result[f"cli-{mode}"] = outputs[mode]
    result["numbers"] = (numbers.stdout.decode("utf-8"), next(answers)["text"])
    result["numbers-verify"] = next(answers)

    # microcred's whole verifier (command line) on everything the reference signed
    ref_dir = root / "reference-signed"
    ref_dir.mkdir()
    for mode in MODES:
        for index, answer in enumerate(result[f"ref-{mode}"]):
            target = ref_dir / f"{mode}-{index}.json"
            target.write_text(json.dumps(answer.get("signed", answer)), "utf-8")
    verify = _cli("verify", "--json", str(ref_dir))
    lines = [json.loads(line) for line in verify.stdout.decode("utf-8").splitlines() if line]
    result["mc-verify"] = (verify.returncode, lines, verify.stderr.decode("utf-8", "replace"))
    return result


@pytest.mark.parametrize("mode", MODES)
def test_cli_output_equals_reference(signed: dict[str, Any], mode: str) -> None:
    for index, (ours, theirs) in enumerate(
        zip(signed[f"cli-{mode}"], signed[f"ref-{mode}"], strict=True)
    ):
        assert "signed" in theirs, theirs
        assert ours == theirs["signed"], f"{mode} file {index} {seed_note()}"


@pytest.mark.parametrize("mode", MODES)
def test_reference_verifies_cli_output(signed: dict[str, Any], mode: str) -> None:
    for index, answer in enumerate(signed[f"verify-{mode}"]):
        assert answer["verified"] is True, f"{mode} file {index}: {answer} {seed_note()}"
        assert sorted(p["cryptosuite"] for p in answer["proofs"]) == sorted(MODES[mode])
        assert all(p["verified"] for p in answer["proofs"]), answer


def test_cli_stdin_to_stdout_output_verifies_in_reference(signed: dict[str, Any]) -> None:
    answer = signed["numbers-verify"]
    assert answer["verified"] is True, answer
    assert answer["proofs"] == [{"cryptosuite": "eddsa-jcs-2022", "verified": True}]


@pytest.mark.parametrize("mode", MODES)
def test_cli_text_is_what_json_stringify_writes(signed: dict[str, Any], mode: str) -> None:
    """The CLI writes its JSON as JS tools do (JSON.stringify(doc, null, 2): indentation,
    escapes, number spelling), so files can be diffed against theirs. Member ORDER is not
    compared: in the proof microcred follows the W3C vectors (type, cryptosuite, created...),
    jsonld-signatures writes type, created, verificationMethod, cryptosuite..."""
    for index, (ours, theirs) in enumerate(
        zip(signed["texts"][mode], signed[f"stringify-{mode}"], strict=True)
    ):
        assert ours.rstrip("\n") == theirs, f"{mode} file {index} {seed_note()}"


def test_cli_writes_numbers_as_json_stringify(signed: dict[str, Any]) -> None:
    """Numbers Python and ECMAScript spell differently (2.0/2, 1e-07/1e-7, 1e+16/1e16...)."""
    ours, theirs = signed["numbers"]
    assert ours.rstrip("\n") == theirs


def test_microcred_verify_command_accepts_reference_output(signed: dict[str, Any]) -> None:
    """`microcred verify --json` on the reference's files: every proof and issuer binding
    passes. Open Badges are not invalid (status lists are not given, so "indeterminate" is
    allowed); plain VC 2.0 documents are undecided: not Open Badges, so not microcred's to
    judge (data_model UNSUPPORTED_FORMAT, issue 9)."""
    code, lines, stderr = signed["mc-verify"]
    assert code in (0, 1, 3), f"exit {code}: {stderr} {lines}"
    assert len(lines) == COUNT * len(MODES), stderr
    for line in lines:
        checks = {check["id"]: check for check in line["checks"]}
        assert checks["proof"]["outcome"] == "passed", f"{line} {seed_note()}"
        assert checks["issuer_binding"]["outcome"] == "passed", f"{line} {seed_note()}"
        document = json.loads(Path(line["path"]).read_text("utf-8"))
        if {"OpenBadgeCredential", "AchievementCredential"} & set(document["type"]):
            assert line["result"] in ("valid", "indeterminate"), f"{line} {seed_note()}"
        else:
            assert checks["data_model"]["outcome"] == "indeterminate", line
            assert checks["data_model"]["problems"][0]["code"] == "UNSUPPORTED_FORMAT", line
