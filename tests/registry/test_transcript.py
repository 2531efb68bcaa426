"""`microcred registry transcript`: the school's CLR 2.0 transcript from the registry.

A learner's credentials from two issuers are imported under a policy that converts hours into
ECTS; the transcript is issued with a freshly generated school key, then checked: it verifies
(outer proof and every embedded credential), validates against the CLR 2.0 schema, embeds
exactly the accepted credentials unchanged, and its credits add up to `registry summary`.
Runs on SQLite and (with MICROCRED_TEST_PG) on PostgreSQL.
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import regsupport as rs
from click.testing import CliRunner

from microcred.cli import main
from microcred.credential.clr import embedded_credentials
from microcred.credential.clr_schemas import clr_errors
from microcred.proof.keys import KeyPair, generate_keypair
from microcred.proof.keystore import save_keyfile
from microcred.proof.timestamps import parse_datetimestamp
from microcred.registry import Registry
from microcred.verify import VerifyOptions, check_credential
from microcred.verify.pinned import StatusSnapshot

TERM = "2026-spring"
SCHOOL_LIST = "https://registrar.rhine.example/status/transcripts-1.json"
AT = rs.AT


def policy_text(school_did: str, *, status: bool = True) -> str:
    lines = [
        'name = "Rhine work-based learning 2026"',
        'unit = "ECTS"',
        "hours_per_unit = 28",
        "",
        "[school]",
        'name = "Rhine College"',
        'url = "https://rhine.example/"',
        f'did = "{school_did}"',
        'verify_page = "https://rhine.example/verify.html"',
    ]
    if status:
        lines.append(f'status_list = "{SCHOOL_LIST}"')
    lines += [
        "",
        "[[rule]]",
        'name = "Micro-internships, hours converted"',
        f'issuers = ["{rs.ISSUER}"]',
        "",
        "[[rule]]",
        'name = "Partner guild, fixed credits"',
        f'issuers = ["{rs.OTHER_ISSUER}"]',
        "credits = 1.5",
    ]
    return "\n".join(lines) + "\n"


@pytest.fixture
def school(tmp_path: Path) -> tuple[KeyPair, Path]:
    key = generate_keypair()
    path = tmp_path / "school-key.json"
    save_keyfile(path, key)
    return key, path


@pytest.fixture
def setup(tmp_path: Path, registry_url: str, school: tuple[KeyPair, Path]) -> dict[str, Any]:
    key, _ = school
    inbox = tmp_path / "inbox"
    creds = {
        "hours-a": rs.credential(credits=56, unit="hours", index=11, name="Data Sprint"),
        "hours-b": rs.credential(credits=42, unit="hours", index=12, name="UX Review"),
        "guild": rs.credential(
            issuer_seed=rs.gen.TEST_ONLY_OTHER_SEED, credits=None, name="Port Logistics"
        ),
        "someone-else": rs.credential(recipient=rs.OTHER_LEARNER, index=13),
    }
    for name, doc in creds.items():
        rs.write(inbox / f"{name}.json", doc)
    policy = tmp_path / "policy.toml"
    policy.write_text(policy_text(key.controller), encoding="utf-8")
    trust = rs.trust_file(
        tmp_path / "trust.json", (rs.ISSUER, "Northwind Talent"), (rs.OTHER_ISSUER, "Port Guild")
    )
    status = rs.write(tmp_path / "revocation-1.json", rs.revocation_list(()))
    result = invoke(
        "import", "--registry", registry_url, "--trust", str(trust), "--policy", str(policy),
        "--status-list", str(status), "--learner", rs.LEARNER, "--term", TERM, "--at", AT,
        "--by", "registrar", "--json", str(inbox),
    )  # fmt: skip
    verdicts = {Path(o["path"]).stem: o for o in map(json.loads, result.stdout.splitlines())}
    assert {k: v["verdict"] for k, v in verdicts.items()} == {
        "hours-a": "accepted",
        "hours-b": "accepted",
        "guild": "accepted",
        "someone-else": "rejected",
    }
    return {"creds": creds, "policy": policy, "trust": trust, "status": status, "url": registry_url}


def invoke(*args: str, code: int = 0) -> Any:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == code, (result.stdout, result.stderr)
    return result


def transcript_args(setup: dict[str, Any], key_file: Path, *extra: str) -> list[str]:
    return [
        "registry", "transcript", "--registry", setup["url"], "--learner", rs.LEARNER,
        "--key", str(key_file), "--policy", str(setup["policy"]), "--trust", str(setup["trust"]),
        "--at", AT, "--by", "registrar", *extra,
    ]  # fmt: skip


def summary_credits(url: str) -> dict[str, float]:
    groups = json.loads(invoke("registry", "summary", "--registry", url, "--json").stdout)
    totals: dict[str, float] = {}
    for group in groups:
        if group["learner"] == rs.LEARNER:
            for unit, amount in group["credits"].items():
                totals[unit] = totals.get(unit, 0) + amount
    return totals


def test_transcript_embeds_exactly_the_accepted_credentials_and_its_credits_add_up(
    setup: dict[str, Any], school: tuple[KeyPair, Path], tmp_path: Path
) -> None:
    key, key_file = school
    out, html = tmp_path / "t.json", tmp_path / "t.html"
    args = transcript_args(setup, key_file, "--out", str(out), "--html", str(html))
    result = invoke(*args, "--status-list", str(setup["status"]))
    assert "INCLUDED  row" in result.stderr and "LEFT OUT" not in result.stderr
    doc = json.loads(out.read_bytes())
    assert doc["type"] == ["VerifiableCredential", "ClrCredential"]
    assert doc["issuer"]["id"] == key.controller and doc["issuer"]["name"] == "Rhine College"
    assert clr_errors(doc) == []
    # exactly the accepted credentials, byte-equal after JSON parsing
    embedded = sorted((json.dumps(c, sort_keys=True) for _, c in embedded_credentials(doc)))
    accepted = [setup["creds"][n] for n in ("hours-a", "hours-b", "guild")]
    assert embedded == sorted(json.dumps(c, sort_keys=True) for c in accepted)
    with Registry.open(setup["url"], create=False) as reg:
        stored = sorted(json.dumps(json.loads(a.content), sort_keys=True)
                        for a in reg.accepted_credentials(rs.LEARNER))  # fmt: skip
        recorded = reg.transcripts(rs.LEARNER)
    assert embedded == stored
    # credit conversion visible: 56 h and 42 h at 28 h/ECTS, 1.5 fixed by the second rule
    school_parts = [a for a in doc["credentialSubject"]["achievement"] if "creditsAvailable" in a]
    assert sorted(a["creditsAvailable"] for a in school_parts) == [1.5, 1.5, 2]
    assert all("Rhine work-based learning 2026" in a["resultDescription"][0]["name"]
               for a in school_parts)  # fmt: skip
    assert any("the issuer states 56 hours" in a["description"] for a in school_parts)
    total = sum(Decimal(str(a["creditsAvailable"])) for a in school_parts)
    assert summary_credits(setup["url"]) == {"ECTS": float(total)} == {"ECTS": 5.0}
    # the registry records it: id, learner, sha256 of the file, when, by whom
    assert len(recorded) == 1 and recorded[0]["credential_id"] == doc["id"]
    assert recorded[0]["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
    assert recorded[0]["issued_by"] == "registrar" and recorded[0]["issued_at"] == AT
    # it verifies with the issuers' list and the school's own published list
    lists = {
        rs.gen.REV_URL: StatusSnapshot(json.loads(setup["status"].read_text()), "issuer"),
        SCHOOL_LIST: StatusSnapshot(
            json.loads((tmp_path / "transcript-status" / "transcripts-1.json").read_text()), "s"
        ),
    }
    report = check_credential(
        out.read_bytes(), now=parse_datetimestamp(AT), options=VerifyOptions(status_lists=lists)
    )
    assert report.result == "valid", report.to_json()
    assert report.check("proof").note.count("signature verified") == 3
    page = html.read_text("utf-8")
    assert "Rhine College" in page and "5 ECTS" in page and rs.LEARNER not in page


def test_a_credential_revoked_since_import_is_left_out_listed_and_reverify_suggested(
    setup: dict[str, Any], school: tuple[KeyPair, Path], tmp_path: Path
) -> None:
    _, key_file = school
    fresh = rs.write(tmp_path / "fresh-revocation-1.json", rs.revocation_list((12,)))
    out = tmp_path / "t.json"
    result = invoke(
        *transcript_args(setup, key_file, "--out", str(out), "--status-list", str(fresh))
    )
    assert "LEFT OUT  row" in result.stderr and "revoked" in result.stderr
    assert "microcred registry reverify" in result.stderr
    doc = json.loads(out.read_bytes())
    names = [c["credentialSubject"]["achievement"]["name"] for _, c in embedded_credentials(doc)]
    assert sorted(names) == ["Data Sprint", "Port Logistics"]
    assert doc["partial"] is True


def test_no_accepted_credential_is_a_clear_error_and_writes_nothing(
    setup: dict[str, Any], school: tuple[KeyPair, Path], tmp_path: Path
) -> None:
    _, key_file = school
    out = tmp_path / "none.json"
    args = transcript_args(setup, key_file, "--out", str(out))
    args[args.index(rs.LEARNER)] = rs.OTHER_LEARNER
    result = invoke(*args, code=1)
    assert "holds no accepted credential" in result.stderr and "no transcript" in result.stderr
    assert "Traceback" not in result.stderr and not out.exists()
    with Registry.open(setup["url"], create=False) as reg:
        assert reg.transcripts() == []


def test_a_key_that_is_not_the_schools_is_refused_naming_the_did(
    setup: dict[str, Any], school: tuple[KeyPair, Path], tmp_path: Path
) -> None:
    key, _ = school
    intruder = generate_keypair()
    path = tmp_path / "intruder.json"
    save_keyfile(path, intruder)
    out = tmp_path / "t.json"
    result = invoke(*transcript_args(setup, path, "--out", str(out)), code=1)
    assert intruder.controller in result.stderr and key.controller in result.stderr
    assert "refusing" in result.stderr and not out.exists()


def test_revoking_a_transcript_flips_its_bit_in_the_schools_list(
    setup: dict[str, Any], school: tuple[KeyPair, Path], tmp_path: Path
) -> None:
    _, key_file = school
    out = tmp_path / "t.json"
    invoke(*transcript_args(setup, key_file, "--out", str(out)))
    doc = json.loads(out.read_bytes())
    listing = invoke("registry", "transcript", "--registry", setup["url"], "--list").stdout
    assert doc["id"] in listing and "active" in listing
    result = invoke(
        "registry", "transcript", "--registry", setup["url"], "--key", str(key_file),
        "--policy", str(setup["policy"]), "--revoke", doc["id"], "--reason", "issued in error",
        "--at", AT,
    )  # fmt: skip
    assert "revoked" in result.stdout
    school_list = json.loads((tmp_path / "transcript-status" / "transcripts-1.json").read_text())
    lists = {
        rs.gen.REV_URL: StatusSnapshot(json.loads(setup["status"].read_text()), "issuer"),
        SCHOOL_LIST: StatusSnapshot(school_list, "school"),
    }
    report = check_credential(
        out.read_bytes(), now=parse_datetimestamp(AT), options=VerifyOptions(status_lists=lists)
    )
    assert report.result == "invalid"
    assert [p.code for p in report.check("status").problems] == ["REVOKED"]
    listing = invoke("registry", "transcript", "--registry", setup["url"], "--list").stdout
    assert "revoked" in listing


def test_a_credential_on_contexts_that_clash_with_clr_is_left_out_with_the_reason(
    setup: dict[str, Any], school: tuple[KeyPair, Path], tmp_path: Path
) -> None:
    _, key_file = school
    doc = rs.credential(issuer=rs.ISSUER, credits=28, unit="hours", name="Old Context", cid=77)
    doc["@context"] = [
        c.replace("context-3.0.3.json", "context-3.0.2.json") for c in doc["@context"]
    ]
    seed = rs.gen.TEST_ONLY_ISSUER_SEED
    old = rs.write(tmp_path / "old" / "old.json", rs.gen.secure(doc, seed, rs.gen.did_key_vm(seed)))
    done = invoke(
        "import", "--registry", setup["url"], "--trust", str(setup["trust"]), "--policy",
        str(setup["policy"]), "--learner", rs.LEARNER, "--term", TERM, "--at", AT, "--json", str(old),
    )  # fmt: skip
    assert json.loads(done.stdout.splitlines()[0])["verdict"] == "accepted"
    out = tmp_path / "t.json"
    result = invoke(*transcript_args(setup, key_file, "--out", str(out)))
    assert (
        "LEFT OUT" in result.stderr
        and "cannot be embedded in a CLR 2.0 transcript" in result.stderr
    )
    names = [c["credentialSubject"]["achievement"]["name"] for _, c in embedded_credentials(
        json.loads(out.read_bytes()))]  # fmt: skip
    assert "Old Context" not in names and len(names) == 3


def test_without_out_the_transcript_goes_to_stdout_and_json_needs_a_file(
    setup: dict[str, Any], school: tuple[KeyPair, Path], tmp_path: Path
) -> None:
    _, key_file = school
    result = invoke(*transcript_args(setup, key_file, "--term", TERM))
    doc = json.loads(result.stdout)
    assert doc["type"] == ["VerifiableCredential", "ClrCredential"] and doc["partial"] is True
    assert "wrote" not in result.stderr and "transcript urn:uuid:" in result.stderr
    bad = invoke(*transcript_args(setup, key_file, "--json"), code=2)
    assert "--out" in bad.stderr
    out = tmp_path / "t.json"
    summary = json.loads(
        invoke(*transcript_args(setup, key_file, "--json", "--out", str(out))).stdout
    )
    assert summary["id"] == json.loads(out.read_bytes())["id"] and summary["credits"] == "5 ECTS"
    assert summary["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()


def test_without_a_school_section_the_first_key_is_remembered(
    setup: dict[str, Any], school: tuple[KeyPair, Path], tmp_path: Path
) -> None:
    key, key_file = school
    bare = tmp_path / "bare-policy.toml"
    bare.write_text('name = "p"\nunit = "ECTS"\n[[rule]]\nname = "all"\n', encoding="utf-8")
    args = transcript_args(setup, key_file, "--out", str(tmp_path / "a.json"))
    args[args.index(str(setup["policy"]))] = str(bare)
    first = invoke(*args)
    assert "no [school] section" in first.stderr
    doc = json.loads((tmp_path / "a.json").read_bytes())
    assert doc["issuer"] == {"id": key.controller, "type": ["Profile"], "name": key.controller}
    other = generate_keypair()
    save_keyfile(tmp_path / "other.json", other)
    args[args.index(str(key_file))] = str(tmp_path / "other.json")
    refused = invoke(*args, code=1)
    assert key.controller in refused.stderr and other.controller in refused.stderr
    assert "earlier transcripts" in refused.stderr


def test_a_broken_school_section_names_file_line_and_key(
    setup: dict[str, Any], school: tuple[KeyPair, Path], tmp_path: Path
) -> None:
    _, key_file = school
    broken = tmp_path / "broken.toml"
    broken.write_text(
        'name = "p"\nunit = "ECTS"\n\n[school]\nname = "Rhine"\nurl = "http://rhine.example"\n'
        'learner = "full-name"\ncolour = "blue"\n',
        encoding="utf-8",
    )
    args = transcript_args(setup, key_file)
    args[args.index(str(setup["policy"]))] = str(broken)
    result = invoke(*args, code=1)
    assert (
        f"{broken}:6: $.school.url: 'http://rhine.example' must be an https:// URL" in result.stderr
    )
    assert f"{broken}:7: $.school.learner:" in result.stderr
    assert f"{broken}:8: $.school.colour: unknown key" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_transcript_too_large_to_verify_is_refused(
    setup: dict[str, Any],
    school: tuple[KeyPair, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from microcred.verify.checks import parse

    _, key_file = school
    monkeypatch.setattr(parse, "MAX_CLR_NODES", 300)  # above one credential, below three
    out = tmp_path / "t.json"
    result = invoke(*transcript_args(setup, key_file, "--out", str(out)), code=1)
    assert "too large for `microcred verify`" in result.stderr and "--term" in result.stderr
    assert not out.exists()


def test_an_output_folder_that_does_not_exist_is_refused_before_anything_is_recorded(
    setup: dict[str, Any], school: tuple[KeyPair, Path], tmp_path: Path
) -> None:
    _, key_file = school
    missing = tmp_path / "no-such-folder" / "t.json"
    result = invoke(*transcript_args(setup, key_file, "--out", str(missing)), code=1)
    assert "does not exist" in result.stderr and "no transcript was issued" in result.stderr
    with Registry.open(setup["url"], create=False) as reg:
        assert reg.transcripts() == []
