"""Issue 12: ``issue`` remembers what it decided per record (microcred/issue/memo.py).

A record whose inputs and credential bytes are the ones a run decided on is decided the same
way again without the work; any change to what the decision reads makes the long way run
again, and the outcome is always the long way's.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from microcred._util import loads_strict
from microcred.issue import issue_program, memo
from microcred.issue import program as program_module
from microcred.keyring import KeyRing
from microcred.layout import BUILD_CACHE_DIR
from microcred.model import Identity
from microcred.records import load_issuer_settings
from microcred.scaffold import scaffold

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "northwind-microinternships"
NOW = dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 10, 1)
MEMO = Path(BUILD_CACHE_DIR) / memo.MEMO_FILE


@pytest.fixture()
def program(tmp_path: Path) -> Path:
    root = tmp_path / "program"
    shutil.copytree(EXAMPLE, root)
    shutil.rmtree(root / "endorsements")  # endorsements are signed by their own keys
    KeyRing(root).new_key(Identity("did-key"), now=NOW)
    issue_program(root, now=NOW)
    return root


@pytest.fixture()
def built(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The slugs whose unsigned credential a run built (the long way)."""
    seen: list[str] = []
    real = program_module.build_credential

    def counting(program: Any, record: Any, **kwargs: Any) -> dict[str, Any]:
        seen.append(record.slug)
        return real(program, record, **kwargs)

    monkeypatch.setattr(program_module, "build_credential", counting)
    return seen


def _credentials(root: Path) -> dict[str, bytes]:
    return {
        p.stem: p.read_bytes()
        for p in sorted((root / "credentials").glob("*.json"))
        if p.name != "index.json"
    }


def _outcome(report: Any) -> tuple[list[str], ...]:
    return (
        sorted(report.issued),
        sorted(report.unchanged),
        sorted(report.recovered),
        sorted(report.rekeyed),
    )


def test_a_second_run_decides_from_the_memo(program: Path, built: list[str]) -> None:
    before = _credentials(program)
    # the first run after signing decides the long way (a signed file is remembered only
    # once a run has read it strictly), the next one from the memo
    first = issue_program(program, now=NOW)
    assert sorted(built) == sorted(before)
    built.clear()
    second = issue_program(program, now=NOW, keep_read=True)
    assert built == []
    assert _outcome(second) == _outcome(first) == ([], sorted(before), [], [])
    assert _credentials(program) == before
    # what the build reads is the strict reading of the same bytes, with its fingerprint
    for slug, data in before.items():
        assert second.read[slug] == loads_strict(data)
    long_way = issue_program(program, now=NOW, keep_read=True)  # memo kept: still no build
    assert long_way.fingerprints == second.fingerprints


def _edit_record(root: Path) -> str:
    path = sorted((root / "records").glob("*.md"))[3]
    text = path.read_text("utf-8")
    path.write_text(text.rstrip("\n") + "\n\nA sentence added later.\n", "utf-8")
    return path.stem


def _edit_brief(root: Path) -> str:
    path = sorted((root / "achievements").glob("*.md"))[0]
    text = path.read_text("utf-8")
    path.write_text(text.rstrip("\n") + "\n\nOne more line in the brief.\n", "utf-8")
    return path.stem


def _edit_issuer(root: Path) -> None:
    path = root / "microcred.toml"
    text = path.read_text("utf-8")
    assert 'name = "Northwind Talent Collective"' in text
    path.write_text(text.replace('name = "Northwind Talent Collective"', 'name = "Northwind"'))


@pytest.mark.parametrize(
    ("change", "decided"),
    [
        pytest.param(_edit_record, "one", id="record"),
        pytest.param(_edit_brief, "brief", id="brief"),
        pytest.param(_edit_issuer, "all", id="issuer-settings"),
    ],
)
def test_a_changed_input_is_decided_again(
    program: Path, built: list[str], change: Callable[[Path], Any], decided: str
) -> None:
    issue_program(program, now=NOW)  # remembers every record
    built.clear()
    before = _credentials(program)
    changed = change(program)
    report = issue_program(program, now=NOW)
    after = _credentials(program)
    differ = sorted(slug for slug in before if before[slug] != after[slug])
    assert sorted(report.issued) == differ
    if decided == "one":
        assert differ == [changed]
        assert set(built) == {changed}  # (built to compare, then to sign); the rest: memo
    elif decided == "brief":  # its records decided again (its body is not in them), no other
        ours = [
            slug
            for slug, data in after.items()
            if json.loads(data)["credentialSubject"]["achievement"]["id"]
            .rstrip("/")
            .rsplit("/", 1)[-1]
            == changed
        ]
        assert ours and sorted(set(built)) == sorted(ours)
        assert set(differ) <= set(ours)
    else:
        assert differ == sorted(before)  # the issuer's name is in every credential
        assert sorted(set(built)) == sorted(before)


def test_a_reformatted_credential_is_read_again(program: Path, built: list[str]) -> None:
    issue_program(program, now=NOW)
    built.clear()
    path = sorted((program / "credentials").glob("*.json"))[0]
    if path.name == "index.json":
        path = sorted((program / "credentials").glob("*.json"))[1]
    data = json.loads(path.read_text("utf-8"))
    path.write_text(json.dumps(data, indent=4), "utf-8")  # the same value, other bytes
    report = issue_program(program, now=NOW)
    assert built == [path.stem]  # decided the long way: unchanged, and remembered anew
    assert path.stem in report.unchanged and not report.issued
    built.clear()
    issue_program(program, now=NOW)
    assert built == []


def test_a_rotated_key_decides_every_record_again(tmp_path: Path, built: list[str]) -> None:
    root = tmp_path / "web"
    scaffold(root, name="Acme Interns", url="https://org.github.io/interns/", today=TODAY)
    identity = load_issuer_settings(root).identity
    KeyRing(root).new_key(identity, now=NOW)
    issue_program(root, now=NOW)
    issue_program(root, now=NOW)
    built.clear()
    issue_program(root, now=NOW)
    assert built == []
    before = _credentials(root)
    assert before
    KeyRing(root).rotate(identity, now=NOW + dt.timedelta(days=1))
    report = issue_program(root, now=NOW + dt.timedelta(days=1))
    assert sorted(built) == sorted(before)  # the key policy changed: nothing from the memo
    assert report.issued == [] and _credentials(root) == before  # rotation re-signs nothing


def test_an_index_entry_that_differs_is_decided_again(program: Path, built: list[str]) -> None:
    issue_program(program, now=NOW)
    built.clear()
    index_path = program / "credentials" / "index.json"
    index = json.loads(index_path.read_text("utf-8"))
    slug = sorted(index["credentials"])[0]
    del index["credentials"][slug]
    index_path.write_text(json.dumps(index), "utf-8")
    report = issue_program(program, now=NOW)
    assert built == [slug]
    assert report.recovered == [slug]  # as without a memo: the proofs verify, receipt back
    assert slug in json.loads(index_path.read_text("utf-8"))["credentials"]


@pytest.mark.parametrize("damage", ["unsealed", "other-code"])
def test_a_memo_this_code_did_not_write_is_not_used(
    program: Path, built: list[str], damage: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    issue_program(program, now=NOW)
    built.clear()
    path = program / MEMO
    assert path.is_file()
    if damage == "unsealed":
        body = path.read_bytes()
        path.write_bytes(body.replace(b'"seal": "', b'"seal": "0', 1))
    else:
        monkeypatch.setattr(memo, "code_key", lambda: "another code")
    report = issue_program(program, now=NOW)
    assert sorted(built) == sorted(_credentials(program))
    assert report.issued == []


def test_the_memo_holds_only_receipts_and_digests(program: Path) -> None:
    issue_program(program, now=NOW)
    text = (program / MEMO).read_text("utf-8")
    entries = json.loads(text)["entries"]
    index = json.loads((program / "credentials" / "index.json").read_text("utf-8"))
    assert sorted(entries) == sorted(index["credentials"])
    for slug, (key, receipt) in entries.items():
        assert len(key) == 64 and int(key, 16) >= 0
        assert receipt == index["credentials"][slug]
    for secret in ("secretKeyMultibase", "privateKeyMultibase", "z3u2"):
        assert secret not in text


def test_values_that_do_not_pickle_are_decided_the_long_way() -> None:
    assert memo.value_digest(lambda: None) is None
    assert memo.value_digest({"a": [1, 2.5, "x"]}) == memo.value_digest({"a": [1, 2.5, "x"]})
    assert memo.value_digest({"a": 1}) != memo.value_digest({"a": 1.0})
    assert memo.value_digest({"a": 1}) != memo.value_digest({"a": True})
