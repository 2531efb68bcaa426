"""The registry's tables (SQLAlchemy Core). Migrations in ``migrations/versions`` create them.

* ``credentials``: one row per distinct credential *content* (``sha256`` is unique): the bytes,
  the full verification report, the verdict reached at import (never updated), the credits as
  the policy computed them and as the issuer stated them, learner, term, who and when.
  ``current_verdict`` is a cache of the latest decision so totals are one query.
* ``decisions``: the append-only log; every import, review and re-verification adds a row.
  A review may grant credits the policy could not compute (``credentials.granted_credits``
  caches it; the computed ``credits`` stay as they were).
* ``batches``: one row per import run (who, when, how many).
* ``transcripts``: CLR transcripts the school issued from the registry (issue 15 builds them).
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

batches = Table(
    "batches",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("started_at", String(32), nullable=False),
    Column("finished_at", String(32)),
    Column("imported_by", String(200)),
    Column("learner", String(320)),
    Column("term", String(100)),
    Column("policy_name", String(200)),
    Column("added", Integer, nullable=False, default=0),
)

credentials = Table(
    "credentials",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("sha256", String(64), nullable=False),
    Column("credential_id", String(2048)),
    Column("content", LargeBinary, nullable=False),
    Column("source", Text),
    Column("issuer", String(2048)),
    Column("issuer_name", Text),
    Column("trusted_name", Text),
    Column("achievement_id", String(2048)),
    Column("achievement", Text),
    Column("achievement_type", String(200)),
    Column("valid_from", String(40)),
    Column("valid_until", String(40)),
    Column("learner", String(320)),
    Column("term", String(100)),
    Column("result", String(16), nullable=False),
    Column("verdict", String(16), nullable=False),
    Column("current_verdict", String(16), nullable=False),
    Column("reasons", Text, nullable=False),
    Column("credits", Float),
    Column("credit_unit", String(100)),
    Column("granted_credits", Float),  # set by a review (r0002); counts instead of ``credits``
    Column("issuer_credits", Float),
    Column("issuer_credit_unit", String(100)),
    Column("policy_name", String(200)),
    Column("rule", String(200)),
    Column("report", Text, nullable=False),
    Column("imported_at", String(32), nullable=False),
    Column("imported_by", String(200)),
    Column("decided_by", String(200)),
    Column("batch_id", Integer, ForeignKey("batches.id")),
    UniqueConstraint("sha256", name="uq_credentials_sha256"),
    Index("ix_credentials_credential_id", "credential_id"),
    Index("ix_credentials_learner_term", "learner", "term"),
    Index("ix_credentials_current_verdict", "current_verdict"),
)

decisions = Table(
    "decisions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("credential", Integer, ForeignKey("credentials.id"), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("verdict", String(16), nullable=False),
    Column("reason", Text, nullable=False),
    Column("decided_by", String(200)),
    Column("decided_at", String(32), nullable=False),
    Column("report", Text),
    Column("credits", Float),  # credits a review granted (r0002)
    Index("ix_decisions_credential", "credential"),
)

transcripts = Table(
    "transcripts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("learner", String(320), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("credential_id", String(2048)),
    Column("content", LargeBinary, nullable=False),
    Column("term", String(100)),
    Column("issued_at", String(32), nullable=False),
    Column("issued_by", String(200)),
    Column("status", String(16), nullable=False, default="active"),
    UniqueConstraint("sha256", name="uq_transcripts_sha256"),
    Index("ix_transcripts_learner", "learner"),
    Index("ix_transcripts_status", "status"),
)


USER_GIVEN = frozenset({"learner", "term", "imported_by", "decided_by", "policy_name"})
"""Columns the school fills in itself: never clipped (a clipped learner id would name someone
else); the database refuses an over-long one with its own message."""


def fit(table: Table, values: dict[str, object]) -> dict[str, object]:
    """``values`` as every database stores them: strings clipped to their column's length and
    NUL characters replaced (PostgreSQL refuses both; SQLite would keep them). A credential's
    claims are written by anyone, and one 3,000-character id or a NUL in a name must not fail
    the whole import batch."""
    out: dict[str, object] = {}
    for key, value in values.items():
        if isinstance(value, str):
            value = value.replace("\x00", "\ufffd")
            length = getattr(table.c[key].type, "length", None) if key in table.c else None
            if length is not None and len(value) > length and key not in USER_GIVEN:
                value = value[: length - 1] + "\u2026"
        out[key] = value
    return out
