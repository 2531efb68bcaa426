"""Who appears on the site: consenting candidates only; warnings for slugs that leak a name."""

from __future__ import annotations

from dataclasses import dataclass

from microcred._util import slugify
from microcred.credential.identity import normalise_email
from microcred.model import Program, Record
from microcred.site.safety import (
    clean_text,
)


@dataclass
class Person:
    slug: str
    name: str
    candidate_id: str | None
    records: list[Record]


def _ascii_slug(text: str) -> str:
    return slugify(text, max_len=60, fold=False)


def group_people(program: Program, published: set[str]) -> tuple[list[Person], dict[str, str]]:
    """Consenting candidates (by normalised e-mail) -> portfolio; record slug -> person slug.

    Consent is per record: a portfolio lists only the records whose candidate agreed to
    publication, and a person appears at all only if at least one record did.
    """
    groups: dict[str, list[Record]] = {}
    for record in program.records:
        if record.slug in published and record.candidate.consent_publish:
            groups.setdefault(normalise_email(record.candidate.email), []).append(record)
    people: list[Person] = []
    taken: set[str] = set()
    for records in groups.values():
        chosen = next((r.candidate.slug for r in records if r.candidate.slug), None)
        base = chosen or _ascii_slug(records[0].candidate.name) or "person"
        slug, n = base, 2
        while slug in taken:
            slug = f"{base}-{n}"
            n += 1
        taken.add(slug)
        cid = next((r.candidate.id for r in records if r.candidate.id), None)
        people.append(Person(slug, records[-1].candidate.name, cid, records))
    people.sort(key=lambda p: (clean_text(p.name).casefold(), p.slug))
    owner = {r.slug: p.slug for p in people for r in p.records}
    return people, owner


def slug_leak_warnings(program: Program, published: set[str]) -> list[str]:
    """Record slugs are public URLs: warn when one spells a non-consenting candidate's name."""
    out = []
    for record in program.records:
        if record.slug not in published or record.candidate.consent_publish:
            continue
        tokens = [t for t in _ascii_slug(record.candidate.name).split("-") if len(t) >= 3]
        parts = record.slug.split("-")
        if any(t in parts for t in tokens):
            out.append(
                f"records/{record.slug}.md: the record slug appears in public URLs and seems to "
                f"contain the name of a candidate who did not consent to publication; rename it"
            )
    return out
