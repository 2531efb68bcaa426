"""Reading and amending the registry: exports, totals, manual review, re-verification.

The verdict reached at import is never changed: review and re-verification append to the
decision log, and ``current_verdict`` caches the latest entry so totals are one query. Exports
carry the DESIGN section 4 columns and nothing else: no salts, no e-mail addresses beyond the
learner id the school itself gave, no credential bytes.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from microcred._util import format_timestamp, loads_strict
from microcred.registry import schema
from microcred.registry.dburl import RegistryError
from microcred.registry.pool import verified
from microcred.registry.store import Registry
from microcred.verify import Source, VerifyOptions
from microcred.verify.report import REVOKED, SUSPENDED

EXPORT_COLUMNS = (
    "credential_id",
    "sha256",
    "issuer",
    "issuer_name",
    "achievement",
    "learner",
    "term",
    "credits",
    "credit_unit",
    "issuer_credits",
    "issuer_credit_unit",
    "verdict",
    "reasons",
    "imported_at",
    "decided_by",
)
CHUNK = 500
NEVER_ACCEPTED = ("invalid:", "revoked:", "suspended:", "recipient does not match")
"""Import reasons no review can override: a forged, revoked or someone else's credential is
never credited (a policy rejection, by contrast, is the school's own rule to waive)."""


def _later_decisions(conn: Any) -> dict[int, list[Any]]:
    d = schema.decisions
    out: dict[int, list[Any]] = {}
    for row in conn.execute(select(d).where(d.c.kind != "import").order_by(d.c.id)):
        out.setdefault(int(row.credential), []).append(row)
    return out


def export_rows(
    registry: Registry, *, learner: str | None = None, term: str | None = None
) -> Iterator[dict[str, Any]]:
    """One dict per imported credential (current verdict; reasons include later decisions).

    ``credits`` is what counts now: the policy's figure while accepted, else null.
    """
    c = schema.credentials
    query = select(
        c.c.id,
        c.c.credential_id,
        c.c.sha256,
        c.c.issuer,
        c.c.issuer_name,
        c.c.trusted_name,
        c.c.achievement,
        c.c.learner,
        c.c.term,
        func.coalesce(c.c.granted_credits, c.c.credits).label("credits"),
        c.c.credit_unit,
        c.c.issuer_credits,
        c.c.issuer_credit_unit,
        c.c.current_verdict,
        c.c.reasons,
        c.c.imported_at,
        c.c.decided_by,
    ).order_by(c.c.id)
    if learner is not None:
        query = query.where(c.c.learner == learner)
    if term is not None:
        query = query.where(c.c.term == term)
    with registry.read() as conn:
        later = _later_decisions(conn)
        for row in conn.execution_options(yield_per=CHUNK).execute(query):
            reasons = list(loads_strict(row.reasons))
            reasons += [
                f"{d.kind} by {d.decided_by or 'unknown'} on {d.decided_at}: "
                f"{d.verdict}: {d.reason}"
                for d in later.get(int(row.id), [])
            ]
            accepted = row.current_verdict == "accepted"
            yield {
                "credential_id": row.credential_id,
                "sha256": row.sha256,
                "issuer": row.issuer,
                "issuer_name": row.trusted_name or row.issuer_name,
                "achievement": row.achievement,
                "learner": row.learner,
                "term": row.term,
                "credits": row.credits if accepted else None,
                "credit_unit": row.credit_unit,
                "issuer_credits": row.issuer_credits,
                "issuer_credit_unit": row.issuer_credit_unit,
                "verdict": row.current_verdict,
                "reasons": reasons,
                "imported_at": row.imported_at,
                "decided_by": row.decided_by,
            }


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> Any:
    """A text cell a spreadsheet would run as a formula (``=HYPERLINK(...)`` as a forged
    badge's name) starts with an apostrophe instead (CSV injection); numbers stay numbers."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def write_csv(rows: Iterator[dict[str, Any]], out: io.TextIOBase | Any) -> int:
    writer = csv.DictWriter(out, fieldnames=EXPORT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    count = 0
    for row in rows:
        flat = dict(row)
        flat["reasons"] = ";".join(row["reasons"])
        flat = {k: ("" if v is None else _cell(v)) for k, v in flat.items()}
        writer.writerow(flat)
        count += 1
    return count


def write_json(rows: Iterator[dict[str, Any]], out: io.TextIOBase | Any) -> int:
    """A JSON array, one credential per line (streams; memory flat in the number of rows)."""
    count = 0
    out.write("[")
    for row in rows:
        out.write(("\n" if count == 0 else ",\n") + json.dumps(row, ensure_ascii=False))
        count += 1
    out.write("\n]\n" if count else "]\n")
    return count


def summary(registry: Registry, *, learner: str | None = None) -> list[dict[str, Any]]:
    """Per learner and term: credits recognised (by unit) and how many credentials per verdict."""
    c = schema.credentials
    query = select(
        c.c.learner,
        c.c.term,
        c.c.current_verdict,
        c.c.credit_unit,
        func.count().label("n"),
        func.coalesce(func.sum(func.coalesce(c.c.granted_credits, c.c.credits)), 0).label(
            "credits"
        ),
    ).group_by(c.c.learner, c.c.term, c.c.current_verdict, c.c.credit_unit)
    if learner is not None:
        query = query.where(c.c.learner == learner)
    groups: dict[tuple[str | None, str | None], dict[str, Any]] = {}
    with registry.read() as conn:
        for row in conn.execute(query):
            key = (row.learner, row.term)
            entry = groups.setdefault(
                key,
                {
                    "learner": row.learner,
                    "term": row.term,
                    "credits": {},
                    "accepted": 0,
                    "rejected": 0,
                    "needs_review": 0,
                },
            )
            entry[row.current_verdict] = entry.get(row.current_verdict, 0) + int(row.n)
            if row.current_verdict == "accepted" and row.credit_unit is not None:
                total = entry["credits"].get(row.credit_unit, 0.0) + float(row.credits)
                entry["credits"][row.credit_unit] = round(total, 6)
    return sorted(groups.values(), key=lambda e: (e["learner"] or "", e["term"] or ""))


def pending_review(registry: Registry) -> list[dict[str, Any]]:
    c = schema.credentials
    query = (
        select(
            c.c.id,
            c.c.credential_id,
            c.c.learner,
            c.c.term,
            c.c.issuer,
            c.c.achievement,
            c.c.credits,
            c.c.credit_unit,
            c.c.reasons,
            c.c.source,
        )
        .where(c.c.current_verdict == "needs_review")
        .order_by(c.c.id)
    )
    with registry.read() as conn:
        return [
            {**dict(r._mapping), "reasons": loads_strict(r.reasons)} for r in conn.execute(query)
        ]


def _find(conn: Any, ref: str) -> Any:
    c = schema.credentials
    if ref.isdigit():
        row = conn.execute(select(c).where(c.c.id == int(ref))).first()
    elif len(ref) >= 8 and all(ch in "0123456789abcdef" for ch in ref.lower()):
        rows = conn.execute(select(c).where(c.c.sha256.startswith(ref.lower())).limit(2)).all()
        if len(rows) > 1:
            raise RegistryError(f"{ref} matches several credentials", hint="give more digits")
        row = rows[0] if rows else None
    else:
        rows = conn.execute(select(c).where(c.c.credential_id == ref).limit(2)).all()
        if len(rows) > 1:
            raise RegistryError(
                f"{ref} is the id of several credentials", hint="use the row number instead"
            )
        row = rows[0] if rows else None
    if row is None:
        raise RegistryError(
            f"no credential {ref!r} in the registry",
            hint="use the row number `registry review` lists, a sha256 prefix or the credential id",
        )
    return row


def record_decision(
    registry: Registry,
    ref: str,
    verdict: str,
    reason: str,
    *,
    by: str | None,
    now: datetime,
    credits: float | None = None,
) -> dict[str, Any]:
    """Append a manual decision (accepted or rejected) for one credential; returns its row.

    ``credits`` (with an acceptance) grants that many credits in the row's unit, e.g. when the
    policy could not convert the issuer's unit; the policy's own figure is kept beside it."""
    if credits is not None and (verdict != "accepted" or not credits >= 0):
        raise RegistryError("--credits goes with --accept and must be a number of 0 or more")
    if verdict not in ("accepted", "rejected"):
        raise RegistryError(f"a review decides accepted or rejected, not {verdict!r}")
    if not reason.strip():
        raise RegistryError("a review decision needs a reason", hint='add --reason "…"')
    c, d = schema.credentials, schema.decisions
    stamp = format_timestamp(now)
    with registry.errors(), registry.write() as conn:
        row = _find(conn, ref)
        hard = [r for r in loads_strict(row.reasons) if r.startswith(NEVER_ACCEPTED)]
        if verdict == "accepted" and row.verdict == "rejected" and hard:
            raise RegistryError(
                f"row {row.id} cannot be accepted by review: {hard[0]}",
                hint="only a policy rejection can be overridden; ask the learner for a valid "
                "credential issued to them and import that",
            )
        conn.execute(
            d.insert().values(
                credential=row.id,
                kind="review",
                verdict=verdict,
                reason=reason.strip(),
                decided_by=by,
                decided_at=stamp,
                credits=credits,
            )
        )
        values: dict[str, Any] = {"current_verdict": verdict, "decided_by": by}
        if credits is not None:
            values["granted_credits"] = credits
        conn.execute(c.update().where(c.c.id == row.id).values(**values))
        return {
            "row": int(row.id),
            "credential_id": row.credential_id,
            "was": row.current_verdict,
            "verdict": verdict,
            "original": row.verdict,
            "credits": credits if credits is not None else row.credits,
            "credit_unit": row.credit_unit,
        }


@dataclass(frozen=True)
class Recheck:
    row: int
    credential_id: str | None
    learner: str | None
    was: str
    result: str
    flagged: bool
    detail: str


def reverify(
    registry: Registry,
    *,
    options: VerifyOptions,
    now: datetime,
    by: str | None = None,
    workers: int | None = None,
    progress: Callable[[int, str], None] | None = None,
    recorded_at: datetime | None = None,
) -> Iterator[Recheck]:
    """Verify every stored credential again; accepted ones now revoked or suspended are flagged
    ``needs_review`` in the decision log (one transaction for the run)."""
    c, d = schema.credentials, schema.decisions
    stamp = format_timestamp(recorded_at or now)
    with registry.errors(), registry.write() as conn:
        ids = [int(i) for i in conn.execute(select(c.c.id).order_by(c.c.id)).scalars()]

        def sources() -> Iterator[tuple[Source, bool]]:
            # The recipient is not checked again: it is fixed by the bytes, matched at import.
            for start in range(0, len(ids), CHUNK):
                chunk = ids[start : start + CHUNK]
                query = select(c.c.id, c.c.content).where(c.c.id.in_(chunk))
                for row in conn.execute(query.order_by(c.c.id)).all():
                    yield Source(f"row {row.id}", bytes(row.content)), True

        for number, (source, report, _facts) in enumerate(
            verified(sources(), now=now, options=options, workers=workers), start=1
        ):
            if progress is not None:
                progress(number, source.path)
            assert report is not None
            row_id = int(source.path.split()[1])
            row = conn.execute(
                select(c.c.credential_id, c.c.learner, c.c.current_verdict).where(c.c.id == row_id)
            ).one()
            status = report.check("status")
            codes = {p.code for p in status.problems} if status is not None else set()
            revoked = (
                status is not None
                and status.outcome == "failed"
                and bool(codes & {REVOKED, SUSPENDED})
            )
            flagged = revoked and row.current_verdict == "accepted"
            problem = report.first_problem()
            detail = problem.detail if problem else (status.note if status else "")
            if flagged:
                conn.execute(
                    d.insert().values(
                        credential=row_id,
                        kind="reverify",
                        verdict="needs_review",
                        reason=f"revoked or suspended since it was accepted: {detail}",
                        decided_by=by or "reverify",
                        decided_at=stamp,
                        report=json.dumps(report.to_json(), ensure_ascii=False),
                    )
                )
                conn.execute(
                    c.update()
                    .where(c.c.id == row_id)
                    .values(current_verdict="needs_review", decided_by=by or "reverify")
                )
            yield Recheck(
                row_id,
                row.credential_id,
                row.learner,
                row.current_verdict,
                "revoked" if revoked else report.result,
                flagged,
                detail,
            )
