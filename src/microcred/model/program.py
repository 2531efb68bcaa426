"""The whole program: issuer, site settings, briefs and records."""

from __future__ import annotations

from dataclasses import dataclass

from microcred.model.briefs import Achievement
from microcred.model.issuer import Issuer, SiteSettings
from microcred.model.records import Record
from microcred.model.rules import (
    _require,
)


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
