"""What JSON-LD to RDF keeps: the IRI and language-tag rules the data-loss check enforces.

Shared by the data-loss check (``safe.py``) and the fast expander (``fastexpand.py``), which
must agree exactly on what is lossless: the fast expander defers every value these refuse.
"""

from __future__ import annotations

import re
from typing import Any

# White space ends an absolute IRI for pyld (Python's \s) and for jsonld.js (JavaScript's \s,
# which adds U+FEFF and lacks U+001C..U+001F and U+0085): refuse what either would drop.
_ABSOLUTE_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s\ufeff]*$")
_BLANK = re.compile(r"^_:[^\s\ufeff]*$")
# What jsonld.js accepts as BCP47 (its safe mode refuses other @language values).
_LANGUAGE_TAG = re.compile(r"^[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*$")
BAD_LANGUAGE = "is not a well-formed language tag; the N-Quads would be invalid"


def bad_language(value: Any) -> bool:
    """A string @language that the N-Quads could not carry."""
    return isinstance(value, str) and not _LANGUAGE_TAG.match(value)


def is_iri(value: Any) -> bool:
    """An absolute IRI or a blank-node label both pyld and jsonld.js keep whole."""
    return isinstance(value, str) and bool(_ABSOLUTE_IRI.match(value) or _BLANK.match(value))


# pyld 3.3's own test (``jsonld._is_absolute_iri``), compiled once: pyld passes the pattern
# text to ``re.match`` on every call, a fifth of the plain RDF walk's time.
_PYLD_ABSOLUTE = re.compile(r"^([A-Za-z][A-Za-z0-9+-.]*|_):[^\s]*$")


_ANSWERS: dict[str, bool] = {}  # property and type IRIs recur in every document


def pyld_absolute(value: Any) -> bool:
    """``pyld.jsonld._is_absolute_iri`` (same pattern, same answers), faster."""
    if type(value) is not str:
        return isinstance(value, str) and _PYLD_ABSOLUTE.match(value) is not None
    known = _ANSWERS.get(value)
    if known is None:
        known = _PYLD_ABSOLUTE.match(value) is not None
        if len(_ANSWERS) >= 8192:
            _ANSWERS.clear()
        _ANSWERS[value] = known
    return known
