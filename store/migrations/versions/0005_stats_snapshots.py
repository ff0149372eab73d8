"""stats snapshots

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 19:14:13.735409
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import store.models

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stats_snapshot",
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("computed_at", store.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )


def downgrade() -> None:
    op.drop_table("stats_snapshot")
