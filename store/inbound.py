"""Inbound messages, recorded once per Twilio MessageSid together with our reply.

Every WhatsApp message runs the MessageSid check, the rate count and the record, so
those are plain SQL (store/sql.py)."""

from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, select

from store.models import InboundMessage
from store.sql import AnySession, from_json, sql


def stored_reply(message_sid: str, *, session: AnySession) -> list[str] | None:
    """The reply already given to this MessageSid, if Twilio is delivering it again."""
    reply = sql(session).value(
        "SELECT reply FROM inbound_message WHERE message_sid = :sid", sid=message_sid
    )
    return from_json(reply)


def record_inbound(
    message_sid: str,
    *,
    contact_id: int,
    body: str,
    num_media: int,
    reply: list[str],
    session: AnySession,
    now: datetime,
) -> None:
    """Insert the message and its reply. A concurrent delivery of the same MessageSid
    makes the unique index fail the later transaction, which then replays the reply."""
    sql(session).execute(
        "INSERT INTO inbound_message (message_sid, contact_id, body, num_media, received_at,"
        " reply) VALUES (:sid, :contact_id, :body, :num_media, :now, :reply)",
        sid=message_sid,
        contact_id=contact_id,
        body=body,
        num_media=num_media,
        now=now,
        reply=reply,
    )


def count_inbound(*, session: Session) -> int:
    return session.exec(select(func.count()).select_from(InboundMessage)).one()


def count_since(contact_id: int, since: datetime, *, session: AnySession) -> int:
    """Messages recorded from this contact since `since` (per-phone rate limit)."""
    return sql(session).value(
        "SELECT count(*) FROM inbound_message WHERE contact_id = :contact_id"
        " AND received_at >= :since",
        contact_id=contact_id,
        since=since,
    )
