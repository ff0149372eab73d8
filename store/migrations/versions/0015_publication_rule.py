"""the publication rule: what each reporter agreed to publish, photos sent after filing,
and no statistics snapshot but the worker's two

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 16:00:00.000000
"""

import re

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

# How handlers/additions.py marked what a reporter added after filing (templates/*/
# description_addition.txt): the public description is what came before the first one.
_ADDITION_MARKS = ("\n\nTambahan dari pelapor, ", "\n\nAdded by the reporter, ")
_MESSAGE_OF_MEDIA = re.compile(r"/Messages/(MM[0-9a-f]{32})/Media/")


def upgrade() -> None:
    # Literal defaults, so that SQLite adds the columns in place (see 0013).
    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.add_column(sa.Column("public_description", sa.Text(), nullable=True))
    with op.batch_alter_table("report_media", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("added_later", sa.Boolean(), nullable=False, server_default="0")
        )
    # Our WhatsApp summary told its reporters what becomes public; no other channel did
    # (one that named itself "whatsapp" through the API filed as a channel, not a citizen).
    op.execute(
        "UPDATE report SET public_description = description WHERE channel = 'whatsapp'"
        " AND EXISTS (SELECT 1 FROM stage_change WHERE stage_change.report_id = report.id"
        " AND stage_change.seq = 0 AND stage_change.actor_role = 'citizen')"
    )
    _cut_additions()
    _mark_photos_added_later()
    # Each window used to keep a snapshot of its own; the worker now keeps two.
    op.execute("DELETE FROM stats_snapshot WHERE key NOT IN ('year||', 'month||')")


def _cut_additions() -> None:
    connection = op.get_bind()
    added = connection.execute(
        sa.text(
            "SELECT id, public_description FROM report WHERE public_description IS NOT NULL"
            " AND (public_description LIKE :id_mark OR public_description LIKE :en_mark)"
        ),
        {"id_mark": "%Tambahan dari pelapor, %", "en_mark": "%Added by the reporter, %"},
    ).all()
    for report_id, text in added:
        cut = min((text.find(mark) for mark in _ADDITION_MARKS if mark in text), default=-1)
        if cut >= 0:
            connection.execute(
                sa.text("UPDATE report SET public_description = :text WHERE id = :id"),
                {"text": text[:cut], "id": report_id},
            )


def _mark_photos_added_later() -> None:
    """A photo whose WhatsApp message (Twilio's media URL names it: /Messages/MM…/Media/)
    came after its report was filed was added later, through "photos sent soon after
    filing"; the photos of the message that filed the report came before it."""
    connection = op.get_bind()
    photos = connection.execute(
        sa.text(
            "SELECT report_media.id, report_media.url, report.created_at FROM report_media"
            " JOIN report ON report.id = report_media.report_id"
            " WHERE report_media.url LIKE '%/Messages/MM%'"
        )
    ).all()
    for photo_id, url, filed_at in photos:
        found = _MESSAGE_OF_MEDIA.search(url)
        received = connection.execute(
            sa.text("SELECT received_at FROM inbound_message WHERE message_sid = :sid"),
            {"sid": found.group(1) if found else ""},
        ).scalar()
        if received is not None and str(received) > str(filed_at):
            connection.execute(
                sa.text("UPDATE report_media SET added_later = :later WHERE id = :id"),
                {"later": True, "id": photo_id},
            )


def downgrade() -> None:
    with op.batch_alter_table("report_media", schema=None) as batch_op:
        batch_op.drop_column("added_later")
    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.drop_column("public_description")
