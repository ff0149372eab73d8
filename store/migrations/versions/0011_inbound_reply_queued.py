"""inbound messages: whether the reply went out as a notification

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 14:40:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("inbound_message", schema=None) as batch_op:
        # messages answered so far were answered in TwiML, or by a replay that is over
        batch_op.add_column(
            sa.Column("reply_queued", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("inbound_message", schema=None) as batch_op:
        batch_op.drop_column("reply_queued")
