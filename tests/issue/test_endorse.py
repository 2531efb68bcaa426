"""Endorsements issued end to end: signed by the endorser's own key (never the issuer's),
embedded by date, verified by microcred, refused when the key is not the endorser's."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from microcred.errors import KeyError_, ProblemsError
from microcred.issue import issue_program, sign_document
from microcred.issue.endorse import SIGNED_DIR, endorser_key_path
from microcred.keyring import KeyRing
from microcred.model import Identity
from microcred.proof.keys import generate_keypair
from microcred.proof.keystore import save_keyfile
from microcred.verify import check_credential

BASE = Path(__file__).resolve().parents[1] / "records" / "fixtures" / "base"
NOW = dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.UTC)


def endorsement(endorser: str, endorses: str, date: str, comment: str = "Solid work.") -> str:
    return f"---\nendorser:\n{endorser}\nendorses:\n  {endorses}\ndate: {date}\n---\n\n{comment}\n"


MENTOR = "  name: Grace Hopper\n  kind: mentor\n  description: Lead engineer"
ORG = "  name: Harbour Guild\n  kind: organisation\n  url: https://guild.example.org/"


@pytest.fixture()
def program(tmp_path: Path) -> Path:
    root = tmp_path / "program"
    shutil.copytree(BASE, root)
    KeyRing(root).new_key(Identity("did-key"), now=NOW)
    folder = root / "endorsements"
    folder.mkdir()
    # ada.md is awarded on its end date 2026-05-15: the brief endorsement predates it
    (folder / "guild-brief.md").write_text(
        endorsement(ORG, "achievement: web-audit", "2026-04-01"), encoding="utf-8"
    )
    (folder / "mentor-ada.md").write_text(
        endorsement(MENTOR, "credential: ada", "2026-05-20", "**Thorough** audit."),
        encoding="utf-8",
    )
    (folder / "guild-issuer.md").write_text(
        endorsement(ORG, "issuer: true", "2026-06-01"), encoding="utf-8"
    )
    return root


def _json(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def test_each_endorsement_is_signed_by_its_endorser(program: Path) -> None:
    report = issue_program(program, now=NOW)
    assert sorted(report.endorsements) == ["guild-brief", "guild-issuer", "mentor-ada"]
    issuer_did = _json(program / "credentials" / "ada.json")["issuer"]["id"]
    docs = {p.stem: _json(p) for p in (program / SIGNED_DIR).glob("*.json")}
    guild, mentor = docs["guild-brief"]["issuer"]["id"], docs["mentor-ada"]["issuer"]["id"]
    assert guild == docs["guild-issuer"]["issuer"]["id"]  # one key per endorser
    assert len({guild, mentor, issuer_did}) == 3  # nobody signs for anyone else
    for slug, doc in docs.items():
        assert doc["type"] == ["VerifiableCredential", "EndorsementCredential"]
        assert [p["cryptosuite"] for p in doc["proof"]] == ["eddsa-rdfc-2022", "eddsa-jcs-2022"]
        assert {p["verificationMethod"].split("#")[0] for p in doc["proof"]} == {
            doc["issuer"]["id"]
        }
        report = check_credential(doc, now=NOW)
        assert report.result == "valid", slug
        assert (
            report.summary is not None
            and report.summary.achievement.type == "EndorsementCredential"
        )
        assert report.summary.achievement.id == doc["credentialSubject"]["id"]
    ada = _json(program / "credentials" / "ada.json")
    assert docs["mentor-ada"]["credentialSubject"] == {
        "id": ada["id"],
        "type": ["EndorsementSubject"],
        "endorsementComment": "**Thorough** audit.",
    }
    assert docs["guild-issuer"]["credentialSubject"]["id"] == issuer_did
    assert (
        docs["guild-brief"]["credentialSubject"]["id"]
        == ada["credentialSubject"]["achievement"]["id"]
    )
    assert docs["mentor-ada"]["issuer"]["description"] == "Mentor: Lead engineer"
    assert (endorser_key_path(program, "Grace Hopper")).stat().st_mode & 0o777 == 0o600


def test_credentials_embed_endorsements_made_before_their_award(program: Path) -> None:
    issue_program(program, now=NOW)
    ada = _json(program / "credentials" / "ada.json")
    embedded = ada["endorsement"]
    brief = _json(program / SIGNED_DIR / "guild-brief.json")
    assert embedded == [brief]  # the mentor's and the issuer endorsement came later
    report = check_credential(ada, now=NOW)  # no status snapshot given: status undecided
    outcomes = {c.id: c.outcome for c in report.checks}
    assert outcomes["proof"] == "passed" and outcomes["issuer_binding"] == "passed", report
    assert report.result != "invalid"


def test_reissue_keeps_every_byte_and_withdrawn_endorsements_disappear(program: Path) -> None:
    issue_program(program, now=NOW)
    before = {p.name: p.read_bytes() for p in (program / SIGNED_DIR).glob("*.json")}
    again = issue_program(program, now=NOW + dt.timedelta(days=1))
    assert again.endorsed == [] and again.issued == []
    assert {p.name: p.read_bytes() for p in (program / SIGNED_DIR).glob("*.json")} == before
    (program / "endorsements" / "guild-issuer.md").unlink()
    issue_program(program, now=NOW + dt.timedelta(days=2))
    assert not (program / SIGNED_DIR / "guild-issuer.json").exists()


def test_an_endorser_may_bring_their_own_did_and_key(program: Path, tmp_path: Path) -> None:
    own = generate_keypair()
    key_file = tmp_path / "outside" / "grace.json"
    save_keyfile(key_file, own)
    (program / "endorsements" / "mentor-ada.md").write_text(
        endorsement(
            f"{MENTOR}\n  did: {own.controller}\n  key_file: {key_file}",
            "credential: ada",
            "2026-05-20",
        ),
        encoding="utf-8",
    )
    issue_program(program, now=NOW)
    doc = _json(program / SIGNED_DIR / "mentor-ada.json")
    assert doc["issuer"]["id"] == own.controller
    assert doc["proof"][0]["verificationMethod"] == own.id
    assert check_credential(doc, now=NOW).result == "valid"


def test_a_key_that_is_not_the_endorsers_is_refused(program: Path, tmp_path: Path) -> None:
    claimed, actual = generate_keypair(), generate_keypair()
    key_file = tmp_path / "someone-else.json"
    save_keyfile(key_file, actual)
    (program / "endorsements" / "mentor-ada.md").write_text(
        endorsement(
            f"{MENTOR}\n  did: {claimed.controller}\n  key_file: {key_file}",
            "credential: ada",
            "2026-05-20",
        ),
        encoding="utf-8",
    )
    with pytest.raises(KeyError_, match="not to the endorser's DID") as caught:
        issue_program(program, now=NOW)
    assert caught.value.where == "endorsements/mentor-ada.md"
    assert not (program / SIGNED_DIR / "mentor-ada.json").exists()


def test_an_endorsement_signed_by_another_key_does_not_verify(program: Path) -> None:
    issue_program(program, now=NOW)
    honest = _json(program / SIGNED_DIR / "mentor-ada.json")
    forger = generate_keypair()
    unsigned = {k: v for k, v in honest.items() if k != "proof"}
    forged = sign_document(unsigned, forger, created=NOW)  # still names the mentor as issuer
    report = check_credential(forged, now=NOW)
    assert report.result == "invalid"
    assert any(c.id == "issuer_binding" and c.outcome == "failed" for c in report.checks)
    # the same forgery embedded in a credential makes the credential fail too
    ada = _json(program / "credentials" / "ada.json")
    ada = {k: v for k, v in ada.items() if k != "proof"} | {"endorsement": [forged]}
    signing = KeyRing(program).load_active_secret()
    outer = check_credential(sign_document(ada, signing, created=NOW), now=NOW)
    assert outer.result == "invalid"


def test_bad_endorsement_files_stop_the_issue_with_located_errors(program: Path) -> None:
    (program / "endorsements" / "mentor-ada.md").write_text(
        endorsement(MENTOR, "credential: adda", "2026-05-20"), encoding="utf-8"
    )
    with pytest.raises(ProblemsError) as caught:
        issue_program(program, now=NOW)
    text = caught.value.diagnostics()
    assert "endorsements/mentor-ada.md:7: $.endorses.credential: no record 'adda'" in text
    assert "did you mean 'ada'?" in text
