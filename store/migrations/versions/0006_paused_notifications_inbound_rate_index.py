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
    # A literal default ("0", false on both databases): for an expression such as
    # sa.false() alembic rebuilds the table on SQLite, and the foreign keys of a contact
    # table that has messages refuse that (see 0013).
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("notifications_paused", sa.Boolean(), nullable=False, server_default="0")
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
