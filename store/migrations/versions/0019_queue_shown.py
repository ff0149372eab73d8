"""queue_shown: the reports each facilitator's latest ANTRIAN listed, in order, so that
LIHAT 1, VALIDASI 2 and KEMBALIKAN 3 act on them by position

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06 22:30:00.000000
"""

import sqlalchemy as sa
from alembic import op

import store.models

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "queue_shown",
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("report_ids", sa.JSON(), nullable=False),
        sa.Column("shown_at", store.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"]),
        sa.PrimaryKeyConstraint("staff_id"),
    )


def downgrade() -> None:
    op.drop_table("queue_shown")
