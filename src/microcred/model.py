"""The program's domain: frozen dataclasses that are valid once constructed.

No I/O here. ``records/`` builds these from Markdown + YAML and maps a :class:`ModelError`
back to the file and line the offending field came from (``ModelError.field`` is a
JSON-path relative to the object being built, e.g. ``$.rubric.criteria[1].levels``).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
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
    # URDNA2015 implementations: refuse them at the source (SUMMARY section 17).
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


# --------------------------------------------------------------------------- issuer


@dataclass(frozen=True)
class Identity:
    """How the issuer is identified: a did:key (self-contained) or a did:web (site-hosted)."""

    kind: IdentityKind
    did: str | None = None  # did:web is fixed by configuration; did:key comes from the key

    def __post_init__(self) -> None:
        _require(self.kind in ("did-key", "did-web"), "$.kind", "must be 'did-key' or 'did-web'")
        if self.kind == "did-web":
            _require(
                self.did is not None and bool(DID_WEB_RE.match(self.did)),
                "$.did",
                "a did:web identity needs did = 'did:web:<host>[:<path>]' (no IP, no port colon)",
            )
        elif self.did is not None:
            _require(bool(DID_KEY_RE.match(self.did)), "$.did", "must be a did:key:z6Mk... value")


@dataclass(frozen=True)
class Issuer:
    name: str
    url: str
    description: str = ""
    email: str | None = None
    image: str | None = None  # path relative to the program folder, or https URL
    identity: Identity = field(default_factory=lambda: Identity("did-key"))

    def __post_init__(self) -> None:
        _text(self.name, "$.name", max_len=200)
        _url(self.url, "$.url")
        if self.email is not None:
            _require(
                bool(EMAIL_RE.match(self.email)), "$.email", f"{self.email!r} is not an e-mail"
            )


@dataclass(frozen=True)
class SiteSettings:
    base_url: str  # where the site is published, e.g. https://org.github.io/program/
    title: str | None = None
    suspension: bool = False  # also give every credential a 'suspension' status entry
    status_list_size: int = 131_072

    def __post_init__(self) -> None:
        _url(self.base_url, "$.base_url")
        _require(self.base_url.endswith("/"), "$.base_url", "must end with '/'")
        _require(
            self.status_list_size >= 131_072 and self.status_list_size % 8 == 0,
            "$.status_list_size",
            "must be a multiple of 8 and at least 131072",
        )


# --------------------------------------------------------------------------- briefs


@dataclass(frozen=True)
class RubricLevel:
    id: str
    name: str
    points: int
    description: str = ""

    def __post_init__(self) -> None:
        _slug(self.id, "$.id")
        _text(self.name, "$.name", max_len=200)
        _require(
            isinstance(self.points, int) and self.points >= 0,
            "$.points",
            "must be a whole number >= 0",
        )


@dataclass(frozen=True)
class RubricCriterion:
    id: str
    name: str
    description: str
    levels: tuple[RubricLevel, ...]

    def __post_init__(self) -> None:
        _slug(self.id, "$.id")
        _text(self.name, "$.name", max_len=200)
        _require(len(self.levels) >= 2, "$.levels", "a criterion needs at least two levels")
        ids = [lvl.id for lvl in self.levels]
        _require(len(set(ids)) == len(ids), "$.levels", "level ids must be unique")

    def level(self, level_id: str) -> RubricLevel | None:
        return next((lvl for lvl in self.levels if lvl.id == level_id), None)

    @property
    def max_points(self) -> int:
        return max(lvl.points for lvl in self.levels)


@dataclass(frozen=True)
class Rubric:
    criteria: tuple[RubricCriterion, ...]
    passing_points: int | None = None  # minimum total to pass; None = every criterion scored

    def __post_init__(self) -> None:
        _require(len(self.criteria) >= 1, "$.criteria", "a rubric needs at least one criterion")
        ids = [c.id for c in self.criteria]
        _require(len(set(ids)) == len(ids), "$.criteria", "criterion ids must be unique")
        if self.passing_points is not None:
            _require(
                0 <= self.passing_points <= self.max_points,
                "$.passing_points",
                f"must be between 0 and the rubric maximum {self.max_points}",
            )

    def criterion(self, criterion_id: str) -> RubricCriterion | None:
        return next((c for c in self.criteria if c.id == criterion_id), None)

    @property
    def max_points(self) -> int:
        return sum(c.max_points for c in self.criteria)


@dataclass(frozen=True)
class Skill:
    """A skill the brief exercises, optionally aligned to a public framework entry."""

    name: str
    framework: str | None = None  # e.g. "ESCO", "O*NET", "Lightcast Open Skills"
    url: str | None = None  # the framework node, https
    code: str | None = None

    def __post_init__(self) -> None:
        _text(self.name, "$.name", max_len=200)
        if self.url is not None:
            _url(self.url, "$.url")


@dataclass(frozen=True)
class Credits:
    """Academic credit on offer; the unit is explicit because '2 credits' means nothing alone."""

    amount: Decimal
    unit: str  # e.g. "ECTS", "US semester credit hours", "CATS"

    def __post_init__(self) -> None:
        _require(
            isinstance(self.amount, Decimal) and self.amount > 0,
            "$.amount",
            "must be a positive number",
        )
        _require(
            self.amount == self.amount.quantize(Decimal("0.01")), "$.amount", "at most two decimals"
        )
        _text(self.unit, "$.unit", max_len=80)


@dataclass(frozen=True)
class Stipend:
    amount: Decimal
    currency: str  # ISO 4217
    period: str  # one of STIPEND_PERIODS

    def __post_init__(self) -> None:
        _require(
            isinstance(self.amount, Decimal) and self.amount >= 0,
            "$.amount",
            "must be a number >= 0",
        )
        _require(
            bool(CURRENCY_RE.match(self.currency)),
            "$.currency",
            "must be an ISO 4217 code such as EUR or USD",
        )
        _require(
            self.period in STIPEND_PERIODS,
            "$.period",
            f"must be one of {', '.join(STIPEND_PERIODS)}",
        )


@dataclass(frozen=True)
class Achievement:
    """An achievement brief: what a micro-internship asks for and how it is scored."""

    slug: str
    name: str
    achievement_type: str
    description: str
    criteria: str  # Markdown narrative: what earning it requires
    rubric: Rubric
    skills: tuple[Skill, ...] = ()
    credits: Credits | None = None
    expected_hours: int | None = None
    duration_days: int | None = None
    stipend: Stipend | None = None
    task: str = ""  # Markdown task template
    body: str = ""  # Markdown long description (the file body)
    image: str | None = None
    tags: tuple[str, ...] = ()
    version: str = "1"
    source: str = ""  # file it came from (for messages)
    open: bool = False  # accepting candidates: a brief with no records yet is not a mistake

    def __post_init__(self) -> None:
        _slug(self.slug, "$.slug")
        _text(self.name, "$.name", max_len=200)
        _require(
            self.achievement_type in ACHIEVEMENT_TYPES
            or bool(re.match(r"^ext:[A-Za-z0-9_.-]+$", self.achievement_type)),
            "$.achievementType",
            f"{self.achievement_type!r} is not an OB 3.0 achievement type",
        )
        _text(self.description, "$.description")
        _text(self.criteria, "$.criteria")
        if self.expected_hours is not None:
            _require(0 < self.expected_hours <= 2000, "$.expected_hours", "must be 1..2000")
        if self.duration_days is not None:
            _require(0 < self.duration_days <= 120, "$.duration_days", "must be 1..120")


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class Candidate:
    name: str
    email: str  # private: only ever hashed (salted) into credentials
    id: str | None = None  # optional pseudonymous id (a DID or URL the candidate controls)
    consent_publish: bool = False  # publish a portfolio page and name on the site
    slug: str | None = None  # portfolio page name; derived from the record when absent

    def __post_init__(self) -> None:
        _text(self.name, "$.name", max_len=200)
        _require(bool(EMAIL_RE.match(self.email)), "$.email", f"{self.email!r} is not an e-mail")
        if self.id is not None:
            _require(
                bool(re.match(r"^(did:[a-z0-9]+:\S+|https://\S+|urn:\S+)$", self.id)),
                "$.id",
                "must be a DID, an https URL or a URN",
            )
            _require("@" not in self.id, "$.id", "must not contain an e-mail address")
        if self.slug is not None:
            _slug(self.slug, "$.slug")


@dataclass(frozen=True)
class Mentor:
    name: str
    role: str | None = None

    def __post_init__(self) -> None:
        _text(self.name, "$.name", max_len=200)


@dataclass(frozen=True)
class RubricResult:
    criterion: str
    level: str
    comment: str = ""


@dataclass(frozen=True)
class Evidence:
    url: str
    name: str
    narrative: str = ""  # Markdown
    genre: str | None = None  # e.g. "Report", "Code repository", "Presentation"

    def __post_init__(self) -> None:
        _require(
            isinstance(self.url, str) and self.url.startswith("https://"),
            "$.url",
            "evidence must be an https URL",
        )
        _text(self.name, "$.name", max_len=300)


@dataclass(frozen=True)
class Outcome:
    """What happened after the micro-internship (feeds program analytics, never credentials)."""

    offer_made: bool = False
    offer_date: dt.date | None = None
    offer_accepted: bool | None = None
    accepted_date: dt.date | None = None
    first_delivery_date: dt.date | None = None  # first independent delivery after hire

    def __post_init__(self) -> None:
        if self.offer_date is not None:
            _require(self.offer_made, "$.offer_date", "an offer date needs offer_made: true")
        if self.offer_accepted:
            _require(self.offer_made, "$.offer_accepted", "cannot accept an offer never made")
        if self.accepted_date is not None:
            _require(
                bool(self.offer_accepted),
                "$.accepted_date",
                "an accepted date needs offer_accepted: true",
            )
            if self.offer_date is not None:
                _require(
                    self.accepted_date >= self.offer_date,
                    "$.accepted_date",
                    "is before the offer date",
                )
        if self.first_delivery_date is not None and self.accepted_date is not None:
            _require(
                self.first_delivery_date >= self.accepted_date,
                "$.first_delivery_date",
                "is before the accepted date",
            )


@dataclass(frozen=True)
class Record:
    """One completed (or withdrawn) micro-internship."""

    slug: str
    candidate: Candidate
    achievement: str  # slug of the brief
    start_date: dt.date
    end_date: dt.date
    hours: Decimal
    mentor: Mentor
    status: RecordStatus
    results: tuple[RubricResult, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    outcome: Outcome = field(default_factory=Outcome)
    awarded: dt.datetime | None = None  # timezone-aware; defaults to end_date 00:00Z
    narrative: str = ""  # Markdown body
    cohort: str | None = None  # optional grouping for analytics
    demographics: tuple[tuple[str, str], ...] = ()  # self-reported, analytics only, never published
    source: str = ""

    def __post_init__(self) -> None:
        _slug(self.slug, "$.slug")
        _slug(self.achievement, "$.achievement")
        _require(self.end_date >= self.start_date, "$.end_date", "is before start_date")
        _require(
            isinstance(self.hours, Decimal) and Decimal(0) < self.hours <= Decimal(2000),
            "$.hours",
            "must be a number of hours between 0 and 2000",
        )
        _require(
            self.status in ("completed", "withdrawn"),
            "$.status",
            "must be 'completed' or 'withdrawn'",
        )
        if self.status == "completed":
            _require(len(self.results) >= 1, "$.results", "a completed record needs rubric results")
        if self.awarded is not None:
            _require(
                self.awarded.tzinfo is not None,
                "$.awarded",
                "needs a time zone (e.g. 2026-05-01T17:00:00Z)",
            )
            _require(self.awarded.date() >= self.start_date, "$.awarded", "is before start_date")
        seen = [r.criterion for r in self.results]
        _require(len(set(seen)) == len(seen), "$.results", "a criterion is scored twice")

    @property
    def awarded_at(self) -> dt.datetime:
        if self.awarded is not None:
            return self.awarded.astimezone(dt.UTC)
        return dt.datetime.combine(self.end_date, dt.time(0, 0), tzinfo=dt.UTC)


@dataclass(frozen=True)
class Program:
    """A whole program folder: issuer, briefs and records, cross-checked."""

    root: str
    issuer: Issuer
    site: SiteSettings
    achievements: tuple[Achievement, ...]
    records: tuple[Record, ...]

    def __post_init__(self) -> None:
        slugs = [a.slug for a in self.achievements]
        _require(len(set(slugs)) == len(slugs), "$.achievements", "two briefs share a slug")
        rslugs = [r.slug for r in self.records]
        _require(len(set(rslugs)) == len(rslugs), "$.records", "two records share a slug")

    def achievement(self, slug: str) -> Achievement:
        for a in self.achievements:
            if a.slug == slug:
                return a
        raise KeyError(slug)

    def completed(self) -> tuple[Record, ...]:
        return tuple(r for r in self.records if r.status == "completed")
