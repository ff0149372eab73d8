"""drop the inbound_message index on contact_id alone

(contact_id, received_at) starts with contact_id and serves every lookup it served;
one index fewer is one page fewer written for every message.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 10:30:00.000000
"""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("inbound_message", schema=None) as batch_op:
        batch_op.drop_index("ix_inbound_message_contact_id")


def downgrade() -> None:
    with op.batch_alter_table("inbound_message", schema=None) as batch_op:
        batch_op.create_index("ix_inbound_message_contact_id", ["contact_id"], unique=False)
