"""site/theme_files.py: the theme's files, from a kept listing, are exactly the files mkdocs
finds itself, and any change in the theme's folders is seen."""

from __future__ import annotations

import importlib.util
import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from mkdocs.config import load_config
from mkdocs.structure.files import get_files

from microcred.site import theme_files

PAST_NS = time.time_ns() - 3600 * 10**9


@pytest.fixture
def cache(tmp_path: Path, user_cache: Callable[[str], None]) -> Path:
    user_cache(str(tmp_path / "cache"))
    return tmp_path / "cache" / "jinja"


def _settle(folder: Path) -> None:
    """Every folder under ``folder`` last changed an hour ago."""
    for dirpath, _, _ in os.walk(folder):
        os.utime(dirpath, ns=(PAST_NS, PAST_NS))


def _project(tmp_path: Path, theme: str) -> Path:
    """A project whose theme is ``theme`` (material, or a folder of our own before mkdocs')."""
    root = tmp_path / "project"
    (root / "docs" / "assets").mkdir(parents=True, exist_ok=True)
    (root / "docs" / "index.md").write_text("# Home\n", "utf-8")
    if theme == "material":
        block = "theme:\n  name: material\n"
    else:
        block = f"theme:\n  name: null\n  custom_dir: {theme}\n"
    (root / "mkdocs.yml").write_text(f"site_name: t\ndocs_dir: docs\n{block}", "utf-8")
    return root / "mkdocs.yml"


def _theme(tmp_path: Path) -> Path:
    folder = tmp_path / "theme"
    for rel in (
        "main.html",  # templates are not copied
        "assets/app.js",
        "assets/app.css",
        "assets/fonts/a.woff2",
        ".hidden/x.js",
        "sub/.secret",
        "README.md",
        "locales/de.js",
        "img/logo.svg",
    ):
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(rel, "utf-8")
    _settle(folder)
    return folder


def _files(config_file: Path, *, kept: bool) -> list[tuple[str, str, str]]:
    config = load_config(str(config_file))
    files = get_files(config)
    env = config.theme.get_env()
    if kept:
        theme_files.add_theme_files(files, env, config)
    else:
        files.add_files_from_theme(env, config)
    return [(f.src_uri, f.abs_src_path, f.dest_uri) for f in files]


def _kept_file(cache: Path) -> Path:
    (found,) = cache.glob("theme-files-*.json")
    return found


def test_material_from_a_kept_listing_is_what_mkdocs_finds(tmp_path: Path, cache: Path) -> None:
    config = _project(tmp_path, "material")
    expected = _files(config, kept=False)
    assert len(expected) > 30  # scripts, style sheets, not the 14,000 icons
    assert _files(config, kept=True) == expected  # listed, and kept
    assert json.loads(_kept_file(cache).read_text("utf-8"))["files"]
    assert _files(config, kept=True) == expected  # from the kept listing


@pytest.mark.parametrize("change", ["added", "added_in_a_new_folder", "removed", "renamed"])
def test_a_changed_theme_folder_is_seen(tmp_path: Path, cache: Path, change: str) -> None:
    theme = _theme(tmp_path)
    config = _project(tmp_path, str(theme))
    assert _files(config, kept=True) == _files(config, kept=False)
    _kept_file(cache)  # the folders had settled: the listing was kept
    if change == "added":  # every file listed before is still there
        (theme / "assets" / "fonts" / "b.woff2").write_text("new", "utf-8")
    elif change == "added_in_a_new_folder":
        (theme / "extra").mkdir()
        (theme / "extra" / "more.js").write_text("more", "utf-8")
    elif change == "removed":
        (theme / "assets" / "app.css").unlink()
    else:
        (theme / "img" / "logo.svg").rename(theme / "img" / "mark.svg")
    now = _files(config, kept=True)
    assert now == _files(config, kept=False)
    names = {src for src, _, _ in now}
    expected = {
        "added": "assets/fonts/b.woff2",
        "added_in_a_new_folder": "extra/more.js",
        "renamed": "img/mark.svg",
    }
    if change in expected:
        assert expected[change] in names
    else:
        assert "assets/app.css" not in names


def test_a_listing_of_folders_changed_just_now_is_not_kept(tmp_path: Path, cache: Path) -> None:
    theme = _theme(tmp_path)
    (theme / "assets" / "late.js").write_text("late", "utf-8")  # its folder: changed now
    config = _project(tmp_path, str(theme))
    assert _files(config, kept=True) == _files(config, kept=False)
    assert not list(cache.glob("theme-files-*.json"))


@pytest.mark.parametrize(
    "defect",
    ["path_outside_the_theme", "absolute_path", "folder_not_of_the_theme", "file_gone", "garbage"],
)
def test_a_damaged_kept_listing_is_not_used(tmp_path: Path, cache: Path, defect: str) -> None:
    theme = _theme(tmp_path)
    config = _project(tmp_path, str(theme))
    expected = _files(config, kept=False)
    _files(config, kept=True)
    kept = _kept_file(cache)
    data: Any = json.loads(kept.read_text("utf-8"))
    outside = tmp_path / "outside.js"
    outside.write_text("not the theme's", "utf-8")
    if defect == "path_outside_the_theme":
        data["files"].append(["../outside.js", str(theme)])
    elif defect == "absolute_path":
        data["files"].append([str(outside), str(theme)])
    elif defect == "folder_not_of_the_theme":
        data["files"].append(["outside.js", str(tmp_path)])
    elif defect == "file_gone":
        data["files"].append(["assets/never.js", str(theme)])
    else:
        data = {"folders": [], "files": "x"}
    kept.write_text(json.dumps(data), "utf-8")
    assert _files(config, kept=True) == expected


def test_a_docs_file_is_not_replaced_by_the_theme_s(tmp_path: Path, cache: Path) -> None:
    theme = _theme(tmp_path)
    config = _project(tmp_path, str(theme))
    (config.parent / "docs" / "assets" / "app.js").write_text("the site's own", "utf-8")
    _files(config, kept=True)
    found = _files(config, kept=True)
    assert found == _files(config, kept=False)
    (entry,) = [f for f in found if f[0] == "assets/app.js"]
    assert entry[1] == str(config.parent / "docs" / "assets" / "app.js")


def test_without_a_cache_folder_the_theme_is_listed_each_time(
    tmp_path: Path, user_cache: Callable[[str], None]
) -> None:
    user_cache("")
    config = _project(tmp_path, str(_theme(tmp_path)))
    assert _files(config, kept=True) == _files(config, kept=False)


# --- what of Material no page loads ------------------------------------------------------

PAGES = 36  # above engine_split.PARALLEL_FROM: the split forks its workers


def _material_site(
    tmp_path: Path, *, plugins: str = "[]", docs: dict[str, str] | None = None
) -> Path:
    root = tmp_path / "src"
    (root / "docs").mkdir(parents=True)
    (root / "docs" / "index.md").write_text("# Home\n", "utf-8")
    for n in range(PAGES):
        (root / "docs" / f"p{n:02d}.md").write_text(f"# Page {n}\n\nText {n}.\n", "utf-8")
    for rel, text in (docs or {}).items():
        (root / "docs" / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / "docs" / rel).write_text(text, "utf-8")
    (root / "mkdocs.yml").write_text(
        "site_name: t\ndocs_dir: docs\ntheme:\n  name: material\n  font: false\n"
        f"plugins: {plugins}\n",
        "utf-8",
    )
    return root


def _built(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str, **site: Any
) -> dict[str, bytes]:
    """The site mkdocs builds: split among workers, split in this process, or mkdocs alone
    (what the build falls back to when the split steps aside)."""
    from microcred.site import engine_split
    from microcred.site.engine import run_engine

    source = _material_site(tmp_path / how, **site)
    if how == "alone":
        monkeypatch.setattr(engine_split, "build_split", lambda config, *rest: None)
    else:
        monkeypatch.setattr(engine_split, "PARALLEL_FROM", 10 if how == "forked" else 10**9)
    out = tmp_path / how / "site"
    run_engine(source, out, "mkdocs")
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}


def _loaded(site: dict[str, bytes]) -> set[str]:
    """Every file a page names in a src or href attribute (relative to the site)."""
    import posixpath
    import re

    found = set()
    for rel, data in site.items():
        if not rel.endswith(".html"):
            continue
        for ref in re.findall(rb'(?:src|href)="([^"#?:]+)', data):
            found.add(posixpath.normpath(posixpath.join(posixpath.dirname(rel), ref.decode())))
    return found


@pytest.mark.parametrize("how", ["forked", "in_process", "alone"])
def test_a_material_site_leaves_out_the_files_no_page_loads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, user_cache: Callable[[str], None], how: str
) -> None:
    user_cache(str(tmp_path / "cache"))
    site = _built(tmp_path, monkeypatch, how)
    assert [rel for rel in site if rel.endswith(".map")] == []
    assert [rel for rel in site if rel.startswith(theme_files.SEARCH_ONLY)] == []
    scripts = [rel for rel in site if rel.startswith("assets/javascripts/bundle.")]
    assert scripts and any(rel.startswith("assets/stylesheets/main.") for rel in site)
    loaded = _loaded(site)
    assert scripts[0] in loaded  # the pages' own script and style sheets are all there
    assert {rel for rel in loaded if rel.startswith("assets/")} <= set(site)
    # what is left out is exactly what mkdocs copies and no page of this site asks for
    spec = importlib.util.find_spec("material")
    assert spec is not None and spec.origin is not None
    material = Path(spec.origin).parent / "templates"
    left_out = [
        p.relative_to(material).as_posix()
        for p in material.rglob("*")
        if p.is_file()
        and p.relative_to(material).as_posix().startswith("assets/")
        and p.relative_to(material).as_posix() not in site
    ]
    assert any(rel.endswith(".map") for rel in left_out)
    assert any(rel.startswith("assets/javascripts/lunr/") for rel in left_out)
    assert not set(left_out) & loaded


def test_split_and_mkdocs_alone_write_the_same_material_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, user_cache: Callable[[str], None]
) -> None:
    user_cache(str(tmp_path / "cache"))
    split = _built(tmp_path, monkeypatch, "forked")
    alone = _built(tmp_path, monkeypatch, "alone")
    assert split.keys() == alone.keys()


def test_with_a_search_plugin_the_search_files_stay(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, user_cache: Callable[[str], None]
) -> None:
    user_cache(str(tmp_path / "cache"))
    site = _built(tmp_path, monkeypatch, "forked", plugins="[search]")
    assert any(rel.startswith("assets/javascripts/workers/search.") for rel in site)
    assert any(rel.startswith("assets/javascripts/lunr/") for rel in site)
    assert [rel for rel in site if rel.endswith(".map")] == []


@pytest.mark.parametrize("how", ["forked", "alone"])
def test_a_docs_file_under_such_a_name_is_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, user_cache: Callable[[str], None], how: str
) -> None:
    user_cache(str(tmp_path / "cache"))
    own = {
        "notes.map": "the site's own",
        "assets/javascripts/lunr/mine.js": "ours too",
        "assets/javascripts/workers.md": "# A page of the site's own\n",  # -> workers/index.html
    }
    site = _built(tmp_path, monkeypatch, how, docs=own)
    assert site["notes.map"] == b"the site's own"
    assert site["assets/javascripts/lunr/mine.js"] == b"ours too"
    assert b"A page of the site" in site["assets/javascripts/workers/index.html"]
    assert [rel for rel in site if rel.startswith("assets/javascripts/lunr/")] == [
        "assets/javascripts/lunr/mine.js"
    ]


def test_another_theme_keeps_every_file(tmp_path: Path, cache: Path) -> None:
    theme = _theme(tmp_path)
    (theme / "assets" / "app.js.map").write_text("{}", "utf-8")
    (theme / "assets" / "javascripts" / "lunr").mkdir(parents=True)
    (theme / "assets" / "javascripts" / "lunr" / "x.js").write_text("x", "utf-8")
    config_file = _project(tmp_path, str(theme))
    config = load_config(str(config_file))
    files = get_files(config)
    theme_files.add_theme_files(files, config.theme.get_env(), config)
    before = [f.src_uri for f in files]
    theme_files.drop_unloaded(files, config)
    assert [f.src_uri for f in files] == before
    assert "assets/app.js.map" in before and "assets/javascripts/lunr/x.js" in before
