"""Twilio's WhatsApp webhook: verify, record once, let the handlers decide, reply in TwiML."""

from flask import Blueprint, Response, current_app, request
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError

from bot import database
from bot.media import media_links
from bot.signature import twilio_signed
from bot.twiml import twiml
from handlers.once import answer_once
from handlers.texts import Texts
from handlers.turn import Limits
from handlers.twilio_form import incoming_message, is_message_sid, message_sid, text_of
from store import inbound, outbox
from store.bounded import TooSlow, read_within
from store.clock import utcnow
from store.db import gave_up_waiting
from store.phones import mask, sender_from
from store.spool import Spool

bp = Blueprint("webhooks", __name__, url_prefix="/webhooks")

DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)  # incl. statement and lock timeouts
BUSY_FOR_EVERYONE_SECONDS = 5.0  # a second message meeting a busy database within it
ANSWERED_CHECK_SECONDS = 1.0  # the fallback's wait for the database, of Twilio's 15 s


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
    kept = spool()
    held = kept.held_for(message.sender.key)
    if kept.has_pending():  # keep each phone's order while an outage is replayed
        return _keep_for_later(form, kept)
    if held.has_pending():  # and this phone's, while its messages kept are replayed
        return _keep_for_later(form, held)
    try:
        once = answer_once(
            sid, message, db=database.transaction(), limits=_limits(), links=media_links()
        )
        return twiml(once.replies)
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
    sender = sender_from(text_of(form, "From", 128))
    kept = spool()
    if kept.holds_message(sid) or kept.held_for(sender.key).holds_message(sid):
        return twiml([Texts().say("message_kept")])  # kept already: everyone's or its own
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
    status = text_of(request.form, "MessageStatus", 20) or text_of(request.form, "SmsStatus", 20)
    if not is_message_sid(sid) or not status:
        return "", 400
    db = database.session()
    outcome = outbox.record_delivery_status(
        sid, status, text_of(request.form, "ErrorCode", 16) or None, session=db, now=utcnow()
    )
    db.commit()
    current_app.logger.info("delivery status %s for %s: %s", status, sid, outcome)
    return "", 204


def _limits() -> Limits:
    """The settings' limits on a citizen's messages (the spool's replay lifts the
    per-minute one: scheduler/replay.py)."""
    settings = current_app.config["SETTINGS"]
    return Limits(
        messages_per_minute=settings.messages_per_minute,
        reports_per_day=settings.reports_per_day,
    )
