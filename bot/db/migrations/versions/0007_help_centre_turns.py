"""help centre turns: each message the help centre was searched for, the article
given (or none) and the customer's yes / no, for Insights (no text but the scrubbed
question, no sender ID but its keyed hash)

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "help_centre_turns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("conversation_key", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("intent", sa.String(length=64), nullable=False),
        sa.Column("question", sa.String(length=300), nullable=False),
        sa.Column("answered", sa.Boolean(), nullable=False),
        sa.Column("article_id", sa.String(length=128), nullable=True),
        sa.Column("topic", sa.String(length=64), nullable=True),
        sa.Column("article_language", sa.String(length=2), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("helpful", sa.Boolean(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_help_centre_turns_at", "help_centre_turns", ["at"])
    op.create_index(
        "ix_help_centre_turns_conversation_key", "help_centre_turns", ["conversation_key"]
    )


def downgrade() -> None:
    op.drop_index("ix_help_centre_turns_conversation_key", table_name="help_centre_turns")
    op.drop_index("ix_help_centre_turns_at", table_name="help_centre_turns")
    op.drop_table("help_centre_turns")
