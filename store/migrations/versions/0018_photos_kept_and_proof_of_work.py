"""report_media: photos kept in the media store (Twilio's copied by the worker) and the
officers' photos of the finished work, tied to their move to tindak_lanjut

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 18:30:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("report_media", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=10), nullable=False, server_default="report")
        )
        batch_op.alter_column("url", existing_type=sa.String(length=2000), nullable=True)
        batch_op.add_column(sa.Column("stage_change_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("stored_key", sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column("copy_state", sa.String(length=10), nullable=True))
        batch_op.add_column(
            sa.Column("copy_attempts", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("next_copy_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(
            "fk_report_media_stage_change_id", "stage_change", ["stage_change_id"], ["id"]
        )
        batch_op.create_index("ix_report_media_next_copy_at", ["next_copy_at"], unique=False)
    # Photos citizens sent by WhatsApp so far are only at Twilio: the worker copies them;
    # a channel's own links need no credentials and stay links.
    op.execute(
        "UPDATE report_media SET copy_state = 'pending', next_copy_at = CURRENT_TIMESTAMP"
        " WHERE url LIKE 'https://api.twilio.com/%'"
    )
    op.execute("UPDATE report_media SET copy_state = 'external' WHERE copy_state IS NULL")
    with op.batch_alter_table("report_media", schema=None) as batch_op:
        batch_op.alter_column("kind", server_default=None)
        batch_op.alter_column("copy_attempts", server_default=None)


def downgrade() -> None:
    # The officers' photos of the finished work have no URL: their rows go (their files
    # or objects stay in the media store).
    op.execute("DELETE FROM report_media WHERE url IS NULL")
    with op.batch_alter_table("report_media", schema=None) as batch_op:
        batch_op.drop_index("ix_report_media_next_copy_at")
        batch_op.drop_constraint("fk_report_media_stage_change_id", type_="foreignkey")
        batch_op.drop_column("next_copy_at")
        batch_op.drop_column("copy_attempts")
        batch_op.drop_column("copy_state")
        batch_op.drop_column("stored_key")
        batch_op.drop_column("stage_change_id")
        batch_op.alter_column("url", existing_type=sa.String(length=2000), nullable=False)
        batch_op.drop_column("kind")
