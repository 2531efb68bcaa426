"""QR codes drawn ahead by a forked child are the ones the pages draw, and nothing a page
shows depends on whether, or how well, the child did its work."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from sitehelpers import NOW, copy_example, fixed_key

from microcred.issue import issue_program
from microcred.layout import credential_page
from microcred.records import load_program, load_settings
from microcred.site import ahead, badge_raster, beside, build_site, images
from microcred.site.ahead import QR_LABEL, DrawAhead
from microcred.site.badge_raster import RASTER_FILE as RASTERS
from microcred.site.badges import badge_art


@pytest.fixture(scope="module")
def issued(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_example(tmp_path_factory.mktemp("prefetch") / "program")
    issue_program(root, now=NOW, key=fixed_key())
    return root


def _everything(drawing: DrawAhead) -> dict[str, str]:
    """What the child draws when never told the pages are due."""
    assert drawing._child is not None
    drawing._child._stop = type("Never", (), {"set": lambda self: None})()
    return drawing.codes()


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def test_the_child_draws_each_issued_credentials_page_code(
    issued: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ahead, "FROM", 1)
    monkeypatch.setattr(images, "QR_CODES", {})
    drawn = _everything(DrawAhead(issued, {}))
    slugs = sorted(p.stem for p in (issued / "credentials").glob("*.json"))
    slugs.remove("index")  # the issue index, not a credential: no page, no code
    records = {p.stem for p in (issued / "records").glob("*.md")}
    slugs = sorted(set(slugs) | records)  # and every record, which a build may issue
    base_url = load_settings(issued)[1].base_url
    assert len(slugs) > 20 and len(drawn) == len(slugs)
    for slug in slugs:
        key = images.qr_key(f"{base_url}{credential_page(slug)}", QR_LABEL)
        assert drawn[key] == images._qr_svg(f"{base_url}{credential_page(slug)}", QR_LABEL)
    assert images.QR_CODES == {}  # the child filled its own copy


def test_too_few_credentials_start_no_child(issued: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ahead, "FROM", 10**9)
    drawing = DrawAhead(issued, {})
    assert drawing._child is None and drawing.codes() == {}


def test_codes_already_known_are_not_sent_back(
    issued: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ahead, "FROM", 1)
    first = _everything(DrawAhead(issued, {}))
    assert first and _everything(DrawAhead(issued, first)) == {}


def test_a_child_started_before_the_cache_was_read_reads_it_itself(
    issued: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from microcred.site import qrcache

    monkeypatch.setattr(ahead, "FROM", 1)
    root = shutil.copytree(issued, tmp_path / "program", symlinks=True)
    all_codes = _everything(DrawAhead(root, {}))
    assert _everything(DrawAhead(root, None)) == all_codes  # nothing cached yet
    some = dict(sorted(all_codes.items())[: len(all_codes) // 2])
    qrcache.save_qr_codes(root, some)
    assert _everything(DrawAhead(root, None)) == {
        k: all_codes[k] for k in all_codes if k not in some
    }


def test_asked_early_the_child_stops_and_a_failure_leaves_the_codes_to_the_pages(
    issued: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ahead, "FROM", 1)
    everything = _everything(DrawAhead(issued, {}))
    drawing = DrawAhead(issued, {})
    early = drawing.codes()  # asked at once: the codes drawn so far, each the same
    assert drawing.codes() is early  # asked again: nothing waited for
    assert set(early) <= set(everything)
    assert all(everything[key] == svg for key, svg in early.items())

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the child died")

    monkeypatch.setattr(ahead, "_draw", broken)
    assert DrawAhead(issued, {}).codes() == {}


def test_asked_with_few_codes_left_the_child_draws_them_all_first(
    issued: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page worker would import the QR code package (and PIL) to draw a code the child
    has: with no more than FINISH_WITHIN codes left, the child finishes before it answers."""
    monkeypatch.setattr(ahead, "FROM", 1)
    everything = _everything(DrawAhead(issued, {}))
    assert everything
    monkeypatch.setattr(ahead, "FINISH_WITHIN", len(everything))
    assert DrawAhead(issued, {}).codes() == everything  # asked at once, all the same
    monkeypatch.setattr(ahead, "FINISH_WITHIN", len(everything) - 1)
    # one more than it finishes: the child may stop (and what it drew is the same)
    early = DrawAhead(issued, {}).codes()
    assert all(everything[key] == svg for key, svg in early.items())


@pytest.mark.parametrize("child", ["draws ahead", "fails", "not started"])
def test_the_site_and_its_cache_are_the_same_whatever_the_child_does(
    issued: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, child: str
) -> None:
    def build(name: str) -> dict[str, bytes]:
        project = shutil.copytree(issued, tmp_path / name / "program", symlinks=True)
        images.QR_CODES.clear()
        badge_raster.KNOWN.clear()
        build_site(project, tmp_path / name / "site", now=NOW, key=fixed_key())
        site = _tree(tmp_path / name / "site")
        cached = project / ".microcred" / "build-cache"
        kept = {f"cache/{name}": (cached / name).read_bytes() for name in ("qr.json", RASTERS)}
        return site | kept

    monkeypatch.setattr(ahead, "FROM", 10**9)
    alone = build("alone")
    monkeypatch.setattr(ahead, "FROM", 1)
    asked: list[str] = []
    codes = DrawAhead.codes

    def counted_codes(self: DrawAhead, *published: Any) -> Any:
        asked.append("codes")
        return codes(self, *published)

    monkeypatch.setattr(DrawAhead, "codes", counted_codes)
    if child == "fails":

        def broken(*args: Any, **kwargs: Any) -> Any:
            raise RuntimeError("the child died")

        monkeypatch.setattr(ahead, "_draw", broken)
    elif child == "not started":
        monkeypatch.setattr(beside, "fork_is_safe", lambda: False)
    assert build("ahead") == alone
    assert asked == ["codes"]  # once, when the pages are due


def test_a_child_nobody_asks_is_stopped(issued: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ahead, "FROM", 1)
    drawing = DrawAhead(issued, {})
    assert drawing._child is not None
    child = drawing._child._child
    assert child is not None
    drawing.close()
    assert not child.is_alive()
    assert drawing.codes() == {}


def test_the_child_reads_the_kept_codes_without_the_builder_s_modules() -> None:
    """Forked before the builder is imported, the child imports what reading the kept codes
    needs, not the verdict and page code (a tenth of a second of the busy core)."""
    import subprocess
    import sys

    code = (
        "import sys; from pathlib import Path; from microcred.site.qrcache import load_qr_codes; "
        "load_qr_codes(Path('.')); "
        "print(sorted(m for m in ('microcred.site.cache', 'microcred.site.verdict', 'jinja2') "
        "if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_on_a_first_build_the_child_draws_the_badges_as_the_build_would(
    issued: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ahead, "FROM", 1)
    root = shutil.copytree(issued, tmp_path / "program", symlinks=True)
    cache = root / ".microcred" / "build-cache" / RASTERS
    assert not cache.exists()
    drawing = DrawAhead(root, {})
    _everything(drawing)
    drawn = drawing.rasters()
    program = load_program(root)
    assert any(a.image for a in program.achievements)  # the issuer's own pictures too
    monkeypatch.setattr(badge_raster, "RASTERS", {})
    monkeypatch.setattr(badge_raster, "KNOWN", {})
    arts = [badge_art(program, brief, root) for brief in program.achievements]
    # the build draws the very bytes the child drew, under the same keys
    assert drawn == badge_raster.RASTERS and len(drawn) == len({a.png for a in arts})
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text("{}")  # a later build: the kept PNGs are read there, none drawn
    drawing = DrawAhead(root, {})
    _everything(drawing)
    assert drawing.rasters() == {}


def test_the_badges_are_left_to_the_build_when_the_briefs_have_a_problem(
    issued: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ahead, "FROM", 1)
    root = shutil.copytree(issued, tmp_path / "program", symlinks=True)
    brief = sorted((root / "achievements").glob("*.md"))[0]
    brief.write_text(brief.read_text("utf-8").replace("---\n", "---\nnot_a_field: 1\n", 1))
    drawing = DrawAhead(root, {})
    assert _everything(drawing) and drawing.rasters() == {}  # the codes are still drawn


def test_before_anything_is_issued_the_child_draws_the_records_codes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build that signs the whole program itself: the child draws a code for each record's
    credential page (its slug is the record's) and the briefs' badges, as the pages would."""
    monkeypatch.setattr(images, "QR_CODES", {})
    root = copy_example(tmp_path / "program")
    assert not list((root / "credentials").glob("*.json"))
    records = sorted(p.stem for p in (root / "records").glob("*.md"))
    assert len(records) >= ahead.FROM  # enough for a child on its own
    drawing = DrawAhead(root, {})
    drawn = _everything(drawing)
    base_url = load_settings(root)[1].base_url
    for slug in records:
        key = images.qr_key(f"{base_url}{credential_page(slug)}", QR_LABEL)
        assert drawn[key] == images._qr_svg(f"{base_url}{credential_page(slug)}", QR_LABEL)
    assert len(drawing.rasters()) >= 1  # the briefs' badges, with no program issued


def test_a_build_that_issues_everything_keeps_the_same_codes_and_badges_with_the_child(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing issued before the build: the child draws the codes of every record's page,
    also of records the build does not issue (withdrawn), and the badges; the build keeps
    the codes and badges its pages use, as without the child. (Two builds that issue differ
    in their salts and signatures; what is drawn depends on neither.)"""

    def build(name: str) -> dict[str, bytes]:
        project = copy_example(tmp_path / name / "program")
        images.QR_CODES.clear()
        badge_raster.KNOWN.clear()
        build_site(project, tmp_path / name / "site", now=NOW, key=fixed_key())
        cached = project / ".microcred" / "build-cache"
        return {name: (cached / name).read_bytes() for name in ("qr.json", RASTERS)}

    monkeypatch.setattr(ahead, "FROM", 10**9)
    alone = build("alone")
    monkeypatch.setattr(ahead, "FROM", 1)
    drawn: list[dict[str, str]] = []
    kept: list[dict[str, str]] = []
    codes = DrawAhead.codes

    def counted_codes(self: DrawAhead, *published: Any) -> Any:
        drawn.append(codes(self))
        kept.append(codes(self, *published))
        return kept[-1]

    monkeypatch.setattr(DrawAhead, "codes", counted_codes)
    assert build("ahead") == alone
    assert len(kept) == 1 and 0 < len(kept[0]) < len(drawn[0])  # withdrawn records' left


def _no_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    """From here, any front matter parsed or checked in this process fails the test."""
    from microcred.records import engine

    def no_parsing(*args: object, **kwargs: object) -> object:
        raise AssertionError("parsed again")

    monkeypatch.setattr(engine, "parse_front_matter", no_parsing)
    monkeypatch.setattr(engine, "load_toml", no_parsing)
    monkeypatch.setattr(engine, "validate", no_parsing)


def test_before_anything_was_read_the_child_reads_the_program_for_the_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = copy_example(tmp_path / "program")
    assert not (root / ".microcred" / "build-cache" / "parsed.pickle").exists()
    expected = load_program(root)
    monkeypatch.setattr(ahead, "PARSE_UP_TO", 10**6)
    _everything(DrawAhead(root, {}))
    _no_reading(monkeypatch)
    assert load_program(root) == expected  # every file taken as the child kept it


def test_a_large_program_or_one_read_before_is_left_to_the_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = copy_example(tmp_path / "program")
    kept = root / ".microcred" / "build-cache" / "parsed.pickle"
    monkeypatch.setattr(ahead, "PARSE_UP_TO", len(list((root / "records").glob("*.md"))) - 1)
    _everything(DrawAhead(root, {}))
    assert not kept.exists()  # too many records to be read before the build reads them
    monkeypatch.setattr(ahead, "PARSE_UP_TO", 10**6)
    kept.parent.mkdir(parents=True, exist_ok=True)
    kept.write_bytes(b"kept by an earlier run")
    _everything(DrawAhead(root, {}))
    assert kept.read_bytes() == b"kept by an earlier run"  # read before: not read again


def test_a_record_with_a_problem_is_reported_by_the_build_as_without_the_child(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from microcred.errors import ProblemsError

    root = copy_example(tmp_path / "program")
    record = sorted((root / "records").glob("*.md"))[3]
    record.write_text(record.read_text("utf-8").replace("---\n", "---\nnot_a_field: 1\n", 1))
    with pytest.raises(ProblemsError) as before:
        load_program(root)
    monkeypatch.setattr(ahead, "PARSE_UP_TO", 10**6)
    drawing = DrawAhead(root, {})
    assert _everything(drawing)  # the child still drew the codes
    with pytest.raises(ProblemsError) as after:
        load_program(root)
    assert after.value.problems == before.value.problems
