"""What every baked image shares: limits, namespaces, errors and the payload check."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from microcred._util import loads_strict
from microcred.errors import MicrocredError
from microcred.jsonld.stringify import plain_python_json, python_json

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
OB3_KEYWORD = b"openbadgecredential"
OB2_KEYWORD = b"openbadges"
OB3_NS = "https://purl.imsglobal.org/ob/v3p0"
OB2_NS = "http://openbadges.org"
SVG_NS = "http://www.w3.org/2000/svg"
MAX_IMAGE_BYTES = 32 * 1024 * 1024
MAX_PNG_CHUNKS = 50_000
MAX_SVG_TAGS = 50_000
"""Parse time grows with the number of elements, not bytes; badge artwork stays far below this."""
MAX_TEXT_BYTES = 5_000_000
"""Same cap as ``jsonld.loads_strict``: a larger credential would be refused there anyway."""

_TEXT_CHUNKS = (b"tEXt", b"zTXt", b"iTXt")
_JWS_RE = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+", re.ASCII)
_XML_DECL_ENCODING_RE = re.compile(
    rb"^(?:\xef\xbb\xbf)?<\?xml[^>]*?encoding\s*=\s*[\"']([^\"']*)[\"']"
)
# Characters XML 1.0 cannot carry at all (even in CDATA): the complement of its Char production
# (tab, LF, CR, U+0020-U+D7FF, U+E000-U+FFFD, U+10000-U+10FFFF), written out: the negated
# class took 10 ms to compile at every start-up.
_XML_INVALID_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class BakeError(MicrocredError):
    """An image that cannot be baked or unbaked as given."""

    code = "PARSING_ERROR"


class NotBakedError(BakeError):
    """A valid image that carries no Open Badges 3.0 credential."""


class OpenBadges2Error(BakeError):
    """An Open Badges 2.0 baked badge: recognised, but microcred verifies OB 3.0 only."""

    code = "UNSUPPORTED_VERSION"

    def __init__(self, kind: str) -> None:
        super().__init__(
            f"this is an Open Badges 2.0 baked badge ({kind}); microcred verifies Open Badges 3.0",
            hint="ask the issuer for the Open Badges 3.0 version of the badge",
        )


# --------------------------------------------------------------------------- credential text


class CredentialText(str):
    """Credential JSON that :func:`credential_text` wrote from a document: an object by
    construction, so baking it checks the size and the UTF-8 but does not parse it back."""

    __slots__ = ()


def credential_text(document: Mapping[str, Any]) -> str:
    """``document`` as ``microcred issue`` writes it (2-space indent, final newline), ready
    to bake into both images: the build bakes every credential twice from the document it
    holds, and parsing that text back would find what was just written (issue 12)."""
    text = plain_python_json(document) if type(document) is dict else None
    if text is None:  # anything unusual is checked the long way
        return python_json(document) + "\n"
    return CredentialText(text + "\n")


_LAST_CHECKED: tuple[str, bool] = ("", False)
"""The last payload found good: a credential is baked into its PNG and its SVG in turn."""


def _check_payload(credential_json: str) -> bool:
    """Validate what is being baked; returns True for a compact JWS, False for JSON."""
    global _LAST_CHECKED
    last = _LAST_CHECKED
    if isinstance(credential_json, str) and credential_json and credential_json == last[0]:
        return last[1]
    is_jws = _checked_payload(credential_json)
    _LAST_CHECKED = (credential_json, is_jws)
    return is_jws


def _checked_payload(credential_json: str) -> bool:
    if not isinstance(credential_json, str):
        raise BakeError(
            f"the credential to bake must be text, not {type(credential_json).__name__}"
        )
    if not credential_json.strip():
        raise BakeError("the credential to bake is empty")
    try:
        size = len(credential_json.encode("utf-8"))
    except UnicodeEncodeError:
        raise BakeError("the credential text contains a lone surrogate (not UTF-8)") from None
    if size > MAX_TEXT_BYTES:
        raise BakeError(f"the credential is {size} bytes; the limit is {MAX_TEXT_BYTES}")
    if type(credential_json) is CredentialText:
        return False
    if _JWS_RE.fullmatch(credential_json):
        return True
    try:
        parsed = loads_strict(credential_json, max_bytes=MAX_TEXT_BYTES)
    except MicrocredError as exc:
        raise BakeError(
            f"the credential is neither JSON nor a compact JWS ({exc.message})",
            hint="bake the signed credential file as written by 'microcred issue'",
        ) from None
    if not isinstance(parsed, dict):
        raise BakeError("the credential JSON must be an object")
    return False
