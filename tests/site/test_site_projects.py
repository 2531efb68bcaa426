"""Whole builds of small programs: a did:web issuer from `microcred init`, key rotation,
output-folder safety, secret refusal, analytics, pagination."""

from __future__ import annotations

import datetime as dt
import json
import posixpath
import re
from pathlib import Path

import pytest
from sitehelpers import NOW, fixed_key

from conftest import Built
from microcred.errors import ConfigError
from microcred.keyring import KeyRing
from microcred.records import load_issuer_settings, load_program
from microcred.site import build, build_site, pagination, project_kind, render_source, scaffold

BASE = "https://org.github.io/interns/"


@pytest.fixture
def web_program(tmp_path: Path) -> Path:
    """`microcred init` output with a did:web key: the smallest real issuer program."""
    root = tmp_path / "program"
    scaffold(root, name="Acme Interns", url=BASE, today=dt.date(2026, 10, 1))
    KeyRing(root).new_key(load_issuer_settings(root).identity, now=NOW - dt.timedelta(days=30))
    return root


def test_did_web_document_is_published_where_the_did_says(
    web_program: Path, tmp_path: Path
) -> None:
    result = build_site(web_program, tmp_path / "site", now=NOW)
    site = tmp_path / "site"
    did = "did:web:org.github.io:interns"
    document = json.loads((site / "did.json").read_text())
    assert document["id"] == did
    assert "secretKeyMultibase" not in json.dumps(document)
    manifest = json.loads((site / "microcred-site.json").read_text())
    assert manifest["issuer"] == did and manifest["did_documents"] == {did: "did.json"}
    assert result.checks["example-record"].result == "valid"
    page = (site / "credentials" / "example-record" / "index.html").read_text()
    assert "anchored to the web domain org.github.io" in page
    assert '"didDocuments": {"did:web:org.github.io:interns"' in page
    assert "--did-doc did.json" in page
    assert "Recipient: identified by a salted hash" in page  # the example record did not consent
    assert "Alex Rivera" not in page and "alex.rivera" not in page


def test_rotation_keeps_retired_keys_in_the_did_document(web_program: Path, tmp_path: Path) -> None:
    build_site(web_program, tmp_path / "site", now=NOW)
    first = json.loads((tmp_path / "site" / "did.json").read_text())["verificationMethod"]
    ring = KeyRing(web_program)
    ring.rotate(load_issuer_settings(web_program).identity, now=NOW + dt.timedelta(days=1))
    result = build_site(web_program, tmp_path / "site", now=NOW + dt.timedelta(days=2))
    methods = json.loads((tmp_path / "site" / "did.json").read_text())["verificationMethod"]
    assert len(methods) == 2 and first[0] in methods
    assert result.checks["example-record"].result == "valid"


def test_output_folder_is_never_someone_elses(web_program: Path, tmp_path: Path) -> None:
    mine = tmp_path / "documents"
    mine.mkdir()
    (mine / "thesis.txt").write_text("precious")
    with pytest.raises(ConfigError, match="not a site microcred built"):
        build_site(web_program, mine, now=NOW)
    assert (mine / "thesis.txt").read_text() == "precious"
    with pytest.raises(ConfigError, match="project folder itself"):
        build_site(web_program, web_program, now=NOW)
    with pytest.raises(ConfigError, match="keys live"):
        build_site(web_program, web_program / ".microcred" / "site", now=NOW)
    # A previous build is replaced as a whole; nothing stale survives.
    out = tmp_path / "site"
    build_site(web_program, out, now=NOW)
    (out / "stale.html").write_text("old")
    build_site(web_program, out, now=NOW)
    assert not (out / "stale.html").exists() and (out / "index.html").is_file()
    assert not list(tmp_path.glob(".microcred-build-*"))


def test_a_secret_key_never_reaches_the_output(web_program: Path, tmp_path: Path) -> None:
    key = fixed_key("leak")
    leaked = json.dumps(key.to_secret_json())
    images = web_program / "images"
    images.mkdir()
    (images / "badge.svg").write_text(
        f'<svg xmlns="http://www.w3.org/2000/svg"><desc>{leaked}</desc><circle r="3"/></svg>'
    )
    brief = web_program / "achievements" / "example-research-brief.md"
    brief.write_text(
        brief.read_text().replace('version: "1"', 'version: "1"\nimage: images/badge.svg')
    )
    out = tmp_path / "site"
    with pytest.raises(build.SecretInOutputError, match="secret key") as info:
        build_site(web_program, out, now=NOW)
    assert "badges/example-research-brief.svg" in info.value.message
    assert not out.exists()
    assert not list(tmp_path.glob(".microcred-build-*"))


def test_project_kind(tmp_path: Path) -> None:
    (tmp_path / "microcred.toml").write_text("[portfolio]\nname = 'x'\n")
    assert project_kind(tmp_path) == "portfolio"
    (tmp_path / "microcred.toml").write_text("[issuer]\nname = 'x'\n[portfolio]\n")
    with pytest.raises(ConfigError, match="both"):
        project_kind(tmp_path)
    (tmp_path / "microcred.toml").write_text("[site]\n")
    with pytest.raises(ConfigError, match="neither"):
        project_kind(tmp_path)
    (tmp_path / "microcred.toml").write_text("[site\n")
    with pytest.raises(ConfigError, match="cannot read"):
        project_kind(tmp_path)
    with pytest.raises(ConfigError, match="microcred init"):
        project_kind(tmp_path / "missing")


def _resolved_links(page: str, text: str) -> set[str]:
    return {
        posixpath.normpath(posixpath.join(page, href))
        for href in re.findall(r'href="([^"]+)"', text)
    }


def test_index_pages_are_paginated(
    built_example: Built, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pagination, "CATALOG_PAGE_SIZE", 3)
    monkeypatch.setattr(pagination, "LIST_PAGE_SIZE", 2)
    monkeypatch.setattr(pagination, "PEOPLE_PAGE_SIZE", 4)
    report, _, _ = render_source(built_example.project, tmp_path / "src", now=NOW, key=fixed_key())
    program = load_program(built_example.project)
    docs = tmp_path / "src" / "docs"
    assert (docs / "catalog" / "_page-2.md").is_file()
    assert not (docs / "catalog" / "_page-3.md").exists()  # 4 briefs, 3 per page
    assert (docs / "catalog" / "data-analysis-sprint" / "_page-2.md").is_file()
    people = len(list((built_example.site / "people").glob("*/index.html"))) - 0
    pages = -(-people // 4)
    assert (docs / "people" / f"_page-{pages}.md").is_file()
    first = (docs / "people.md").read_text()
    assert "people/_page-2/index.html" in _resolved_links("people/", first)
    second = (docs / "catalog" / "data-analysis-sprint" / "_page-2.md").read_text()
    assert "catalog/data-analysis-sprint/index.html" in _resolved_links(
        "catalog/data-analysis-sprint/_page-2/", second
    )
    assert "Back to the brief" in second
    # Every credential stays reachable from some index page.
    linked = " ".join(p.read_text() for p in docs.rglob("*.md") if "credentials" not in p.parts)
    for record in program.completed():
        assert f"credentials/{record.slug}/index.html" in linked, record.slug
    assert report.pages.count("") == 1


def test_every_page_source_lands_at_its_url(tmp_path: Path) -> None:
    """One Markdown file per page, no folder of its own; mkdocs puts each at its URL, also
    a last part it reads as a folder's own page (index, readme)."""
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config

    urls = ["", "a/", "a/index/", "a/readme/", "a/README/", "a/_page-2/", "credentials/x-1/"]
    paths = [pagination.Page(url).source_path for url in urls]
    assert paths[1] == "docs/a.md" and paths[5] == "docs/a/_page-2.md"
    assert paths[2] == "docs/a/index/index.md" and paths[4] == "docs/a/README/index.md"
    for url, path in zip(urls, paths, strict=True):
        target = tmp_path / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(f'<div class="u">{url or "home"}</div>\n', "utf-8")
    (tmp_path / "mkdocs.yml").write_text("site_name: t\nuse_directory_urls: true\n", "utf-8")
    mkdocs_build(load_config(str(tmp_path / "mkdocs.yml"), site_dir=str(tmp_path / "site")))
    for url in urls:
        page = (tmp_path / "site" / url / "index.html").read_text("utf-8")
        assert f'<div class="u">{url or "home"}</div>' in page, url


@pytest.mark.parametrize("fork", [True, False])
def test_the_previous_output_and_kept_source_are_replaced_and_removed(
    web_program: Path, tmp_path: Path, fork: bool
) -> None:
    """The previous site and kept source are deleted with the work folder (the site by a
    forked child when fork is safe, beside this process), leaving nothing behind."""
    import threading

    out, kept = tmp_path / "site", tmp_path / "kept"
    build_site(web_program, out, now=NOW, keep_source=kept)
    (out / "stale.html").write_text("old")
    (kept / "stale.md").write_text("old")
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)  # another thread running: fork is not safe
    if not fork:
        other.start()
    try:
        build_site(web_program, out, now=NOW, keep_source=kept)
    finally:
        stop.set()
        if not fork:
            other.join()
    assert not (out / "stale.html").exists() and (out / "index.html").is_file()
    assert not (kept / "stale.md").exists() and (kept / "mkdocs.yml").is_file()
    assert not list(tmp_path.glob(".microcred-build-*"))
