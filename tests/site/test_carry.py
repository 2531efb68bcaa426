"""Pages carried over from the previous build: only a page whose key (its source, the
configuration, the file listing, the code and the secret keys looked for) is the same, only
from an output that still holds the bytes recorded, and the site is the one the engine alone
writes, warnings included."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from sitehelpers import NOW, copy_example, fixed_key

from microcred.layout import BUILD_CACHE_DIR
from microcred.site import cache, engine_split, finish
from microcred.site.carry import Carried, PageCarry, SourceCarry, Timed, page_key, site_key
from microcred.site.engine import run_engine
from microcred.site.unchanged import (
    LAST_BUILD_FILE,
    RACY_NS,
    StateDigests,
    _sha,
    unchanged_digests,
)

CONFIG = """\
site_name: "Carry test"
site_url: "https://example.org/carry/"
docs_dir: docs
use_directory_urls: true
theme:
  name: material
  font: false
plugins: []
nav:
  - "Home": "index.md"
  - "Catalog": "catalog.md"
"""
PAGES = 40


def _source(folder: Path) -> Path:
    docs = folder / "docs" / "items"
    docs.mkdir(parents=True)
    (folder / "docs" / "index.md").write_text("# Home\n\n[First](items/p000.md)\n", "utf-8")
    (folder / "docs" / "catalog.md").write_text("# Catalog\n\nAll items.\n", "utf-8")
    for n in range(PAGES):
        text = f'# Page {n}\n\n<div markdown="0"><p>raw {n}</p></div>\n'
        if n % 9 == 2:  # a warning from reading the page: carried pages must log it again
            text += "\n[gone](missing-page.md)\n"
        (docs / f"p{n:03d}.md").write_text(text, "utf-8")
    (folder / "mkdocs.yml").write_text(CONFIG, "utf-8")
    return folder


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def _states(folder: Path) -> dict[str, str]:
    from microcred.site.unchanged import tree_state

    return tree_state(folder)


def _build(src: Path, out: Path, carry: PageCarry | None) -> tuple[list[str], dict[str, Any]]:
    finished: dict[str, Any] = {}
    warned = run_engine(src, out, "mkdocs", finish.PageFinisher([]), finished, carry)
    return warned, finished


def _next(carry: PageCarry, out: Path, salt: str | None = None) -> PageCarry:
    """The carry a next build would make of ``carry``'s ledger, the pages in ``out`` (no
    recorded states: every page is read to be compared)."""
    return PageCarry(salt or carry.salt, out, carry.record(), StateDigests())


@pytest.fixture(params=[True, False], ids=["forked", "in-process"])
def forked(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> bool:
    monkeypatch.setattr(engine_split, "PARALLEL_FROM", 4 if request.param else 10**9)
    return bool(request.param)


def test_a_second_build_carries_every_unchanged_page_and_equals_mkdocs_alone(
    tmp_path: Path, forked: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = _source(tmp_path / "src")
    first = PageCarry("salt")
    _build(src, tmp_path / "one", first)
    pages = len(first.ledger)
    assert pages == PAGES + 2 and first.carried == 0
    page = src / "docs" / "items" / "p005.md"
    page.write_text(page.read_text("utf-8") + "\nA later line.\n", "utf-8")

    second = _next(first, tmp_path / "one")
    warned, finished = _build(src, tmp_path / "two", second)
    assert second.carried == pages - 1  # all but the changed page
    assert "items/p005/index.html" in finished and len(finished) == pages
    carried = (tmp_path / "two" / "items" / "p006" / "index.html").stat()
    assert carried.st_ino == (tmp_path / "one" / "items" / "p006" / "index.html").stat().st_ino

    # the same site and the same warnings, in order, as the engine with nothing carried
    alone_warned, alone_finished = _build(src, tmp_path / "alone", None)
    assert _tree(tmp_path / "two") == _tree(tmp_path / "alone")
    assert warned == alone_warned and any("missing-page.md" in w for w in warned)
    assert finished == alone_finished
    # and the ledger of the second build is the one a full build makes
    again = PageCarry("salt")
    _build(src, tmp_path / "three", again)
    assert second.record() == again.record()


@pytest.fixture
def built_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, PageCarry]:
    """A source built once (in this process) into ``one``, and that build's ledger."""
    monkeypatch.setattr(engine_split, "PARALLEL_FROM", 10**9)
    src = _source(tmp_path / "src")
    first = PageCarry("salt")
    _build(src, tmp_path / "one", first)
    return src, first


def test_nothing_is_carried_when_anything_every_page_depends_on_changed(
    tmp_path: Path, built_once: tuple[Path, PageCarry]
) -> None:
    src, first = built_once

    other_salt = _next(first, tmp_path / "one", salt="another microcred or other secret keys")
    _build(src, tmp_path / "salted", other_salt)
    assert other_salt.carried == 0

    (src / "docs" / "items" / "added.md").write_text("# Added\n", "utf-8")  # a new link target
    listing = _next(first, tmp_path / "one")
    _build(src, tmp_path / "listed", listing)
    assert listing.carried == 0
    (src / "docs" / "items" / "added.md").unlink()

    (src / "mkdocs.yml").write_text(CONFIG.replace("Carry test", "Carry test 2"), "utf-8")
    configured = _next(first, tmp_path / "one")
    _build(src, tmp_path / "configured", configured)
    assert configured.carried == 0
    assert (
        b"Carry test 2" in (tmp_path / "configured" / "items" / "p001" / "index.html").read_bytes()
    )


def test_a_page_changed_in_the_previous_output_is_rendered_not_carried(
    tmp_path: Path, built_once: tuple[Path, PageCarry]
) -> None:
    src, first = built_once
    page = tmp_path / "one" / "items" / "p003" / "index.html"
    data = page.read_bytes()
    page.write_bytes(data.replace(b"raw 3", b"RAW 3"))  # same size: only the bytes tell
    gone = tmp_path / "one" / "items" / "p004" / "index.html"
    gone.unlink()
    second = _next(first, tmp_path / "one")
    _build(src, tmp_path / "two", second)
    assert second.carried == len(first.ledger) - 2
    assert (tmp_path / "two" / "items" / "p003" / "index.html").read_bytes() == data
    assert (tmp_path / "two" / "items" / "p004" / "index.html").is_file()


def _entry(page: Path, change: dict[int, Any] | None = None) -> list[Any]:
    data = page.read_bytes()
    entry = ["k", len(data), False, _sha(data), [["mkdocs", 30, "a warning"]], []]
    for index, value in (change or {}).items():
        entry[index] = value
    return entry


def test_a_past_entry_is_taken_only_when_whole_and_clean(tmp_path: Path) -> None:
    old = tmp_path / "old"
    old.mkdir()
    (old / "p.html").write_text("<p>page</p>", "utf-8")
    page = old / "p.html"
    good = _entry(page)
    carry = PageCarry("salt", old, {"p.html": good})
    taken = carry.take("p.html", "k", tmp_path / "new" / "p.html")
    assert taken == Carried("k", (11, False, good[3]), [("mkdocs", 30, "a warning")], [])
    assert (tmp_path / "new" / "p.html").read_bytes() == page.read_bytes()
    assert carry.carried == 1
    assert carry.take("p.html", "other key", tmp_path / "x" / "p.html") is None
    for entry in (
        _entry(page, {2: True}),  # it held a secret
        _entry(page, {1: 12}),  # another size
        _entry(page, {3: "0" * 64}),  # other bytes
        _entry(page, {1: "11"}),  # malformed
        _entry(page, {4: [["mkdocs", "30", "a warning"]]}),
        _entry(page)[:5],
        "not a list",
    ):
        broken = PageCarry("salt", old, {"p.html": entry})
        assert broken.take("p.html", "k", tmp_path / "y" / "p.html") is None, entry
    assert not (tmp_path / "y").exists()
    assert PageCarry("salt").take("p.html", "k", tmp_path / "z.html") is None  # no past


def test_keys_name_the_salt_the_configuration_the_listing_and_the_source() -> None:
    listing = [("a.md", "a/index.html", "INCLUDED")]
    site = site_key("salt", b"config", listing)
    assert site != site_key("other", b"config", listing)
    assert site != site_key("salt", b"config ", listing)
    assert site != site_key("salt", b"config", [*listing, ("b.md", "b/index.html", "INCLUDED")])
    assert site != site_key("salt", b"config", [("a.md", "a/index.html", "NOT_IN_NAV")])
    key = page_key(site, "a.md", b"# A")
    assert key != page_key(site, "a.md", b"# A ") and key != page_key(site, "b.md", b"# A")
    assert key == page_key(site, "a.md", b"# A")


def test_a_program_rebuilt_after_one_change_carries_pages_and_records_settled_states(
    tmp_path: Path,
) -> None:
    from microcred.site import build_site

    key = fixed_key()
    root = copy_example(tmp_path / "program")
    site = tmp_path / "site"
    build_site(root, site, now=NOW, key=key)
    records = sorted((root / "records").glob("*.md"))
    text = records[2].read_text("utf-8")
    records[2].write_text(text.replace("\n---\n", "\n---\n\nA later note.\n", 1), "utf-8")
    inodes = {rel: info.split(":")[3] for rel, info in _states(site).items()}
    build_site(root, site, now=NOW, key=key)
    states = _states(site)
    same = [rel for rel, info in states.items() if inodes.get(rel) == info.split(":")[3]]
    assert any(rel.endswith(".html") for rel in same)
    files = [rel for rel in states if rel.startswith("credentials/") and "/" not in rel[12:]]
    assert files and all(
        (rel in same) != rel.startswith(f"credentials/{records[2].stem}.") for rel in files
    )
    # The record is taken after the previous output is gone: every file it lists has a
    # state, made before the record's moment, so the next build reads none of them.
    last = cache._read(root / BUILD_CACHE_DIR / LAST_BUILD_FILE)
    assert set(last["states"]["out"]) == set(last["files"]) == set(states)
    since = int(last["public_since_ns"])
    for rel in same:
        info = os.stat(site / rel)
        assert max(info.st_mtime_ns, info.st_ctime_ns) < since - RACY_NS, rel  # settled
    vouched = unchanged_digests(site, last["states"]["out"], last["files"], str(since))
    assert vouched == last["files"]  # the next build reads none of them
    assert len(last["pages"]) > 0
    shutil.rmtree(site)


def test_a_later_rebuild_carries_the_pages_whose_checks_were_kept(tmp_path: Path) -> None:
    """A credential page names the moment of its check, not of the build: a build an hour
    later, one record changed, renders that record's page (checked then) and carries the
    other credential pages, which still name the first check."""
    import datetime as dt

    from microcred.site import build_site

    key = fixed_key()
    root = copy_example(tmp_path / "program")
    site = tmp_path / "site"
    build_site(root, site, now=NOW, key=key)
    records = sorted((root / "records").glob("*.md"))
    changed, other = records[2], records[3]
    text = changed.read_text("utf-8")
    changed.write_text(text.replace("\n---\n", "\n---\n\nA later note.\n", 1), "utf-8")
    inode = (site / "credentials" / other.stem / "index.html").stat().st_ino
    later = NOW + dt.timedelta(hours=1)
    build_site(root, site, now=later, key=key)

    def page(record: Path) -> str:
        return (site / "credentials" / record.stem / "index.html").read_text("utf-8")

    assert "Checked offline by microcred on 2026-11-01T13:00:00Z" in page(changed)
    assert "(as of 2026-11-01T13:00:00Z)" in page(changed)
    assert "Checked offline by microcred on 2026-11-01T12:00:00Z" in page(other)
    assert '"retrieved": "2026-11-01T12:00:00Z"' in page(other)
    assert (site / "credentials" / other.stem / "index.html").stat().st_ino == inode
    assert "Built 2026-11-01T13:00:00Z" in (site / "index.html").read_text("utf-8")


# --------------------------------------------------------------------------- the source


def _unit(folder: Path, rels: list[str], key: str = "k", asked: str | None = None) -> SourceCarry:
    digests = {rel: _sha((folder / rel).read_bytes()) for rel in rels}
    return SourceCarry("salt", folder, {rels[0]: [key, asked, rels]}, digests, StateDigests())


def test_a_source_unit_is_taken_only_with_its_key_its_moment_and_its_bytes(
    tmp_path: Path,
) -> None:
    old = tmp_path / "old"
    (old / "docs").mkdir(parents=True)
    (old / "docs" / "a.md").write_text("# A\n", "utf-8")
    (old / "docs" / "a.json").write_text("{}", "utf-8")
    rels = ["docs/a.md", "docs/a.json"]
    placed: list[tuple[str, str, int, str]] = []

    def place(rel: str, path: str, size: int, digest: str) -> None:
        placed.append((rel, path, size, digest))

    carry = _unit(old, rels)
    assert not carry.take("docs/a.md", "other", "t1", place)
    assert not carry.take("docs/a.md", None, "t1", place)  # inputs that did not pickle
    assert not carry.take("docs/b.md", "k", "t1", place)
    assert carry.take("docs/a.md", "k", "t1", place) and carry.carried == 1
    assert placed == [
        (rel, str(old / rel), len((old / rel).read_bytes()), _sha((old / rel).read_bytes()))
        for rel in rels
    ]
    assert carry.ledger == {"docs/a.md": ["k", None, rels]}

    # a page that asked for the build moment is taken at that moment only
    timed = _unit(old, rels, asked="t1")
    assert not timed.take("docs/a.md", "k", "t2", place)
    assert timed.take("docs/a.md", "k", "t1", place)

    placed.clear()
    (old / "docs" / "a.json").write_text("[]", "utf-8")  # same size, other bytes
    stale = SourceCarry(
        "salt",
        old,
        {"docs/a.md": ["k", None, rels]},
        {"docs/a.md": _sha(b"# A\n"), "docs/a.json": _sha(b"{}")},
        StateDigests(),
    )
    assert not stale.take("docs/a.md", "k", "t1", place)
    assert placed == []  # nothing placed unless every file of the unit holds
    for entry in (["k", None], ["k", 5, rels], ["k", None, "docs/a.md"], None):
        broken = SourceCarry("salt", old, {"docs/a.md": entry}, {}, StateDigests())
        assert not broken.take("docs/a.md", "k", "t1", place), entry
    assert not SourceCarry("salt").take("docs/a.md", "k", "t1", place)  # no past source


def test_source_keys_name_the_salt_and_every_input() -> None:
    carry = SourceCarry("salt")
    key = carry.key("page", "p.md.j2", {"a": [1, 2]})
    assert key == carry.key("page", "p.md.j2", {"a": [1, 2]})
    assert key != carry.key("page", "p.md.j2", {"a": [1, 3]})
    assert key != SourceCarry("other").key("page", "p.md.j2", {"a": [1, 2]})
    assert carry.key("page", lambda: None) is None  # does not pickle: rendered, not carried


def test_the_site_context_notes_a_request_for_the_build_moment() -> None:
    site = Timed({"title": "T"}, {"built_at": "2026-11-01T12:00:00Z"})
    assert site["title"] == "T" and not site.asked
    assert site["built_at"] == "2026-11-01T12:00:00Z" and site.asked
    with pytest.raises(KeyError):
        site["nothing"]


def test_a_rebuild_takes_the_unchanged_source_from_the_build_cache(tmp_path: Path) -> None:
    """Without --keep-source the source is kept in the build cache; the next build links
    every unit whose inputs are the same and makes the rest, and its site is a clean
    build's. A cached source file changed since is made again."""
    from microcred.site import build_site

    key = fixed_key()
    root = copy_example(tmp_path / "program")
    site = tmp_path / "site"
    build_site(root, site, now=NOW, key=key)
    cached = root / BUILD_CACHE_DIR / cache.SOURCE_DIR
    records = sorted((root / "records").glob("*.md"))
    changed, other, tampered = records[2], records[3], records[4]

    def page(record: Path) -> Path:
        return cached / "docs" / "credentials" / f"{record.stem}.md"

    before = {r: page(r).stat().st_ino for r in (changed, other, tampered)}
    data = page(tampered).read_bytes()
    page(tampered).write_bytes(data.replace(b"<", b">", 1))  # same size, other bytes
    text = changed.read_text("utf-8")
    changed.write_text(text.replace("\n---\n", "\n---\n\nA later note.\n", 1), "utf-8")
    build_site(root, site, now=NOW, key=key)
    assert page(other).stat().st_ino == before[other]  # taken
    assert page(changed).stat().st_ino != before[changed]  # made again: its record changed
    assert page(tampered).stat().st_ino != before[tampered]  # made again: not as recorded
    assert page(tampered).read_bytes() == data

    clean_root = tmp_path / "clean"
    shutil.copytree(root, clean_root, ignore=shutil.ignore_patterns("build-cache"))
    build_site(clean_root, tmp_path / "clean-site", now=NOW, key=key)
    assert _tree(site) == _tree(tmp_path / "clean-site")
    assert _tree(cached) == _tree(clean_root / BUILD_CACHE_DIR / cache.SOURCE_DIR)


def test_page_keys_from_the_source_stage_s_digests_are_the_keys_from_reading(
    tmp_path: Path, built_once: tuple[Path, PageCarry]
) -> None:
    """The source stage hands the engine the digest of each source file it made (by absolute
    path); keys made from them equal keys made by reading, and a file it did not name is
    read."""
    src, read = built_once
    told = PageCarry("salt")
    told.sources = {
        os.path.abspath(p): _sha(p.read_bytes())
        for p in (src / "docs").rglob("*.md")
        if p.name != "p007.md"  # one the source stage did not make: read
    }
    _build(src, tmp_path / "two", told)
    assert told.record() == read.record()
    wrong = PageCarry("salt")
    wrong.sources = {os.path.abspath(src / "docs" / "index.md"): "0" * 64}
    _build(src, tmp_path / "three", wrong)
    assert wrong.record()["index.html"][0] != read.record()["index.html"][0]


@pytest.mark.parametrize("trouble", ["changed", "unreadable"])
def test_a_page_that_cannot_be_placed_leaves_no_link_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, trouble: str
) -> None:
    """If the page changes while it is linked (its size then differs), or the link cannot be
    looked at, the link goes again: the engine renders the page and must not write through
    a link into the old output."""
    from microcred.site import carry as carry_module

    old = tmp_path / "old"
    old.mkdir()
    (old / "p.html").write_text("<p>page</p>", "utf-8")
    carry = PageCarry("salt", old, {"p.html": _entry(old / "p.html")})
    real = os.stat

    def troubled(path: Any, *args: Any, **kwargs: Any) -> os.stat_result:
        info = real(path, *args, **kwargs)
        if str(path).startswith(str(tmp_path / "new")):
            if trouble == "unreadable":
                raise PermissionError(path)
            return os.stat_result((*info[:6], info.st_size + 1, *info[7:]))
        return info

    monkeypatch.setattr(carry_module.os, "stat", troubled)
    assert carry.take("p.html", "k", tmp_path / "new" / "p.html") is None
    monkeypatch.undo()
    assert not (tmp_path / "new" / "p.html").exists()
    assert (old / "p.html").read_text("utf-8") == "<p>page</p>" and carry.carried == 0
