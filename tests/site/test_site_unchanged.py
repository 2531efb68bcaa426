"""An unchanged rebuild keeps the output without loading the builder (site/unchanged.py), and
anything a build reads that changed, or any moment passed that could change a page, makes
the full build run."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sitehelpers import NOW, copy_example, fixed_key

from microcred.site import build_site
from microcred.site.outcome import build_options
from microcred.site.unchanged import BUILD_CACHE_DIR, kept_build, moments

TESTS_SITE = Path(__file__).resolve().parent


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, int]:
    base = tmp_path_factory.mktemp("unchanged")
    root = copy_example(base / "program")
    site = (base / "site").resolve()
    result = build_site(root, site, now=NOW, key=fixed_key())
    return root.resolve(), site, result.pages


def _count_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files whose digest is taken from here on (``hashlib.file_digest``), by name."""
    import hashlib

    reads: list[str] = []
    real = hashlib.file_digest

    def counted(handle: Any, name: str) -> Any:
        reads.append(handle.name)
        return real(handle, name)

    monkeypatch.setattr(hashlib, "file_digest", counted)
    return reads


def _options() -> dict[str, object]:
    return build_options("mkdocs", None, fixed_key())


@contextmanager
def _changed(path: Path, data: bytes) -> Iterator[None]:
    """``path`` holds ``data`` inside the block, and what it held before after it."""
    before = path.read_bytes() if path.exists() else None
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    try:
        yield
    finally:
        if before is None:
            path.unlink()
        else:
            path.write_bytes(before)


def test_nothing_changed_keeps_the_output_without_loading_the_builder(
    built: tuple[Path, Path, int],
) -> None:
    root, site, pages = built
    index = site / "index.html"
    inode = index.stat().st_ino
    code = (
        "import datetime as dt, json, sys\n"
        "early = 'tempfile' in sys.modules\n"  # some installs import it at start-up
        f"sys.path.insert(0, {str(TESTS_SITE)!r})\n"
        "from pathlib import Path\n"
        "from sitehelpers import fixed_key\n"
        "from microcred.site import build_site\n"
        f"r = build_site(Path({str(root)!r}), Path({str(site)!r}),"
        " now=dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC), key=fixed_key())\n"
        "print(json.dumps({'builder': 'microcred.site.build' in sys.modules,"
        " 'engine': 'mkdocs' in sys.modules, 'writer': not early and 'tempfile' in sys.modules,"
        " 'pages': r.pages,"
        " 'valid': sum(c.result == 'valid' for c in r.checks.values()),"
        " 'credentials': r.credentials}))\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    found = json.loads(run.stdout)
    assert found["builder"] is False and found["engine"] is False
    assert found["writer"] is False  # nothing is written: tempfile (and shutil) not imported
    assert found["pages"] == pages and found["credentials"] > 0
    assert found["valid"] == found["credentials"]
    assert index.stat().st_ino == inode  # the page was not rewritten


def test_kept_only_while_the_project_is_as_the_last_build_left_it(
    built: tuple[Path, Path, int],
) -> None:
    root, site, _ = built
    assert kept_build(root, site, None, NOW, _options()) is not None
    record = sorted((root / "records").glob("*.md"))[0]
    with _changed(record, record.read_bytes() + b"\nA later note.\n"):
        assert kept_build(root, site, None, NOW, _options()) is None
    with _changed(root / "records" / "new-file.txt", b"anything"):
        assert kept_build(root, site, None, NOW, _options()) is None
    with _changed(root / ".microcred" / "keyring.json", b"{}"):  # key rings decide signatures
        assert kept_build(root, site, None, NOW, _options()) is None
    with _changed(root / BUILD_CACHE_DIR / "unrelated.json", b"{}"):  # the cache does not count
        assert kept_build(root, site, None, NOW, _options()) is not None
    with _changed(root / ".git" / "HEAD", b"ref: x"):  # nor other dot-folders
        assert kept_build(root, site, None, NOW, _options()) is not None
    link = root / "records" / "elsewhere"
    link.symlink_to(root.parent)  # what a link points at may change unseen: never kept
    try:
        assert kept_build(root, site, None, NOW, _options()) is None
    finally:
        link.unlink()
    assert kept_build(root, site, None, NOW, _options()) is not None


def test_kept_only_with_the_same_options_and_output(built: tuple[Path, Path, int]) -> None:
    root, site, _ = built
    other_key = build_options("mkdocs", None, fixed_key("another issuer"))
    assert kept_build(root, site, None, NOW, other_key) is None
    assert kept_build(root, site, None, NOW, build_options("zensical", None, fixed_key())) is None
    with_analytics = build_options("mkdocs", {"min_cell": 10}, fixed_key())
    assert kept_build(root, site, None, NOW, with_analytics) is None
    assert kept_build(root, site.parent / "elsewhere", None, NOW, _options()) is None
    assert kept_build(root, site, site.parent / "kept-source", NOW, _options()) is None
    page = site / "index.html"
    with _changed(page, page.read_bytes().replace(b"</body>", b"<p>defaced</p></body>")):
        assert kept_build(root, site, None, NOW, _options()) is None
    with _changed(site / "extra.html", b"<p>added</p>"):
        assert kept_build(root, site, None, NOW, _options()) is None


def test_not_kept_across_a_published_moment(built: tuple[Path, Path, int]) -> None:
    root, site, _ = built
    assert kept_build(root, site, None, NOW + dt.timedelta(days=30), _options()) is not None
    # the credentials were issued at NOW: a build before that moment may word pages otherwise
    assert kept_build(root, site, None, NOW - dt.timedelta(days=400), _options()) is None


def test_a_status_list_ttl_is_a_moment() -> None:
    listed = {
        "validFrom": "2026-11-01T00:00:00Z",
        "credentialSubject": {"ttl": 86_400_000, "statusPurpose": "revocation"},
    }
    found = moments({"lists": [listed]}, {"https://example.org/status/1": listed})
    assert "2026-11-02T00:00:00Z" in found and "2026-11-01T00:00:00Z" in found


def test_the_code_digest_sees_every_template_edit_even_of_the_same_size(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os
    import shutil

    from microcred.layout import template_dir
    from microcred.site.unchanged import code_digest

    templates = tmp_path / "site_template"
    shutil.copytree(template_dir(), templates)
    monkeypatch.setenv("MICROCRED_SITE_TEMPLATE", str(templates))
    first = code_digest()
    assert code_digest() == first  # remembered files, same answer
    page = next(p for p in sorted(templates.rglob("*.j2")) if p.stat().st_size > 10)
    text = page.read_bytes()
    page.write_bytes(text[:-1] + (b"X" if text[-1:] != b"X" else b"Y"))  # same size
    info = page.stat()
    os.utime(page, ns=(info.st_atime_ns, info.st_mtime_ns + 1))
    assert code_digest() != first
    page.write_bytes(text)
    os.utime(page, ns=(info.st_atime_ns, info.st_mtime_ns + 2))
    assert code_digest() == first


def test_the_code_digest_reads_a_linked_template_through_its_link(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    from microcred.layout import template_dir
    from microcred.site import unchanged
    from microcred.site.unchanged import code_digest

    templates = tmp_path / "site_template"
    shutil.copytree(template_dir(), templates)
    page = next(p for p in sorted(templates.rglob("*.j2")) if p.stat().st_size > 10)
    target = tmp_path / "elsewhere.j2"
    shutil.move(page, target)
    page.symlink_to(target)
    monkeypatch.setenv("MICROCRED_SITE_TEMPLATE", str(templates))
    monkeypatch.setattr(unchanged, "_CODE", [unchanged.StateDigests()])  # this test's own
    assert template_dir() == templates
    first = code_digest()
    assert str(page) in unchanged._CODE[0].seen  # read through the link
    target.write_text(target.read_text("utf-8") + "{# edited #}", "utf-8")
    assert code_digest() != first  # the template in use changed, through its link


def test_the_recorded_digests_are_those_of_the_files_as_they_are(built_example: Any) -> None:
    """The record takes the digests the build's secret scans computed; read afresh, every
    file of the output and of the kept source has exactly the recorded digest."""
    from microcred.site.unchanged import tree_digests

    record = json.loads(
        (built_example.project / BUILD_CACHE_DIR / "last-build.json").read_text("utf-8")
    )
    assert record["files"] == tree_digests(built_example.site)
    assert record["source"] == tree_digests(built_example.source)
    assert len(record["files"]) > 100


def test_known_digests_are_taken_for_the_files_they_name(tmp_path: Path) -> None:
    from microcred.site.safety import find_secret_keys
    from microcred.site.unchanged import tree_digests

    for n in range(5):
        (tmp_path / f"d{n}").mkdir()
        (tmp_path / f"d{n}" / "f.txt").write_text(f"file {n}", "utf-8")
    read: dict[str, str] = {}
    find_secret_keys(tmp_path, digests=read)
    assert tree_digests(tmp_path, read) == tree_digests(tmp_path) and len(read) == 5
    taken = tree_digests(tmp_path, {"d0/f.txt": "as read before"})  # taken, not read again
    assert taken["d0/f.txt"] == "as read before" and taken["d1/f.txt"] == read["d1/f.txt"]


@pytest.mark.parametrize("files", [5, 150])
def test_files_are_read_once_per_inode(
    tmp_path: Path, files: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every file's digest, in path order; another name of a file already read (a hard
    link, the same state) is not read again."""
    import hashlib
    import os

    from microcred.site import unchanged
    from microcred.site.unchanged import tree_digests

    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    for n in range(files):
        (tmp_path / "a" / f"{n:03d}.txt").write_bytes(os.urandom(3000 + n))
        os.link(tmp_path / "a" / f"{n:03d}.txt", tmp_path / "b" / f"{n:03d}.txt")
    expected = {
        p.relative_to(tmp_path).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(tmp_path.rglob("*.txt"))
    }
    opened: list[str] = []
    real = unchanged._digests_of

    def counted(paths: dict[str, str]) -> dict[str, str]:
        opened.extend(paths.values())
        return real(paths)

    monkeypatch.setattr(unchanged, "_digests_of", counted)
    states: dict[str, str] = {}
    found = tree_digests(tmp_path, states=states)
    assert found == expected and list(found) == sorted(found)
    assert len(opened) == files and set(states) == set(expected)


def test_an_output_file_changed_in_place_is_seen_even_with_its_size_and_mtime(
    built: tuple[Path, Path, int],
) -> None:
    """Files whose state (size, times, inode) is as recorded are taken by their digests;
    a change of the bytes sets the ctime, which no tool sets back, so it is read again."""
    import os

    root, site, _ = built
    assert kept_build(root, site, None, NOW, _options()) is not None
    page = site / "index.html"
    before = page.read_bytes()
    info = page.stat()
    changed = before.replace(b"<", b">", 1)
    assert len(changed) == len(before) and changed != before
    try:
        page.write_bytes(changed)  # same size, and the modification time put back
        os.utime(page, ns=(info.st_atime_ns, info.st_mtime_ns))
        assert kept_build(root, site, None, NOW, _options()) is None
    finally:
        page.write_bytes(before)
    assert kept_build(root, site, None, NOW, _options()) is not None  # the same bytes again


def test_only_settled_states_vouch_for_a_digest(tmp_path: Path) -> None:
    import time

    from microcred.site.unchanged import RACY_NS, tree_state, unchanged_digests

    before = str(time.time_ns() - 2 * RACY_NS)
    (tmp_path / "a.txt").write_text("a", "utf-8")
    (tmp_path / "b.txt").write_text("b", "utf-8")
    state, digests = tree_state(tmp_path), {"a.txt": "da", "b.txt": "db"}
    # changed after the moment their bytes were read for the digests: read again
    assert unchanged_digests(tmp_path, state, digests, before) == {}
    later = str(time.time_ns() + 2 * RACY_NS)
    assert unchanged_digests(tmp_path, state, digests, later) == digests
    assert unchanged_digests(tmp_path, state, digests, str(time.time_ns())) == {}  # racy
    (tmp_path / "b.txt").write_text("B", "utf-8")
    assert unchanged_digests(tmp_path, state, digests, str(time.time_ns() + 2 * RACY_NS)) == {
        "a.txt": "da"
    }
    for bad in ([], {"a.txt": "not a state"}):
        assert unchanged_digests(tmp_path, bad, digests, later) == {}
    for moment in (True, int(later), "-5", "soon"):
        assert unchanged_digests(tmp_path, state, digests, moment) == {}


def test_a_file_changed_after_the_output_went_public_but_before_the_record_is_seen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The record is written after the output is swapped in: a change made in between, with
    the size and the modification time put back, is not vouched for by the recorded digest."""
    import os

    from microcred.site import cache

    root = copy_example(tmp_path / "program")
    site = (tmp_path / "site").resolve()
    kept = (tmp_path / "kept").resolve()
    record = cache.record_build

    def meddled(*args: Any, **kwargs: Any) -> None:
        for path in (site / "index.html", kept / "mkdocs.yml"):
            info = path.stat()
            data = path.read_bytes()
            path.write_bytes(data.replace(b"a", b"b", 1))
            os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))
        record(*args, **kwargs)

    monkeypatch.setattr(cache, "record_build", meddled)
    build_site(root, site, now=NOW, key=fixed_key(), keep_source=kept)
    monkeypatch.undo()
    assert kept_build(root, site, kept, NOW, _options()) is None  # both read and found changed


def test_a_fresh_records_states_vouch_for_the_files_made_before_they_went_public(
    tmp_path: Path,
) -> None:
    """Files hard-linked or written in the private folder up to the final scan carry later
    ctimes than their scans, not later than the moment they went public: taken by digest."""
    import time

    from microcred.site.unchanged import RACY_NS, tree_state, unchanged_digests

    root = copy_example(tmp_path / "program")
    site, kept = (tmp_path / "site").resolve(), (tmp_path / "kept").resolve()
    build_site(root, site, now=NOW, key=fixed_key(), keep_source=kept)
    last = json.loads((root / BUILD_CACHE_DIR / "last-build.json").read_text("utf-8"))
    since = int(last["public_since_ns"])
    for folder, tree, digests in ((site, "out", "files"), (kept, "source", "source")):
        state = tree_state(folder)
        assert state == last["states"][tree]
        known = unchanged_digests(folder, last["states"][tree], last[digests], str(since))
        settled = [
            rel for rel, s in state.items() if max(map(int, s.split(":")[1:3])) < since - RACY_NS
        ]
        assert sorted(known) == sorted(settled)
        assert all(known[rel] == last[digests][rel] for rel in known)
    assert since <= time.time_ns()


def test_state_digests_vouch_only_for_settled_unchanged_states(tmp_path: Path) -> None:
    import os
    import time

    from microcred.site.unchanged import RACY_NS, StateDigests

    path = tmp_path / "a.txt"
    path.write_text("a", "utf-8")
    first = StateDigests()
    real = first.digest("a", str(path), path.stat())
    assert first.seen == {"a": [first.seen["a"][0], real]}
    recorded = first.record()
    lied = {"since": recorded["since"], "files": {"a": [recorded["files"]["a"][0], "lie"]}}
    # read moments after the state: not settled yet, so the file is read, not trusted
    assert StateDigests(lied).digest("a", str(path), path.stat()) == real
    later = {"since": str(time.time_ns() + 2 * RACY_NS), "files": lied["files"]}
    assert StateDigests(later).digest("a", str(path), path.stat()) == "lie"  # taken as recorded
    info = path.stat()
    path.write_text("b", "utf-8")  # same size, modification time put back: the ctime moved
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert StateDigests(later).digest("a", str(path), path.stat()) != "lie"
    for bad in (None, [], {"since": "soon", "files": {}}, {"since": "1", "files": {"a": "x"}}):
        assert StateDigests(bad).digest("a", str(path), path.stat()) != "lie"


def test_an_unchanged_rebuild_reads_no_project_or_code_file_whose_state_holds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os
    import time

    from microcred.site import unchanged
    from microcred.site.unchanged import RACY_NS

    root = copy_example(tmp_path / "program")
    site = (tmp_path / "site").resolve()
    build_site(root, site, now=NOW, key=fixed_key())
    time.sleep(2 * RACY_NS / 1e9)
    monkeypatch.setattr(unchanged, "_CODE", [unchanged.StateDigests()])  # a fresh process
    reads = _count_reads(monkeypatch)
    assert kept_build(root.resolve(), site, None, NOW, _options()) is not None
    project = [r for r in reads if r.startswith(str(root))]
    assert project == [] and not [r for r in reads if "/microcred/" in r]
    # a record changed in place, size and modification time put back: read and seen
    record = sorted((root / "records").glob("*.md"))[0]
    info, text = record.stat(), record.read_bytes()
    record.write_bytes(text.replace(b"a", b"e", 1))
    os.utime(record, ns=(info.st_atime_ns, info.st_mtime_ns))
    monkeypatch.setattr(unchanged, "_CODE", [unchanged.StateDigests()])
    reads.clear()
    assert kept_build(root.resolve(), site, None, NOW, _options()) is None
    assert str(record) in reads


def test_versions_read_from_folder_names_are_importlib_metadatas() -> None:
    from importlib import metadata

    from microcred.site import unchanged

    names = {d.metadata["Name"] for d in metadata.distributions() if d.metadata["Name"]}
    assert len(names) > 30
    for name in [*sorted(names), "no-such-distribution"]:
        try:
            expected = metadata.version(name)
        except metadata.PackageNotFoundError:
            expected = "none"
        assert unchanged._version(name) == expected, name


def test_a_record_edited_while_the_pages_are_made_is_built_next_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The record of a build holds the project as the build read it, not as it was when the
    build ended: an edit made meanwhile is not taken for built."""
    from microcred.site import build as builder

    root = copy_example(tmp_path / "program").resolve()
    site = (tmp_path / "site").resolve()
    record = sorted((root / "records").glob("*.md"))[0]
    real = builder.run_engine

    def editing(*args: Any, **kwargs: Any) -> Any:
        record.write_text(record.read_text("utf-8") + "\nEdited during the build.\n", "utf-8")
        return real(*args, **kwargs)

    monkeypatch.setattr(builder, "run_engine", editing)
    build_site(root, site, now=NOW, key=fixed_key())
    monkeypatch.undo()
    assert b"Edited during the build" not in b"".join(p.read_bytes() for p in site.rglob("*.html"))
    assert kept_build(root, site, None, NOW, _options()) is None
    build_site(root, site, now=NOW, key=fixed_key())  # the edit is built
    assert kept_build(root, site, None, NOW, _options()) is not None


def test_dates_are_found_wherever_they_sit_and_marked_inside_proofs() -> None:
    """The walk every build makes over what it publishes: every date-like string, in dicts,
    lists, tuples and other mappings, those under a "proof" member marked as such."""
    import random
    from collections.abc import Mapping
    from types import MappingProxyType

    from microcred.site.unchanged import _DATE_RE, _dates

    def reference(value: Any, where: str = "") -> set[str]:
        if isinstance(value, str):
            return {where + value} if _DATE_RE.match(value) else set()
        if isinstance(value, Mapping):
            return set().union(
                *(reference(v, "proof:" if k == "proof" else where) for k, v in value.items())
            )
        if isinstance(value, list | tuple):
            return set().union(*(reference(v, where) for v in value))
        return set()

    rng = random.Random(12)
    leaves = [
        "2026-11-01T12:00:00Z",
        "2026-01-02",
        "2026-1-02",
        "x2026-01-02",
        "short",
        "2026-11-01 12:00:00+01:00",
        3,
        1.5,
        True,
        None,
        "",
        "2026-11-01T12:00Z",
    ]

    def tree(depth: int) -> Any:
        if depth == 0 or rng.random() < 0.3:
            return rng.choice(leaves)
        shape = rng.randrange(4)
        items = [tree(depth - 1) for _ in range(rng.randrange(4))]
        if shape == 0:
            return items
        if shape == 1:
            return tuple(items)
        members = {rng.choice(["proof", "validFrom", "a", "b"]): item for item in items}
        return MappingProxyType(members) if shape == 2 else members

    for _ in range(300):
        value = tree(5)
        assert _dates(value, set()) == reference(value)
    found = _dates(
        {"proof": [{"created": "2026-11-01T12:00:00Z"}], "validFrom": "2026-01-02"}, set()
    )
    assert found == {"proof:2026-11-01T12:00:00Z", "2026-01-02"}


def test_a_first_build_after_issue_reads_no_code_file_the_issue_check_took(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``issue``'s check keeps the code files' digests by state (unchanged.CODE_FILES); the
    next process takes them instead of reading the package again, with the same digest. A
    kept table whose seal is broken is not used (a file whose state changed is read: see
    test_an_unchanged_rebuild_reads_no_project_or_code_file_whose_state_holds)."""
    import time

    from microcred.site import unchanged
    from microcred.site.unchanged import CODE_FILES, RACY_NS, code_digest

    root = tmp_path / "program"
    root.mkdir()
    monkeypatch.setattr(unchanged, "_CODE", [unchanged.StateDigests()])  # the issuing process
    first = code_digest()
    unchanged.keep_code_files(root)
    kept = root / BUILD_CACHE_DIR / CODE_FILES
    assert kept.is_file()
    time.sleep(2 * RACY_NS / 1e9)
    reads = _count_reads(monkeypatch)
    monkeypatch.setattr(unchanged, "_CODE", [unchanged.StateDigests()])  # the build's process
    unchanged.seed_code_files(root)
    assert code_digest() == first and reads == []
    unchanged.seed_code_files(root)  # a process with a table keeps its own
    assert code_digest() == first and reads == []
    # a damaged kept table is not used: everything is read, and the digest is the same
    kept.write_bytes(kept.read_bytes().replace(b'"files"', b'"filez"', 1))
    monkeypatch.setattr(unchanged, "_CODE", [unchanged.StateDigests()])
    unchanged.seed_code_files(root)
    assert code_digest() == first and len(reads) > 50
