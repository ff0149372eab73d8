"""delivery events applied flag

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 19:04:01.998922
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("delivery_event", schema=None) as batch_op:
        # existing events count as not yet applied: applying them again is harmless
        batch_op.add_column(
            sa.Column("applied", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.create_index("ix_delivery_event_applied", ["applied"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("delivery_event", schema=None) as batch_op:
        batch_op.drop_index("ix_delivery_event_applied")
        batch_op.drop_column("applied")
