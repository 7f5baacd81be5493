"""review messages keep the keyed hash of their conversation, so erasing an account
removes its misunderstood messages too

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("insight_review_messages") as batch_op:
        batch_op.add_column(sa.Column("conversation_key", sa.String(length=64), nullable=True))
        batch_op.create_index(
            "ix_insight_review_messages_conversation_key", ["conversation_key"]
        )


def downgrade() -> None:
    with op.batch_alter_table("insight_review_messages") as batch_op:
        batch_op.drop_index("ix_insight_review_messages_conversation_key")
        batch_op.drop_column("conversation_key")
