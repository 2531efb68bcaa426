"""The work around the engine on every core: the same pages, stats, errors and secret
findings as one process doing it in order."""

from __future__ import annotations

import hashlib
import shutil
import threading
from pathlib import Path

import pytest

from microcred.site import finish
from microcred.site.common import copy_static
from microcred.site.engine import MAX_PAGE_BYTES, EngineError
from microcred.site.safety import secret_needles

from .test_site_engine import page

SEED = bytes(range(32))
NEEDLES = secret_needles([SEED])


def _site(folder: Path, count: int, bad: dict[int, str] | None = None) -> Path:
    for n in range(count):
        target = folder / f"p{n:03d}" / "index.html"
        target.parent.mkdir(parents=True)
        body = (bad or {}).get(n, f"<p>page {n}</p>" + "x" * (n * 1000))
        target.write_text(page(body), encoding="utf-8")
    (folder / "index.html").write_text(page("<p>home</p>"), encoding="utf-8")
    return folder


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


@pytest.fixture(params=["forked workers", "one process"])
def mode(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Each test that takes it runs twice: with forked workers, and in this process alone."""
    if request.param == "one process":
        monkeypatch.setattr(finish, "PARALLEL_FROM", 10**9)
    return str(request.param)


def test_forked_hardening_equals_one_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    forked, alone = _site(tmp_path / "forked", 120), _site(tmp_path / "alone", 120)
    assert finish.PARALLEL_FROM <= 121
    got = finish.harden_pages(forked, NEEDLES)
    monkeypatch.setattr(finish, "PARALLEL_FROM", 10**9)
    want = finish.harden_pages(alone, NEEDLES)
    assert got == want
    assert _tree(forked) == _tree(alone)
    stats, found, clean = got
    assert stats.pages == 121 and found == []
    assert stats.largest[0] == "p119/index.html"
    sizes = {rel: len(data) for rel, data in sorted(_tree(forked).items())}
    assert stats.oversized == [(r, n) for r, n in sizes.items() if n > MAX_PAGE_BYTES]
    assert stats.oversized[0][0] == "p082/index.html"
    assert len(clean) == 121
    assert all("Content-Security-Policy" in t.decode() for t in _tree(forked).values())


def test_hardening_is_idempotent_so_a_failed_worker_can_be_redone(tmp_path: Path) -> None:
    site = _site(tmp_path / "s", 3)
    finish.harden_pages(site)
    once = _tree(site)
    finish.harden_pages(site)
    assert _tree(site) == once


def test_the_first_refused_page_in_site_order_is_the_error(tmp_path: Path, mode: str) -> None:
    script = "<script>alert({n})</script>"
    bad = {n: script.format(n=n) for n in (70, 110, 20)}
    site = _site(tmp_path / "s", 120, bad)
    with pytest.raises(EngineError, match=r"^p020/index.html: an executable inline script"):
        finish.harden_pages(site)


def test_pages_holding_the_key_are_found(tmp_path: Path, mode: str) -> None:
    leak = {5: f"<p>{SEED.hex()}</p>", 99: '<code>"secretKeyMultibase": "z"</code>'}
    site = _site(tmp_path / "s", 100, leak)
    stats, found, clean = finish.harden_pages(site, NEEDLES)
    assert found == ["p005/index.html", "p099/index.html"]
    assert stats.pages == 101 and len(clean) == 99


def _source(folder: Path, secret: bool = False) -> Path:
    (folder / "docs").mkdir(parents=True)
    (folder / "docs" / "index.md").write_text("# Home\n", encoding="utf-8")
    for n in range(30):
        target = folder / "static" / "credentials" / f"c{n}.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(f'{{"n": {n}}}', encoding="utf-8")
    (folder / "static" / "robots.txt").write_text("User-agent: *\n", encoding="utf-8")
    if secret:
        (folder / "docs" / "leak.md").write_text(f"key {SEED.hex()}\n", encoding="utf-8")
    return folder


@pytest.mark.parametrize("fork", [True, False])
def test_the_source_scan_and_staging_beside_the_engine(tmp_path: Path, fork: bool) -> None:
    source = _source(tmp_path / "source")
    staged, copied = tmp_path / "staged", tmp_path / "copied"
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)  # another thread running: fork is not safe
    if not fork:
        other.start()
    try:
        beside = finish.BesideEngine(source, staged, NEEDLES, set())
        assert beside._child.started is fork
        scanned = beside.result()
    finally:
        stop.set()
        if not fork:
            other.join()
    copy_static(source, copied)
    assert _tree(staged) == _tree(copied) and len(_tree(staged)) == 31
    assert scanned.found == []
    assert len(scanned.seen) == 32 and scanned.clean == scanned.seen  # nothing known before
    again = finish.BesideEngine(source, tmp_path / "again", NEEDLES, set(scanned.seen)).result()
    assert again.clean == set() and again.seen == scanned.seen


def test_the_source_scan_reads_only_what_is_not_vouched_for_and_known_clean(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Files the renderer wrote or placed come with their (size, digest): a known-clean one
    is not read again; a file vouched for with another size, or not known clean, is."""
    source = _source(tmp_path / "source", secret=True)
    first = finish.BesideEngine(source, tmp_path / "one", NEEDLES, set()).result()
    vouched = {rel: (len((source / rel).read_bytes()), d) for rel, d in first.digests.items()}
    leak = "docs/leak.md"
    vouched[leak] = (vouched[leak][0], hashlib.sha256(b"clean").hexdigest())  # a false claim
    robots = "static/robots.txt"
    vouched[robots] = (vouched[robots][0] + 1, vouched[robots][1])  # no longer that size
    read: list[str] = []
    real = Path.read_bytes

    def counted(path: Path) -> bytes:
        read.append(path.relative_to(source).as_posix())
        return real(path)

    monkeypatch.setattr(Path, "read_bytes", counted)
    known = set(first.seen)  # every clean content of the first scan
    again = finish._scan_and_stage(source, tmp_path / "two", NEEDLES, known, vouched)
    assert sorted(read) == sorted([leak, robots])  # the leak is not known clean: read
    assert again.found == [leak]
    assert again.digests == first.digests


def test_a_secret_in_the_source_is_found_and_nothing_is_staged(tmp_path: Path) -> None:
    source = _source(tmp_path / "source", secret=True)
    scanned = finish.BesideEngine(source, tmp_path / "staged", NEEDLES, set()).result()
    assert scanned.found == ["docs/leak.md"]
    assert not (tmp_path / "staged").exists()


def test_a_failing_child_is_redone_here_with_the_serial_error(tmp_path: Path) -> None:
    source = _source(tmp_path / "source")
    (source / "static" / "link").symlink_to(source / "static" / "robots.txt")
    beside = finish.BesideEngine(source, tmp_path / "staged", NEEDLES, set())
    with pytest.raises(Exception, match="refusing to publish the symlink link"):
        beside.result()


def test_staged_files_replace_what_the_engine_wrote(tmp_path: Path) -> None:
    staged, built = tmp_path / "staged", tmp_path / "built"
    (staged / "credentials").mkdir(parents=True)
    (staged / "credentials" / "a.json").write_text("new", encoding="utf-8")
    (built / "credentials" / "a").mkdir(parents=True)
    (built / "credentials" / "a.json").write_text("old", encoding="utf-8")
    (built / "credentials" / "a" / "index.html").write_text("page", encoding="utf-8")
    finish.place_staged(staged, built)
    assert _tree(built) == {"credentials/a.json": b"new", "credentials/a/index.html": b"page"}
    finish.place_staged(tmp_path / "missing", built)  # nothing staged: nothing to do
    shutil.rmtree(staged)


def test_staged_machine_files_are_links_and_hardening_one_leaves_the_source(
    tmp_path: Path,
) -> None:
    source, staged = tmp_path / "source", tmp_path / "staged"
    (source / "static" / "x").mkdir(parents=True)
    (source / "static" / "x" / "index.html").write_text(page("<p>machine page</p>"), "utf-8")
    (source / "static" / "a.json").write_text('{"a": 1}', "utf-8")
    before = _tree(source)
    finish.BesideEngine(source, staged, NEEDLES, set()).result()
    assert (staged / "a.json").stat().st_ino == (source / "static" / "a.json").stat().st_ino
    finish.harden_pages(staged, NEEDLES)  # rewrites x/index.html: as a new file
    assert (staged / "x" / "index.html").read_bytes() != before["static/x/index.html"]
    assert _tree(source) == before


def test_staging_copies_where_links_cannot_be_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = _source(tmp_path / "source")

    def refuse(*args: object) -> None:
        raise OSError("no hard links on this file system")

    monkeypatch.setattr("os.link", refuse)
    copy_static(source, tmp_path / "staged", link=True)
    copy_static(source, tmp_path / "copied")
    assert _tree(tmp_path / "staged") == _tree(tmp_path / "copied") != {}
