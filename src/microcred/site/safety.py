"""Untrusted text -> HTML that cannot run script, and text that survives MkDocs unharmed.

Records, briefs and imported credentials are written by people we do not control
(security cases MC-63..MC-65). Every piece of user text reaches a page through one of
three doors, and only these:

* :func:`render_markdown` - Markdown rendered by markdown-it-py with raw HTML off, every
  link and image checked against an allow-list, user headings demoted and given prefixed
  ids, and the result re-checked by an allow-list parser that fails closed;
* Jinja2 autoescaping (``safe_environment``), with ``<bdi>`` around names;
* :func:`plain_title` for strings MkDocs itself inserts into pages (site name, page
  titles): MkDocs renders those without escaping and ``striptags`` even unescapes them,
  so the characters that matter to HTML are replaced by look-alikes instead.

The page body handed to MkDocs is one raw HTML block, so Python-Markdown never
re-interprets user text as Markdown.
"""

from __future__ import annotations

import base64
import hashlib
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup

from microcred.errors import MicrocredError
from microcred.treewalk import tree_entries

HEADING_ID_PREFIX = "mc-u-"
_SCHEME_RE = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")
_DATA_IMAGE_RE = re.compile(r"^data:image/(?:png|gif|jpeg|webp)[;,]", re.IGNORECASE)
_LINK_SCHEMES = frozenset({"http", "https", "mailto"})
_IMAGE_SCHEMES = frozenset({"https"})
# C0/C1 controls except TAB/LF/CR, and the Python-Markdown stash markers (STX/ETX).
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_TITLE_MAP = str.maketrans(
    {"<": "‹", ">": "›", "&": "＆", '"': "”", "'": "’", "`": "ˋ", "\n": " ", "\r": " ", "\t": " "}
)
_INVISIBLE_CATEGORIES = frozenset({"Cf", "Zl", "Zp", "Cc"})

_ALLOWED_TAGS: dict[str, frozenset[str]] = {
    "p": frozenset(),
    "br": frozenset(),
    "hr": frozenset(),
    "em": frozenset(),
    "strong": frozenset(),
    "s": frozenset(),
    "code": frozenset({"class"}),
    "pre": frozenset(),
    "blockquote": frozenset(),
    "ul": frozenset(),
    "ol": frozenset({"start"}),
    "li": frozenset(),
    "a": frozenset({"href", "title", "rel"}),
    "img": frozenset({"src", "alt", "title", "loading", "referrerpolicy"}),
    "h2": frozenset({"id"}),
    "h3": frozenset({"id"}),
    "h4": frozenset({"id"}),
    "h5": frozenset({"id"}),
    "h6": frozenset({"id"}),
    "table": frozenset(),
    "thead": frozenset(),
    "tbody": frozenset(),
    "tr": frozenset(),
    "th": frozenset({"class"}),
    "td": frozenset({"class"}),
}
_ALIGN_STYLE_RE = re.compile(r"^text-align:(left|right|center)$")
_CLASS_RE = {
    "code": re.compile(r"^language-[A-Za-z0-9_+-]{1,30}$"),
    "th": re.compile(r"^mc-al-(?:left|right|center)$"),
    "td": re.compile(r"^mc-al-(?:left|right|center)$"),
}


class UnsafeContentError(MicrocredError):
    """Rendered HTML failed the allow-list check: a bug or a bypass, never published."""

    code = "UNSAFE_CONTENT"


def clean_text(value: object) -> str:
    """NFC-normalised text with control characters (and stash markers) replaced."""
    text = value if isinstance(value, str) else ("" if value is None else str(value))
    return _CONTROL_RE.sub("\ufffd", unicodedata.normalize("NFC", text))


def plain_title(value: object, *, max_len: int = 150) -> str:
    """Text that means the same raw, escaped, or unescaped: for titles MkDocs inserts."""
    text = clean_text(value).translate(_TITLE_MAP)
    # A browser tab and a search result show <title> raw: a bidi override there would reorder
    # what follows it (issue 8). Format characters go, except ZWJ inside emoji sequences.
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf" or ch == "\u200d")
    text = " ".join(text.split())
    if len(text) > max_len:
        text = text[: max_len - 1].rstrip() + "…"
    return text or "untitled"


def visible_identifier(value: object) -> str:
    """Identifiers (DIDs, ids) with invisible or format characters shown as ``<U+XXXX>``."""
    out = []
    for ch in clean_text(value):
        if unicodedata.category(ch) in _INVISIBLE_CATEGORIES or ch in "\u00a0\u2028\u2029":
            out.append(f"<U+{ord(ch):04X}>")
        else:
            out.append(ch)
    return "".join(out)


def bdi(value: object) -> Markup:
    """A name isolated from the surrounding text direction (MC-65)."""
    return Markup("<bdi>{}</bdi>").format(clean_text(value))


def url_allowed(url: str, *, image: bool) -> bool:
    """Allow-list check of an (already normalised) URL for a link or an image source."""
    if not url or url != url.strip() or "\\" in url or _CONTROL_RE.search(url):
        return False
    if url.startswith("//"):
        return False
    if image and _DATA_IMAGE_RE.match(url):
        return True
    match = _SCHEME_RE.match(url)
    if match is None:
        # A relative reference must not have a ':' before its first '/', '?' or '#',
        # or some parser may still read a scheme out of it.
        head = re.split(r"[/?#]", url, maxsplit=1)[0]
        return ":" not in head and "%3a" not in head.lower()
    scheme = match.group(1).lower()
    return scheme in (_IMAGE_SCHEMES if image else _LINK_SCHEMES)


def safe_href(url: object) -> str | None:
    """The URL if a page may link to it (http, https, mailto, relative), else None."""
    if not isinstance(url, str):
        return None
    candidate = clean_text(url).strip()
    return candidate if url_allowed(candidate, image=False) else None


def safe_image_src(url: object) -> str | None:
    """The URL if a page may load it as an image (https, relative, raster data:), else None."""
    if not isinstance(url, str):
        return None
    candidate = url.strip()
    return candidate if url_allowed(candidate, image=True) else None


def _slugify_heading(text: str) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", unicodedata.normalize("NFKD", text).lower()).strip("-")
    return base[:48] or "section"


class _Renderer:
    """markdown-it-py with HTML off plus our token pass; one instance per process."""

    def __init__(self) -> None:
        md = MarkdownIt("js-default", {"maxNesting": 20})
        md.enable("table")
        md.enable("strikethrough")
        self.md = md
        self.scoped = False  # whether the last text rendered had a heading (ids use the scope)

    def render(self, text: str, *, heading_base: int, id_scope: str) -> str:
        env: dict[str, Any] = {}
        tokens = self.md.parse(text, env)
        used: dict[str, int] = {}
        self.scoped = any(token.type == "heading_open" for token in tokens)
        for index, token in enumerate(tokens):
            if token.type in ("heading_open", "heading_close"):
                level = min(6, max(heading_base, heading_base + int(token.tag[1]) - 1))
                token.tag = f"h{level}"
                if token.type == "heading_open":
                    inline = tokens[index + 1] if index + 1 < len(tokens) else None
                    words = inline.content if inline is not None else ""
                    slug = f"{HEADING_ID_PREFIX}{id_scope}-{_slugify_heading(words)}"
                    count = used.get(slug, 0)
                    used[slug] = count + 1
                    token.attrSet("id", slug if count == 0 else f"{slug}-{count + 1}")
            elif token.type in ("th_open", "td_open"):
                # Inline style attributes would be blocked by the CSP: use a class instead.
                align = _ALIGN_STYLE_RE.match(str(token.attrGet("style") or ""))
                token.attrs.pop("style", None)
                if align:
                    token.attrSet("class", f"mc-al-{align.group(1)}")
            elif token.type == "fence":
                token.info = (
                    re.sub(r"[^A-Za-z0-9_+-]", "", token.info.split(maxsplit=1)[0])[:30]
                    if token.info.strip()
                    else ""
                )
            if token.children:
                token.children = list(_check_inline(token.children))
        html = str(self.md.renderer.render(tokens, self.md.options, env))
        assert_allowlisted(html)
        return html


def _check_inline(children: list[Token]) -> Iterable[Token]:
    """Drop links and images whose target is not allow-listed; keep their text."""
    skip_close = 0
    for child in children:
        if child.type == "link_open":
            href = str(child.attrGet("href") or "")
            if not url_allowed(href, image=False):
                skip_close += 1
                continue
            if _SCHEME_RE.match(href):
                child.attrSet("rel", "nofollow noopener noreferrer")
        elif child.type == "link_close" and skip_close:
            skip_close -= 1
            continue
        elif child.type == "image":
            src = str(child.attrGet("src") or "")
            if not url_allowed(src, image=True):
                alt = Token("text", "", 0)
                alt.content = f"[image: {child.content}]" if child.content else "[image]"
                yield alt
                continue
            child.attrSet("loading", "lazy")
            child.attrSet("referrerpolicy", "no-referrer")
        if child.children:
            child.children = list(_check_inline(child.children))
        yield child


class _AllowlistChecker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        allowed = _ALLOWED_TAGS.get(tag)
        if allowed is None:
            self.problems.append(f"tag <{tag}>")
            return
        for name, value in attrs:
            if name not in allowed:
                self.problems.append(f"attribute {name} on <{tag}>")
            elif name == "href" and not url_allowed(value or "", image=False):
                self.problems.append(f"href {value!r}")
            elif name == "src" and not url_allowed(value or "", image=True):
                self.problems.append(f"src {value!r}")
            elif name == "class" and not _CLASS_RE[tag].match(value or ""):
                self.problems.append(f"class {value!r} on <{tag}>")
            elif name == "id" and not (value or "").startswith(HEADING_ID_PREFIX):
                self.problems.append(f"id {value!r}")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_comment(self, data: str) -> None:
        self.problems.append("comment")

    def handle_decl(self, decl: str) -> None:
        self.problems.append("declaration")

    def handle_pi(self, data: str) -> None:
        self.problems.append("processing instruction")

    def unknown_decl(self, data: str) -> None:
        self.problems.append("declaration")


def assert_allowlisted(html: str) -> None:
    """Fail closed if rendered user HTML holds anything outside the allow-list."""
    checker = _AllowlistChecker()
    checker.feed(html)
    checker.close()
    if checker.problems:
        raise UnsafeContentError(
            "rendered Markdown contains " + ", ".join(sorted(set(checker.problems))),
            hint="this is a bug in microcred's Markdown pipeline; please report it",
        )


_RENDERER: _Renderer | None = None


def render_markdown(text: object, *, heading_base: int = 3, id_scope: str = "t") -> Markup:
    """User Markdown -> allow-listed HTML; anything that fails the check becomes plain text."""
    global _RENDERER
    if _RENDERER is None:
        _RENDERER = _Renderer()
    source = clean_text(text)
    if not source.strip():
        return Markup("")
    scope = re.sub(r"[^a-z0-9-]", "", id_scope.lower())[:24] or "t"
    heading_base = min(max(heading_base, 2), 6)  # h1 belongs to the page
    unscoped = (source, heading_base, "")
    known = _RENDERED.get(unscoped)
    if known is None:
        known = _RENDERED.get((source, heading_base, scope))
    if known is not None:  # a brief's criteria and rubric are on every page of its credentials
        return known
    try:
        html = _RENDERER.render(source, heading_base=heading_base, id_scope=scope)
        rendered = Markup(html)  # noqa: S704 - HTML off, links checked, allow-list verified
        scoped = _RENDERER.scoped
    except UnsafeContentError:
        rendered, scoped = Markup("<p>{}</p>").format(source), False
    if len(_RENDERED) >= 4096:
        _RENDERED.clear()
    # Only heading ids carry the scope: a text without headings renders alike in every scope.
    _RENDERED[(source, heading_base, scope) if scoped else unscoped] = rendered
    return rendered


_RENDERED: dict[tuple[str, int, str], Markup] = {}  # the renderer's output depends on these only


# --------------------------------------------------------------------------- secrets

_SECRET_KEY_RE = re.compile(rb'(?<!\\)"(?:secretKeyMultibase|privateKeyMultibase)"\s*:')


ED25519_PRIV_MULTICODEC = b"\x80\x26"  # varint(0x1300): the multibase secret key header
_PKCS8_ED25519 = bytes.fromhex("302e020100300506032b657004220420")
_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
NEEDLE_CHARS = 24
"""A secret is found from any 24 consecutive characters of one of its encodings (>= 140 bits:
no false positives), so a key pasted into a narrative and wrapped or cut is still caught."""


def _b58(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    out = ""
    while number:
        number, rest = divmod(number, 58)
        out = _B58[rest] + out
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + out


def secret_needles(seeds: Iterable[bytes]) -> list[bytes]:
    """Every encoding the builder knows a secret key in (multibase, base58, hex, base64 and
    base64url, PKCS#8 as in PEM, percent-encoded), cut into overlapping 24-character pieces."""
    texts: set[str] = set()
    for seed in seeds:
        for raw in (seed, ED25519_PRIV_MULTICODEC + seed, _PKCS8_ED25519 + seed):
            b64 = base64.b64encode(raw).decode("ascii")
            url = base64.urlsafe_b64encode(raw).decode("ascii")
            texts.update(
                {_b58(raw), raw.hex(), raw.hex().upper(), b64.rstrip("="), url.rstrip("=")}
            )
            texts.add(b64.replace("+", "%2B").replace("/", "%2F").rstrip("="))
    needles: set[bytes] = set()
    for text in texts:
        step = NEEDLE_CHARS // 2
        for start in range(0, max(len(text) - NEEDLE_CHARS, 0) + 1, step):
            needles.add(text[start : start + NEEDLE_CHARS].encode("ascii"))
    return sorted(needles)


# Every character a needle can hold (base58, hex, base64 with either alphabet, %2B/%2F); the
# others become spaces. A needle holds no space, so it is found in the mapped text exactly
# when it lies inside one run of these characters.
_NEEDLE_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/_%-"
_RUNS_ONLY = bytes(b if b in _NEEDLE_ALPHABET else 0x20 for b in range(256))
_WHITE_SPACE = b" \t\n\r\x0b\x0c"  # what bytes.split() splits on


def _holds_needle(data: bytes, needles: Sequence[bytes]) -> bool:
    """Whether a needle occurs once escaped slashes are undone and white space removed (a key
    split over lines or escaped in JSON still counts). One pass in C: white space deleted,
    every other byte mapped."""
    runs = data.replace(b"\\/", b"/").translate(_RUNS_ONLY, _WHITE_SPACE)
    return any(needle in runs for needle in needles)


def holds_secret(data: bytes, needles: Sequence[bytes] = ()) -> bool:
    """Whether one file's bytes hold a key file's member name or, with ``needles``, the key."""
    if b"KeyMultibase" in data and _SECRET_KEY_RE.search(data):
        return True
    return bool(needles) and _holds_needle(data, needles)


def find_secret_keys(
    root: Path,
    needles: Sequence[bytes] = (),
    known: set[str] | None = None,
    seen: set[str] | None = None,
    digests: dict[str, str] | None = None,
    vouched: Mapping[str, tuple[int, str]] | None = None,
) -> list[Path]:
    """Files under ``root`` that hold an issuer secret key (never publishable): a key file's
    member name, or (with ``needles`` from :func:`secret_needles`) the key's bytes in any
    encoding the builder knows, even inside a narrative or an escaped JSON string.

    ``known``: SHA-256 digests of contents already found clean for these same ``needles``
    (the build scans the source, then the built site holding many of the same files, and
    keeps the set between builds): not scanned again. Contents found clean here are added to
    ``known``, and every clean content met (scanned or known) to ``seen``. ``digests``
    receives each file's SHA-256 by its path under ``root`` (the build's record of its output
    then need not read the files again).

    ``vouched``: (size, SHA-256) by path of files whose very bytes were scanned as they were
    written (the build's pages, and its machine files, hard links to the scanned source):
    such a file, when its size is still that and its digest is in ``known``, is not read
    again. Any other file is read, so whatever nobody vouched for is scanned here."""
    found = []
    for rel, entry in tree_entries(root):
        if entry.is_symlink() or not entry.is_file(follow_symlinks=False):
            continue
        path = root / rel
        if entry.name.startswith(".microcred") or ".microcred" in rel.split("/"):
            found.append(path)
            continue
        written = vouched.get(rel) if vouched is not None else None
        if (
            written is not None
            and known is not None
            and written[1] in known
            and entry.stat(follow_symlinks=False).st_size == written[0]
        ):
            if digests is not None:
                digests[rel] = written[1]
            if seen is not None:
                seen.add(written[1])
            continue
        data = path.read_bytes()
        wanted = known is not None or seen is not None or digests is not None
        digest = hashlib.sha256(data).hexdigest() if wanted else ""
        if digests is not None:
            digests[rel] = digest
        if known is not None and digest in known:
            if seen is not None:
                seen.add(digest)
            continue
        if holds_secret(data, needles):
            found.append(path)
        else:
            if known is not None:
                known.add(digest)
            if seen is not None:
                seen.add(digest)
    return found


def short_hash(text: str, length: int = 10) -> str:
    """A stable, non-reversible tag (for ids and file names derived from untrusted text)."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:length]
