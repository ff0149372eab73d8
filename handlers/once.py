"""A WhatsApp message's unit of work: answered once per MessageSid, its reply recorded
with every change it caused, in one transaction; the webhook's and the spool replay's
alike (the replay queues the reply as a notification, `deliver_later`).

A message kept during an outage counts when it reached us (`received_at`, written in
the spool by the webhook), not when the replay answers it: its record, the history
entries and stage changes it makes, a validation's time and so its SLA judgement. What
it queues (its reply, the reporter's notifications) is queued at the replay, to be sent
then. A time from the spool later than now is taken as now (another host's clock)."""

from collections.abc import Callable
from datetime import datetime
from typing import NamedTuple

from handlers.conversation import respond
from handlers.message import IncomingMessage
from handlers.notifications import delayed_reply_payloads
from handlers.texts import Texts, split_for_whatsapp
from handlers.turn import Limits
from store import contacts, inbound, outbox
from store.clock import utcnow
from store.db import commit_with_retries
from store.media_links import MediaLinks
from store.outbox import DELAYED_REPLY
from store.sql import Transaction, WriteNeeded


class Answer(NamedTuple):
    contact_id: int
    replies: list[str]
    contact_noted_at: object = None  # see store.contacts.ContactInfo.noted_at


class Once(NamedTuple):
    replies: list[str]
    wrote: bool  # False: the message was answered (and its reply queued) before


def answer_once(
    sid: str,
    message: IncomingMessage,
    *,
    db: Transaction,
    limits: Limits,
    links: MediaLinks | None = None,
    deliver_later: bool = False,
    received_at: datetime | None = None,
) -> Once:
    """The reply to `sid`: the stored one if Twilio delivers it again, else a new one,
    committed with everything it changed in one transaction. `deliver_later`: the
    citizen is no longer waiting on the request (a replay of the spool), so the reply
    goes out as a notification, in that same transaction. `links`: how a facilitator's
    LIHAT links to photos. `received_at`: when a kept message reached us (default now).
    """

    def answer(db: Transaction, now: datetime, sent_at: datetime) -> Answer:
        outcome = respond(message, session=db, now=now, limits=limits, links=links, sent_at=sent_at)
        replies = split_for_whatsapp(outcome.replies)
        return Answer(outcome.contact_id, replies, outcome.contact_noted_at)

    return _once(sid, message, answer, db=db, deliver_later=deliver_later, received_at=received_at)


def apologise_once(
    sid: str, message: IncomingMessage, *, db: Transaction, received_at: datetime | None = None
) -> Once:
    """For a kept message that `answer_once` could not answer (for another reason than
    the database): send the apology the webhook would have answered, recorded as the
    reply to `sid`, so that the citizen told "kept" is not left waiting and a second
    replay finds the message answered."""

    def apologise(db: Transaction, now: datetime, sent_at: datetime) -> Answer:
        contact = contacts.touch_contact(message.sender, message.profile_name, session=db, now=now)
        return Answer(contact.id, [Texts(contact.language).say("system_error")])

    return _once(sid, message, apologise, db=db, deliver_later=True, received_at=received_at)


def _once(
    sid: str,
    message: IncomingMessage,
    reply: Callable[[Transaction, datetime, datetime], Answer],
    *,
    db: Transaction,
    deliver_later: bool,
    received_at: datetime | None = None,
) -> Once:
    """The stored reply to `sid`, or `reply`'s answer, recorded with the
    message, and queued as a notification when `deliver_later`, in one transaction.

    A stored reply is queued too when `deliver_later`, once: the message was kept for
    later after the webhook had answered it, so Twilio never got that answer (the
    process died after its commit, or Twilio gave up waiting and called the fallback).

    Most messages change nothing but their own record (a STATUS, the menu, help). On
    SQLite, whose write lock is the whole database's, a citizen waiting on the webhook
    is therefore first answered in a read-only transaction, and the lock is taken only
    to record the message. A message that changes something (a report's step, a new
    contact, an offer taken) is answered again from the start in one write transaction,
    and so is one read while an earlier message of the same sender was being answered
    (which may have started a report, say). A message that writes costs 14–22 % more
    for it, and the lock is free while every other one is read: two web processes
    answered 1.27–1.38 times as many STATUS messages a second. PostgreSQL locks only
    the rows a transaction changes, and there the second transaction cost 12 %
    (bench/RESULTS.md, 2026-12-04)."""

    def work() -> Once:
        sent_at = utcnow()
        now = arrival(received_at, sent_at)
        earlier = inbound.stored_reply(sid, session=db)
        if earlier is not None and not deliver_later:
            return Once(earlier, wrote=False)  # Twilio delivers it again: answer it again
        if earlier is not None:
            return Once(earlier, wrote=_queue_stored_reply(sid, earlier, session=db, now=sent_at))
        contact_id, replies, noted_at = reply(db, now, sent_at)
        if db.read_only:
            db.commit()  # changes held by the ORM raise WriteNeeded here
            db.read_only = False
            if not contacts.note_message(
                contact_id, message.profile_name, noted_at=noted_at, session=db, now=now
            ):  # an earlier message of theirs, still being answered as this one was read
                raise WriteNeeded("another message of the sender was answered meanwhile")
        inbound.record_inbound(
            sid,
            contact_id=contact_id,
            body=message.body,
            num_media=len(message.media),
            reply=replies,
            reply_queued=deliver_later,
            session=db,
            now=now,
        )
        if deliver_later:
            _queue(contact_id, replies, session=db, now=sent_at)
        return Once(replies, wrote=True)

    if db.one_writer_at_a_time and not deliver_later:
        answered = _reading_first(db, work)
        if answered is not None:
            return answered
    return commit_with_retries(db, work)


def arrival(received_at: datetime | None, now: datetime) -> datetime:
    """When a message counts: when it reached us, but never later than `now`."""
    return now if received_at is None else min(received_at, now)


def _reading_first(db: Transaction, work: Callable[[], Once]) -> Once | None:
    """`work`'s answer if it needed no write before recording the message, else None
    (and nothing written). A lost race for the MessageSid is run again by
    `commit_with_retries` in a write transaction, as `work` leaves it."""
    db.read_only = True
    try:
        return commit_with_retries(db, work)
    except WriteNeeded:
        return None
    finally:
        db.rollback()  # of what is left open, if anything
        db.read_only = False


def _queue_stored_reply(
    sid: str, replies: list[str], *, session: Transaction, now: datetime
) -> bool:
    contact_id = inbound.queue_reply_once(sid, session=session)
    if contact_id is not None:
        _queue(contact_id, replies, session=session, now=now)
    return contact_id is not None


def _queue(contact_id: int, replies: list[str], *, session: Transaction, now: datetime) -> None:
    for payload in delayed_reply_payloads(replies):
        outbox.enqueue(contact_id, DELAYED_REPLY, payload, report_id=None, session=session, now=now)
