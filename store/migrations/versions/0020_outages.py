"""outage: the times the database failed the web processes, from the spool's evidence
(the first message kept, the replay that answered them), which `crm sla` lists beside
the deadlines missed inside them

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06 22:10:00.000000
"""

import sqlalchemy as sa
from alembic import op

import store.models

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outage",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("started_at", store.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", store.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("outage")
