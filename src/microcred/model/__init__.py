"""The program's domain: frozen dataclasses that are valid once constructed.

No I/O here. ``records/`` builds these from Markdown + YAML and maps a :class:`ModelError`
back to the file and line the offending field came from (``ModelError.field`` is a
JSON-path relative to the object being built, e.g. ``$.rubric.criteria[1].levels``).

Modules: :mod:`.rules` (patterns, vocabularies, the field checks), :mod:`.issuer`,
:mod:`.briefs` (achievements and their rubric), :mod:`.records`, :mod:`.program`.
"""

from microcred.model.briefs import (
    Achievement,
    Credits,
    Rubric,
    RubricCriterion,
    RubricLevel,
    Skill,
    Stipend,
)
from microcred.model.issuer import Identity, Issuer, SiteSettings
from microcred.model.program import Program
from microcred.model.records import Candidate, Evidence, Mentor, Outcome, Record, RubricResult
from microcred.model.rules import (
    ACHIEVEMENT_TYPES,
    CURRENCY_RE,
    DID_KEY_RE,
    DID_WEB_RE,
    EMAIL_RE,
    HTTP_URL_RE,
    SLUG_RE,
    STIPEND_PERIODS,
    IdentityKind,
    ModelError,
    RecordStatus,
)

__all__ = [
    "ACHIEVEMENT_TYPES",
    "CURRENCY_RE",
    "DID_KEY_RE",
    "DID_WEB_RE",
    "EMAIL_RE",
    "HTTP_URL_RE",
    "SLUG_RE",
    "STIPEND_PERIODS",
    "Achievement",
    "Candidate",
    "Credits",
    "Evidence",
    "Identity",
    "IdentityKind",
    "Issuer",
    "Mentor",
    "ModelError",
    "Outcome",
    "Program",
    "Record",
    "RecordStatus",
    "Rubric",
    "RubricCriterion",
    "RubricLevel",
    "RubricResult",
    "SiteSettings",
    "Skill",
    "Stipend",
]
