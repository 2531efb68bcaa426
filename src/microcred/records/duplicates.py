"""Likely duplicate records: the same person, the same brief, overlapping dates.

A copied record file would otherwise be issued as a second credential, and revoking the copy
later still leaves two entries in the person's history. The same person means the same
e-mail address (case-folded) or the same pseudonymous candidate id.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from microcred.errors import Problem
from microcred.model import Record


@dataclass(frozen=True)
class Placed:
    """A record with the file and line of its ``candidate`` field."""

    record: Record
    rel: str
    line: int | None


def _keys(record: Record) -> list[tuple[str, str, str]]:
    email = unicodedata.normalize("NFC", record.candidate.email).casefold()
    keys = [("e-mail", email, record.achievement)]
    if record.candidate.id:
        keys.append(("candidate id", record.candidate.id, record.achievement))
    return keys


def duplicate_problems(records: Iterable[Placed]) -> Iterator[Problem]:
    """One problem on every later file of a pair that looks like the same internship."""
    seen: dict[tuple[str, str, str], list[Placed]] = {}
    for item in sorted(records, key=lambda p: p.rel):
        reported = False
        for key in _keys(item.record):
            earlier = seen.setdefault(key, [])
            for other in earlier:
                a, b = item.record, other.record
                if reported or a.start_date > b.end_date or b.start_date > a.end_date:
                    continue
                reported = True
                yield Problem(
                    item.rel,
                    item.line,
                    "$.candidate",
                    f"looks like a duplicate of {other.rel}: same candidate ({key[0]}), same "
                    f"brief {a.achievement!r} and overlapping dates ({a.start_date}..{a.end_date}"
                    f" and {b.start_date}..{b.end_date}); delete the copy, or correct the "
                    "dates if the candidate really completed the brief twice",
                )
            earlier.append(item)
