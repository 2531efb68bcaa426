"""Schema-valid data -> model objects, with every ModelError mapped back onto a JSON path.

Each sub-object is built on its own so one run reports every invalid part of a file, not only
the first. Inputs here have passed the JSON Schema, so shapes and types are known.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeVar

from microcred._util import parse_date
from microcred._util import parse_record_datetime as parse_datetime
from microcred._util import slugify as _slugify
from microcred.model import (
    Achievement,
    Candidate,
    Credits,
    Evidence,
    Identity,
    Issuer,
    Mentor,
    ModelError,
    Outcome,
    Record,
    Rubric,
    RubricCriterion,
    RubricLevel,
    RubricResult,
    SiteSettings,
    Skill,
    Stipend,
)
from microcred.records.paths import Path_, join

T = TypeVar("T")


class Collector:
    """Gathers ``(json path, message)`` problems while building one file."""

    def __init__(self) -> None:
        self.problems: list[tuple[Path_, str]] = []

    def make(self, prefix: Path_, factory: Callable[..., T], **kwargs: Any) -> T | None:
        try:
            return factory(**kwargs)
        except ModelError as exc:
            self.problems.append((join(prefix, exc.field), exc.message))
            return None

    def add(self, path: Path_, message: str) -> None:
        self.problems.append((path, message))


def _decimal(value: int | Decimal) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(value)


def _date(value: str | None) -> dt.date | None:
    return None if value is None else parse_date(value)


def slugify(text: str) -> str | None:
    """A safe ASCII slug for ``text`` (``"Søren Ødegård"`` -> ``soren-odegard``), or None."""
    return _slugify(text) or None


def candidate_slug(
    *, explicit: str | None, name: str, pseudonym: str | None, consent: bool, record: str
) -> str:
    """The portfolio page name: never the raw name, and the name only with consent.

    An explicit ``candidate.slug`` wins; a consenting candidate gets their name slugified;
    otherwise a pseudonymous id gives a stable hash, and failing that the record's own slug.
    """
    if explicit is not None:
        return explicit
    if consent:
        from_name = slugify(name)
        if from_name is not None:
            return from_name
    if pseudonym is not None:
        return "id-" + hashlib.sha256(pseudonym.encode("utf-8")).hexdigest()[:16]
    return record


# --------------------------------------------------------------------------- program


def build_program_settings(
    data: dict[str, Any], col: Collector
) -> tuple[Issuer, SiteSettings] | None:
    raw_identity = data.get("identity", {"kind": "did-key"})
    identity = col.make(
        ("identity",), Identity, kind=raw_identity["kind"], did=raw_identity.get("did")
    )
    raw_issuer = data["issuer"]
    issuer = None
    if identity is not None:
        issuer = col.make(
            ("issuer",),
            Issuer,
            name=raw_issuer["name"],
            url=raw_issuer["url"],
            description=raw_issuer.get("description", ""),
            email=raw_issuer.get("email"),
            image=raw_issuer.get("image"),
            identity=identity,
        )
    raw_site = data["site"]
    site_kwargs: dict[str, Any] = {
        "base_url": raw_site["base_url"],
        "title": raw_site.get("title"),
        "suspension": raw_site.get("suspension", False),
    }
    if "status_list_size" in raw_site:
        size = raw_site["status_list_size"]
        if not isinstance(size, int) or isinstance(size, bool):
            # JSON Schema counts 131072.0 as an integer; a status list needs a whole count.
            col.add(
                ("site", "status_list_size"),
                f"must be a whole number of bits written without a decimal point, "
                f"e.g. 131072 (not {size})",
            )
            return None
        site_kwargs["status_list_size"] = size
    site = col.make(("site",), SiteSettings, **site_kwargs)
    if issuer is None or site is None:
        return None
    return issuer, site


# --------------------------------------------------------------------------- briefs


def build_achievement(
    slug: str, data: dict[str, Any], body: str, source: str, col: Collector
) -> Achievement | None:
    criteria: list[RubricCriterion] = []
    ok = True
    for i, raw_c in enumerate(data["rubric"]["criteria"]):
        where: Path_ = ("rubric", "criteria", i)
        levels = [
            col.make(
                (*where, "levels", j),
                RubricLevel,
                id=lv["id"],
                name=lv["name"],
                points=lv["points"],
                description=lv.get("description", ""),
            )
            for j, lv in enumerate(raw_c["levels"])
        ]
        built = [lv for lv in levels if lv is not None]
        if len(built) != len(levels):
            ok = False
            continue
        crit = col.make(
            where,
            RubricCriterion,
            id=raw_c["id"],
            name=raw_c["name"],
            description=raw_c.get("description", ""),
            levels=tuple(built),
        )
        if crit is None:
            ok = False
        else:
            criteria.append(crit)
    rubric = None
    if ok:
        rubric = col.make(
            ("rubric",),
            Rubric,
            criteria=tuple(criteria),
            passing_points=data["rubric"].get("passing_points"),
        )
    skills = [
        col.make(
            ("skills", i),
            Skill,
            name=s["name"],
            framework=s.get("framework"),
            url=s.get("url"),
            code=s.get("code"),
        )
        for i, s in enumerate(data.get("skills", []))
    ]
    credits = stipend = None
    if "credits" in data:
        raw = data["credits"]
        credits = col.make(("credits",), Credits, amount=_decimal(raw["amount"]), unit=raw["unit"])
        ok = ok and credits is not None
    if "stipend" in data:
        raw = data["stipend"]
        stipend = col.make(
            ("stipend",),
            Stipend,
            amount=_decimal(raw["amount"]),
            currency=raw["currency"],
            period=raw["period"],
        )
        ok = ok and stipend is not None
    unpaid = data.get("unpaid", False) is True
    if "stipend" not in data and not unpaid:
        col.add(
            ("stipend",),
            "no stipend stated: add 'stipend:' (amount, currency, period) or, if the work is "
            "unpaid, 'unpaid: true', so the site can say what the brief pays",
        )
        ok = False
    elif unpaid and "stipend" in data and data["stipend"].get("amount", 0) > 0:
        col.add(("unpaid",), "unpaid: true, but the brief also states a stipend above 0")
        ok = False
    if not ok or rubric is None or any(s is None for s in skills):
        return None
    return col.make(
        (),
        Achievement,
        slug=slug,
        name=data["name"],
        achievement_type=data.get("achievementType", "Achievement"),
        description=data["description"],
        criteria=data["criteria"],
        rubric=rubric,
        skills=tuple(s for s in skills if s is not None),
        credits=credits,
        expected_hours=data.get("expected_hours"),
        duration_days=data.get("duration_days"),
        stipend=stipend,
        unpaid=unpaid,
        task=data.get("task", ""),
        body=body,
        image=data.get("image"),
        tags=tuple(data.get("tags", [])),
        version=str(data.get("version", "1")),
        source=source,
        open=data.get("open", False),
    )


# --------------------------------------------------------------------------- records


def build_record(
    slug: str, data: dict[str, Any], body: str, source: str, col: Collector
) -> Record | None:
    raw_c = data["candidate"]
    consent = raw_c.get("consent_publish", False)
    cslug = candidate_slug(
        explicit=raw_c.get("slug"),
        name=raw_c["name"],
        pseudonym=raw_c.get("id"),
        consent=consent,
        record=slug,
    )
    candidate = col.make(
        ("candidate",),
        Candidate,
        name=raw_c["name"],
        email=raw_c["email"],
        id=raw_c.get("id"),
        consent_publish=consent,
        slug=cslug,
    )
    raw_m = data["mentor"]
    mentor = col.make(("mentor",), Mentor, name=raw_m["name"], role=raw_m.get("role"))
    results = [
        col.make(
            ("results", i),
            RubricResult,
            criterion=r["criterion"],
            level=r["level"],
            comment=r.get("comment", ""),
        )
        for i, r in enumerate(data.get("results", []))
    ]
    evidence = [
        col.make(
            ("evidence", i),
            Evidence,
            url=e["url"],
            name=e["name"],
            narrative=e.get("narrative", ""),
            genre=e.get("genre"),
        )
        for i, e in enumerate(data.get("evidence", []))
    ]
    raw_o = data.get("outcome", {})
    outcome = col.make(
        ("outcome",),
        Outcome,
        offer_made=raw_o.get("offer_made", False),
        offer_date=_date(raw_o.get("offer_date")),
        offer_accepted=raw_o.get("offer_accepted"),
        accepted_date=_date(raw_o.get("accepted_date")),
        first_delivery_date=_date(raw_o.get("first_delivery_date")),
    )
    parts: list[Any] = [candidate, mentor, outcome, *results, *evidence]
    if any(p is None for p in parts) or candidate is None or mentor is None or outcome is None:
        return None
    start, end = _date(data["start_date"]), _date(data["end_date"])
    if start is None or end is None:  # pragma: no cover - the schema checked the format
        return None
    awarded = parse_datetime(data["awarded"]) if "awarded" in data else None
    latest = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    if awarded is not None and awarded > latest:
        col.add(
            ("awarded",),
            f"{data['awarded']} is in the future; a credential is awarded once the work is "
            "done: write the real date and time, e.g. 2026-03-16T15:30:00Z",
        )
        return None
    if data.get("status", "completed") == "completed" and end > latest.date():
        col.add(("end_date",), f"{end} is in the future, but the record says completed")
        return None
    demographics = tuple(sorted((k, _plain(v)) for k, v in data.get("demographics", {}).items()))
    return col.make(
        (),
        Record,
        slug=slug,
        candidate=candidate,
        achievement=data["achievement"],
        start_date=start,
        end_date=end,
        hours=_decimal(data["hours"]),
        mentor=mentor,
        status=data.get("status", "completed"),
        results=tuple(r for r in results if r is not None),
        evidence=tuple(e for e in evidence if e is not None),
        outcome=outcome,
        awarded=awarded,
        narrative=body,
        cohort=data.get("cohort"),
        demographics=demographics,
        source=source,
    )


def _plain(value: str | int | bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
