"""Field rules shared by the model: patterns, vocabularies, :class:`ModelError` and checks."""

from __future__ import annotations

import re
from typing import Literal

SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
CURRENCY_RE = re.compile(r"^[A-Z]{3}$")
DID_KEY_RE = re.compile(r"^did:key:z[1-9A-HJ-NP-Za-km-z]+$")
DID_WEB_RE = re.compile(r"^did:web:[a-z0-9.-]+(?:%3[Aa][0-9]+)?(?::[A-Za-z0-9._~-]+)*$")
HTTP_URL_RE = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

ACHIEVEMENT_TYPES = frozenset(
    {
        "Achievement",
        "ApprenticeshipCertificate",
        "Assessment",
        "Assignment",
        "AssociateDegree",
        "Award",
        "Badge",
        "BachelorDegree",
        "Certificate",
        "CertificateOfCompletion",
        "Certification",
        "CommunityService",
        "Competency",
        "Course",
        "CoCurricular",
        "Degree",
        "Diploma",
        "DoctoralDegree",
        "Fieldwork",
        "GeneralEducationDevelopment",
        "JourneymanCertificate",
        "LearningProgram",
        "License",
        "Membership",
        "ProfessionalDoctorate",
        "QualityAssuranceCredential",
        "MasterCertificate",
        "MasterDegree",
        "MicroCredential",
        "ResearchDoctorate",
        "SecondarySchoolDiploma",
    }
)
STIPEND_PERIODS = ("total", "hour", "day", "week", "month")
RecordStatus = Literal["completed", "withdrawn"]
IdentityKind = Literal["did-key", "did-web"]


class ModelError(ValueError):
    """A field value that makes the object invalid; ``field`` is a JSON path like ``$.hours``."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def _require(cond: bool, field: str, message: str) -> None:
    if not cond:
        raise ModelError(field, message)


def _text(value: str, field: str, *, max_len: int = 10_000) -> None:
    _require(isinstance(value, str) and value.strip() != "", field, "must be non-empty text")
    _require(len(value) <= max_len, field, f"is longer than {max_len} characters")
    # C0 controls (other than TAB/LF/CR) would be signed differently by RDFC-1.0 and
    # URDNA2015 implementations: refuse them at the source (docs/standards.md section 17).
    bad = [c for c in value if (ord(c) < 0x20 and c not in "\t\n\r") or ord(c) == 0x7F]
    _require(not bad, field, f"contains control character U+{ord(bad[0]):04X}" if bad else "")


def _url(value: str, field: str) -> None:
    _require(
        isinstance(value, str) and bool(HTTP_URL_RE.match(value)),
        field,
        f"{value!r} is not an absolute http(s) URL",
    )


def _slug(value: str, field: str) -> None:
    _require(
        bool(SLUG_RE.match(value)),
        field,
        f"{value!r} is not a slug (lower-case letters, digits and '-', at most 64)",
    )
