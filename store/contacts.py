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


def _info(contact: Contact, *, is_new: bool) -> ContactInfo:
    return ContactInfo(
        id=contact.id,
        phone=contact.phone,
        profile_name=contact.profile_name,
        language=contact.language,
        is_new=is_new,
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
