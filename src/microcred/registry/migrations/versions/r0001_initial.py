"""Initial registry: batches, credentials, the append-only decision log, transcripts.

Revision ID: r0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "r0001"
down_revision = None
branch_labels = None
depends_on = None

_PG_GUARD = """
CREATE FUNCTION microcred_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'the decision log is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER decisions_append_only BEFORE UPDATE OR DELETE ON decisions
  FOR EACH ROW EXECUTE FUNCTION microcred_append_only();
"""
_SQLITE_GUARD = (
    "CREATE TRIGGER decisions_no_update BEFORE UPDATE ON decisions "
    "BEGIN SELECT RAISE(ABORT, 'the decision log is append-only'); END",
    "CREATE TRIGGER decisions_no_delete BEFORE DELETE ON decisions "
    "BEGIN SELECT RAISE(ABORT, 'the decision log is append-only'); END",
)


def upgrade() -> None:
    op.create_table(
        "batches",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("started_at", sa.String(32), nullable=False),
        sa.Column("finished_at", sa.String(32)),
        sa.Column("imported_by", sa.String(200)),
        sa.Column("learner", sa.String(320)),
        sa.Column("term", sa.String(100)),
        sa.Column("policy_name", sa.String(200)),
        sa.Column("added", sa.Integer, nullable=False),
    )
    op.create_table(
        "credentials",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("credential_id", sa.String(2048)),
        sa.Column("content", sa.LargeBinary, nullable=False),
        sa.Column("source", sa.Text),
        sa.Column("issuer", sa.String(2048)),
        sa.Column("issuer_name", sa.Text),
        sa.Column("trusted_name", sa.Text),
        sa.Column("achievement_id", sa.String(2048)),
        sa.Column("achievement", sa.Text),
        sa.Column("achievement_type", sa.String(200)),
        sa.Column("valid_from", sa.String(40)),
        sa.Column("valid_until", sa.String(40)),
        sa.Column("learner", sa.String(320)),
        sa.Column("term", sa.String(100)),
        sa.Column("result", sa.String(16), nullable=False),
        sa.Column("verdict", sa.String(16), nullable=False),
        sa.Column("current_verdict", sa.String(16), nullable=False),
        sa.Column("reasons", sa.Text, nullable=False),
        sa.Column("credits", sa.Float),
        sa.Column("credit_unit", sa.String(100)),
        sa.Column("issuer_credits", sa.Float),
        sa.Column("issuer_credit_unit", sa.String(100)),
        sa.Column("policy_name", sa.String(200)),
        sa.Column("rule", sa.String(200)),
        sa.Column("report", sa.Text, nullable=False),
        sa.Column("imported_at", sa.String(32), nullable=False),
        sa.Column("imported_by", sa.String(200)),
        sa.Column("decided_by", sa.String(200)),
        sa.Column("batch_id", sa.Integer, sa.ForeignKey("batches.id")),
        sa.UniqueConstraint("sha256", name="uq_credentials_sha256"),
    )
    op.create_index("ix_credentials_credential_id", "credentials", ["credential_id"])
    op.create_index("ix_credentials_learner_term", "credentials", ["learner", "term"])
    op.create_index("ix_credentials_current_verdict", "credentials", ["current_verdict"])
    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("credential", sa.Integer, sa.ForeignKey("credentials.id"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("verdict", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("decided_by", sa.String(200)),
        sa.Column("decided_at", sa.String(32), nullable=False),
        sa.Column("report", sa.Text),
    )
    op.create_index("ix_decisions_credential", "decisions", ["credential"])
    op.create_table(
        "transcripts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("learner", sa.String(320), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("credential_id", sa.String(2048)),
        sa.Column("content", sa.LargeBinary, nullable=False),
        sa.Column("term", sa.String(100)),
        sa.Column("issued_at", sa.String(32), nullable=False),
        sa.Column("issued_by", sa.String(200)),
        sa.Column("status", sa.String(16), nullable=False),
        sa.UniqueConstraint("sha256", name="uq_transcripts_sha256"),
    )
    op.create_index("ix_transcripts_learner", "transcripts", ["learner"])
    op.create_index("ix_transcripts_status", "transcripts", ["status"])
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(_PG_GUARD)
    elif dialect == "sqlite":
        for statement in _SQLITE_GUARD:
            op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP TRIGGER decisions_append_only ON decisions")
        op.execute("DROP FUNCTION microcred_append_only()")
    for table in ("transcripts", "decisions", "credentials", "batches"):
        op.drop_table(table)
