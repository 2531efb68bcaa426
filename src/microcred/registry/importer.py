"""``microcred import``: sources -> verify (every core) -> trust + recipient + policy -> registry.

One import is one transaction holding the registry's writer lock: killed half-way, the
registry is as before; finished, it holds every row. Rows are keyed by the sha256 of the
credential bytes, so importing the same file again adds nothing. Outcomes stream out in
source order while the transaction is open; the caller sees them committed when the
generator finishes (or nothing, on a dry run).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from itertools import chain, islice
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import Connection, bindparam, func, select

from microcred._util import format_timestamp, loads_strict
from microcred.errors import MicrocredError
from microcred.registry import schema
from microcred.registry.decide import Decision, Totals, decide
from microcred.registry.facts import Facts
from microcred.registry.policy import Policy
from microcred.registry.pool import PARALLEL_THRESHOLD, start_pool, verified, wants_pool
from microcred.registry.store import Registry
from microcred.registry.trustlist import Window
from microcred.verify import Source, VerificationReport, VerifyOptions, discover

Status = Literal["added", "already_imported", "skipped"]
LOOKUP = 64
"""Sources whose digests are looked up in the registry with one query."""


@dataclass(frozen=True)
class ImportRequest:
    paths: Sequence[Path]
    policy: Policy
    now: datetime
    options: VerifyOptions = field(default_factory=VerifyOptions)
    windows: Mapping[str, Window] = field(default_factory=dict)
    learner: str | None = None
    term: str | None = None
    by: str | None = None
    dry_run: bool = False
    workers: int | None = None
    recorded_at: datetime | None = None
    """When the rows are written (the audit time); ``now`` is the verification time."""


@dataclass(frozen=True)
class Outcome:
    """What happened to one source (``verdict`` is None for skipped sources)."""

    path: str
    status: Status
    verdict: str | None
    reasons: tuple[str, ...]
    sha256: str | None = None
    row: int | None = None
    credential_id: str | None = None
    issuer: str | None = None
    achievement: str | None = None
    credits: float | None = None
    credit_unit: str | None = None
    issuer_credits: float | None = None
    issuer_credit_unit: str | None = None
    learner: str | None = None
    term: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "status": self.status,
            "verdict": self.verdict,
            "reasons": list(self.reasons),
            "credential_id": self.credential_id,
            "sha256": self.sha256,
            "row": self.row,
            "issuer": self.issuer,
            "achievement": self.achievement,
            "learner": self.learner,
            "term": self.term,
            "credits": self.credits,
            "credit_unit": self.credit_unit,
            "issuer_credits": self.issuer_credits,
            "issuer_credit_unit": self.issuer_credit_unit,
        }


def _bytes(raw: bytes | str) -> bytes:
    return raw if isinstance(raw, bytes) else raw.encode("utf-8", "surrogatepass")


def _skip_reason(report: VerificationReport, facts: Facts) -> str | None:
    """Why a source is not a credential at all (listed as skipped, not recorded), or None."""
    if facts.is_credential:
        return None
    parse = report.check("parse")
    if parse is not None and parse.outcome != "passed" and parse.problems:
        return f"not a credential: {parse.problems[0].detail}"
    return "not a credential: JSON without @context or a VerifiableCredential type"


def _report_json(report: VerificationReport) -> str:
    data = report.to_json()
    data["checked_at"] = report.checked_at
    data["issuer_name"] = report.issuer_name
    data["trusted_name"] = report.trusted_name
    summary: Any = getattr(report, "summary", None)
    if callable(getattr(summary, "to_json", None)):
        summary = summary.to_json()
    if isinstance(summary, Mapping):
        data["summary"] = dict(summary)
    return json.dumps(data, ensure_ascii=False, sort_keys=False)


class _Batch:
    """Database side of one import, inside its transaction."""

    def __init__(self, conn: Connection, request: ImportRequest, stamp: str) -> None:
        self.conn = conn
        self.request = request
        self.stamp = stamp
        self.added = 0
        self.totals = Totals(self._accepted_total)
        key = conn.execute(
            schema.batches.insert().values(
                started_at=stamp,
                imported_by=request.by,
                learner=request.learner,
                term=request.term,
                policy_name=request.policy.name,
                added=0,
            )
        ).inserted_primary_key
        assert key is not None
        self.batch_id = int(key[0])
        # Statements built once: parameters travel separately, so SQLAlchemy compiles each
        # statement a single time per batch (building them per row dominated the parent's CPU).
        c = schema.credentials
        self._insert = c.insert()
        self._log = schema.decisions.insert()
        self._existing = select(
            c.c.id,
            c.c.current_verdict,
            c.c.credential_id,
            c.c.issuer,
            c.c.achievement,
            c.c.learner,
            c.c.term,
            c.c.credits,
            c.c.credit_unit,
            c.c.issuer_credits,
            c.c.issuer_credit_unit,
        ).where(c.c.sha256 == bindparam("digest"))
        self._same_id = (
            select(c.c.id).where(c.c.credential_id == bindparam("cid")).order_by(c.c.id).limit(1)
        )

    def _accepted_total(self, learner: str | None, term: str | None, issuer: str | None) -> Decimal:
        c = schema.credentials
        counted = func.coalesce(c.c.granted_credits, c.c.credits)
        query = select(func.coalesce(func.sum(counted), 0)).where(
            c.c.learner.is_(None) if learner is None else c.c.learner == learner,
            c.c.term.is_(None) if term is None else c.c.term == term,
            c.c.current_verdict == "accepted",
        )
        if issuer is not None:
            query = query.where(c.c.issuer == issuer)
        return Decimal(str(self.conn.execute(query).scalar_one()))

    def existing(self, digest: str) -> Any:
        """The stored row with these bytes (without the bytes), or None."""
        return self.conn.execute(self._existing, {"digest": digest}).first()

    def known(self, digests: list[str]) -> set[str]:
        """Which of these digests the registry already holds."""
        if not digests:
            return set()
        c = schema.credentials
        query = select(c.c.sha256).where(c.c.sha256.in_(bindparam("digests", expanding=True)))
        return set(self.conn.execute(query, {"digests": digests}).scalars())

    def twin(self, credential_id: str, content: bytes) -> Any:
        """A stored credential with this id and the same JSON written differently (a baked
        image's copy of a file already imported, re-indented...), or None."""
        c = schema.credentials
        query = select(c.c.sha256, c.c.content).where(
            c.c.credential_id == _stored_id(credential_id)
        )
        try:
            mine = loads_strict(content)
        except MicrocredError:
            return None
        for row in self.conn.execute(query.limit(20)):
            try:
                if loads_strict(bytes(row.content)) == mine:
                    return self.existing(row.sha256)
            except MicrocredError:
                continue
        return None

    def same_id(self, credential_id: str | None) -> int | None:
        if credential_id is None:
            return None
        found = self.conn.execute(self._same_id, {"cid": _stored_id(credential_id)}).scalar()
        return int(found) if found is not None else None

    def record(
        self,
        source: Source,
        content: bytes,
        digest: str,
        report: VerificationReport,
        facts: Facts,
        decision: Decision,
    ) -> int:
        req = self.request
        reasons = json.dumps(decision.reasons, ensure_ascii=False)
        key = self.conn.execute(
            self._insert,
            schema.fit(
                schema.credentials,
                {
                    "sha256": digest,
                    "credential_id": facts.credential_id,
                    "content": content,
                    "source": source.path,
                    "issuer": facts.issuer or report.issuer,
                    "issuer_name": facts.issuer_name,
                    "trusted_name": report.trusted_name,
                    "achievement_id": facts.achievement_id,
                    "achievement": facts.achievement,
                    "achievement_type": facts.achievement_type,
                    "valid_from": facts.valid_from,
                    "valid_until": facts.valid_until,
                    "learner": req.learner,
                    "term": req.term,
                    "result": report.result,
                    "verdict": decision.verdict,
                    "current_verdict": decision.verdict,
                    "reasons": reasons,
                    "credits": float(decision.credits) if decision.credits is not None else None,
                    "credit_unit": decision.credit_unit,
                    "issuer_credits": facts.credits,
                    "issuer_credit_unit": facts.credit_unit,
                    "policy_name": req.policy.name,
                    "rule": decision.rule,
                    "report": _report_json(report),
                    "imported_at": self.stamp,
                    "imported_by": req.by,
                    "decided_by": req.by,
                    "batch_id": self.batch_id,
                },
            ),
        ).inserted_primary_key
        assert key is not None
        row = int(key[0])
        self.conn.execute(
            self._log,
            schema.fit(
                schema.decisions,
                {
                    "credential": row,
                    "kind": "import",
                    "verdict": decision.verdict,
                    "reason": "; ".join(decision.reasons) or "accepted",
                    "decided_by": req.by,
                    "decided_at": self.stamp,
                },
            ),
        )
        self.added += 1
        return row

    def finish(self) -> None:
        b = schema.batches
        self.conn.execute(
            b.update()
            .where(b.c.id == self.batch_id)
            .values(finished_at=self.stamp, added=self.added)
        )


def _stored_id(credential_id: str) -> object:
    """A credential id as the registry stores it (clipped, no NUL): lookups must match it."""
    return schema.fit(schema.credentials, {"credential_id": credential_id})["credential_id"]


def import_sources(
    registry: Registry,
    request: ImportRequest,
    progress: Callable[[int, str], None] | None = None,
) -> Iterator[Outcome]:
    """Verify, decide and record every credential under ``request.paths`` (one transaction)."""
    stamp = format_timestamp(request.recorded_at or request.now)
    options = request.options
    stream = discover(request.paths, options)
    head = list(islice(stream, PARALLEL_THRESHOLD))  # enough to know whether a pool pays
    workers = wants_pool(head, request.workers)
    pool = start_pool(workers, options, request.now, registry.engine.dispose) if workers else None
    try:
        yield from _run(registry, request, chain(head, stream), stamp, pool, workers, progress)
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


def _run(
    registry: Registry,
    request: ImportRequest,
    stream: Iterator[Source],
    stamp: str,
    pool: ProcessPoolExecutor | None,
    workers: int,
    progress: Callable[[int, str], None] | None,
) -> Iterator[Outcome]:
    """The import proper, in one transaction; ``workers`` 0 means no pool: verify here."""
    with registry.errors(), registry.write(commit=not request.dry_run) as conn:
        batch = _Batch(conn, request, stamp)
        seen: dict[str, int] = {}

        def jobs() -> Iterator[tuple[Source, bool]]:
            """Bytes already in the registry are not verified again (a re-import is cheap);
            they are looked up LOOKUP sources at a time."""
            while chunk := list(islice(stream, LOOKUP)):
                digests = [
                    hashlib.sha256(_bytes(s.raw)).hexdigest() if s.raw is not None else None
                    for s in chunk
                ]
                known = batch.known([d for d in digests if d is not None])
                for source, digest in zip(chunk, digests, strict=True):
                    yield source, digest is not None and digest not in known

        verifier = verified(
            jobs(), now=request.now, options=request.options, workers=workers, pool=pool
        )
        for done, (source, report, facts) in enumerate(verifier, start=1):
            if progress is not None:
                progress(done, source.path)
            yield _one(batch, request, source, report, facts, seen)
        batch.finish()


def _one(
    batch: _Batch,
    request: ImportRequest,
    source: Source,
    report: VerificationReport | None,
    facts: Facts | None,
    seen: dict[str, int],
) -> Outcome:
    if source.raw is None:
        detail = source.read_error.detail if source.read_error else "nothing to read"
        return Outcome(source.path, "skipped", None, (f"not a credential: {detail}",))
    skip = _skip_reason(report, facts) if report is not None and facts else None
    if skip is not None:
        return Outcome(source.path, "skipped", None, (skip,))
    content = _bytes(source.raw)
    digest = hashlib.sha256(content).hexdigest()
    # A source sent for verification was not in the registry when sent: only this batch can
    # have added its bytes since (``seen``); skipped sources were already there.
    known = batch.existing(digest) if report is None or digest in seen else None
    what = "the same bytes are"
    same_id = batch.same_id(facts.credential_id) if known is None and facts else None
    if same_id is not None and facts is not None and facts.credential_id is not None:
        known = batch.twin(facts.credential_id, content)
        what = "the same credential (written differently) is"
    if known is not None:
        where = "earlier in this import" if digest in seen else f"registry row {known.id}"
        verdict = str(known.current_verdict)
        return Outcome(
            source.path,
            "already_imported",
            verdict,
            (f"already imported: {what} {where} (verdict {verdict})",),
            sha256=digest,
            row=int(known.id),
            credential_id=known.credential_id,
            issuer=known.issuer,
            achievement=known.achievement,
            credits=known.credits if verdict == "accepted" else None,
            credit_unit=known.credit_unit,
            issuer_credits=known.issuer_credits,
            issuer_credit_unit=known.issuer_credit_unit,
            learner=known.learner,
            term=known.term,
        )
    if report is None or facts is None:
        raise AssertionError("a source was not verified but its bytes are not in the registry")
    assert report is not None and facts is not None
    decision = decide(
        report,
        facts,
        request.policy,
        learner=request.learner,
        term=request.term,
        window=request.windows.get(facts.issuer or ""),
        same_id=same_id,
        totals=batch.totals,
    )
    row = batch.record(source, content, digest, report, facts, decision)
    seen[digest] = row
    return Outcome(
        source.path,
        "added",
        decision.verdict,
        tuple(decision.reasons),
        sha256=digest,
        row=row,
        credential_id=facts.credential_id,
        issuer=facts.issuer or report.issuer,
        achievement=facts.achievement,
        credits=float(decision.credits) if decision.credits is not None else None,
        credit_unit=decision.credit_unit,
        issuer_credits=facts.credits,
        issuer_credit_unit=facts.credit_unit,
        learner=request.learner,
        term=request.term,
    )
