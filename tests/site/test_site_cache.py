"""The build cache (site/cache.py): an incremental build writes what a clean build writes, an
unchanged rebuild keeps the output, and nothing stale or corrupt is trusted."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sitehelpers import NOW, copy_example, fixed_key

from microcred import sealed
from microcred.publish import change_status
from microcred.sealed import seal_json
from microcred.site import badge_raster, build_site
from microcred.site.cache import (
    BUILD_CACHE_DIR,
    ENDORSEMENT_VERDICTS_FILE,
    LIST_VERDICTS_FILE,
    KeptVerdicts,
    VerdictCache,
    load_badge_rasters,
    save_badge_rasters,
)
from microcred.site.qrcache import load_qr_codes, save_qr_codes
from microcred.site.verdict import summarise
from microcred.verify.report import CheckResult, VerificationReport


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_incremental_build_is_byte_identical_to_a_clean_build(tmp_path: Path) -> None:
    key = fixed_key()
    root = copy_example(tmp_path / "program")
    site = tmp_path / "site"
    build_site(root, site, now=NOW, key=key)
    assert (root / BUILD_CACHE_DIR / "verdicts.json").is_file()
    kept_page = next(site.rglob("index.html"))
    inode = kept_page.stat().st_ino

    # Nothing changed (an hour later): the previous output stays, not rewritten.
    again = build_site(root, site, now=NOW + dt.timedelta(hours=1), key=key)
    assert kept_page.stat().st_ino == inode
    assert again.pages > 0 and again.credentials > 0

    # One record changes: the rebuild (warm caches) equals a clean build of the same input.
    records = sorted((root / "records").glob("*.md"))
    record, other = records[3], records[4]
    changed = site / "credentials" / record.stem / "index.html"
    carried = site / "credentials" / other.stem / "index.html"
    before, carried_inode = changed.read_bytes(), carried.stat().st_ino
    text = record.read_text("utf-8")
    record.write_text(text.replace("\n---\n", "\n---\n\nA later note.\n", 1), "utf-8")
    build_site(root, site, now=NOW, key=key)
    assert changed.read_bytes() != before  # rendered again
    assert carried.stat().st_ino == carried_inode  # carried over from the previous output
    clean_root = tmp_path / "clean"
    shutil.copytree(root, clean_root, ignore=shutil.ignore_patterns("build-cache"))
    clean = tmp_path / "clean-site"
    build_site(clean_root, clean, now=NOW, key=key)
    assert (clean_root / BUILD_CACHE_DIR / "last-build.json").read_bytes() != b""
    incremental, fresh = tree(site), tree(clean)
    assert incremental.keys() == fresh.keys()
    assert [rel for rel in fresh if incremental[rel] != fresh[rel]] == []


def test_a_changed_output_file_is_rebuilt_not_kept(tmp_path: Path) -> None:
    key = fixed_key()
    root = copy_example(tmp_path / "program")
    site = tmp_path / "site"
    build_site(root, site, now=NOW, key=key)
    page = site / "index.html"
    original = page.read_bytes()
    page.write_bytes(original.replace(b"</body>", b"<p>defaced</p></body>"))
    build_site(root, site, now=NOW, key=key)
    assert page.read_bytes() == original


def test_revocation_invalidates_the_cached_verdict(tmp_path: Path) -> None:
    key = fixed_key()
    root = copy_example(tmp_path / "program")
    site = tmp_path / "site"
    first = build_site(root, site, now=NOW, key=key)
    slug = next(s for s, c in sorted(first.checks.items()) if c.result == "valid")
    later = NOW + dt.timedelta(hours=1)
    change_status(root, slug, action="revoke", who="test", now=later, reason="issued in error")
    second = build_site(root, site, now=later, key=key)
    assert second.checks[slug].result == "invalid"
    assert "revoked" in second.checks[slug].summary.lower()
    page = (site / "credentials" / slug / "index.html").read_text("utf-8")
    assert "revoked" in page.lower()


def test_stale_dated_and_corrupt_entries_are_ignored(tmp_path: Path) -> None:
    credential = {"id": "urn:uuid:1", "validUntil": "2026-11-01T18:00:00Z"}
    lists = {"https://x.example/status/1": {"encodedList": "A"}}
    report = VerificationReport("x.json", "urn:uuid:1", None, (CheckResult("proof", "passed"),))
    cache = VerdictCache(tmp_path, {}, lists)
    cache.put(credential, NOW, summarise(report))
    cache.save()

    reread = VerdictCache(tmp_path, {}, lists)
    hit = reread.get(credential, NOW + dt.timedelta(hours=1))
    assert hit == summarise(report) and getattr(hit, "report", None) == report
    # validUntil lies between the two moments: the verdict may have changed.
    assert reread.get(credential, NOW + dt.timedelta(days=1)) is None
    # Another status list (a revocation): another key.
    changed = {"https://x.example/status/1": {"encodedList": "B"}}
    assert VerdictCache(tmp_path, {}, changed).get(credential, NOW) is None
    # A changed credential: another key.
    assert reread.get({**credential, "name": "x"}, NOW) is None

    # Damaged entries in a file this account sealed (the seal is the first line of defence;
    # these are the second).
    path = tmp_path / BUILD_CACHE_DIR / "verdicts.json"
    data = json.loads(path.read_text("utf-8"))
    del data["seal"]
    entry = next(iter(data["entries"].values()))
    entry["key"] = "0" * 64  # an entry filed under a key it was not made for
    path.write_text(seal_json(json.dumps(data)), "utf-8")
    assert VerdictCache(tmp_path, {}, lists).get(credential, NOW) is None
    entry["key"] = next(iter(data["entries"]))
    entry["report"] = base64.b64encode(pickle.dumps(print)).decode()  # not a report
    entry["sha256"] = hashlib.sha256(pickle.dumps(print)).hexdigest()
    path.write_text(seal_json(json.dumps(data)), "utf-8")
    assert VerdictCache(tmp_path, {}, lists).get(credential, NOW) is None
    path.write_text("{not json", "utf-8")
    assert VerdictCache(tmp_path, {}, lists).get(credential, NOW) is None


def _lists(root: Path, docs: object, lists: object) -> KeptVerdicts:
    return KeptVerdicts(root, LIST_VERDICTS_FILE, [docs, lists])


def test_status_list_verdicts_are_kept_per_list_documents_and_moment(tmp_path: Path) -> None:
    url, other = "https://x.example/status/1", "https://x.example/status/2"
    lists = {
        url: {"encodedList": "A", "validUntil": "2026-11-02T00:00:00Z"},
        other: {"encodedList": "C"},
    }
    docs = {"did:web:x.example": {"id": "did:web:x.example"}}
    kept = _lists(tmp_path, docs, lists)
    assert kept.get(url, NOW) is None  # nothing kept yet
    kept.put(url, NOW, {"result": "valid"})
    kept.put(other, NOW, {"result": "invalid"})
    kept.save()
    path = tmp_path / BUILD_CACHE_DIR / LIST_VERDICTS_FILE
    written = path.stat().st_mtime_ns

    reread = _lists(tmp_path, docs, lists)
    assert reread.get(url, NOW + dt.timedelta(hours=1)) == {"result": "valid"}
    assert reread.get(other, NOW + dt.timedelta(hours=1)) == {"result": "invalid"}
    reread.save()  # the same verdicts: not written again
    assert path.stat().st_mtime_ns == written
    # the list's validUntil lies between the two moments
    assert _lists(tmp_path, docs, lists).get(url, NOW + dt.timedelta(days=2)) is None
    # another list (this one or one published with it), another DID document: other keys
    changed = {**lists, other: {"encodedList": "D"}}
    assert _lists(tmp_path, docs, changed).get(url, NOW) is None
    assert _lists(tmp_path, {"did:web:x.example": {}}, lists).get(url, NOW) is None
    # a verdict is kept for this publication's lists only
    _lists(tmp_path, docs, changed).save()
    assert _lists(tmp_path, docs, lists).get(url, NOW) is None

    # damaged entries in a sealed file, and a file this account did not seal
    kept = _lists(tmp_path, docs, lists)
    kept.put(url, NOW, {"result": "valid"})
    kept.save()
    data = json.loads(path.read_text("utf-8"))
    del data["seal"]
    entry = next(iter(data["entries"].values()))
    entry["value"] = ["valid"]
    path.write_text(seal_json(json.dumps(data)), "utf-8")
    assert _lists(tmp_path, docs, lists).get(url, NOW) is None
    entry["value"], entry["key"] = {"result": "valid"}, "0" * 64
    path.write_text(seal_json(json.dumps(data)), "utf-8")
    assert _lists(tmp_path, docs, lists).get(url, NOW) is None
    entry["key"] = next(iter(data["entries"]))
    path.write_text(seal_json(json.dumps(data)), "utf-8")
    assert _lists(tmp_path, docs, lists).get(url, NOW) == {"result": "valid"}
    path.write_text(json.dumps(data), "utf-8")  # the same, not sealed
    assert _lists(tmp_path, docs, lists).get(url, NOW) is None


def test_an_endorsement_verdict_is_kept_for_its_bytes_and_dates(tmp_path: Path) -> None:
    document = {"id": "urn:uuid:e", "validUntil": "2026-11-03T00:00:00Z"}
    kept = KeptVerdicts(tmp_path, ENDORSEMENT_VERDICTS_FILE)
    kept.put("e", NOW, {"result": "valid"}, document)
    kept.save()
    reread = KeptVerdicts(tmp_path, ENDORSEMENT_VERDICTS_FILE)
    assert reread.get("e", NOW + dt.timedelta(hours=1), document) == {"result": "valid"}
    assert reread.get("e", NOW + dt.timedelta(days=3), document) is None  # validUntil passed
    assert reread.get("e", NOW, {**document, "name": "x"}) is None  # other bytes
    assert reread.get("f", NOW, document) is None  # another endorsement


def test_a_build_with_every_verdict_kept_loads_no_check_and_no_canonicalizer(
    tmp_path: Path,
) -> None:
    """The status lists' and endorsements' verdicts are kept like the credentials': a build
    after another (output removed, caches kept) verifies nothing, so it loads neither the
    checks, pyld nor the signer; without the kept verdicts it checks them again, to the same
    site."""
    root = copy_example(tmp_path / "program")
    build_site(root, tmp_path / "first", now=NOW, key=fixed_key())
    assert (root / BUILD_CACHE_DIR / LIST_VERDICTS_FILE).is_file()
    code = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from sitehelpers import NOW, fixed_key\n"
        "from microcred.site import build_site\n"
        "result = build_site(Path(sys.argv[1]), Path(sys.argv[2]), now=NOW, key=fixed_key())\n"
        "heavy = ['pyld', 'microcred.verify.engine', 'microcred.jsonld.rdfc',\n"
        "         'microcred.issue.sign', 'microcred.proof.suites']\n"
        "print(json.dumps([[m for m in heavy if m in sys.modules],\n"
        "                  {s: c.result for s, c in result.checks.items()}]))\n"
    )

    def build(out: str) -> tuple[list[str], dict[str, str]]:
        run = subprocess.run(
            [sys.executable, "-c", code, str(root), str(tmp_path / out)],
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).parent,
            env={**os.environ, "PYTHONPATH": str(Path(__file__).parent)},
        )
        loaded, checks = json.loads(run.stdout.splitlines()[-1])
        return loaded, checks

    loaded, checks = build("second")
    assert loaded == []
    assert checks and "valid" in checks.values()
    assert (root / BUILD_CACHE_DIR / ENDORSEMENT_VERDICTS_FILE).is_file()
    (root / BUILD_CACHE_DIR / LIST_VERDICTS_FILE).unlink()
    (root / BUILD_CACHE_DIR / ENDORSEMENT_VERDICTS_FILE).unlink()
    loaded, again = build("third")
    assert "microcred.verify.engine" in loaded and again == checks
    assert tree(tmp_path / "third") == tree(tmp_path / "second")


def test_caches_this_account_did_not_seal_are_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A verdict, a QR code or a build record planted in the project's cache folder
    (committed, copied from another machine) is not believed: a tampered credential's
    "valid", a QR code leading elsewhere or a kept tampered output would otherwise reach the
    site without any check."""
    credential = {"id": "urn:uuid:1"}
    report = VerificationReport("x.json", "urn:uuid:1", None, (CheckResult("proof", "passed"),))
    cache = VerdictCache(tmp_path, {}, {})
    cache.put(credential, NOW, summarise(report))
    cache.save()
    save_qr_codes(tmp_path, {"k": '<svg class="planted"></svg>'})
    png = b"\x89PNG\r\n\x1a\nplanted"
    save_badge_rasters(tmp_path, {"b": png})
    folder = tmp_path / BUILD_CACHE_DIR
    assert VerdictCache(tmp_path, {}, {}).get(credential, NOW) is not None
    assert load_qr_codes(tmp_path) == {"k": '<svg class="planted"></svg>'}
    assert load_badge_rasters(tmp_path) == {"b": png}
    assert (folder / ".gitignore").read_text("utf-8").splitlines()[-1] == "*"
    sealed_files = {p.name: p.read_bytes() for p in folder.glob("*.json")}
    for name, blob in sealed_files.items():  # unsealed, as a planted copy would come
        data = json.loads(blob)
        del data["seal"]
        (folder / name).write_text(json.dumps(data, sort_keys=True), "utf-8")
    assert VerdictCache(tmp_path, {}, {}).get(credential, NOW) is None
    assert load_qr_codes(tmp_path) == {}
    assert load_badge_rasters(tmp_path) == {}
    monkeypatch.setattr(sealed, "_key", lambda: b"k" * 32)  # sealed by another account
    for name, blob in sealed_files.items():
        data = json.loads(blob)
        del data["seal"]
        (folder / name).write_text(seal_json(json.dumps(data, sort_keys=True)), "utf-8")
    monkeypatch.undo()
    assert VerdictCache(tmp_path, {}, {}).get(credential, NOW) is None
    assert load_qr_codes(tmp_path) == {}
    assert load_badge_rasters(tmp_path) == {}


def test_only_pngs_come_back_from_the_badge_cache(tmp_path: Path) -> None:
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(40))
    save_badge_rasters(tmp_path, {"a": png, "b": b"GIF89a", "c": b""})
    assert load_badge_rasters(tmp_path) == {"a": png}


def test_a_rebuild_takes_the_badge_pictures_drawn_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = fixed_key()
    root = copy_example(tmp_path / "program")
    site = tmp_path / "site"
    build_site(root, site, now=NOW, key=key)
    drawn = {p.name: p.read_bytes() for p in (site / "badges").glob("*.png")}
    kept = load_badge_rasters(root)
    assert len(kept) == len(drawn) == 5  # four briefs with their own SVG art, one generated
    record = sorted((root / "records").glob("*.md"))[3]
    record.write_text(record.read_text("utf-8").replace("\n---\n", "\n---\n\nLater.\n", 1))

    def no_drawing(svg: str, width: int) -> bytes | None:
        raise AssertionError("a badge drawn again")

    monkeypatch.setattr(badge_raster, "_draw", no_drawing)
    build_site(root, site, now=NOW, key=key)
    assert {p.name: p.read_bytes() for p in (site / "badges").glob("*.png")} == drawn
    assert load_badge_rasters(root) == kept


def test_a_planted_build_record_does_not_keep_the_output(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "program")
    site = tmp_path / "site"
    build_site(root, site, now=NOW, key=fixed_key())
    record = root / BUILD_CACHE_DIR / "last-build.json"
    data = json.loads(record.read_bytes())
    del data["seal"]
    record.write_text(json.dumps(data, sort_keys=True), "utf-8")  # as if planted
    page = next(site.rglob("index.html"))
    inode = page.stat().st_ino
    build_site(root, site, now=NOW, key=fixed_key())
    assert page.stat().st_ino != inode  # rebuilt: the unsealed record was not believed


def test_the_input_digest_takes_the_files_the_build_just_read_while_their_state_holds(
    tmp_path: Path,
) -> None:
    from microcred.site.cache import input_digest
    from microcred.site.unchanged import project_state

    root = copy_example(tmp_path / "program")
    publication, extra = {"a": 1}, {"engine": "mkdocs"}
    read = project_state(root, [])["project_files"]["files"]
    assert len(read) > 40
    fresh = input_digest(root, [], publication, extra)
    assert input_digest(root, [], publication, extra, read) == fresh
    record = sorted((root / "records").glob("*.md"))[0]
    record.write_text(record.read_text("utf-8") + "\nLater.\n", "utf-8")  # its state moves
    changed = input_digest(root, [], publication, extra)
    assert changed != fresh and input_digest(root, [], publication, extra, read) == changed
    lied = {rel: [state, "0" * 64] for rel, (state, _) in read.items()}
    assert input_digest(root, [], publication, extra, lied) != changed  # taken: only this build's
