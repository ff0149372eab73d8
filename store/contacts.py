"""Senders and what we remember of them (language, name, last message)."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import select

from store.models import Contact
from store.phones import Sender
from store.sql import AnySession, orm, sql

LANGUAGES = ("id", "en")
_TOUCHED = (
    "id, phone, profile_name, language, awaiting_rating_for, notifications_paused, language_chosen"
)
_NOTE_THE_MESSAGE = "last_inbound_at = :now, profile_name = coalesce(:name, profile_name)"
MAX_NAME_CHARS = 200
DEFAULT_LANGUAGE = LANGUAGES[0]


@dataclass(frozen=True)
class ContactInfo:
    id: int
    phone: str | None
    profile_name: str | None
    language: str
    is_new: bool
    awaiting_rating_for: int | None = None
    notifications_paused: bool = False
    language_chosen: bool = False
    # last_inbound_at exactly as a read-only transaction read it (text on SQLite), for
    # `note_message` to tell whether another message was noted since; None after a write
    noted_at: Any = None


def _info(contact: Contact, *, is_new: bool) -> ContactInfo:
    return ContactInfo(
        id=contact.id,
        phone=contact.phone,
        profile_name=contact.profile_name,
        language=contact.language,
        is_new=is_new,
        awaiting_rating_for=contact.awaiting_rating_for,
        notifications_paused=contact.notifications_paused,
        language_chosen=contact.language_chosen,
    )


def touch_contact(
    sender: Sender, profile_name: str | None, *, session: AnySession, now: datetime
) -> ContactInfo:
    """Find or create the sender's contact and note the time of their message. The
    update locks the row for the rest of the transaction, so two messages from one
    phone are handled one after the other. (Every message runs this: plain SQL.)

    In a read-only transaction the contact is only found (a new one needs a write):
    `note_message` notes the message afterwards, when the message is recorded."""
    q = sql(session)
    name = _stored_name(profile_name)
    noted_at = None
    if q.read_only:
        found = q.row(
            f"SELECT {_TOUCHED}, last_inbound_at FROM contact WHERE sender_key = :key",
            key=sender.key,
        )
        if found is not None:
            *found, noted_at = found
    else:
        found = q.row(
            f"UPDATE contact SET {_NOTE_THE_MESSAGE} WHERE sender_key = :key RETURNING {_TOUCHED}",
            now=now,
            name=name,
            key=sender.key,
        )
    if found is not None:
        contact_id, phone, stored_name, language, awaiting_rating_for, paused, chosen = found
        return ContactInfo(
            contact_id,
            phone,
            name or stored_name,
            language,
            is_new=False,
            awaiting_rating_for=awaiting_rating_for,
            notifications_paused=bool(paused),
            language_chosen=bool(chosen),
            noted_at=noted_at,
        )
    contact_id = q.value(
        "INSERT INTO contact (sender_key, phone, profile_name, language, created_at,"
        " last_inbound_at, notifications_paused, language_chosen)"
        " VALUES (:key, :phone, :name, :language, :now, :now, :paused, :chosen) RETURNING id",
        key=sender.key,
        phone=sender.phone,
        name=name,
        language=DEFAULT_LANGUAGE,
        now=now,
        paused=False,
        chosen=False,
    )
    return ContactInfo(contact_id, sender.phone, name, DEFAULT_LANGUAGE, is_new=True)


def note_message(
    contact_id: int, profile_name: str | None, *, noted_at: Any, session: AnySession, now: datetime
) -> bool:
    """What `touch_contact` notes of a message, for one answered in a read-only
    transaction: its time (which opens WhatsApp's 24-hour window) and the sender's name.
    False, and nothing noted, if another message of theirs was noted since `noted_at`
    (`ContactInfo.noted_at`): that answer may have been given on what it changed. (A
    reporter known from another channel has noted nothing yet: NULL.)"""
    changed = sql(session).execute(
        f"UPDATE contact SET {_NOTE_THE_MESSAGE} WHERE id = :id AND (last_inbound_at = :noted_at"
        " OR (last_inbound_at IS NULL AND :noted_at IS NULL))",
        now=now,
        name=_stored_name(profile_name),
        id=contact_id,
        noted_at=noted_at,
    )
    return changed == 1


def _stored_name(profile_name: str | None) -> str | None:
    return profile_name[:MAX_NAME_CHARS] if profile_name else None


def set_language(
    contact_id: int, language: str, *, chosen: bool = False, session: AnySession
) -> None:
    """The language the contact is answered in: `chosen` by them (ENGLISH, BAHASA), and
    then kept, or followed from what they write."""
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}")
    sql(session).execute(
        "UPDATE contact SET language = :language, language_chosen = :chosen WHERE id = :id",
        language=language,
        chosen=chosen,
        id=contact_id,
    )


def contact_for_phone(
    phone: str, name: str | None, *, session: AnySession, now: datetime
) -> ContactInfo:
    """The contact of a reporter known only by phone (reports from other channels).
    Unlike `touch_contact`, this is not a message from them: their 24-hour window stays shut."""
    session = orm(session)
    contact = session.exec(select(Contact).where(Contact.sender_key == phone)).first()
    is_new = contact is None
    if contact is None:
        contact = Contact(sender_key=phone, phone=phone, profile_name=name, created_at=now)
        session.add(contact)
        session.flush()
    return _info(contact, is_new=is_new)


def await_rating(contact_id: int, report_id: int, *, session: AnySession) -> None:
    """The contact's next message may rate `report_id`, which the closing notice asks
    for; unless the contact paused notifications (BERHENTI), who is never asked, and
    whose next "1" means the menu's LAPOR."""
    sql(session).execute(
        "UPDATE contact SET awaiting_rating_for = :report_id"
        " WHERE id = :id AND notifications_paused = :no",
        report_id=report_id,
        id=contact_id,
        no=False,
    )


def clear_awaited_rating(contact_id: int, *, session: AnySession) -> None:
    sql(session).execute(
        "UPDATE contact SET awaiting_rating_for = NULL WHERE id = :id", id=contact_id
    )


def set_notifications_paused(contact_id: int, paused: bool, *, session: AnySession) -> None:
    """BERHENTI pauses every push to this contact (replies still come); MULAI resumes."""
    sql(session).execute(
        "UPDATE contact SET notifications_paused = :paused WHERE id = :id",
        paused=paused,
        id=contact_id,
    )


def notifications_paused(contact_id: int, *, session: AnySession) -> bool:
    paused = sql(session).value(
        "SELECT notifications_paused FROM contact WHERE id = :id", id=contact_id
    )
    return bool(paused)
