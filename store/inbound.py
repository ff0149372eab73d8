"""Inbound messages, recorded once per Twilio MessageSid together with our reply."""

from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, select

from store.models import InboundMessage


def stored_reply(message_sid: str, *, session: Session) -> list[str] | None:
    """The reply already given to this MessageSid, if Twilio is delivering it again."""
    return session.exec(
        select(InboundMessage.reply).where(InboundMessage.message_sid == message_sid)
    ).first()


def record_inbound(
    message_sid: str,
    *,
    contact_id: int,
    body: str,
    num_media: int,
    reply: list[str],
    session: Session,
    now: datetime,
) -> None:
    """Insert the message and its reply. A concurrent delivery of the same MessageSid
    makes the unique index fail the later transaction, which then replays the reply."""
    session.add(
        InboundMessage(
            message_sid=message_sid,
            contact_id=contact_id,
            body=body,
            num_media=num_media,
            received_at=now,
            reply=reply,
        )
    )
    session.flush()


def count_inbound(*, session: Session) -> int:
    return session.exec(select(func.count()).select_from(InboundMessage)).one()


def count_since(contact_id: int, since: datetime, *, session: Session) -> int:
    """Messages recorded from this contact since `since` (per-phone rate limit)."""
    return session.exec(
        select(func.count())
        .select_from(InboundMessage)
        .where(InboundMessage.contact_id == contact_id, InboundMessage.received_at >= since)
    ).one()
