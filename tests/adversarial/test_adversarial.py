"""The adversarial corpus: every verifier case of security-cases.md section 1 gets its verdict.

Each file in ``corpus/`` is checked against ``corpus/expectations.json`` (result, first failing
check, its problem code); the corpus itself must equal what ``generate.py`` produces now, so
it can always be rebuilt and can never drift from the generator.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import re
import shutil
import struct
import sys
import time
import zlib
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from microcred.jsonld.loader import CONTEXTS_DIR, OfflineLoader
from microcred.proof.timestamps import parse_datetimestamp
from microcred.verify import (
    VerificationReport,
    VerifyOptions,
    check_credential,
    load_trust_file,
    verify_paths,
)
from microcred.verify.pinned import PinnedDocument, StatusSnapshot, read_json_file
from microcred.verify.report import human_lines

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"
EXPECTATIONS = json.loads((CORPUS / "expectations.json").read_text(encoding="utf-8"))
CASES = EXPECTATIONS["cases"]
AT = parse_datetimestamp(EXPECTATIONS["at"])


def _load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("adversarial_generate", HERE / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


gen = _load_generator()


def options_for(spec: dict[str, Any]) -> VerifyOptions:
    lists: dict[str, str] = {}
    docs: dict[str, str] = {}
    if spec.get("defaults", True):
        lists.update(EXPECTATIONS["defaults"]["status_lists"])
        docs.update(EXPECTATIONS["defaults"]["did_documents"])
    extra = spec.get("options", {})
    lists.update(extra.get("status_lists", {}))
    docs.update(extra.get("did_documents", {}))
    return VerifyOptions(
        did_documents={
            did: PinnedDocument(read_json_file(CORPUS / rel, "DID document"), rel)
            for did, rel in docs.items()
        },
        status_lists={
            url: StatusSnapshot(read_json_file(CORPUS / rel, "status list"), rel)
            for url, rel in lists.items()
        },
        trust=load_trust_file(CORPUS / spec["trust"]) if "trust" in spec else None,
        recipient=spec.get("recipient"),
        strict=spec.get("strict", False),
    )


def verdict(report: VerificationReport, result: str) -> tuple[str | None, str | None]:
    """(first check with the outcome the result implies, its first problem code)."""
    wanted = {"invalid": "failed", "indeterminate": "indeterminate"}.get(result, "failed")
    check = next((c for c in report.checks if c.outcome == wanted), None)
    if check is None:
        return None, None
    return check.id, check.problems[0].code if check.problems else None


@pytest.mark.parametrize("name", sorted(CASES))
def test_case_gets_its_verdict(
    name: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = CASES[name]
    if spec.get("needs_schemas"):
        # The 1EdTech schemas are not shipped with microcred: read them from the standards pack.
        request.node.add_marker(pytest.mark.conformance)
        standards: Path = request.getfixturevalue("standards")
        monkeypatch.setenv("MICROCRED_SCHEMA_DIR", str(standards / "schemas" / "ob-v3p0"))
    else:
        monkeypatch.delenv("MICROCRED_SCHEMA_DIR", raising=False)
    reports = list(verify_paths([CORPUS / name], now=AT, options=options_for(spec)))
    assert len(reports) == 1
    report = reports[0]
    assert [c.id for c in report.checks] == [
        "parse",
        "data_model",
        "contexts",
        "proof",
        "issuer_binding",
        "validity_period",
        "status",
        "issuer_trust",
        "recipient",
    ]
    assert report.result == spec["result"], [c.to_json() for c in report.checks]
    assert verdict(report, spec["result"]) == (spec.get("check"), spec.get("code")), [
        c.to_json() for c in report.checks if c.outcome not in ("passed", "not_requested")
    ]
    if "trusted" in spec:
        assert report.trusted is spec["trusted"]
    if "warning" in spec:
        codes = [w.code for c in report.checks for w in c.warnings]
        assert spec["warning"] in codes
    if spec["result"] == "valid" and "check" not in spec:
        assert all(c.outcome in ("passed", "not_requested") for c in report.checks)


def test_corpus_equals_what_the_generator_produces_now() -> None:
    produced = gen.render()
    committed = {
        str(p.relative_to(CORPUS)): p.read_bytes() for p in CORPUS.rglob("*") if p.is_file()
    }
    assert sorted(committed) == sorted(produced), "run: python3 tests/adversarial/generate.py"
    stale = [name for name in produced if committed[name] != produced[name]]
    assert not stale, f"regenerate the corpus (python3 tests/adversarial/generate.py): {stale[:5]}"


def test_every_verifier_case_of_the_catalog_is_covered() -> None:
    covered = {spec["case"] for spec in CASES.values()}
    explained = set(EXPECTATIONS["not_in_corpus"])
    for number in [*range(1, 63), 68]:
        case = f"MC-{number:02d}"
        assert case in covered or case in explained, f"{case} has no corpus file and no reason"
    for number in range(63, 68):
        assert f"MC-{number:02d}" in explained  # site/import only, each with its reason
    # A case only explained is either tested at run time here (the test named must exist) or
    # belongs to another layer, which the reason says.
    for case, reason in EXPECTATIONS["not_in_corpus"].items():
        named = re.findall(r"test_[a-z0-9_]+", reason)
        assert named or "only" in reason, case
        for test_name in named:
            assert callable(globals().get(test_name)), f"{case}: {test_name} does not exist"


def test_file_names_say_the_defect() -> None:
    for name, spec in CASES.items():
        number = spec["case"].removeprefix("MC-")
        assert name.startswith((f"mc{number}_", "valid_")), name


def test_mc38_altered_pinned_context(tmp_path: Path) -> None:
    folder = tmp_path / "contexts"
    shutil.copytree(CONTEXTS_DIR, folder)
    target = folder / "ob-v3p0-context-3.0.3.json"
    data = bytearray(target.read_bytes())
    data[data.index(b"Achievement")] = ord("a")  # one byte changed on disk
    target.write_bytes(bytes(data))
    spec = CASES["valid_baseline.json"]
    report = check_credential(
        (CORPUS / "valid_baseline.json").read_bytes(),
        now=AT,
        options=options_for(spec),
        loader=OfflineLoader(directory=folder),
    )
    assert report.result == "invalid"
    contexts = report.check("contexts")
    assert contexts is not None and contexts.outcome == "failed"
    assert "sha256" in contexts.problems[0].detail


def _baseline_options(**lists: dict[str, Any]) -> VerifyOptions:
    spec = CASES["valid_baseline.json"]
    base = options_for(spec)
    snapshots = dict(base.status_lists)
    for url, doc in lists.get("lists", {}).items():
        snapshots[url] = StatusSnapshot(doc, "runtime")
    return VerifyOptions(did_documents=base.did_documents, status_lists=snapshots)


def test_mc60_status_list_gzip_bomb() -> None:
    raw = zlib.compressobj(9, zlib.DEFLATED, 31)
    gz = raw.compress(bytes(16 * 1024 * 1024)) + raw.flush()
    bomb = "u" + gen.b64url(gz)
    assert len(bomb) < 40_000  # small on the wire, 16 MiB inflated
    listed = gen.status_list(gen.REV_URL, "revocation", encoded_list=bomb)
    started = time.monotonic()
    report = check_credential(
        (CORPUS / "valid_baseline.json").read_bytes(),
        now=AT,
        options=_baseline_options(lists={gen.REV_URL: listed}),
    )
    assert time.monotonic() - started < 10
    status = report.check("status")
    assert status is not None and status.outcome == "failed"
    assert status.problems[0].code == "RESOURCE_LIMIT_ERROR"


def test_mc61_runtime_bombs(tmp_path: Path) -> None:
    huge = tmp_path / "fifty_megabytes.json"
    with huge.open("wb") as fh:
        fh.write(b'{"a": "' + b"x" * (50 * 1024 * 1024) + b'"}')
    (report,) = verify_paths([huge], now=AT)
    parse = report.check("parse")
    assert parse is not None and parse.outcome == "failed"
    many = gen.credential(cid="999")
    many["credentialStatus"] = [gen.entry(i) for i in range(1000)]
    wide = gen.credential(cid="998")
    # pyld's node map is quadratic in the values of one property: 4,000 objects took 13 s.
    wide["credentialSubject"]["achievement"]["alignment"] = [
        {"type": ["Alignment"], "targetName": "x", "targetUrl": f"https://e.org/{i}"}
        for i in range(20_000)
    ]
    cases = [
        (
            json.dumps({"@context": [gen.V2], "x": [0] * 1_000_000}).encode(),
            "MALFORMED_VALUE_ERROR",
        ),
        (b"[" * 200_000 + b"]" * 200_000, "PARSING_ERROR"),
        (json.dumps(gen.secure(many, suites=(gen.JCS,))).encode(), "MALFORMED_VALUE_ERROR"),
        (json.dumps(wide).encode(), "MALFORMED_VALUE_ERROR"),
    ]
    for raw, code in cases:
        started = time.monotonic()
        report = check_credential(raw, now=AT, options=_baseline_options())
        assert time.monotonic() - started < 5
        parse = report.check("parse")
        assert parse is not None and parse.outcome == "failed"
        assert parse.problems[0].code == code
        assert report.result == "invalid"


def test_mc68_compressed_itxt_bomb(tmp_path: Path) -> None:
    text = zlib.compress(b" " * (64 * 1024 * 1024), 9)
    chunk_data = b"openbadgecredential\x00\x01\x00\x00\x00" + text
    chunk = (
        struct.pack(">I", len(chunk_data))
        + b"iTXt"
        + chunk_data
        + struct.pack(">I", zlib.crc32(b"iTXt" + chunk_data))
    )
    image = tmp_path / "bomb.png"
    image.write_bytes(gen.png_with([chunk]))
    started = time.monotonic()
    (report,) = verify_paths([image], now=AT)
    assert time.monotonic() - started < 10
    parse = report.check("parse")
    assert parse is not None and parse.outcome == "failed"
    assert parse.problems[0].code == "PARSING_ERROR"


def test_mc65_names_are_printed_escaped() -> None:
    name = "mc32_identity_untrusted_bidi_override_name.json"
    (report,) = verify_paths([CORPUS / name], now=AT, options=options_for(CASES[name]))
    text = "\n".join(human_lines(report))
    assert "\u202e" not in text
    assert "\\u202e" in text
    assert "NOT in the trust file" in text


def test_an_attack_case_differs_from_the_valid_credential_only_by_its_defect() -> None:
    base = json.loads((CORPUS / "valid_baseline.json").read_text(encoding="utf-8"))
    tampered = json.loads((CORPUS / "mc01_tamper_changed_claim.json").read_text(encoding="utf-8"))
    expected = copy.deepcopy(base)
    expected["credentialSubject"]["achievement"]["name"] = "Data Analysis Sprinx"
    assert tampered == expected
