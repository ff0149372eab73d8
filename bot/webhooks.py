"""Twilio's WhatsApp webhook: verify, record once, let the handlers decide, reply in TwiML."""

import math
import re
from collections.abc import Callable
from datetime import datetime
from typing import NamedTuple

from flask import Blueprint, Response, current_app, request
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError

import handlers
from bot import database
from bot.cleaning import printable
from bot.signature import twilio_signed
from bot.twiml import twiml
from handlers.notifications import DELAYED_REPLY, delayed_reply_payloads
from handlers.texts import Texts, split_for_whatsapp
from store import contacts, inbound, outbox
from store.bounded import TooSlow, read_within
from store.clock import utcnow
from store.db import commit_with_retries, gave_up_waiting
from store.phones import mask, sender_from
from store.spool import Spool
from store.sql import Transaction, WriteNeeded

bp = Blueprint("webhooks", __name__, url_prefix="/webhooks")

MAX_MEDIA = 10
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)  # incl. statement and lock timeouts
BUSY_FOR_EVERYONE_SECONDS = 5.0  # a second message meeting a busy database within it
ANSWERED_CHECK_SECONDS = 1.0  # the fallback's wait for the database, of Twilio's 15 s
MAX_BODY = 4096  # characters: WhatsApp's own limit for one message
# Twilio's message SIDs, exactly: its signature joins keys and values with nothing
# between them, so a looser pattern let `SM…NumMedia0` pass as another, new, message.
_MESSAGE_SID = re.compile(r"(SM|MM)[0-9a-f]{32}")


@bp.post("/whatsapp")
@twilio_signed
def whatsapp():
    """Answer the message in the response, recorded once by MessageSid.

    When the database fails or gives up (a lost connection, a statement or lock timeout),
    the message is kept in the spool here and the citizen told so. A 503 would leave it
    to Twilio's call of the fallback URL, which needs the fallback configured and time
    left of Twilio's 15 s, and makes the citizen wait twice. From then on every message
    joins the spool without touching the database, until the worker has replayed it.
    A lock or statement timeout met by this message alone (a row of its sender's
    locked) keeps only its sender's messages behind it (`_where_busy`).

    Kept also when the error came with the COMMIT, which the database may have made
    before the connection broke: the replay then finds the reply stored under the
    MessageSid and sends it as a notification, once (`reply_queued`). Not keeping it
    would lose the message whenever that commit did not happen; keeping it costs, when
    it did, "kept" now and the reply a little later."""
    form = request.form
    sid = message_sid(form)
    if sid is None:
        return twiml([], status=400)
    message = incoming_message(form)
    # Every message is in `inbound_message` and gunicorn's access log already; this
    # line is for following one conversation while debugging.
    current_app.logger.debug("inbound %s from %s", sid, mask(message.sender.key))
    kept, held = spool(), spool().held_for(message.sender.key)
    if kept.has_pending():  # keep each phone's order while an outage is replayed
        return _keep_for_later(form, kept)
    if held.has_pending():  # and this phone's, while its messages kept are replayed
        return _keep_for_later(form, held)
    try:
        return twiml(answer_once(sid, message).replies)
    except DATABASE_UNAVAILABLE as problem:
        database.transaction().rollback()
        if gave_up_waiting(problem):
            current_app.logger.warning("database busy for %s: keeping it", sid)
            return _keep_for_later(form, _where_busy(kept, held))
        current_app.logger.exception("database unavailable for %s: keeping it", sid)
        return _keep_for_later(form, kept)
    except Exception:
        database.transaction().rollback()
        current_app.logger.exception("could not answer %s from %s", sid, mask(message.sender.key))
        return twiml([Texts().say("system_error")])


@bp.post("/whatsapp/fallback")
@twilio_signed
def whatsapp_fallback():
    """Twilio's fallback URL, called when the webhook failed or did not answer in time:
    keep the message on disk, tell the citizen, answer for real once the database is
    back. It waits for the database ANSWERED_CHECK_SECONDS at most, and not at all
    while the spool holds messages (the webhook does not ask it then either).

    A message kept already, or answered already, is not kept again: it is answered
    "kept" again, or with its stored reply. Twilio retries, and anyone may replay a
    signed request they captured; each copy in an empty spool would put every phone's
    next messages in it too, as the webhook keeps everything while it holds anything."""
    form = request.form
    sid = message_sid(form)
    if sid is None:
        return twiml([], status=400)
    sender = sender_from(_text(form, "From", 128))
    if _kept_already(sid, sender.key):
        return twiml([Texts().say("message_kept")])
    kept = spool()
    answered = None if kept.has_pending() else _answered_already(sid)
    if answered is not None:
        return twiml(answered)
    current_app.logger.warning("fallback: keeping %s from %s", sid, mask(sender.key))
    return _keep_for_later(form, kept)


def _where_busy(kept: Spool, held: Spool) -> Spool:
    """Where a message that met a busy database waits: in its sender's own spool, so that
    one locked row holds back one phone, not every phone for a replay's while (a review
    found a 1 s lock on a contact turning every phone's answer into "kept"); in the spool
    of everyone when another message met a busy database in the last seconds too (a
    table locked by a migration), so that nobody else waits the lock timeout for it."""
    if kept.met_a_busy_database(within_seconds=BUSY_FOR_EVERYONE_SECONDS):
        return kept
    return held


def _kept_already(sid: str, sender_key: str) -> bool:
    """Whether a spool still to replay holds this MessageSid: everyone's, or the
    sender's own."""
    kept = spool()
    return kept.holds_message(sid) or kept.held_for(sender_key).holds_message(sid)


def _answered_already(sid: str) -> list[str] | None:
    """The reply stored for `sid`; None when there is none, or when the database does
    not tell within ANSWERED_CHECK_SECONDS. The message is kept then: if it was answered
    after all, the replay sends that stored reply as a notification, once, and Twilio,
    which called the fallback, never got it."""
    try:
        return read_within(
            database.engine(),
            lambda db: inbound.stored_reply(sid, session=db),
            seconds=ANSWERED_CHECK_SECONDS,
        )
    except (TooSlow, SQLAlchemyError) as problem:
        current_app.logger.warning("fallback: cannot tell if %s was answered: %r", sid, problem)
        return None


def message_sid(form) -> str | None:
    """The MessageSid of a well-formed inbound message (one that has a sender too)."""
    sid = form.get("MessageSid") or form.get("SmsMessageSid") or ""
    return sid if _MESSAGE_SID.fullmatch(sid) and _text(form, "From") else None


def spool() -> Spool:
    return Spool(current_app.config["SETTINGS"].spool_dir)


def _keep_for_later(form, kept: Spool) -> Response:
    kept.append({"form": form.to_dict(), "received_at": utcnow().isoformat()})
    return twiml([Texts().say("message_kept")])


@bp.post("/whatsapp/status")
@twilio_signed
def whatsapp_status():
    """Twilio's delivery status callback; callbacks may come in any order."""
    sid = request.form.get("MessageSid") or request.form.get("SmsSid") or ""
    status = _text(request.form, "MessageStatus", 20) or _text(request.form, "SmsStatus", 20)
    if not _MESSAGE_SID.fullmatch(sid) or not status:
        return "", 400
    db = database.session()
    outcome = outbox.record_delivery_status(
        sid, status, _text(request.form, "ErrorCode", 16) or None, session=db, now=utcnow()
    )
    db.commit()
    current_app.logger.info("delivery status %s for %s: %s", status, sid, outcome)
    return "", 204


class Answer(NamedTuple):
    contact_id: int
    replies: list[str]
    contact_noted_at: object = None  # see store.contacts.ContactInfo.noted_at


class Once(NamedTuple):
    replies: list[str]
    wrote: bool  # False: the message was answered (and its reply queued) before


def answer_once(
    sid: str, message: handlers.IncomingMessage, *, deliver_later: bool = False
) -> Once:
    """The reply to `sid`: the stored one if Twilio delivers it again, else a new one,
    committed with everything it changed in one transaction. `deliver_later`: the
    citizen is no longer waiting on the request (a replay of the spool), so the reply
    goes out as a notification, in that same transaction."""

    def respond(db: Transaction, now: datetime) -> Answer:
        limits = _limits(kept=deliver_later)
        outcome = handlers.respond(message, session=db, now=now, limits=limits)
        replies = split_for_whatsapp(outcome.replies)
        return Answer(outcome.contact_id, replies, outcome.contact_noted_at)

    return _once(sid, message, respond, deliver_later=deliver_later)


def apologise_once(sid: str, message: handlers.IncomingMessage) -> Once:
    """For a kept message that `answer_once` could not answer (for another reason than
    the database): send the apology the webhook would have answered, recorded as the
    reply to `sid`, so that the citizen told "kept" is not left waiting and a second
    replay finds the message answered."""

    def apologise(db: Transaction, now: datetime) -> Answer:
        contact = contacts.touch_contact(message.sender, message.profile_name, session=db, now=now)
        return Answer(contact.id, [Texts(contact.language).say("system_error")])

    return _once(sid, message, apologise, deliver_later=True)


def _once(
    sid: str,
    message: handlers.IncomingMessage,
    reply: Callable[[Transaction, datetime], Answer],
    *,
    deliver_later: bool,
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
    db = database.transaction()

    def work() -> Once:
        now = utcnow()
        earlier = inbound.stored_reply(sid, session=db)
        if earlier is not None and not deliver_later:
            return Once(earlier, wrote=False)  # Twilio delivers it again: answer it again
        if earlier is not None:
            return Once(earlier, wrote=_queue_stored_reply(sid, earlier, session=db, now=now))
        contact_id, replies, noted_at = reply(db, now)
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
            _queue(contact_id, replies, session=db, now=now)
        return Once(replies, wrote=True)

    if db.one_writer_at_a_time and not deliver_later:
        answered = _reading_first(db, work)
        if answered is not None:
            return answered
    return commit_with_retries(db, work)


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


def _limits(*, kept: bool) -> handlers.Limits:
    """The settings' limits; for a message kept in the spool, no per-minute limit: an
    hour's messages replayed in one minute are no flood (the fallback keeps only what
    Twilio delivered)."""
    settings = current_app.config["SETTINGS"]
    return handlers.Limits(
        messages_per_minute=None if kept else settings.messages_per_minute,
        reports_per_day=settings.reports_per_day,
    )


def _text(form, field: str, limit: int | None = None) -> str:
    """A form field without control characters (PostgreSQL refuses NUL in text)."""
    value = printable(form.get(field, "")).strip()
    return value[:limit] if limit else value


def incoming_message(form) -> handlers.IncomingMessage:
    return handlers.IncomingMessage(
        sender=sender_from(_text(form, "From", 128)),
        body=_text(form, "Body", MAX_BODY),
        profile_name=_text(form, "ProfileName", 200) or None,
        media=_media(form),
        location=_location(form),
    )


def _media(form) -> tuple[handlers.Media, ...]:
    try:
        count = min(int(form.get("NumMedia", "0")), MAX_MEDIA)
    except ValueError:
        count = 0
    items = []
    for index in range(max(count, 0)):
        url = _text(form, f"MediaUrl{index}", 2000)
        if url:
            items.append(
                handlers.Media(url=url, content_type=_text(form, f"MediaContentType{index}", 100))
            )
    return tuple(items)


def _location(form) -> handlers.Location | None:
    try:
        latitude = float(form.get("Latitude", ""))
        longitude = float(form.get("Longitude", ""))
    except ValueError:
        return None
    if not (math.isfinite(latitude) and math.isfinite(longitude)):
        return None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    return handlers.Location(
        latitude=latitude,
        longitude=longitude,
        address=_text(form, "Address", 300) or None,
        label=_text(form, "Label", 150) or None,
    )
