"""Post-processing of engine output: CSP with hashes, no inline script in content, file:// links."""

from __future__ import annotations

import base64
import hashlib
import shutil
from pathlib import Path

import pytest

from microcred.errors import ConfigError
from microcred.site.engine import (
    CONTENT_END,
    CONTENT_START,
    EngineError,
    csp,
    harden_page,
    run_engine,
)

THEME_SCRIPT = "__md_scope=new URL('.',location)"


def page(content: str, head_script: str = THEME_SCRIPT) -> str:
    return (
        '<!doctype html><html><head><meta charset="utf-8"><script>' + head_script + "</script>"
        '</head><body><nav><a href="../catalog/">Catalog</a><a href=".">Home</a>'
        '<a href="..#top">Up</a><a href="../..">Root</a><a href="https://x.example/">ext</a><a href="#frag">f</a></nav>'
        f"{CONTENT_START}{content}{CONTENT_END}"
        '<script src="../assets/verify.js"></script></body></html>'
    )


def test_csp_hashes_theme_scripts_and_forbids_inline_otherwise() -> None:
    html = harden_page(page('<script type="application/json" id="d">{"a":1}</script>'), "p")
    digest = base64.b64encode(hashlib.sha256(THEME_SCRIPT.encode()).digest()).decode()
    assert f"script-src 'self' 'sha256-{digest}';" in html
    assert "unsafe-inline" not in html and "unsafe-eval" not in html
    assert html.index("Content-Security-Policy") < html.index("<script>")
    assert "object-src 'none'" in html and "base-uri 'none'" in html


def test_inline_script_inside_content_stops_the_build() -> None:
    with pytest.raises(EngineError, match="inside page content"):
        harden_page(page("<p>x</p><script>alert(1)</script>"), "credentials/x/index.html")
    with pytest.raises(EngineError, match="inside page content"):
        harden_page(page('<SCRIPT type="text/javascript">alert(1)</SCRIPT >'), "p")


def test_scripts_from_other_origins_are_refused() -> None:
    bad = page("").replace("../assets/verify.js", "https://cdn.example/x.js")
    with pytest.raises(EngineError, match="another origin"):
        harden_page(bad, "p")


def test_links_point_at_index_html_for_file_urls() -> None:
    html = harden_page(page(""), "p")
    assert 'href="../catalog/index.html"' in html
    assert 'href="index.html"' in html
    assert 'href="../index.html#top"' in html
    assert 'href="../../index.html"' in html
    assert 'href="https://x.example/"' in html and 'href="#frag"' in html


def test_existing_csp_is_kept_and_page_without_head_refused() -> None:
    html = '<html><head><meta http-equiv="Content-Security-Policy" content="x"></head></html>'
    assert harden_page(html, "p").count("Content-Security-Policy") == 1
    with pytest.raises(EngineError, match="without <head>"):
        harden_page("<html><body>x</body></html>", "p")


def test_csp_deduplicates_hashes() -> None:
    assert csp(["b", "a", "a"]).startswith(
        "default-src 'none'; script-src 'self' 'sha256-a' 'sha256-b';"
    )


def test_unknown_engine_and_missing_zensical(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(ConfigError, match="unknown site engine"):
        run_engine(tmp_path, tmp_path / "out", "hugo")
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(ConfigError, match="Zensical engine is not installed") as info:
        run_engine(tmp_path, tmp_path / "out", "zensical")
    assert "pip install zensical" in info.value.diagnostics()


def test_a_policy_named_in_the_body_does_not_stop_the_real_one() -> None:
    html = harden_page(page("<p>http-equiv=Content-Security-Policy</p>"), "p")
    head = html[: html.index("</head>")]
    assert '<meta http-equiv="Content-Security-Policy"' in head
    again = harden_page(html, "p")
    assert again.count('<meta http-equiv="Content-Security-Policy"') == 1  # not twice


def test_links_are_rewritten_only_as_whole_href_attributes() -> None:
    body = '<a href="a/">a</a><a data-xhref="b/">b</a><a\nhref="c/">c</a><a HREF="d/">d</a>'
    html = harden_page(page(body), "p")
    assert 'href="a/index.html"' in html and 'href="c/index.html"' in html
    assert 'data-xhref="b/"' in html and 'HREF="d/"' in html


def test_warming_the_engine_imports_what_mkdocs_will_and_nothing_for_zensical() -> None:
    """warm_engine runs while a build waits for its drawing child: it must load exactly the
    engine's own modules (in a fresh interpreter, none of them loaded before) and fill the
    themes listing mkdocs caches, and do nothing for another engine."""
    import json
    import subprocess
    import sys

    probe = (
        "import sys, json\n"
        "from microcred.site.engine import _ENGINE_MODULES, warm_engine\n"
        "before = [m for m in _ENGINE_MODULES if m in sys.modules]\n"
        "warm_engine(sys.argv[1])\n"
        "from mkdocs.utils import get_themes\n"
        "after = [m for m in _ENGINE_MODULES if m in sys.modules]\n"
        "print(json.dumps([before, after, get_themes.cache_info().currsize]))\n"
    )
    for engine, loaded in (("mkdocs", True), ("zensical", False)):
        done = subprocess.run(
            [sys.executable, "-c", probe, engine], capture_output=True, text=True, check=True
        )
        before, after, themes_cached = json.loads(done.stdout)
        assert "mkdocs.commands.build" not in before
        assert ("mkdocs.commands.build" in after) is loaded
        assert (set(after) == set(_engine_modules())) is loaded
        assert (themes_cached == 1) is loaded


def _engine_modules() -> tuple[str, ...]:
    from microcred.site.engine import _ENGINE_MODULES

    return _ENGINE_MODULES
