"""Senders and what we remember of them (language, name, last message)."""

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from store.models import Contact
from store.phones import Sender

LANGUAGES = ("id", "en")


@dataclass(frozen=True)
class ContactInfo:
    id: int
    phone: str | None
    profile_name: str | None
    language: str
    is_new: bool
    awaiting_rating_for: int | None = None
    notifications_paused: bool = False


def _info(contact: Contact, *, is_new: bool) -> ContactInfo:
    return ContactInfo(
        id=contact.id,
        phone=contact.phone,
        profile_name=contact.profile_name,
        language=contact.language,
        is_new=is_new,
        awaiting_rating_for=contact.awaiting_rating_for,
        notifications_paused=contact.notifications_paused,
    )


def touch_contact(
    sender: Sender, profile_name: str | None, *, session: Session, now: datetime
) -> ContactInfo:
    """Find or create the sender's contact, locked for the rest of the transaction so
    that two messages from one phone are handled one after the other."""
    contact = session.exec(
        select(Contact).where(Contact.sender_key == sender.key).with_for_update()
    ).first()
    is_new = contact is None
    if contact is None:
        contact = Contact(sender_key=sender.key, phone=sender.phone, created_at=now)
    if profile_name:
        contact.profile_name = profile_name[:200]
    contact.last_inbound_at = now
    session.add(contact)
    session.flush()
    return _info(contact, is_new=is_new)


def set_language(contact_id: int, language: str, *, session: Session) -> None:
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}")
    contact = session.get(Contact, contact_id)
    contact.language = language
    session.add(contact)


def contact_for_phone(
    phone: str, name: str | None, *, session: Session, now: datetime
) -> ContactInfo:
    """The contact of a reporter known only by phone (reports from other channels).
    Unlike `touch_contact`, this is not a message from them: their 24-hour window stays shut."""
    contact = session.exec(select(Contact).where(Contact.sender_key == phone)).first()
    is_new = contact is None
    if contact is None:
        contact = Contact(sender_key=phone, phone=phone, profile_name=name, created_at=now)
        session.add(contact)
        session.flush()
    return _info(contact, is_new=is_new)


def await_rating(contact_id: int, report_id: int, *, session: Session) -> None:
    contact = session.get(Contact, contact_id)
    contact.awaiting_rating_for = report_id
    session.add(contact)


def clear_awaited_rating(contact_id: int, *, session: Session) -> None:
    contact = session.get(Contact, contact_id)
    contact.awaiting_rating_for = None
    session.add(contact)


def set_notifications_paused(contact_id: int, paused: bool, *, session: Session) -> None:
    """BERHENTI pauses every push to this contact (replies still come); MULAI resumes."""
    contact = session.get(Contact, contact_id)
    contact.notifications_paused = paused
    session.add(contact)
