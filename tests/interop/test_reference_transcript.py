"""The school's CLR 2.0 transcript verifies in Digital Bazaar's reference stack too.

A learner holds one credential signed by microcred and one signed by the reference stack
(different issuers). Both are imported under a policy with a ``[school]`` section; the
transcript is issued with a freshly generated school key. The reference then verifies the
transcript (the school's proof set, each proof on its own) and every embedded credential;
microcred verifies the same file; and a transcript changed after signing fails in both.
"""

from __future__ import annotations

import copy
import json
import uuid
from typing import Any

import pytest
from click.testing import CliRunner
from interop_support import Reference

from microcred.cli import main
from microcred.credential.clr import embedded_credentials
from microcred.credential.clr_schemas import clr_errors
from microcred.credential.identity import email_identity, new_salt
from microcred.issue import sign_document
from microcred.proof.keys import KeyPair, generate_keypair
from microcred.proof.keystore import keyfile_json, save_keyfile
from microcred.proof.timestamps import parse_datetimestamp
from microcred.verify import check_credential

pytestmark = pytest.mark.interop

AT = "2026-07-01T00:00:00Z"
CREATED = "2026-05-01T00:00:00Z"
LEARNER = "ada.lovelace@example.org"
CONTEXT = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]


def unsigned_badge(issuer: KeyPair, name: str, hours: int) -> dict[str, Any]:
    return {
        "@context": CONTEXT,
        "id": f"urn:uuid:{uuid.uuid4()}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": name,
        "issuer": {"id": issuer.controller, "type": ["Profile"], "name": f"{name} host"},
        "validFrom": "2026-04-01T00:00:00Z",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [email_identity(LEARNER, new_salt())],
            "creditsEarned": hours,
            "achievement": {
                "id": f"https://host.example/achievements/{uuid.uuid4()}",
                "type": ["Achievement"],
                "name": name,
                "description": f"{name}, a supervised micro-internship.",
                "criteria": {"narrative": "Deliver the brief to the host company."},
                "creditsAvailable": hours,
                "tag": [f"credits: {hours} hours"],
            },
        },
    }


@pytest.fixture(scope="module")
def issued(
    reference: Reference, shipped_contexts: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("transcript-interop")
    ours, theirs, school = generate_keypair(), generate_keypair(), generate_keypair()
    mine = sign_document(
        unsigned_badge(ours, "Data Sprint", 56), ours, created=parse_datetimestamp(CREATED)
    )
    answer = reference.call(
        {
            "op": "sign",
            "suite": ["eddsa-rdfc-2022", "eddsa-jcs-2022"],
            "document": unsigned_badge(theirs, "Harbour Survey", 84),
            "key": keyfile_json(theirs),
            "created": CREATED,
            "contexts": shipped_contexts,
        }
    )
    assert "signed" in answer, answer
    ref_signed = answer["signed"]
    inbox = root / "inbox"
    inbox.mkdir()
    (inbox / "microcred.json").write_text(json.dumps(mine), encoding="utf-8")
    (inbox / "reference.json").write_text(json.dumps(ref_signed), encoding="utf-8")
    policy = root / "policy.toml"
    policy.write_text(
        'name = "Work-based learning"\nunit = "ECTS"\nhours_per_unit = 28\n\n'
        f'[school]\nname = "Rhine College"\ndid = "{school.controller}"\n\n'
        '[[rule]]\nname = "All micro-internships"\n',
        encoding="utf-8",
    )
    key_file = root / "school.json"
    save_keyfile(key_file, school)
    registry = f"sqlite:///{root / 'registry.db'}"
    runner = CliRunner()
    done = runner.invoke(
        main,
        ["import", "--registry", registry, "--policy", str(policy), "--learner", LEARNER,
         "--at", AT, str(inbox)],
    )  # fmt: skip
    assert done.exit_code == 0, (done.stdout, done.stderr)
    out = root / "transcript.json"
    done = runner.invoke(
        main,
        ["registry", "transcript", "--registry", registry, "--learner", LEARNER,
         "--key", str(key_file), "--policy", str(policy), "--at", AT, "--out", str(out)],
    )  # fmt: skip
    assert done.exit_code == 0, (done.stdout, done.stderr)
    return {
        "root": root,
        "policy": policy,
        "registry": registry,
        "transcript": json.loads(out.read_bytes()),
        "raw": out.read_bytes(),
        "embedded": {"microcred": mine, "reference": ref_signed},
        "school": school,
    }


def test_transcript_holds_both_credentials_unchanged_and_validates(issued: dict[str, Any]) -> None:
    doc = issued["transcript"]
    embedded = [item for _, item in embedded_credentials(doc)]
    assert sorted(map(json.dumps, embedded)) == sorted(map(json.dumps, issued["embedded"].values()))
    assert clr_errors(doc) == []
    achievements = doc["credentialSubject"]["achievement"]
    credits = sorted(a["creditsAvailable"] for a in achievements if "creditsAvailable" in a)
    assert credits == [2, 3]  # 56 h and 84 h at 28 h per ECTS
    assert "5 ECTS in total" in doc["description"]


def test_reference_verifies_the_transcript_and_every_embedded_credential(
    issued: dict[str, Any], reference: Reference, shipped_contexts: dict[str, Any]
) -> None:
    doc = issued["transcript"]
    requests = [{"op": "verify", "document": doc, "now": AT}]
    requests += [{"op": "verify", "document": c, "now": AT} for _, c in embedded_credentials(doc)]
    tampered = copy.deepcopy(doc)
    tampered["credentialSubject"]["achievement"][0]["creditsAvailable"] = 30
    requests.append({"op": "verify", "document": tampered, "now": AT})
    answers = reference.batch(requests, {"contexts": shipped_contexts})
    outer, *inner, forged = answers
    assert outer["verified"] is True, outer
    assert sorted(p["cryptosuite"] for p in outer["proofs"]) == [
        "eddsa-jcs-2022",
        "eddsa-rdfc-2022",
    ]
    assert all(p["verified"] for p in outer["proofs"]), outer
    assert len(inner) == 2 and all(a["verified"] is True for a in inner), inner
    assert forged["verified"] is False
    assert not any(p["verified"] for p in forged["proofs"])


def test_microcred_verifies_the_same_file(issued: dict[str, Any]) -> None:
    report = check_credential(issued["raw"], now=parse_datetimestamp(AT))
    assert report.result == "valid", report.to_json()
    assert report.issuer == issued["school"].controller
    assert report.check("proof").note.count("signature verified") == 2


def test_reference_reads_the_schools_status_list_and_sees_a_revoked_transcript(
    issued: dict[str, Any], reference: Reference, shipped_contexts: dict[str, Any], tmp_path: Any
) -> None:
    """With ``[school] status_list`` the transcript carries a BitstringStatusListEntry; the
    reference checks it against the list the school publishes, before and after --revoke."""
    root = issued["root"]
    url = "https://registrar.rhine.example/status/transcripts-1.json"
    policy = tmp_path / "policy.toml"
    policy.write_text(
        issued["policy"]
        .read_text("utf-8")
        .replace(
            "[school]\n", f'[school]\nstatus_list = "{url}"\nstatus_dir = "{tmp_path / "st"}"\n'
        ),
        encoding="utf-8",
    )
    out = tmp_path / "revocable.json"
    base = ["registry", "transcript", "--registry", issued["registry"], "--key",
            str(root / "school.json"), "--policy", str(policy), "--at", AT]  # fmt: skip
    runner = CliRunner()
    done = runner.invoke(main, [*base, "--learner", LEARNER, "--out", str(out)])
    assert done.exit_code == 0, done.stderr
    doc = json.loads(out.read_bytes())
    assert doc["credentialStatus"]["statusListCredential"] == url
    list_file = tmp_path / "st" / "transcripts-1.json"
    before = json.loads(list_file.read_bytes())
    done = runner.invoke(main, [*base, "--revoke", doc["id"], "--reason", "issued in error"])
    assert done.exit_code == 0, done.stderr
    after = json.loads(list_file.read_bytes())
    answers = reference.batch(
        [
            {"op": "verify", "document": doc, "now": AT, "statusLists": {url: before}},
            {"op": "verify", "document": doc, "now": AT, "statusLists": {url: after}},
        ],
        {"contexts": shipped_contexts},
    )
    assert answers[0]["verified"] is True and answers[0]["statusChecked"] is True, answers[0]
    assert answers[1]["verified"] is False and "revocation bit" in answers[1]["error"], answers[1]
