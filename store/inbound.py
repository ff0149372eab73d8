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
    reply_queued: bool = False,
    session: AnySession,
    now: datetime,
) -> None:
    """Insert the message and its reply (`reply_queued`: sent as a notification too, in
    this transaction). A concurrent delivery of the same MessageSid makes the unique
    index fail the later transaction, which then replays the reply."""
    sql(session).execute(
        "INSERT INTO inbound_message (message_sid, contact_id, body, num_media, received_at,"
        " reply, reply_queued) VALUES (:sid, :contact_id, :body, :num_media, :now, :reply,"
        " :reply_queued)",
        sid=message_sid,
        contact_id=contact_id,
        body=body,
        num_media=num_media,
        now=now,
        reply=reply,
        reply_queued=reply_queued,
    )


def queue_reply_once(message_sid: str, *, session: AnySession) -> int | None:
    """Mark the stored reply to `message_sid` as sent by notification: the contact to
    send it to, or None if it was queued before (or there is no such message)."""
    return sql(session).value(
        "UPDATE inbound_message SET reply_queued = TRUE"
        " WHERE message_sid = :sid AND NOT reply_queued RETURNING contact_id",
        sid=message_sid,
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
