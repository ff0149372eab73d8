"""Twilio's WhatsApp webhook: verify, record once, let the handlers decide, reply in TwiML."""

import math

from flask import Blueprint, current_app, request
from sqlalchemy.exc import IntegrityError

import handlers
from bot import database
from bot.signature import twilio_signed
from bot.twiml import split_for_whatsapp, twiml
from handlers.texts import Texts
from store import inbound
from store.clock import utcnow
from store.phones import mask, sender_from

bp = Blueprint("webhooks", __name__, url_prefix="/webhooks")

MAX_MEDIA = 10
ATTEMPTS = 3  # a unique-index race (same MessageSid, or one new sender twice) is retried


@bp.post("/whatsapp")
@twilio_signed
def whatsapp():
    form = request.form
    sid = form.get("MessageSid") or form.get("SmsMessageSid") or ""
    if not sid or not form.get("From", "").strip():
        return twiml([], status=400)
    message = incoming_message(form)
    current_app.logger.info("inbound %s from %s", sid, mask(message.sender.key))
    try:
        return twiml(_answer_once(sid, message))
    except Exception:
        database.session().rollback()
        current_app.logger.exception("could not answer %s from %s", sid, mask(message.sender.key))
        return twiml([Texts().say("system_error")])


def _answer_once(sid: str, message: handlers.IncomingMessage) -> list[str]:
    """The reply to `sid`: the stored one if Twilio delivers it again, else a new one,
    committed with everything it changed in one transaction."""
    db = database.session()
    for attempt in range(ATTEMPTS):
        try:
            earlier = inbound.stored_reply(sid, session=db)
            if earlier is not None:
                db.rollback()
                return earlier
            now = utcnow()
            outcome = handlers.respond(message, session=db, now=now)
            replies = split_for_whatsapp(outcome.replies)
            inbound.record_inbound(
                sid,
                contact_id=outcome.contact_id,
                body=message.body,
                num_media=len(message.media),
                reply=replies,
                session=db,
                now=now,
            )
            db.commit()
            return replies
        except IntegrityError:
            db.rollback()
            if attempt == ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def incoming_message(form) -> handlers.IncomingMessage:
    return handlers.IncomingMessage(
        sender=sender_from(form.get("From", "")),
        body=form.get("Body", ""),
        profile_name=(form.get("ProfileName") or "").strip() or None,
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
        url = form.get(f"MediaUrl{index}", "").strip()
        if url:
            items.append(
                handlers.Media(url=url[:2000], content_type=form.get(f"MediaContentType{index}"))
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
        address=(form.get("Address") or "").strip()[:300] or None,
        label=(form.get("Label") or "").strip()[:150] or None,
    )
