"""facilitators, validations, breaches, scheduled runs

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 18:53:34.433194
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import store.models

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "scheduled_run",
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("ran_at", store.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "staff",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("phone", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("last_assigned_at", store.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", store.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("role", "phone"),
    )
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_staff_phone"), ["phone"], unique=False)

    op.create_table(
        "validation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("facilitator_id", sa.Integer(), nullable=True),
        sa.Column("entered_at", store.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("due_at", store.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("daily_target_at", store.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("left_at", store.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.ForeignKeyConstraint(
            ["facilitator_id"],
            ["staff.id"],
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["report.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("validation", schema=None) as batch_op:
        batch_op.create_index(
            "ix_validation_facilitator_open", ["facilitator_id", "left_at"], unique=False
        )
        batch_op.create_index("ix_validation_open_due", ["left_at", "due_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_validation_report_id"), ["report_id"], unique=False)

    op.create_table(
        "breach",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("validation_id", sa.Integer(), nullable=True),
        sa.Column("detected_at", store.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["report.id"],
        ),
        sa.ForeignKeyConstraint(
            ["validation_id"],
            ["validation.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    with op.batch_alter_table("breach", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_breach_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_breach_report_id"), ["report_id"], unique=False)

    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_stage"))
        batch_op.create_index("ix_report_created", ["created_at"], unique=False)
        batch_op.create_index("ix_report_stage_created", ["stage", "created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.drop_index("ix_report_stage_created")
        batch_op.drop_index("ix_report_created")
        batch_op.create_index(batch_op.f("ix_report_stage"), ["stage"], unique=False)

    with op.batch_alter_table("breach", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_breach_report_id"))
        batch_op.drop_index(batch_op.f("ix_breach_kind"))

    op.drop_table("breach")
    with op.batch_alter_table("validation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_validation_report_id"))
        batch_op.drop_index("ix_validation_open_due")
        batch_op.drop_index("ix_validation_facilitator_open")

    op.drop_table("validation")
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_phone"))

    op.drop_table("staff")
    op.drop_table("scheduled_run")
