"""drop the stage_change index on report_id alone

The unique constraint on (report_id, seq) starts with report_id and serves every lookup
it served; one index fewer is one B-tree fewer written for every move, and six million
fewer entries for the generated history.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 18:30:00.000000
"""

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("stage_change", schema=None) as batch_op:
        batch_op.drop_index("ix_stage_change_report_id")


def downgrade() -> None:
    with op.batch_alter_table("stage_change", schema=None) as batch_op:
        batch_op.create_index("ix_stage_change_report_id", ["report_id"], unique=False)
