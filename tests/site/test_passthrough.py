"""The pages mkdocs would pass through Python-Markdown unchanged are recognised, and only
those: what :func:`verbatim` answers is Python-Markdown's own output, on every page
microcred generates and on thousands of mutated ones."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import markdown
import pytest
from mkdocs.config import load_config
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page, _RawHTMLPreprocessor
from mkdocs.utils import meta
from sitehelpers import NOW, fixed_key, write_xss_program

from microcred.site import passthrough, render_source
from microcred.site.passthrough import DEFAULT_EXTENSIONS, Renderer, verbatim


def _markdown(text: str) -> tuple[str, set[str | None]]:
    """What mkdocs' Page.render gets from Python-Markdown: the HTML and the raw HTML's ids."""
    md = markdown.Markdown(extensions=list(DEFAULT_EXTENSIONS))
    ids = _RawHTMLPreprocessor()
    ids._register(md)
    return md.convert(text), ids.present_anchor_ids


def _bodies(docs: Path) -> dict[str, str]:
    return {
        p.relative_to(docs).as_posix(): meta.get_data(p.read_text("utf-8"))[0]
        for p in sorted(docs.rglob("*.md"))
    }


def _agrees(text: str) -> bool:
    """True when verbatim() declines, or answers exactly what Markdown makes."""
    found = verbatim(text)
    if found is None:
        return True
    html, ids = _markdown(text)
    return found.content == html and set(found.anchor_ids) == ids


def test_every_generated_page_of_the_example_is_vouched_for_and_equal(built_example: Any) -> None:
    bodies = _bodies(built_example.source / "docs")
    assert len(bodies) > 20
    for rel, text in bodies.items():
        found = verbatim(text)
        assert found is not None, f"{rel} is rendered by Markdown: the fast path missed it"
        html, ids = _markdown(text)
        assert found.content == html, rel
        assert set(found.anchor_ids) == ids, rel


def test_hostile_program_pages_are_vouched_only_where_markdown_agrees(tmp_path: Path) -> None:
    project = write_xss_program(tmp_path / "xss")
    render_source(project, tmp_path / "src", now=NOW, key=fixed_key())
    bodies = _bodies(tmp_path / "src" / "docs")
    vouched = 0
    for rel, text in bodies.items():
        assert _agrees(text), rel
        vouched += verbatim(text) is not None
    assert vouched == len(bodies)  # escaped by the templates: still plain raw blocks


# Pieces that make Python-Markdown (or mkdocs' anchor parser) read the text differently from
# a plain raw block, and harmless ones, inserted anywhere in real pages.
_PIECES = [
    "\t",
    "\r\n",
    "\r",
    "&#39",
    "&#x27",
    "&#39;",
    "&#x27;",
    "&#",
    "&amp",
    "&amp;",
    "&",
    "<!x>",
    "<!DOCTYPE html>",
    "<!-- a -- b -->",
    "<!--->",
    "<!-- x --!>",
    "<!-- ok -->",
    "<![CDATA[x]]>",
    "<?php x ?>",
    "</div>",
    "<div>",
    "</p>",
    "<p>",
    "<section>",
    "</section>",
    "<script>a<b</script>",
    "<script>ok</script>",
    "<style>p{}</style>",
    "<hr>",
    "<br/>",
    "<br>",
    "```",
    "~~~",
    "\n   \n",
    "\n\n",
    "\n\n\n",
    "x < y",
    "<3",
    "</>",
    "</ div>",
    "<DIV>",
    "</DIV>",
    "\x02",
    "\x03",
    "trailing text",
    "  ",
    '<a name="n1">',
    "</a>",
    '<span id="i&amp;j">',
    '<span id="">',
    "<span id>",
    "<img src=x>",
    "<a href='q'>",
    '<b\ttitle="t">',
    "`",
    '<p title="a>b">',
    "<pre>\n\n</pre>",
    "\u2028",
    "\f",
]


def _mutations(text: str, count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        mutated = text
        for _ in range(rng.randint(1, 3)):
            at = rng.randrange(len(mutated) + 1)
            mutated = mutated[:at] + rng.choice(_PIECES) + mutated[at:]
        out.append(mutated)
    # the ends matter most: the block must open the text and close it
    out += [p + text for p in _PIECES] + [text + p for p in _PIECES]
    return out


def test_mutated_pages_are_declined_or_rendered_exactly(built_example: Any) -> None:
    bodies = _bodies(built_example.source / "docs")
    samples = sorted(bodies.values(), key=len)
    picked = [samples[0], samples[len(samples) // 3], samples[len(samples) // 2]]
    vouched = declined = changed = 0
    for n, text in enumerate(picked):
        for mutated in _mutations(text, 500, seed=n):
            found = verbatim(mutated)
            html, ids = _markdown(mutated)
            changed += html != mutated.strip()
            if found is None:
                declined += 1
                continue
            vouched += 1
            assert found.content == html, repr(mutated[:200])
            assert set(found.anchor_ids) == ids, repr(mutated[:200])
    # Not vacuous: many mutations are still plain blocks, many are not, and Markdown changed
    # many of the texts (so answering "the text itself" would have failed).
    assert vouched > 300 and declined > 300 and changed > 300


@pytest.mark.parametrize(
    "text",
    [
        "<div>\ta</div>\n",  # Markdown expands the tab
        "<div>a &#39 b</div>\n",  # and completes the reference
        "<div><!x></div>\n",  # and rewrites the bogus comment
        "<div>a</div>\nmore\n",  # text after the block is Markdown
        "<div><section></div></section>\n",  # the block ends early
        "<div>\n```\ncode\n```\n</div>\n",  # a fence inside
        "<hr>\n<div>a</div>\n",  # an empty tag does not open a block
        "<span>a</span>\n",  # inline: a paragraph
        '<div\nid="nl">a</div>\n',  # the first tag spans two lines: a paragraph
    ],
)
def test_what_markdown_rewrites_is_declined(text: str) -> None:
    assert verbatim(text) is None
    assert _agrees(text)


@pytest.mark.parametrize(
    "text",
    [
        '<div ID="Up"><a NAME="n" Name>x</a></div>\n',  # any case, with or without a value
        '<div id><a name="">x</a><p id="" class="b"></p></div>\n',  # empty and missing values
        '<div class="x id y" data-id="q" title="name=z"><span name="s">x</span></div>\n',
        '<div id="d"><a\nname="m"\n>x</a></div>\n',  # attributes on their own lines
    ],
)
def test_anchor_ids_are_found_as_markdown_collects_them(text: str) -> None:
    found = verbatim(text)
    assert found is not None
    html, ids = _markdown(text)
    assert found.content == html
    assert set(found.anchor_ids) == ids


def test_the_quick_rewrite_check_is_the_regex() -> None:
    # _rewritten tests the alternatives of _REWRITTEN one by one; both must always agree
    pieces = ["\t", "\r", "\x02", "\x03", "```", "~~~", "``", "~~", "\n \n", "\n  \n", "\n \n",
              "\n x\n", "&#", "&#1;", "&#12", "&#x1F;", "&#xZ;", "&#X1;", "&", "#", "a", "<p>",
              "\n", " "]  # fmt: skip
    rng = random.Random(12)
    for _ in range(4000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randrange(0, 7)))
        assert passthrough._rewritten(text) == (passthrough._REWRITTEN.search(text) is not None), text


def _page(config: Any, docs: Path, rel: str) -> tuple[Page, Files]:
    file = File(rel, str(docs), config.site_dir, config.use_directory_urls)
    files = Files([file])
    page = Page(None, file, config)
    page.read_source(config)
    return page, files


def test_renderer_sets_what_page_render_sets(built_example: Any, tmp_path: Path) -> None:
    source = built_example.source
    config = load_config(str(source / "mkdocs.yml"), site_dir=str(tmp_path / "site"))
    renderer = Renderer(config)
    assert renderer.applies
    docs = source / "docs"
    for rel in [p.relative_to(docs).as_posix() for p in sorted(docs.rglob("*.md"))][:12]:
        plain, files = _page(config, docs, rel)
        plain.render(config, files)
        fast, files = _page(config, docs, rel)
        renderer.attach(fast)
        fast.render(config, files)
        assert fast.content == plain.content
        assert str(fast.toc) == str(plain.toc) and len(fast.toc) == len(plain.toc) == 0
        assert fast.title == plain.title
        assert fast.present_anchor_ids == plain.present_anchor_ids
        assert fast.links_to_anchors == plain.links_to_anchors
    assert renderer.fast == 12


def test_renderer_renders_other_pages_with_mkdocs(built_example: Any, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "index.md").write_text("# Title\n\nSome *text* and [a link](#x).\n", "utf-8")
    (tmp_path / "mkdocs.yml").write_text("site_name: t\n", "utf-8")
    config = load_config(str(tmp_path / "mkdocs.yml"), site_dir=str(tmp_path / "site"))
    page, files = _page(config, docs, "index.md")
    renderer = Renderer(config)
    renderer.attach(page)
    page.render(config, files)
    assert renderer.fast == 0
    assert "<em>text</em>" in page.content and page.title == "Title" and len(page.toc) == 1


def test_any_other_markdown_setting_turns_it_off(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    for extra in (
        "markdown_extensions: [attr_list]",
        "markdown_extensions: [{toc: {permalink: true}}]",
    ):
        (tmp_path / "mkdocs.yml").write_text(f"site_name: t\n{extra}\n", "utf-8")
        config = load_config(str(tmp_path / "mkdocs.yml"))
        assert not Renderer(config).applies
