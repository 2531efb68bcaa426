"""Achievement briefs: rubric, skills, credits, stipend."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from microcred.model.rules import (
    ACHIEVEMENT_TYPES,
    CURRENCY_RE,
    STIPEND_PERIODS,
    _require,
    _slug,
    _text,
    _url,
)


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
    unpaid: bool = False  # explicitly unpaid (a brief states a stipend or this)
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
