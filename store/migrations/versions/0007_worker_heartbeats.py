"""worker heartbeats

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28 19:27:29.402302
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import store.models

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "worker_heartbeat",
        sa.Column("worker", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("beat_at", store.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("worker"),
    )


def downgrade() -> None:
    op.drop_table("worker_heartbeat")
