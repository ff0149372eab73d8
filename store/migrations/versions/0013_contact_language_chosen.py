"""contacts: whether the language was chosen (ENGLISH / BAHASA) or followed

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 19:55:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A literal default ("0", false on both databases), so that SQLite adds the column in
    # place: for an expression such as sa.false() alembic rebuilds the table, and the
    # foreign keys of reports and messages forbid dropping a contact table that has rows.
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("language_chosen", sa.Boolean(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.drop_column("language_chosen")
