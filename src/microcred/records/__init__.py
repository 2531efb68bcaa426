"""Program folders (``microcred.toml``, ``achievements/*.md``, ``records/*.md``) -> model.

Every problem is reported as ``path:line: $.json.path: message`` (a
:class:`~microcred.errors.Problem`), all of them in one run, never as a traceback.
"""

from __future__ import annotations

from microcred.records.build import candidate_slug, slugify
from microcred.records.engine import (
    Document,
    ProgramReader,
    check_program,
    iter_problems,
    load_briefs,
    load_issuer_settings,
    load_program,
    load_settings,
    parse_document,
)
from microcred.records.frontmatter import FrontMatter, split_front_matter
from microcred.records.schema import schema_text

__all__ = [
    "Document",
    "FrontMatter",
    "ProgramReader",
    "candidate_slug",
    "check_program",
    "iter_problems",
    "load_briefs",
    "load_issuer_settings",
    "load_program",
    "load_settings",
    "parse_document",
    "schema_text",
    "slugify",
    "split_front_matter",
]
