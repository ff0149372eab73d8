"""proof in hand and guidance on call: where a photo of the finished work was taken
(report_media.latitude/longitude), the validation criteria admins set per category,
and the facilitators' questions to the supervisors with their answers

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06 23:30:00.000000
"""

import sqlalchemy as sa
from alembic import op

import store.models

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("report_media") as batch:
        batch.add_column(sa.Column("latitude", sa.Float(), nullable=True))
        batch.add_column(sa.Column("longitude", sa.Float(), nullable=True))
    op.create_table(
        "validation_criteria",
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("updated_at", store.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("category"),
    )
    op.create_table(
        "staff_question",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("asked_by", sa.Integer(), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("asked_at", store.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("answered_by", sa.Integer(), nullable=True),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answered_at", store.models.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["report_id"], ["report.id"]),
        sa.ForeignKeyConstraint(["asked_by"], ["staff.id"]),
        sa.ForeignKeyConstraint(["answered_by"], ["staff.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_staff_question_report_asked", "staff_question", ["report_id", "asked_at"])


def downgrade() -> None:
    op.drop_index("ix_staff_question_report_asked", table_name="staff_question")
    op.drop_table("staff_question")
    op.drop_table("validation_criteria")
    with op.batch_alter_table("report_media") as batch:
        batch.drop_column("longitude")
        batch.drop_column("latitude")
