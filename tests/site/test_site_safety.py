"""Untrusted text -> HTML: security cases MC-63 (raw HTML, schemes) and MC-65 (ids, bidi)."""

from __future__ import annotations

import hashlib
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from microcred.site import safety
from microcred.site.safety import (
    assert_allowlisted,
    bdi,
    find_secret_keys,
    plain_title,
    render_markdown,
    safe_href,
    safe_image_src,
    url_allowed,
    visible_identifier,
)

HOSTILE_MARKDOWN = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    "<base href=//evil.example>",
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    '<form action="https://evil.example"><input></form>',
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](javascript&#58;alert(1))",
    "[x](java&#x09;script:alert(1))",
    "[x](&#x01;javascript:alert(1))",
    "[x](vbscript:msgbox(1))",
    "[x](data:text/html,<script>alert(1)</script>)",
    "![x](data:image/svg+xml,<svg onload=alert(1)>)",
    "[x](file:///etc/passwd)",
    "<javascript:alert(1)>",
    '[a]("><script>alert(1)</script>)',
    '[a](https://ok.example "x\\" onmouseover=alert(1) \\"")',
    "[a](//evil.example/x)",
    "[a](/\\evil.example)",
    '```js" onclick="alert(1)\ncode\n```',
]


class _Attrs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs.extend(attrs)


@pytest.mark.parametrize("source", HOSTILE_MARKDOWN)
def test_hostile_markdown_renders_inert(source: str) -> None:
    html = str(render_markdown(source))
    lowered = html.lower()
    parsed = _Attrs()
    parsed.feed(html)
    assert "script" not in parsed.tags
    assert not [name for name, _ in parsed.attrs if name.startswith("on")], html
    for tag in ("<iframe", "<base", "<meta", "<form", "<svg", "<input"):
        assert tag not in lowered
    for href in re.findall(r'(?:href|src)="([^"]*)"', html):
        assert url_allowed(href, image=True) or url_allowed(href, image=False), href
        assert not href.lower().startswith(("javascript", "vbscript", "data:text", "file:", "//"))
    assert_allowlisted(html)


def test_allowed_links_and_images_survive() -> None:
    html = str(
        render_markdown(
            "[site](https://example.org/a) [mail](mailto:a@example.org) [rel](../x.html) "
            "![png](data:image/png;base64,iVBORw0KGgo=) ![remote](https://example.org/i.png)"
        )
    )
    assert 'href="https://example.org/a" rel="nofollow noopener noreferrer"' in html
    assert 'href="mailto:a@example.org"' in html
    assert 'href="../x.html"' in html
    assert 'src="data:image/png;base64,iVBORw0KGgo="' in html
    assert 'src="https://example.org/i.png"' in html


def test_image_http_and_svg_data_are_dropped_but_alt_text_stays() -> None:
    html = str(
        render_markdown("![logo](http://example.org/i.png) ![s](data:image/svg+xml;base64,AA)")
    )
    assert "<img" not in html
    assert "[image: logo]" in html  # our allow-list dropped the http image
    assert "src=" not in html  # markdown-it itself refuses data:image/svg+xml


def test_headings_are_demoted_and_ids_prefixed_against_clobbering() -> None:
    html = str(
        render_markdown("# search\n\n## config\n\n# search", heading_base=3, id_scope="rec1")
    )
    assert '<h3 id="mc-u-rec1-search">' in html
    assert '<h4 id="mc-u-rec1-config">' in html
    assert '<h3 id="mc-u-rec1-search-2">' in html
    assert not re.search(r'id="(search|config)"', html)
    assert "<h1" not in html and "<h2" not in html


def test_heading_base_is_clamped_below_the_page_title() -> None:
    html = str(render_markdown("# About me\n\ntext", heading_base=1, id_scope="p"))
    assert html.startswith('<h2 id="mc-u-p-about-me">About me</h2>')
    assert str(render_markdown("###### deep", heading_base=6)).startswith("<h6")


def test_table_alignment_uses_classes_not_inline_style() -> None:
    html = str(render_markdown("| a | b |\n|--:|:-:|\n| 1 | 2 |"))
    assert 'class="mc-al-right"' in html and 'class="mc-al-center"' in html
    assert "style=" not in html


def test_allowlist_failure_falls_back_to_plain_text(monkeypatch: pytest.MonkeyPatch) -> None:
    class Broken:
        def render(self, text: str, *, heading_base: int, id_scope: str) -> str:
            html = "<p onclick=x>" + text + "</p>"
            assert_allowlisted(html)
            return html

    monkeypatch.setattr(safety, "_RENDERER", Broken())
    html = str(render_markdown("<b>hi</b>"))
    assert html == "<p>&lt;b&gt;hi&lt;/b&gt;</p>"


def test_assert_allowlisted_names_the_problem() -> None:
    with pytest.raises(safety.UnsafeContentError, match="attribute onclick"):
        assert_allowlisted('<p onclick="x">a</p>')
    with pytest.raises(safety.UnsafeContentError, match="tag <script>"):
        assert_allowlisted("<script>a</script>")
    with pytest.raises(safety.UnsafeContentError, match="href"):
        assert_allowlisted('<a href="javascript:x">a</a>')


@pytest.mark.parametrize(
    ("url", "image", "ok"),
    [
        ("https://example.org/", False, True),
        ("http://example.org/", False, True),
        ("mailto:x@example.org", False, True),
        ("page/other.html#top", False, True),
        ("javascript:alert(1)", False, False),
        (" https://example.org/", False, False),
        ("java\tscript:x", False, False),
        ("x:y/z", False, False),
        ("foo%3Abar", False, False),
        ("//evil.example", False, False),
        ("http://example.org/i.png", True, False),
        ("https://example.org/i.png", True, True),
        ("data:image/webp;base64,AA", True, True),
        ("data:image/png,AA", False, False),
        ("data:image/svg+xml,AA", True, False),
        ("mailto:x@example.org", True, False),
    ],
)
def test_url_allow_list(url: str, image: bool, ok: bool) -> None:
    assert url_allowed(url, image=image) is ok


def test_safe_href_and_image_src_refuse_non_strings() -> None:
    assert safe_href(None) is None and safe_href(42) is None
    assert safe_image_src({"id": "x"}) is None
    assert safe_href("https://a.example/") == "https://a.example/"


def test_plain_title_means_the_same_raw_escaped_or_unescaped() -> None:
    title = plain_title("</title><script>alert(\"x\")</script> & 'q' `c`\nnext")
    assert not set(title) & set("<>&\"'`\n")
    assert "script" in title and "next" in title
    assert len(plain_title("x" * 500)) == 150
    assert plain_title("   ") == "untitled"


def test_visible_identifier_shows_invisible_characters() -> None:
    shown = visible_identifier("did:web:exa\u200bmple.org\u202e")
    assert shown == "did:web:exa<U+200B>mple.org<U+202E>"


def test_bdi_isolates_and_escapes_names() -> None:
    assert str(bdi("\u202eevil<b>")) == "<bdi>\u202eevil&lt;b&gt;</bdi>"


def test_control_characters_and_stash_markers_are_replaced() -> None:
    html = str(render_markdown("a\x02wzxhzdk:0\x03b"))
    assert "\x02" not in html and "\x03" not in html


def test_find_secret_keys(tmp_path: Path) -> None:
    (tmp_path / "ok").mkdir()
    (tmp_path / "ok" / "cred.json").write_text('{"name": "\\"secretKeyMultibase\\": x"}')
    (tmp_path / "ok" / "page.html").write_text("&#34;secretKeyMultibase&#34;: z3u2")
    assert find_secret_keys(tmp_path) == []
    (tmp_path / "ok" / "badge.svg").write_text('<desc>{"privateKeyMultibase" : "z3u2"}</desc>')
    nested = tmp_path / "x" / ".microcred"
    nested.mkdir(parents=True)
    (nested / "keyring.json").write_text("{}")
    found = {p.relative_to(tmp_path).as_posix() for p in find_secret_keys(tmp_path)}
    assert found == {"ok/badge.svg", "x/.microcred/keyring.json"}


def test_find_secret_keys_reads_only_what_nobody_vouched_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = b'{"secretKeyMultibase": "z3u2"}'
    files = {"page.html": b"<p>clean</p>", "grown.html": b"<p>x</p>", "odd.json": secret}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    digest = {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}
    known = {digest["page.html"], digest["grown.html"]}
    vouched = {
        "page.html": (len(files["page.html"]), digest["page.html"]),  # as written: not read
        "grown.html": (len(files["grown.html"]), digest["grown.html"]),
        # a claim its digest does not back (not in known): read, and the secret found
        "odd.json": (len(secret), "0" * 64),
    }
    (tmp_path / "grown.html").write_bytes(secret)  # changed since it was scanned: read again
    read: list[str] = []
    real = Path.read_bytes

    def reading(self: Path) -> bytes:
        read.append(self.name)
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", reading)
    digests: dict[str, str] = {}
    seen: set[str] = set()
    found = find_secret_keys(tmp_path, [], set(known), seen, digests, vouched)
    assert sorted(p.name for p in found) == ["grown.html", "odd.json"]
    assert sorted(read) == ["grown.html", "odd.json"]
    assert digests["page.html"] == digest["page.html"] and digest["page.html"] in seen


@pytest.mark.parametrize(
    "text",
    [
        "plain words, **bold**, a [link](https://example.org/a)",
        "- a list\n- of items\n\n| a | b |\n|---|---|\n| 1 | 2 |",
        "# Title\n\ntext\n\n## Part\n\nmore",
        "> quoted\n>\n> ## heading inside a quote",
        "<script>alert(1)</script> and *text*",
    ],
)
def test_a_rendering_remembered_in_one_scope_is_what_another_scope_renders(text: str) -> None:
    # without a heading the scope changes nothing, so one rendering serves every scope;
    # with one, each scope gets its own ids
    fresh = {}
    for scope in ("first", "second"):
        safety._RENDERED.clear()
        fresh[scope] = str(render_markdown(text, heading_base=4, id_scope=scope))
    safety._RENDERED.clear()
    remembered = {s: str(render_markdown(text, heading_base=4, id_scope=s)) for s in fresh}
    assert remembered == fresh
    assert ("id=" in fresh["first"]) == (fresh["first"] != fresh["second"])
