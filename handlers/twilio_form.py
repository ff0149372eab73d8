"""A WhatsApp message as Twilio posts it (form fields), read into an IncomingMessage:
cleaned of what XML cannot carry, cut to WhatsApp's own limits."""

import math
import re

from handlers.cleaning import printable
from handlers.message import IncomingMessage, Location, Media
from store.phones import sender_from

MAX_MEDIA = 10
MAX_BODY = 4096  # characters: WhatsApp's own limit for one message
# Twilio's message SIDs, exactly: its signature joins keys and values with nothing
# between them, so a looser pattern let `SM…NumMedia0` pass as another, new, message.
_MESSAGE_SID = re.compile(r"(SM|MM)[0-9a-f]{32}")


def is_message_sid(sid: str) -> bool:
    return bool(_MESSAGE_SID.fullmatch(sid))


def message_sid(form) -> str | None:
    """The MessageSid of a well-formed inbound message (one that has a sender too)."""
    sid = form.get("MessageSid") or form.get("SmsMessageSid") or ""
    return sid if _MESSAGE_SID.fullmatch(sid) and text_of(form, "From") else None


def text_of(form, field: str, limit: int | None = None) -> str:
    """A form field without control characters (PostgreSQL refuses NUL in text)."""
    value = printable(form.get(field, "")).strip()
    return value[:limit] if limit else value


def incoming_message(form) -> IncomingMessage:
    return IncomingMessage(
        sender=sender_from(text_of(form, "From", 128)),
        body=text_of(form, "Body", MAX_BODY),
        profile_name=text_of(form, "ProfileName", 200) or None,
        media=_media(form),
        location=_location(form),
    )


def _media(form) -> tuple[Media, ...]:
    try:
        count = min(int(form.get("NumMedia", "0")), MAX_MEDIA)
    except ValueError:
        count = 0
    items = []
    for index in range(max(count, 0)):
        url = text_of(form, f"MediaUrl{index}", 2000)
        if url:
            items.append(
                Media(url=url, content_type=text_of(form, f"MediaContentType{index}", 100))
            )
    return tuple(items)


def _location(form) -> Location | None:
    try:
        latitude = float(form.get("Latitude", ""))
        longitude = float(form.get("Longitude", ""))
    except ValueError:
        return None
    if not (math.isfinite(latitude) and math.isfinite(longitude)):
        return None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    return Location(
        latitude=latitude,
        longitude=longitude,
        address=text_of(form, "Address", 300) or None,
        label=text_of(form, "Label", 150) or None,
    )
