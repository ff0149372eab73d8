"""breach indexes for the SLA scan

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28 20:19:09.983094
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("breach", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_breach_kind"))
        batch_op.create_index("ix_breach_kind_report", ["kind", "report_id"], unique=False)
        batch_op.create_index("ix_breach_kind_validation", ["kind", "validation_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("breach", schema=None) as batch_op:
        batch_op.drop_index("ix_breach_kind_validation")
        batch_op.drop_index("ix_breach_kind_report")
        batch_op.create_index(batch_op.f("ix_breach_kind"), ["kind"], unique=False)
