"""conversation messages: every message sent to the chat widget (bot, agent, system
notice), scrubbed, numbered per conversation, so a widget that was away fetches what it
missed (no sender ID but its keyed hash)

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "conversation_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_key", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("conversation_key", "seq", name="uq_conversation_messages_key_seq"),
    )
    op.create_index("ix_conversation_messages_at", "conversation_messages", ["at"])


def downgrade() -> None:
    op.drop_index("ix_conversation_messages_at", table_name="conversation_messages")
    op.drop_table("conversation_messages")
