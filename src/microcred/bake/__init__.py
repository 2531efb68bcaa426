"""Baked badges: one OB 3.0 credential inside a PNG (``iTXt``) or an SVG element.

PNG: one uncompressed ``iTXt`` chunk with keyword ``openbadgecredential`` right after ``IHDR``.
SVG: ``<openbadges:credential>`` (namespace ``https://purl.imsglobal.org/ob/v3p0``) as the
first child of the root, the JSON in CDATA or a compact JWS in ``verify``
(docs/standards.md section 15).

Images to unbake are untrusted (MC-68): every PNG chunk CRC is checked, two credential chunks
are refused as ambiguous, compressed text is inflated under a cap, and SVG is parsed with
defusedxml with entity declarations and DTD internal subsets forbidden. An Open Badges 2.0
baked image is recognised and refused with its own error.

Modules: :mod:`.payload` (limits, errors, payload check), :mod:`.png`, :mod:`.svg`,
:mod:`.files` (file-level ``microcred bake`` / ``unbake``).
"""

from microcred.bake.files import bake_file, unbake_file
from microcred.bake.payload import (
    MAX_IMAGE_BYTES,
    MAX_PNG_CHUNKS,
    MAX_SVG_TAGS,
    MAX_TEXT_BYTES,
    OB2_KEYWORD,
    OB2_NS,
    OB3_KEYWORD,
    OB3_NS,
    PNG_SIGNATURE,
    SVG_NS,
    BakeError,
    CredentialText,
    NotBakedError,
    OpenBadges2Error,
    credential_text,
)
from microcred.bake.png import bake_png, unbake_png
from microcred.bake.svg import bake_svg, unbake_svg

__all__ = [
    "MAX_IMAGE_BYTES",
    "MAX_PNG_CHUNKS",
    "MAX_SVG_TAGS",
    "MAX_TEXT_BYTES",
    "OB2_KEYWORD",
    "OB2_NS",
    "OB3_KEYWORD",
    "OB3_NS",
    "PNG_SIGNATURE",
    "SVG_NS",
    "BakeError",
    "CredentialText",
    "NotBakedError",
    "OpenBadges2Error",
    "bake_file",
    "bake_png",
    "bake_svg",
    "credential_text",
    "unbake_file",
    "unbake_png",
    "unbake_svg",
]
