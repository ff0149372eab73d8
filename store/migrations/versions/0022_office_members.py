"""staff.office_id: a kelurahan's or an SKPD's staff (role "office") are told of their
office's reports by WhatsApp and act on them there

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07 00:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.add_column(sa.Column("office_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_staff_office_id", "office", ["office_id"], ["id"])
        batch_op.create_index("ix_staff_office_id", ["office_id"], unique=False)


def downgrade() -> None:
    op.execute(
        "DELETE FROM queue_shown WHERE staff_id IN (SELECT id FROM staff WHERE role = 'office')"
    )
    op.execute("DELETE FROM staff WHERE role = 'office'")
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.drop_index("ix_staff_office_id")
        batch_op.drop_constraint("fk_staff_office_id", type_="foreignkey")
        batch_op.drop_column("office_id")
