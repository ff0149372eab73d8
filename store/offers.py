"""Additions offered to a report just filed: a message the citizen sent after it, kept
until their next message says whether it belongs to that report (see
handlers/additions.py)."""

from dataclasses import dataclass
from datetime import datetime

from store.sql import AnySession, sql, utc


@dataclass(frozen=True)
class Offered:
    report_id: int
    text: str
    offered_at: datetime


def offer(
    contact_id: int, report_id: int, text: str, *, session: AnySession, now: datetime
) -> None:
    """Keep `text` for the contact's next message to accept; a newer offer replaces it."""
    sql(session).execute(
        "INSERT INTO offered_addition (contact_id, report_id, text, offered_at)"
        " VALUES (:contact_id, :report_id, :text, :now) ON CONFLICT (contact_id) DO UPDATE"
        " SET report_id = excluded.report_id, text = excluded.text,"
        " offered_at = excluded.offered_at",
        contact_id=contact_id,
        report_id=report_id,
        text=text,
        now=now,
    )


def take_offer(contact_id: int, *, session: AnySession) -> Offered | None:
    """The offer the contact's message answers, gone once read: only the very next
    message may accept it. (Looked for before it is deleted: most messages find none,
    and a read-only transaction may then answer them.)"""
    q = sql(session)
    found = q.row(
        "SELECT report_id, text, offered_at FROM offered_addition WHERE contact_id = :contact_id",
        contact_id=contact_id,
    )
    if found is None:
        return None
    q.execute("DELETE FROM offered_addition WHERE contact_id = :contact_id", contact_id=contact_id)
    report_id, text, offered_at = found
    return Offered(report_id=report_id, text=text, offered_at=utc(offered_at))
