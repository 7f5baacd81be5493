"""handoff desk: agents, ticket account link and webhook state, account passwords

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "agents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=80), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("languages", sa.String(length=32), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("username"),
    )
    with op.batch_alter_table("handoff_tickets") as batch_op:
        batch_op.add_column(sa.Column("account_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("closed_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("webhook_status", sa.String(length=16), nullable=True))
        batch_op.add_column(
            sa.Column("webhook_attempts", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.create_foreign_key(
            "fk_handoff_tickets_account_id", "accounts", ["account_id"], ["id"],
            ondelete="SET NULL",
        )  # fmt: skip
        batch_op.create_index("ix_handoff_tickets_status", ["status"])
    with op.batch_alter_table("accounts") as batch_op:
        batch_op.add_column(sa.Column("password_hash", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("password_changed_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("accounts") as batch_op:
        batch_op.drop_column("password_changed_at")
        batch_op.drop_column("password_hash")
    with op.batch_alter_table("handoff_tickets") as batch_op:
        batch_op.drop_index("ix_handoff_tickets_status")
        batch_op.drop_constraint("fk_handoff_tickets_account_id", type_="foreignkey")
        batch_op.drop_column("webhook_attempts")
        batch_op.drop_column("webhook_status")
        batch_op.drop_column("closed_at")
        batch_op.drop_column("account_id")
    op.drop_table("agents")
