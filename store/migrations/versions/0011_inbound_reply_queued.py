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
    # Messages recorded before count as queued: a replay file left from before this
    # version (an outage, a crash) would otherwise send their replies a second time.
    # From now on each row says so itself.
    with op.batch_alter_table("inbound_message", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("reply_queued", sa.Boolean(), nullable=False, server_default=sa.true())
        )
    with op.batch_alter_table("inbound_message", schema=None) as batch_op:
        batch_op.alter_column("reply_queued", server_default=sa.false())


def downgrade() -> None:
    with op.batch_alter_table("inbound_message", schema=None) as batch_op:
        batch_op.drop_column("reply_queued")
