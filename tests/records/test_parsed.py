"""Front matter kept between runs (records/parsed.py): a program read through the cache is
the program read without it, problems and all, and the cache admits nothing but plain data."""

from __future__ import annotations

import pickle
import shutil
from pathlib import Path
from typing import Any

import pytest

from microcred import sealed
from microcred.errors import ProblemsError
from microcred.layout import BUILD_CACHE_DIR
from microcred.records import check_program, engine, load_program
from microcred.records.parsed import PARSED_FILE, ParsedCache, code_key
from microcred.sealed import seal_bytes, unseal_bytes

from .conftest import EXAMPLE, FIXTURES, materialise


def _problems(root: Path, *, keep: bool = False) -> list[object]:
    try:
        load_program(root, keep_parsed=keep)
    except ProblemsError as exc:
        return list(exc.problems)
    return []


def _cache(root: Path) -> Path:
    return root / BUILD_CACHE_DIR / PARSED_FILE


def test_a_program_read_through_the_cache_is_the_program_read_without_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = shutil.copytree(EXAMPLE, tmp_path / "program")
    shutil.rmtree(root / BUILD_CACHE_DIR, ignore_errors=True)
    fresh = load_program(root)
    assert not _cache(root).exists()  # only issuing and building keep it
    assert load_program(root, keep_parsed=True) == fresh
    assert _cache(root).is_file()

    real_validate = engine.validate

    def no_parsing(*args: object, **kwargs: object) -> object:
        raise AssertionError("parsed again")

    def config_only(kind: str, data: object) -> object:
        assert kind == "program", f"{kind} checked again"  # microcred.toml is not cached
        return real_validate(kind, data)

    monkeypatch.setattr(engine, "parse_front_matter", no_parsing)
    monkeypatch.setattr(engine, "validate", config_only)
    assert load_program(root) == fresh  # every brief and record taken from the cache
    monkeypatch.undo()
    record = sorted((root / "records").glob("*.md"))[0]
    record.write_text(record.read_text("utf-8").replace("\n---\n", "\n---\n\nMore.\n", 1))
    changed = load_program(root)
    assert changed != fresh and changed == load_program(root.parent / "program")


@pytest.mark.parametrize(
    "defect", sorted(p.name for p in FIXTURES.iterdir() if p.is_dir() and p.name != "base")
)
def test_every_defect_is_reported_the_same_with_a_warm_cache(tmp_path: Path, defect: str) -> None:
    root = materialise(defect, tmp_path / "program")
    expected = sorted(set(check_program(root)), key=repr)
    # warm with the base program's files, then with the defective program's own
    shutil.copytree(FIXTURES / "base", tmp_path / "warm")
    (tmp_path / "warm" / BUILD_CACHE_DIR).mkdir(parents=True, exist_ok=True)
    _problems(tmp_path / "warm", keep=True)
    shutil.copytree(tmp_path / "warm" / BUILD_CACHE_DIR, root / BUILD_CACHE_DIR, dirs_exist_ok=True)
    assert sorted(set(_problems(root, keep=True)), key=repr) == expected
    assert sorted(set(_problems(root)), key=repr) == expected


def _saved(root: Path) -> Any:
    data = unseal_bytes(_cache(root).read_bytes())
    assert data is not None  # sealed by this account's key
    return pickle.loads(data)


def test_a_cache_this_account_did_not_seal_is_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A parsed cache planted in the project (committed, copied from another machine) could
    make a record issue other data than its text says: without this account's seal it is
    never unpickled, whatever it holds."""
    root = shutil.copytree(FIXTURES / "base", tmp_path / "program")
    fresh = load_program(root, keep_parsed=True)
    saved = _saved(root)
    key = next(iter(saved["entries"]))
    planted = dict(saved["entries"])
    data, lines, root_line, body, body_line = planted[key]
    planted[key] = ({**data, "title": "Planted"}, lines, root_line, body, body_line)
    payload = pickle.dumps({"code": code_key(), "entries": planted})
    monkeypatch.setattr(sealed, "_key", lambda: b"k" * 32)  # another account's key
    foreign = seal_bytes(payload)
    monkeypatch.undo()
    for blob in (payload, foreign, foreign[:-1] + b"\0", b"microcred-sealed-1\n" + payload):
        _cache(root).write_bytes(blob)
        assert ParsedCache(root)._load() == {}
        assert load_program(root, keep_parsed=True) == fresh
    assert (_cache(root).parent / ".gitignore").read_text("utf-8").splitlines()[-1] == "*"


def test_a_cache_holding_anything_but_plain_data_is_not_used(tmp_path: Path) -> None:
    root = shutil.copytree(FIXTURES / "base", tmp_path / "program")
    fresh = load_program(root, keep_parsed=True)
    saved = _saved(root)
    key = next(iter(saved["entries"]))
    for foreign in (print, Path("x"), ProblemsError([])):
        entries = dict(saved["entries"])
        entries[key] = (foreign, {}, 1, "", 1)
        _cache(root).write_bytes(seal_bytes(pickle.dumps({"code": code_key(), "entries": entries})))
        cache = ParsedCache(root)
        assert cache.get(key.split(":")[0], "anything") is None
        assert cache._load() == {}  # the whole file refused
        assert load_program(root) == fresh
    for damaged in (b"", b"not a pickle", pickle.dumps([1, 2]), pickle.dumps({"code": "x"})):
        _cache(root).write_bytes(seal_bytes(damaged))
        assert ParsedCache(root)._load() == {} and load_program(root) == fresh


def test_entries_made_by_other_code_are_not_used(tmp_path: Path) -> None:
    root = shutil.copytree(FIXTURES / "base", tmp_path / "program")
    load_program(root, keep_parsed=True)
    saved = _saved(root)
    assert saved["code"] == code_key() and saved["entries"]
    _cache(root).write_bytes(seal_bytes(pickle.dumps({**saved, "code": "0" * 64})))
    assert ParsedCache(root)._load() == {}


def test_the_cache_keeps_the_last_runs_files_only(tmp_path: Path) -> None:
    root = shutil.copytree(FIXTURES / "base", tmp_path / "program")
    load_program(root, keep_parsed=True)
    before = set(_saved(root)["entries"])
    record = sorted((root / "records").glob("*.md"))[0]
    record.write_text(record.read_text("utf-8") + "\nMore text.\n", "utf-8")
    load_program(root, keep_parsed=True)
    after = set(_saved(root)["entries"])
    assert len(after) == len(before) and len(after - before) == 1
