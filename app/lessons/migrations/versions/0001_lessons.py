"""Lessons, and the rate at which each client address creates them.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lessons",
        sa.Column("id", sa.String(16), primary_key=True),
        sa.Column("document", sa.Text, nullable=False),
        sa.Column("edit_token_hash", sa.String(64), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "lesson_rate",
        sa.Column("client", sa.String(64), primary_key=True),
        sa.Column("tat", sa.Float, nullable=False),
    )
    op.create_index("lesson_rate_tat", "lesson_rate", ["tat"])


def downgrade() -> None:
    op.drop_table("lesson_rate")
    op.drop_table("lessons")
