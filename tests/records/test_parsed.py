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

    def no_parsing(*args: object, **kwargs: object) -> object:
        raise AssertionError("parsed again")

    def no_checking(kind: str, data: object) -> object:
        raise AssertionError(f"{kind} checked again")

    monkeypatch.setattr(engine, "parse_front_matter", no_parsing)
    monkeypatch.setattr(engine, "load_toml", no_parsing)
    monkeypatch.setattr(engine, "validate", no_checking)
    # microcred.toml, every brief and every record taken from the cache
    assert load_program(root) == fresh
    assert engine.load_settings(root, ParsedCache(root)) == (fresh.issuer, fresh.site)
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


def test_a_changed_microcred_toml_is_checked_again(tmp_path: Path) -> None:
    root = shutil.copytree(FIXTURES / "base", tmp_path / "program")
    load_program(root, keep_parsed=True)
    config = root / "microcred.toml"
    text = config.read_text("utf-8")
    config.write_text(text.replace("[site]", "[site]\nbase_url_typo = 1", 1), "utf-8")
    for keep in (True, False):
        problems = _problems(root, keep=keep)
        assert any(p.path == "microcred.toml" and "base_url_typo" in p.message for p in problems)
    with pytest.raises(ProblemsError):
        engine.load_settings(root, ParsedCache(root))
    config.write_text(text, "utf-8")  # back as it was: taken from the cache again
    assert _problems(root) == []


def test_data_the_reader_would_refuse_is_not_kept(tmp_path: Path) -> None:
    """A TOML date is not plain data: keeping it would make the reader refuse the whole
    file, every brief and record with it. Such an entry is left out; the rest is kept."""
    from microcred.records.tomlconf import load_toml

    root = shutil.copytree(FIXTURES / "base", tmp_path / "program")
    cache = ParsedCache(root)
    cache.put("config", "dated", load_toml("when = 2026-01-02\n"), "", 0)
    cache.put("config", "keyed", load_toml('a = "b"\n').__class__({1.5: {}}, {}, 1), "", 0)
    cache.put("record", "plain", load_toml('a = "b"\nn = 1.5\n'), "body", 3)
    assert [key.split(":")[0] for key in cache._new] == ["config", "record"]
    cache.save()
    again = ParsedCache(root)
    assert again.get("record", "plain") is not None and again.get("config", "dated") is None


def test_a_config_that_passed_in_this_process_is_not_checked_again_for_analytics(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from microcred.analytics import settings

    root = shutil.copytree(FIXTURES / "base", tmp_path / "program")
    config = root / "microcred.toml"
    config.write_text(config.read_text("utf-8") + "\n[analytics]\nk = 7\n", "utf-8")
    load_program(root)
    assert engine.config_passed(config.read_text("utf-8"))

    def no_checking(kind: str, data: object) -> object:
        raise AssertionError("checked again")

    monkeypatch.setattr(settings, "validate", no_checking)
    assert settings.load_analytics_settings(root).k == 7
    config.write_text(config.read_text("utf-8").replace("k = 7", "k = 8"), "utf-8")
    assert not engine.config_passed(config.read_text("utf-8"))
    with pytest.raises(AssertionError, match="checked again"):  # a new text is checked
        settings.load_analytics_settings(root)


def test_the_cache_key_is_made_without_importing_the_json_schema_library() -> None:
    import subprocess
    import sys

    code = (
        "import sys; from microcred.records.parsed import code_key; code_key(); "
        "print('jsonschema' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
