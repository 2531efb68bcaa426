"""mkdocs with its pages shared among forked workers writes what mkdocs alone writes, logs
the same warnings in the same order, and steps aside for anything it cannot reproduce."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest

from microcred.site import engine_split, finish
from microcred.site.engine import CONTENT_END, CONTENT_START, EngineError, run_engine
from microcred.site.safety import secret_needles

PAGES = 40

CONFIG = """\
site_name: "Split test"
site_url: "https://example.org/split/"
docs_dir: docs
use_directory_urls: true
theme:
  name: material
  font: false
{plugins}
nav:
{nav}
{extra}
"""


def _source(folder: Path, *, nav: str = "", extra: str = "", plugins: str = "[]") -> Path:
    docs = folder / "docs"
    (docs / "items").mkdir(parents=True)
    (docs / "index.md").write_text("# Home\n\nWelcome. [First](items/p000.md)\n", "utf-8")
    (docs / "catalog.md").write_text("# Catalog\n\n| a | b |\n|---|---|\n| 1 | 2 |\n", "utf-8")
    for n in range(PAGES):
        if n % 7 == 0:  # a title from front matter
            text = f"---\ntitle: Meta title {n}\n---\n\nBody {n}\n"
        elif n % 5 == 0:  # no title at all: mkdocs names it after the file
            text = f"Just text {n}, *emphasis*.\n"
        else:
            text = f'# Page {n}\n\n<div class="x" markdown="0"><p>raw {n}</p></div>\n\n## Part\n'
        if n % 11 == 3:  # a warning from reading the page
            text += "\n[gone](missing-page.md)\n"
        (docs / "items" / f"p{n:03d}.md").write_text(text, "utf-8")
    (docs / "items" / "data.json").write_text('{"kept": true}', "utf-8")
    nav = nav or '  - "Home": "index.md"\n  - "Catalog": "catalog.md"'
    (folder / "mkdocs.yml").write_text(
        CONFIG.format(nav=nav, extra=extra, plugins=f"plugins: {plugins}"), "utf-8"
    )
    return folder


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def _alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """From here, mkdocs' own build: the split steps aside as it does for what it cannot do."""
    monkeypatch.setattr(engine_split, "build_split", lambda config, *rest: None)


def _both(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, forked: bool = True, **source: str
) -> tuple[Any, Any]:
    """(split: output, warnings, whether it split), then the same for mkdocs alone; the
    split ``forked`` among workers, or run in this process (few pages, one CPU)."""
    src = _source(tmp_path / "src", **source)
    used: list[bool] = []
    real = engine_split.build_split

    def spy(config: object, *rest: Any) -> Any:
        result = real(config, *rest)
        used.append(result is not None)
        return result

    monkeypatch.setattr(engine_split, "PARALLEL_FROM", 10 if forked else 10**9)
    monkeypatch.setattr(engine_split, "build_split", spy)
    split_warnings = run_engine(src, tmp_path / "split", "mkdocs")
    _alone(monkeypatch)
    alone_warnings = run_engine(src, tmp_path / "alone", "mkdocs")
    return (
        (_tree(tmp_path / "split"), split_warnings, used[0]),
        (_tree(tmp_path / "alone"), alone_warnings, False),
    )


@pytest.mark.parametrize("forked", [True, False])
def test_split_build_writes_what_mkdocs_alone_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, forked: bool
) -> None:
    (split, _, did_split), (alone, _, _) = _both(tmp_path, monkeypatch, forked)
    assert did_split
    assert split.keys() == alone.keys()
    differing = [rel for rel in split if split[rel] != alone[rel]]
    assert differing == []
    pages = [rel for rel in split if rel.endswith(".html")]
    assert len(pages) >= PAGES + 3  # every page, the home page, the catalog and 404.html
    assert b"Meta title 7" in split["items/p007/index.html"]
    assert b"raw 1" in split["items/p001/index.html"]
    assert "items/data.json" in split and "sitemap.xml" in split


@pytest.mark.parametrize("forked", [True, False])
def test_split_build_logs_the_same_warnings_in_the_same_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, forked: bool
) -> None:
    (_, warned, did_split), (_, alone_warned, _) = _both(tmp_path, monkeypatch, forked)
    assert did_split
    assert len([w for w in alone_warned if "missing-page.md" in w]) >= 3
    assert warned == alone_warned


@pytest.mark.parametrize(
    ("defect", "source"),
    [
        ("nav_page_without_title", {"nav": '  - "index.md"\n  - "Catalog": "catalog.md"'}),
        ("plugin_configured", {"plugins": "[search]"}),
        ("extra_template", {"extra": "extra_templates:\n  - items/data.json"}),
        ("anchor_checks_warn", {"extra": "validation:\n  anchors: warn"}),
    ],
)
def test_configurations_the_split_cannot_reproduce_are_built_by_mkdocs_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, defect: str, source: dict[str, str]
) -> None:
    (split, warned, did_split), (alone, alone_warned, _) = _both(tmp_path, monkeypatch, **source)
    assert not did_split, defect
    assert split == alone and warned == alone_warned


@pytest.mark.parametrize("forked", [True, False])
def test_a_failing_worker_leaves_the_build_to_mkdocs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, forked: bool
) -> None:
    def broken(indices: object) -> object:
        raise RuntimeError("worker died")

    monkeypatch.setattr(engine_split, "_share", broken)
    (split, warned, did_split), (alone, alone_warned, _) = _both(tmp_path, monkeypatch, forked)
    assert not did_split
    assert split == alone and warned == alone_warned


def test_no_split_while_another_thread_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import concurrent.futures

    def no_workers(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a worker was forked while another thread runs")

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", no_workers)
    monkeypatch.setattr(engine_split, "ProcessPoolExecutor", no_workers)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        (split, _, did_split), (alone, _, _) = _both(tmp_path, monkeypatch)
    finally:
        stop.set()
        other.join()
    assert did_split  # in this process
    assert split == alone


@pytest.mark.parametrize("forked", [True, False])
def test_pages_finished_in_the_workers_equal_pages_hardened_after(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, forked: bool
) -> None:
    src = _source(tmp_path / "src")
    needles = secret_needles([bytes(range(32))])
    monkeypatch.setattr(engine_split, "PARALLEL_FROM", 10 if forked else 10**9)
    finished: dict[str, Any] = {}
    run_engine(src, tmp_path / "split", "mkdocs", finish.PageFinisher(needles), finished)
    assert len(finished) >= PAGES + 2  # every page but the theme's 404.html
    got = finish.harden_pages(tmp_path / "split", needles, finished)
    _alone(monkeypatch)
    alone: dict[str, Any] = {}
    run_engine(src, tmp_path / "alone", "mkdocs", finish.PageFinisher(needles), alone)
    assert alone == {}  # mkdocs alone writes its pages; the pass over them hardens them
    assert got == finish.harden_pages(tmp_path / "alone", needles)
    assert _tree(tmp_path / "split") == _tree(tmp_path / "alone")
    assert b"Content-Security-Policy" in _tree(tmp_path / "split")["items/p001/index.html"]


@pytest.mark.parametrize("forked", [True, False])
def test_a_page_refused_in_a_worker_is_refused_as_mkdocs_alone_would_have_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, forked: bool
) -> None:
    src = _source(tmp_path / "src")
    bad = f"{CONTENT_START}<script>alert(1)</script>{CONTENT_END}\n"
    (src / "docs" / "items" / "p013.md").write_text(bad, "utf-8")
    monkeypatch.setattr(engine_split, "PARALLEL_FROM", 10 if forked else 10**9)
    finished: dict[str, Any] = {}
    run_engine(src, tmp_path / "split", "mkdocs", finish.PageFinisher([]), finished)
    assert finished == {}  # the worker failed: mkdocs built the site alone
    with pytest.raises(EngineError, match=r"items/p013/index\.html: an executable inline script"):
        finish.harden_pages(tmp_path / "split", [], finished)


def test_a_program_built_with_the_split_engine_is_the_program_built_without(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    from sitehelpers import NOW, copy_example, fixed_key

    from microcred.issue import issue_program
    from microcred.site import build_site
    from microcred.site.unchanged import BUILD_CACHE_DIR, tree_digests

    issued = copy_example(tmp_path / "issued")
    issue_program(issued, now=NOW, key=fixed_key())  # both builds publish the same credentials
    real, split = engine_split.build_split, []

    def spy(config: object, *rest: Any) -> Any:
        result = real(config, *rest)
        split.append(result is not None)
        return result

    monkeypatch.setattr(engine_split, "build_split", spy)
    sites = {}
    for name, first in (("split", 1), ("in-process", 10**9), ("alone", 0)):
        monkeypatch.setattr(engine_split, "PARALLEL_FROM", first)
        if name == "alone":
            monkeypatch.setattr(engine_split, "build_split", lambda config, *rest: None)
        project = shutil.copytree(issued, tmp_path / name / "program", symlinks=True)
        build_site(project, tmp_path / name / "site", now=NOW, key=fixed_key())
        sites[name] = _tree(tmp_path / name / "site")
        # the record's digests of the output, most vouched for by the scans that wrote it
        record = json.loads((project / BUILD_CACHE_DIR / "last-build.json").read_text("utf-8"))
        assert record["files"] == tree_digests(tmp_path / name / "site"), name
    for name in ("split", "in-process"):
        assert sites[name].keys() == sites["alone"].keys()
        assert [rel for rel in sites[name] if sites[name][rel] != sites["alone"][rel]] == []
    assert sum(rel.endswith(".html") for rel in sites["split"]) > 40
    assert split == [True, True]
