"""insights: one row per conversation (session) with its outcome facts, the tracker
event the figures were last read up to, misunderstood messages for review, and
supervisor agents

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "insight_conversations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_key", sa.String(length=64), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("last_event_at", sa.DateTime(), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=True),
        sa.Column("user_messages", sa.Integer(), nullable=False),
        sa.Column("fallbacks", sa.Integer(), nullable=False),
        sa.Column("ended_on_fallback", sa.Boolean(), nullable=False),
        sa.Column("intents", sa.JSON(), nullable=False),
        sa.Column("flow_finished_at", sa.DateTime(), nullable=True),
        sa.Column("confirmed", sa.Boolean(), nullable=False),
        sa.Column("came_back", sa.Boolean(), nullable=False),
        sa.Column("handed_off_at", sa.DateTime(), nullable=True),
        sa.Column("handoff_topic", sa.String(length=64), nullable=True),
        sa.Column("agent_claimed_at", sa.DateTime(), nullable=True),
        sa.Column("handed_back_at", sa.DateTime(), nullable=True),
        sa.Column("helped", sa.Boolean(), nullable=True),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("in_form", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_insight_conversations_key_started", "insight_conversations",
        ["conversation_key", "started_at"],
    )  # fmt: skip
    op.create_index("ix_insight_conversations_started_at", "insight_conversations", ["started_at"])
    cursor = op.create_table(
        "insight_cursors",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("last_event_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.bulk_insert(cursor, [{"name": "tracker_events", "last_event_id": 0}])
    op.create_table(
        "insight_review_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=True),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("text", sa.String(length=300), nullable=False),
        sa.Column("predicted_intent", sa.String(length=64), nullable=False),
        sa.Column("best_guess", sa.String(length=64), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("labelled_intent", sa.String(length=64), nullable=True),
        sa.Column("labelled_by", sa.String(length=64), nullable=True),
        sa.Column("labelled_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_insight_review_messages_at", "insight_review_messages", ["at"])
    with op.batch_alter_table("agents") as batch_op:
        batch_op.add_column(
            sa.Column("supervisor", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("agents") as batch_op:
        batch_op.drop_column("supervisor")
    op.drop_index("ix_insight_review_messages_at", "insight_review_messages")
    op.drop_table("insight_review_messages")
    op.drop_table("insight_cursors")
    op.drop_index("ix_insight_conversations_started_at", "insight_conversations")
    op.drop_index("ix_insight_conversations_key_started", "insight_conversations")
    op.drop_table("insight_conversations")
