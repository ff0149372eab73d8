"""paused notifications, inbound rate index

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 19:17:23.839808
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "notifications_paused", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )

    with op.batch_alter_table("inbound_message", schema=None) as batch_op:
        batch_op.create_index(
            "ix_inbound_message_contact_received", ["contact_id", "received_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("inbound_message", schema=None) as batch_op:
        batch_op.drop_index("ix_inbound_message_contact_received")

    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.drop_column("notifications_paused")
