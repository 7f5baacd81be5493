"""mail queue: outbox rows get a delivery status; equal rows for unknown emails;
failed codes counted per subject

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("mail_outbox") as batch_op:
        batch_op.alter_column("to_address", existing_type=sa.String(length=254), nullable=True)
        # rows written before the queue existed were demo outbox mails
        batch_op.add_column(
            sa.Column("status", sa.String(length=16), nullable=False, server_default="outbox")
        )
        batch_op.add_column(
            sa.Column("attempts", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("next_try_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("expires_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("sent_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("last_error", sa.String(length=64), nullable=True))
        batch_op.create_index("ix_mail_outbox_status_next_try_at", ["status", "next_try_at"])
    with op.batch_alter_table("reset_tokens") as batch_op:
        batch_op.alter_column("account_id", existing_type=sa.Integer(), nullable=True)
    with op.batch_alter_table("verification_challenges") as batch_op:
        batch_op.add_column(sa.Column("subject_key", sa.String(length=64), nullable=True))
        batch_op.create_index("ix_verification_challenges_subject_key", ["subject_key"])


def downgrade() -> None:
    with op.batch_alter_table("verification_challenges") as batch_op:
        batch_op.drop_index("ix_verification_challenges_subject_key")
        batch_op.drop_column("subject_key")
    op.execute("DELETE FROM reset_tokens WHERE account_id IS NULL")
    with op.batch_alter_table("reset_tokens") as batch_op:
        batch_op.alter_column("account_id", existing_type=sa.Integer(), nullable=False)
    op.execute("DELETE FROM mail_outbox WHERE to_address IS NULL")
    with op.batch_alter_table("mail_outbox") as batch_op:
        batch_op.drop_index("ix_mail_outbox_status_next_try_at")
        batch_op.drop_column("last_error")
        batch_op.drop_column("sent_at")
        batch_op.drop_column("expires_at")
        batch_op.drop_column("next_try_at")
        batch_op.drop_column("attempts")
        batch_op.drop_column("status")
        batch_op.alter_column("to_address", existing_type=sa.String(length=254), nullable=False)
