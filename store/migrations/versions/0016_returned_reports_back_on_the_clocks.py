"""reports: their last return to proses (when, by whom, why); breaches: the return a
follow-up flag counted from

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 17:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

# A return is a move back to proses from tindak_lanjut (a facilitator sent the follow-up
# back) or from selesai (its citizen reopened it); the last one of each report counts.
_LAST_RETURN = (
    "SELECT {column} FROM stage_change AS sc WHERE sc.report_id = report.id"
    " AND sc.to_stage = 'proses' AND sc.from_stage IN ('tindak_lanjut', 'selesai')"
    " ORDER BY sc.seq DESC LIMIT 1"
)


def upgrade() -> None:
    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.add_column(sa.Column("returned_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("returned_by", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("return_reason", sa.Text(), nullable=True))
        batch_op.create_index("ix_report_stage_returned", ["stage", "returned_at"], unique=False)
    with op.batch_alter_table("breach", schema=None) as batch_op:
        batch_op.add_column(sa.Column("counted_from", sa.DateTime(timezone=True), nullable=True))
    # Reports returned before this revision dropped out of every time rule: their returns,
    # from the history, put them back on the clocks at the next scan.
    by = "CASE sc.from_stage WHEN 'selesai' THEN 'citizen' ELSE 'facilitator' END"
    op.execute(
        f"UPDATE report SET returned_at = ({_LAST_RETURN.format(column='sc.at')}),"
        f" returned_by = ({_LAST_RETURN.format(column=by)}),"
        f" return_reason = ({_LAST_RETURN.format(column='sc.note')})"
        " WHERE report.id IN (SELECT report_id FROM stage_change WHERE to_stage = 'proses'"
        " AND from_stage IN ('tindak_lanjut', 'selesai'))"
    )


def downgrade() -> None:
    with op.batch_alter_table("breach", schema=None) as batch_op:
        batch_op.drop_column("counted_from")
    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.drop_index("ix_report_stage_returned")
        batch_op.drop_column("return_reason")
        batch_op.drop_column("returned_by")
        batch_op.drop_column("returned_at")
