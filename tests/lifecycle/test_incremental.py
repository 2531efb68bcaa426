"""Incremental issuing: unchanged = byte-identical, changed = same id/salt/index + new proof,
deleted records stay published, the pool signs exactly what the serial path signs, and the
index is a receipt that the next run can rebuild."""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from lchelpers import (
    NOW,
    add_record,
    all_files,
    credential_files,
    credentials,
    edit_record,
    index_of,
)

from microcred.cli import run
from microcred.errors import ConfigError
from microcred.issue import INDEX, issue_program, read_index
from microcred.proof.keys import generate_keypair
from microcred.publish import change_status, prepare_publication

LATER = NOW + dt.timedelta(days=3)


def test_an_unchanged_program_changes_no_byte(program: Callable[..., Path]) -> None:
    root = program(suspension=True)
    first = issue_program(root, now=NOW)
    prepare_publication(root, now=NOW)
    before = all_files(root, "credentials", "status")
    assert len(first.issued) == 3 and "status/published/suspension-1.json" in before
    report = issue_program(root, now=LATER)
    prepare_publication(root, now=LATER + dt.timedelta(hours=1))
    assert report.issued == [] and sorted(report.unchanged) == sorted(first.issued)
    assert all_files(root, "credentials", "status") == before


def test_a_changed_record_reissues_only_that_credential(program: Callable[..., Path]) -> None:
    root = program()
    issue_program(root, now=NOW)
    before_files, before = credential_files(root), credentials(root)
    edit_record(root, "data-2026-03-02")
    report = issue_program(root, now=LATER)
    after_files, after = credential_files(root), credentials(root)
    assert report.issued == ["data-2026-03-02"]
    changed = {s for s in before_files if before_files[s] != after_files[s]}
    assert changed == {"data-2026-03-02"}
    old, new = before["data-2026-03-02"], after["data-2026-03-02"]
    assert new["id"] == old["id"]
    assert new["credentialSubject"]["identifier"] == old["credentialSubject"]["identifier"]
    assert new["credentialStatus"] == old["credentialStatus"]
    assert [p["created"] for p in new["proof"]] == ["2026-11-04T12:00:00Z"] * 2
    assert new["proof"] != old["proof"]
    assert read_index(root)["data-2026-03-02"]["issued"] == "2026-11-04T12:00:00Z"


def test_a_deleted_record_keeps_its_credential_published(program: Callable[..., Path]) -> None:
    root = program()
    issue_program(root, now=NOW)
    kept = credential_files(root)["data-2026-03-03"]
    (root / "records" / "data-2026-03-03.md").unlink()
    report = issue_program(root, now=LATER)
    assert report.orphaned == ["data-2026-03-03"] and report.issued == []
    assert credential_files(root)["data-2026-03-03"] == kept
    pub = prepare_publication(root, now=LATER)
    assert pub.credentials["data-2026-03-03"]["id"] == json.loads(kept)["id"]
    # ...and it can still be revoked by its slug
    change = change_status(root, "data-2026-03-03", action="revoke", who="t", now=LATER)
    assert change.changed and change.slug == "data-2026-03-03"
    assert prepare_publication(root, now=LATER).statuses["data-2026-03-03"] == "revoked"


def test_a_withdrawn_record_keeps_its_credential_published(program: Callable[..., Path]) -> None:
    root = program()
    issue_program(root, now=NOW)
    record = root / "records" / "data-2026-03-01.md"
    text = record.read_text(encoding="utf-8")
    assert text.startswith("---\n")
    record.write_text(text.replace("---\n", "---\nstatus: withdrawn\n", 1), encoding="utf-8")
    report = issue_program(root, now=LATER)
    assert report.withdrawn == ["data-2026-03-01"]
    assert "data-2026-03-01" in report.skipped
    assert "data-2026-03-01" in credential_files(root)


def test_pool_output_is_byte_identical_to_serial(program: Callable[..., Path]) -> None:
    serial = program("serial", keep=None)
    issue_program(serial, now=NOW, workers=1)
    expected = credential_files(serial)
    assert len(expected) >= 10
    # Same salts and status indexes, proofs gone: both paths must sign exactly the same bytes.
    pooled = serial.parent / "pooled"
    shutil.copytree(serial, pooled)
    (pooled / INDEX).unlink()
    for path in (pooled / "credentials").glob("*.json"):
        doc = json.loads(path.read_text(encoding="utf-8"))
        doc["proof"][0]["proofValue"] = doc["proof"][1]["proofValue"]  # a wrong signature
        path.write_text(json.dumps(doc), encoding="utf-8")
    report = issue_program(pooled, now=NOW, workers=2)
    assert report.workers == 2
    assert sorted(report.issued) == sorted(expected)
    assert credential_files(pooled) == expected
    assert read_index(pooled) == read_index(serial)


def test_a_credential_that_cannot_be_built_leaves_files_and_receipts_agreeing(
    program: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Credentials to sign are built as the signers need them, so one that cannot be built
    stops the run after others were signed: whatever reached the disk is receipted, nothing
    else is, and the next run finishes the job without touching what was written."""
    from microcred.issue import program as issuing

    root = program()
    slugs = sorted(p.stem for p in (root / "records").glob("*.md"))
    bad = slugs[-1]
    build = issuing.build_credential

    def failing(prog: Any, record: Any, **kwargs: Any) -> Any:
        if record.slug == bad:
            raise ConfigError("this credential cannot be built", where=f"records/{bad}.md")
        return build(prog, record, **kwargs)

    monkeypatch.setattr(issuing, "build_credential", failing)
    monkeypatch.setattr(issuing, "WRITE_BATCH", 1)  # each credential written as it comes
    with pytest.raises(ConfigError, match="cannot be built"):
        issue_program(root, now=NOW, workers=1)
    written = credential_files(root)
    assert sorted(written) == slugs[:-1]  # signed and written before the failure
    assert set(read_index(root)) == set(written)
    monkeypatch.undo()
    report = issue_program(root, now=NOW)
    assert bad in report.issued and sorted(report.unchanged) == sorted(written)
    after = credential_files(root)
    assert {slug: after[slug] for slug in written} == written
    assert set(read_index(root)) == set(after) and len(after) == len(slugs)


def test_a_lost_index_is_rebuilt_without_resigning(program: Callable[..., Path]) -> None:
    root = program()
    issue_program(root, now=NOW)
    files, index_bytes = credential_files(root), (root / INDEX).read_bytes()
    (root / INDEX).unlink()
    report = issue_program(root, now=LATER)
    assert report.issued == [] and sorted(report.recovered) == sorted(files)
    assert credential_files(root) == files
    assert (root / INDEX).read_bytes() == index_bytes


def test_an_edited_credential_file_is_resigned(program: Callable[..., Path]) -> None:
    root = program()
    issue_program(root, now=NOW)
    path = root / "credentials" / "data-2026-03-01.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    good = doc["proof"][0]["proofValue"]
    doc["proof"][0]["proofValue"] = "z" + "1" * 86  # a forged signature, content unchanged
    path.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    report = issue_program(root, now=NOW)
    assert report.issued == ["data-2026-03-01"]
    assert credentials(root)["data-2026-03-01"]["proof"][0]["proofValue"] == good


def test_stale_temp_files_of_a_killed_run_are_removed(program: Callable[..., Path]) -> None:
    root = program()
    issue_program(root, now=NOW)
    litter = [
        root / "credentials" / ".data-2026-03-01.json.abc123.tmp",
        root / "status" / ".revocation.json.x1.tmp",
    ]
    for path in litter:
        path.write_text("{half", encoding="utf-8")
    keep = root / "credentials" / "notes.tmp"  # not ours: not hidden
    keep.write_text("mine", encoding="utf-8")
    issue_program(root, now=NOW)
    assert not any(p.exists() for p in litter)
    assert keep.read_text(encoding="utf-8") == "mine"


def test_a_second_writer_is_refused_while_one_holds_the_lock(
    program: Callable[..., Path],
) -> None:
    root = program()
    with (root / "microcred.toml").open("rb") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(ConfigError) as info:
            issue_program(root, now=NOW)
        assert "another microcred command" in info.value.diagnostics()
        assert not (root / "credentials").exists() and not (root / "status").exists()
    assert len(issue_program(root, now=NOW).issued) == 3  # released: works again


def test_a_new_record_gets_a_fresh_index_and_old_ones_never_move(
    program: Callable[..., Path],
) -> None:
    root = program()
    issue_program(root, now=NOW)
    add_record(root, "late-2026-11-02")
    state = root / "status" / "revocation.json"
    before = json.loads(state.read_text(encoding="utf-8"))["allocated"]
    report = issue_program(root, now=LATER)
    after = json.loads(state.read_text(encoding="utf-8"))["allocated"]
    assert report.issued == ["late-2026-11-02"]
    assert set(after) - set(before) == {credentials(root)["late-2026-11-02"]["id"]}
    assert all(after[k] == v for k, v in before.items())
    assert (
        index_of(credentials(root)["late-2026-11-02"])
        == after[credentials(root)["late-2026-11-02"]["id"]]
    )


def test_a_changed_issuer_identity_never_silently_replaces_credentials(
    program: Callable[..., Path],
) -> None:
    root = program()
    issue_program(root, now=NOW)
    before = credential_files(root)
    with pytest.raises(ConfigError) as info:
        issue_program(root, now=LATER, key=generate_keypair())  # another did:key
    assert "another id" in info.value.diagnostics()
    assert credential_files(root) == before


def test_the_command_reports_what_stays_published(
    program: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root = program()
    assert run(["-p", str(root), "issue", "--now", "2026-11-01T12:00:00Z", "--workers", "1"]) == 0
    assert "issued 3, unchanged 0" in capsys.readouterr().out
    (root / "records" / "data-2026-03-03.md").unlink()
    assert run(["-p", str(root), "issue", "--now", "2026-11-02T12:00:00Z"]) == 0
    out, err = capsys.readouterr()
    assert "issued 0, unchanged 2" in out
    assert "credentials/data-2026-03-03.json has no record any more" in err
    assert "microcred revoke data-2026-03-03" in err
