"""Pages Python-Markdown hands back unchanged: microcred's own raw-HTML page bodies.

Every page microcred generates is one raw HTML block (``site_template/mkdocs.yml.j2``).
With mkdocs' default Markdown extensions, Python-Markdown stashes such a block and puts it
back as it was, but only after running it through its pure-Python HTML parser: 2-3 ms a page,
most of what mkdocs spends on a page (issue 12). :func:`verbatim` decides in one pass of
regular expressions that the parser would keep the whole text as one block, and
:class:`Renderer` then sets what ``Page.render`` would have set without running Markdown.

It is conservative by design: whatever it cannot vouch for (a tab, a character reference
without its ``;``, a ``<`` that is not a plain tag or comment, a fence, text after the
block...) gets ``None``, and mkdocs renders the page itself. The tests hold it to
Python-Markdown's own output on every generated page and on mutated ones.
"""

from __future__ import annotations

import html
import logging
import re
from dataclasses import dataclass
from typing import Any

DEFAULT_EXTENSIONS = ["toc", "tables", "fenced_code"]
"""mkdocs' own extensions; with any other, or any extension setting, nothing is vouched for."""

_BLOCK_LEVEL = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "details",
        "dialog",
        "dd",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "header",
        "hgroup",
        "main",
        "menu",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "ul",
    }
)
"""Tags that open a raw block in Python-Markdown (a subset of its list: enough to vouch)."""

# Anything that Python-Markdown's whitespace pass, its fences or its character-reference
# handling would rewrite: a tab, a carriage return, its own placeholder markers, a line of
# spaces, a fence, a numeric reference without its ';'.
_REWRITTEN = re.compile(r"[\t\r\x02\x03]|\n +\n|```|~~~|&#(?![0-9]+;|[xX][0-9a-fA-F]+;)")
_BLANK_SPACES = re.compile(r"\n +\n")
_BARE_REFERENCE = re.compile(r"&#(?![0-9]+;|[xX][0-9a-fA-F]+;)")


def _rewritten(text: str) -> bool:
    """``_REWRITTEN.search(text) is not None``, a part at a time: one regex with these
    alternatives reads the text character by character (half of :func:`verbatim`'s time),
    where ``in`` finds a fixed string at memchr speed."""
    return (
        "\t" in text
        or "\r" in text
        or "\x02" in text
        or "\x03" in text
        or "```" in text
        or "~~~" in text
        or ("\n " in text and _BLANK_SPACES.search(text) is not None)
        or ("&#" in text and _BARE_REFERENCE.search(text) is not None)
    )


_START = re.compile(
    r"<([a-zA-Z][a-zA-Z0-9-]*)((?:[ \n]+[a-zA-Z_:][-a-zA-Z0-9_:.]*(?:=\"[^\"]*\")?)*)[ \n]*(/?)>"
)
_ID_OR_NAME = re.compile(r"[ \n](?:[iI][dD]|[nN][aA][mM][eE])(?=[ \n=]|\Z)")
_ATTR = re.compile(r"[ \n]+([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:=\"([^\"]*)\")?")
_END = re.compile(r"</([a-zA-Z][a-zA-Z0-9-]*)[ \n]*>")
# A comment whose text holds no "--": every HTML parser in play (Python-Markdown's and the
# one mkdocs collects anchors with) closes it at the same "-->".
_COMMENT = re.compile(r"<!--(?:[^-]|-(?!-))*-->")
_CDATA = ("script", "style")
_TOKEN = re.compile(  # an end tag (1), a start tag (2, its attributes 3, "/" 4) or a comment
    r"<(?:/([a-zA-Z][a-zA-Z0-9-]*)[ \n]*>"
    r"|([a-zA-Z][a-zA-Z0-9-]*)((?:[ \n]+[a-zA-Z_:][-a-zA-Z0-9_:.]*(?:=\"[^\"]*\")?)*)[ \n]*(/?)>"
    r"|!--(?:[^-]|-(?!-))*-->)"
)


@dataclass(frozen=True)
class Verbatim:
    """What rendering the text would give: the page HTML and the anchor ids in it."""

    content: str
    anchor_ids: frozenset[str | None]


def verbatim(text: str) -> Verbatim | None:
    """The HTML Python-Markdown (mkdocs' default extensions) makes of ``text``, when it is
    one raw HTML block it keeps as it is; ``None`` when that cannot be vouched for."""
    first = _START.match(text)
    if first is None or first.group(1).lower() not in _BLOCK_LEVEL or first.group(3):
        return None
    if "\n" in first.group(0):  # Markdown finds a raw block by its first line
        return None
    if _rewritten(text):
        return None
    stack: list[str] = []
    ids: set[str | None] = set()
    pos = 0
    find, token = text.find, _TOKEN.match
    while True:
        at = find("<", pos)
        if at < 0:
            return None  # the block never closed: Markdown would treat the rest differently
        found = token(text, at)
        if found is None:
            return None  # a "<" that is not a plain tag or comment
        pos = found.end()
        closing, opening, attrs, empty = found.group(1, 2, 3, 4)
        if closing is not None:
            tag = closing.lower()
            if tag in stack:
                while stack.pop() != tag:
                    pass
                if not stack:  # Markdown's raw block ends here: nothing may follow
                    if text[pos:].strip("\n"):
                        return None
                    return Verbatim(text[:pos], frozenset(ids))
            continue
        if opening is None:
            continue  # a comment
        tag = opening.lower()
        if attrs and _ID_OR_NAME.search(attrs) is not None:
            for attr in _ATTR.finditer(attrs):  # only where an id or a name may be
                name, value = attr.group(1).lower(), attr.group(2)
                if name == "id" or (name == "name" and tag == "a"):
                    ids.add(html.unescape(value) if value else value)  # "" and None as they are
        if empty or tag == "hr":
            continue  # an empty tag: nothing opened
        stack.append(tag)
        if tag in _CDATA:  # its text runs to its end tag; vouched for only without any "<"
            close = find("<", pos)
            ending = _END.match(text, close) if close >= 0 else None
            if ending is None or ending.group(1).lower() != tag:
                return None
            pos = close


class Renderer:
    """Renders mkdocs pages whose text :func:`verbatim` vouches for without Markdown, and
    every other page with mkdocs' own ``Page.render``."""

    def __init__(self, config: Any) -> None:
        from mkdocs.structure.pages import Page
        from mkdocs.structure.toc import get_toc

        self.config = config
        self.applies = (
            list(config.markdown_extensions) == DEFAULT_EXTENSIONS and not config.mdx_configs
        )
        self.fast = 0
        self._mkdocs_render, self._get_toc = Page.render, get_toc  # looked up once, not a page

    def attach(self, page: Any) -> None:
        """Have ``page.render`` (as mkdocs' build steps call it) go through :meth:`render`."""
        if self.applies:
            page.render = lambda config, files: self.render(page, config, files)

    def render(self, page: Any, config: Any, files: Any) -> None:
        found = verbatim(page.markdown) if isinstance(page.markdown, str) else None
        if found is None:
            self._mkdocs_render(page, config, files)
            return
        # What Page.render sets (mkdocs 1.6) when Markdown kept the text as one raw block:
        # no heading in its tree (so no toc and no title), no Markdown link (so no anchors
        # linked to), and the ids the raw HTML carries.
        page.content = found.content
        page.toc = self._get_toc([])
        page._title_from_render = None
        page.present_anchor_ids = set(found.anchor_ids)
        if logging.getLogger("mkdocs.structure.pages").getEffectiveLevel() > logging.DEBUG:
            page.links_to_anchors = {}
        self.fast += 1
