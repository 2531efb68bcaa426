"""endorsements/*.md: schema and cross-file problems, each with file and line, via `check`."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from microcred.records import check_program
from microcred.records.endorsements import read_endorsements

BASE = Path(__file__).parent / "fixtures" / "base"
GOOD = "---\nendorser:\n  name: Grace Hopper\n  kind: mentor\nendorses:\n  credential: ada\ndate: 2026-05-20\n---\n\nGood.\n"


def program_with(tmp_path: Path, text: str) -> Path:
    root = tmp_path / "p"
    shutil.copytree(BASE, root)
    (root / "endorsements").mkdir()
    (root / "endorsements" / "e.md").write_text(text, encoding="utf-8")
    return root


def test_a_good_endorsement_checks_clean(tmp_path: Path) -> None:
    root = program_with(tmp_path, GOOD)
    assert check_program(root) == []
    found, problems = read_endorsements(root, briefs=["web-audit"], credentials=["ada"])
    assert problems == [] and found[0].target_kind == "credential" and found[0].comment == "Good."
    assert found[0].date.isoformat() == "2026-05-20T00:00:00+00:00"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("kind: mentor", "kind: friend"), "e.md:4: $.endorser.kind: 'friend' is not one of"),
        (
            ("credential: ada", "credential: nobody"),
            "e.md:6: $.endorses.credential: no record 'nobody'",
        ),
        (("credential: ada", "achievement: web-audti"), "did you mean 'web-audit'?"),
        (("credential: ada", "issuer: false"), "e.md:5: $.endorses: name what is endorsed"),
        (("credential: ada", "issuer: true\n  credential: ada"), "$.endorses: has more than 1"),
        (("date: 2026-05-20", "date: 20/05/2026"), "e.md:7: $.date: '20/05/2026' is not a date"),
        (
            ("  name: Grace Hopper", "  nam: Grace Hopper"),
            "unknown field 'nam'; did you mean 'name'?",
        ),
        (
            ("kind: mentor", "kind: mentor\n  did: did:key:z6MkfAKE"),
            "e.md:2: $.endorser.key_file: an endorser who brings a DID",
        ),
        (
            ("kind: mentor", "kind: mentor\n  did: did:web:example.org"),
            "$.endorser.did: 'did:web:example.org' must be a did:key",
        ),
        (
            ("kind: mentor", "kind: mentor\n  key_file: nowhere/key.json"),
            "e.md:5: $.endorser.key_file: key file 'nowhere/key.json' not found",
        ),
        (("\nGood.\n", "\n   \n"), "comment (the text below ---) is empty"),
    ],
)
def test_problems_name_file_line_and_field(
    tmp_path: Path, change: tuple[str, str], expected: str
) -> None:
    root = program_with(tmp_path, GOOD.replace(*change))
    problems = [str(p) for p in check_program(root)]
    assert any(expected in p and p.startswith("endorsements/e.md") for p in problems), problems


def test_a_withdrawn_records_credential_may_still_be_endorsed(tmp_path: Path) -> None:
    """Its credential stays published until revoked; an unknown record is an error."""
    root = program_with(tmp_path, GOOD)
    record = root / "records" / "ada.md"
    record.write_text(record.read_text().replace("hours: 30", "hours: 30\nstatus: withdrawn"))
    assert check_program(root) == []
    record.unlink()
    problems = [str(p) for p in check_program(root)]
    assert any("$.endorses.credential: no record 'ada'" in p for p in problems), problems
