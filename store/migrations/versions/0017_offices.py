"""offices: the kelurahan, SKPD, Biro Pemerintahan and channels that tokens belong to,
the SKPD a disposisi names, and who made each move

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 17:00:00.000000
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

from store import offices

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "office",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=150), nullable=False),
        sa.Column("kota", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("kelurahan_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kelurahan_id"),
        sa.UniqueConstraint("name"),
    )
    op.create_index(op.f("ix_office_kind"), "office", ["kind"], unique=False)
    op.create_table(
        "office_category",
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("category", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.ForeignKeyConstraint(["office_id"], ["office.id"]),
        sa.PrimaryKeyConstraint("office_id", "category"),
    )
    offices.seed_default_offices(op.get_bind())
    for table, column in _OFFICE_COLUMNS:
        _add_office_column(table, column)
    op.create_index("ix_report_channel_office_id", "report", ["channel_office_id"], unique=False)
    op.create_index("ix_report_skpd_office_id", "report", ["skpd_office_id"], unique=False)
    # Reports disposed before belong to the SKPD that would be proposed today (none for
    # lainnya), so that SKPD tokens see the work they already had.
    op.execute(
        "UPDATE report SET skpd_office_id = (SELECT office.id FROM office"
        " JOIN office_category ON office_category.office_id = office.id"
        " WHERE office.kind = 'skpd' AND office.kota = report.kota"
        " AND office_category.category = report.category ORDER BY office.id LIMIT 1)"
        " WHERE EXISTS (SELECT 1 FROM stage_change WHERE stage_change.report_id = report.id"
        " AND stage_change.to_stage = 'disposisi')"
    )


_OFFICE_COLUMNS = (
    ("api_token", "office_id"),
    ("report", "channel_office_id"),
    ("report", "skpd_office_id"),
    ("stage_change", "actor_office_id"),
    ("stage_change", "skpd_office_id"),
)


def _add_office_column(table: str, column: str) -> None:
    """A nullable column pointing at an office. SQLite adds it with its reference in
    place; alembic would rebuild the table, which fails once other rows point at it."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"ALTER TABLE {table} ADD COLUMN {column} INTEGER REFERENCES office (id)")
        return
    op.add_column(table, sa.Column(column, sa.Integer(), nullable=True))
    op.create_foreign_key(f"fk_{table}_{column}", table, "office", [column], ["id"])


def downgrade() -> None:
    op.drop_index("ix_report_skpd_office_id", table_name="report")
    op.drop_index("ix_report_channel_office_id", table_name="report")
    for table, column in _OFFICE_COLUMNS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            if op.get_bind().dialect.name != "sqlite":
                batch_op.drop_constraint(f"fk_{table}_{column}", type_="foreignkey")
            batch_op.drop_column(column)
    op.drop_table("office_category")
    op.drop_index(op.f("ix_office_kind"), table_name="office")
    op.drop_table("office")
