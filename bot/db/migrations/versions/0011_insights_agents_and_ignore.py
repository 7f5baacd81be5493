"""insights: when an agent first wrote in a handed-off conversation (per-agent first
response), and review messages a supervisor marked as not needing a label (they leave
the review list, kept for retention and erasure like the others)

Revision ID: 0011
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("insight_conversations") as batch_op:
        batch_op.add_column(sa.Column("first_agent_reply_at", sa.DateTime(), nullable=True))
    with op.batch_alter_table("insight_review_messages") as batch_op:
        batch_op.add_column(sa.Column("ignored_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("ignored_by", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("insight_review_messages") as batch_op:
        batch_op.drop_column("ignored_by")
        batch_op.drop_column("ignored_at")
    with op.batch_alter_table("insight_conversations") as batch_op:
        batch_op.drop_column("first_agent_reply_at")
