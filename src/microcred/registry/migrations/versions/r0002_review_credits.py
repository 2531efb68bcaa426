"""A review can grant credits: decisions.credits (the log) and credentials.granted_credits.

Revision ID: r0002
Revises: r0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "r0002"
down_revision = "r0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("credentials", sa.Column("granted_credits", sa.Float))
    op.add_column("decisions", sa.Column("credits", sa.Float))


def downgrade() -> None:
    with op.batch_alter_table("decisions") as batch:
        batch.drop_column("credits")
    with op.batch_alter_table("credentials") as batch:
        batch.drop_column("granted_credits")
