"""Issuing the bundled example end to end, with real keys, JSON-LD and Ed25519."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from microcred.credential.schemas import schema_errors
from microcred.errors import JsonLdError, KeyError_
from microcred.issue import issue_program, sign_document
from microcred.jsonld import canonicalize, default_loader, jcs
from microcred.keyring import KeyRing
from microcred.model import Identity
from microcred.proof.keys import generate_keypair
from microcred.proof.suites import verify_proof

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "northwind-microinternships"
NOW = dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.UTC)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")


@pytest.fixture()
def program(tmp_path: Path) -> Path:
    root = tmp_path / "program"
    shutil.copytree(EXAMPLE, root)
    KeyRing(root).new_key(Identity("did-key"), now=NOW)
    return root


def _credentials(root: Path) -> dict[str, dict[str, Any]]:
    return {
        p.stem: json.loads(p.read_text())
        for p in sorted((root / "credentials").glob("*.json"))
        if p.name != "index.json"
    }


def _rdfc(doc: Any) -> str:
    return canonicalize(doc, default_loader())


def test_issues_every_completed_record_with_a_verifying_proof_set(program: Path) -> None:
    report = issue_program(program, now=NOW)
    creds = _credentials(program)
    assert sorted(report.issued) == sorted(creds)
    assert len(creds) >= 8 and report.skipped  # the withdrawn record is not issued
    key = KeyRing(program).load_active_secret()
    for slug, cred in creds.items():
        proofs = cred["proof"]
        assert isinstance(proofs, list)
        assert [p["cryptosuite"] for p in proofs] == ["eddsa-rdfc-2022", "eddsa-jcs-2022"], slug
        body = {k: v for k, v in cred.items() if k != "proof"}
        for proof in proofs:
            verify_proof(body, proof, key.public_key, rdfc=_rdfc, jcs=jcs)
        assert cred["issuer"]["id"] == key.controller
        assert proofs[0]["verificationMethod"] == key.id and "#" in key.id


def test_a_tampered_credential_fails_the_real_check(program: Path) -> None:
    issue_program(program, now=NOW)
    cred = next(iter(_credentials(program).values()))
    key = KeyRing(program).load_active_secret()
    body = {k: v for k, v in cred.items() if k != "proof"}
    body["name"] = body["name"] + "!"
    with pytest.raises(Exception) as info:
        verify_proof(body, cred["proof"][0], key.public_key, rdfc=_rdfc, jcs=jcs)
    assert getattr(info.value, "code", "") == "CRYPTOGRAPHIC_SECURITY_ERROR"


def test_no_email_in_any_issued_or_committed_file(program: Path) -> None:
    issue_program(program, now=NOW)
    public = [
        *program.glob("credentials/*.json"),
        *program.glob("status/**/*.json"),
        program / ".microcred" / "keyring.json",
    ]
    assert len(public) > 10
    for path in public:
        found = EMAIL.findall(path.read_text(encoding="utf-8"))
        assert not found, f"{path.name} leaks an e-mail"
    # ...while the records really do contain e-mails (so the check above can fail)
    assert EMAIL.search((program / "records").glob("*.md").__next__().read_text())


@pytest.mark.conformance
@pytest.mark.parametrize(
    "schema",
    [
        "schemas/ob-v3p0/ob_v3p0_achievementcredential_schema.json",
        "schemas/ob-v3p0/strict-jsonschema1/ob_v3p0_achievementcredential-jsonschema1.json",
    ],
)
def test_every_example_credential_passes_both_ob_schemas(
    program: Path, standards: Path, schema: str
) -> None:
    issue_program(program, now=NOW)
    loaded = json.loads((standards / schema).read_text())
    creds = _credentials(program)
    assert creds
    for slug, cred in creds.items():
        assert schema_errors(cred, loaded) == [], slug


def test_reissuing_an_unchanged_program_is_byte_identical(program: Path) -> None:
    issue_program(program, now=NOW)
    before = {p: p.read_bytes() for p in (program / "credentials").glob("*.json")}
    report = issue_program(program, now=NOW + dt.timedelta(days=3))
    assert report.issued == [] and len(report.unchanged) == len(before) - 1
    after = {p: p.read_bytes() for p in (program / "credentials").glob("*.json")}
    assert after == before


def test_a_changed_record_reissues_only_that_credential_keeping_id_and_salt(program: Path) -> None:
    issue_program(program, now=NOW)
    creds = _credentials(program)
    slug = sorted(creds)[0]
    record = program / "records" / f"{slug}.md"
    text = record.read_text(encoding="utf-8")
    record.write_text(
        text.replace("hours: ", "hours: 1", 1)
        if "hours: 1" not in text
        else text.replace("hours: 1", "hours: 2", 1),
        encoding="utf-8",
    )
    report = issue_program(program, now=NOW + dt.timedelta(days=1))
    assert report.issued == [slug]
    new = _credentials(program)[slug]
    assert new["id"] == creds[slug]["id"]
    assert (
        new["credentialSubject"]["identifier"][0]["salt"]
        == creds[slug]["credentialSubject"]["identifier"][0]["salt"]
    )
    assert new["proof"] != creds[slug]["proof"]
    assert new["credentialStatus"] == creds[slug]["credentialStatus"]


def test_signing_refuses_data_that_json_ld_would_drop() -> None:
    key = generate_keypair()
    doc = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential"],
        "issuer": key.controller,
        "credentialSubject": {"id": "did:example:x", "undefinedTerm": "IfDroppedWillVerify"},
    }
    with pytest.raises(JsonLdError) as info:
        sign_document(doc, key, created=NOW)
    assert info.value.code == "DATA_LOSS_DETECTION_ERROR"
    assert "undefinedTerm" in info.value.diagnostics()


def test_wrong_passphrase_is_a_clear_error(tmp_path: Path) -> None:
    root = tmp_path / "p"
    shutil.copytree(EXAMPLE, root)
    KeyRing(root).new_key(Identity("did-key"), now=NOW, passphrase="correct horse")
    with pytest.raises(KeyError_) as info:
        issue_program(root, now=NOW, passphrase="wrong")
    assert "passphrase" in info.value.diagnostics()
    assert not (root / "credentials").exists()  # nothing half-written


def test_a_key_file_for_another_did_is_refused(
    program: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stranger = generate_keypair()
    monkeypatch.setenv("MICROCRED_ISSUER_KEY", json.dumps(stranger.to_secret_json()))
    with pytest.raises(KeyError_) as info:
        issue_program(program, now=NOW)
    assert stranger.controller in info.value.diagnostics()
    assert not (program / "credentials").exists()


def test_key_files_are_private(program: Path) -> None:
    files = list((program / ".microcred" / "keys").iterdir())
    assert files and all(f.stat().st_mode & 0o077 == 0 for f in files)
    assert "secretKeyMultibase" not in (program / ".microcred" / "keyring.json").read_text()


def test_git_never_sees_the_secret_key(program: Path) -> None:
    import subprocess

    subprocess.run(["git", "init", "-q", str(program)], check=True)
    # even with no project .gitignore at all
    (program / ".gitignore").unlink(missing_ok=True)
    out = subprocess.run(
        ["git", "-C", str(program), "status", "--porcelain", "--untracked-files=all"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert ".microcred/keyring.json" in out
    assert ".microcred/keys/" not in out


def test_a_failed_batch_write_leaves_no_receipt_for_an_unwritten_credential(
    program: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Credentials are written in batches (one flush to disk each); a batch that cannot be
    written (a full disk) fails the run naming a file, the receipts name only what is on
    disk, and the next run signs the rest."""
    from microcred.issue import INDEX
    from microcred.issue import program as issuing
    from microcred.layout import ISSUE_INDEX_KEY

    monkeypatch.setattr(issuing, "WRITE_BATCH", 3)
    real, calls = issuing.write_batch_if_changed, []

    def full_on_the_second(items: Any) -> None:
        calls.append([path.name for path, _ in items])
        if len(calls) == 2:
            raise OSError(28, "No space left on device (nothing was changed)", str(items[0][0]))
        real(items)

    monkeypatch.setattr(issuing, "write_batch_if_changed", full_on_the_second)
    with pytest.raises(OSError, match="No space left"):
        issue_program(program, now=NOW, workers=1)
    assert [len(batch) for batch in calls] == [3, 3]
    on_disk = {p.stem for p in (program / "credentials").glob("*.json") if p.name != "index.json"}
    assert on_disk == {name.removesuffix(".json") for name in calls[0]}
    receipts = json.loads((program / INDEX).read_text(encoding="utf-8"))
    assert set(receipts[ISSUE_INDEX_KEY]) == on_disk
    monkeypatch.undo()
    report = issue_program(program, now=NOW, workers=1)
    assert sorted(report.unchanged) == sorted(on_disk)
    assert len(report.issued) == len(_credentials(program)) - len(on_disk)


def test_a_run_with_nothing_to_sign_derives_no_key(
    program: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Deciding reads the active key's public parts only; the secret (a key derivation) is
    loaded when something is to be signed, and then checked against the key ring as before."""
    from microcred import keyring

    issue_program(program, now=NOW)  # everything signed: the next run has nothing to sign
    loads: list[str] = []
    real = keyring.load_keyfile_path

    def counting(path: Path, passphrase: str | None) -> Any:
        loads.append(str(path))
        return real(path, passphrase)

    monkeypatch.setattr(keyring, "load_keyfile_path", counting)
    again = issue_program(program, now=NOW)
    assert loads == [] and again.issued == [] and again.signing_key is None
    assert len(again.unchanged) == len(_credentials(program))
    # the secret file gone: nothing to sign still works, something to sign says why not
    secret = program / KeyRing(program).active().file
    moved = secret.with_name("elsewhere")
    secret.rename(moved)
    assert issue_program(program, now=NOW).issued == []
    # a changed record: found by the decisions, then the secret is asked for
    record = sorted((program / "records").glob("*.md"))[0]
    credential = program / "credentials" / f"{record.stem}.json"
    before = credential.read_bytes()
    original = record.read_text("utf-8")
    record.write_text(original.rstrip("\n") + "\n\nA sentence added later.\n", "utf-8")
    with pytest.raises(KeyError_, match="secret file is missing"):
        issue_program(program, now=NOW)
    assert credential.read_bytes() == before
    record.write_text(original, "utf-8")
    # a record without its credential: the secret is asked for before anything is written
    first = sorted((program / "credentials").glob("*.json"))[0]
    first.unlink()
    with pytest.raises(KeyError_, match="secret file is missing"):
        issue_program(program, now=NOW)
    moved.rename(secret)
    signed = issue_program(program, now=NOW)
    assert signed.issued == [first.stem] and loads == [str(secret)]
    assert signed.signing_key is not None and signed.signing_key.has_secret
