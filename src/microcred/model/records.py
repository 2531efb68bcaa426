"""Records: a candidate's completed (or withdrawn) brief, with results and evidence."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal

from microcred.model.rules import (
    EMAIL_RE,
    RecordStatus,
    _require,
    _slug,
    _text,
)


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
