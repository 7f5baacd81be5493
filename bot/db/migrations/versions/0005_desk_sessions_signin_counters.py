"""desk: a session generation per agent (logout revokes every cookie signed before it)
and one sign-in counter row per subject (keyed hash of a name or client address),
updated atomically

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("agents") as batch_op:
        batch_op.add_column(
            sa.Column("session_generation", sa.Integer(), nullable=False, server_default="0")
        )
    op.create_table(
        "desk_signin_counters",
        sa.Column("subject_key", sa.String(length=64), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("since", sa.DateTime(), nullable=False),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
        sa.Column("lockouts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("subject_key"),
    )


def downgrade() -> None:
    op.drop_table("desk_signin_counters")
    with op.batch_alter_table("agents") as batch_op:
        batch_op.drop_column("session_generation")
