"""Replies as TwiML: `<Response>` with one `<Message>` per WhatsApp message.

Built by hand rather than with the `twilio` library's `MessagingResponse`: that builds
an ElementTree for two elements, a tenth of the webhook's whole cost, and the escaping
of element text is all it does for us (tests/test_webhook_safety.py pins it down)."""

from xml.sax.saxutils import escape

from flask import Response

WHATSAPP_BODY_LIMIT = 1600


def split_for_whatsapp(replies: list[str], limit: int = WHATSAPP_BODY_LIMIT) -> list[str]:
    """Cut replies longer than one WhatsApp message at line breaks (or hard, if a single
    line is longer), keeping their order."""
    messages: list[str] = []
    for reply in replies:
        current = ""
        for line in reply.splitlines(keepends=True):
            while len(line) > limit:
                if current:
                    messages.append(current.rstrip())
                    current = ""
                messages.append(line[:limit])
                line = line[limit:]
            if len(current) + len(line) > limit:
                messages.append(current.rstrip())
                current = ""
            current += line
        if current.strip():
            messages.append(current.rstrip())
    return messages


_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>'


def twiml(replies: list[str], status: int = 200) -> Response:
    messages = "".join(f"<Message>{escape(text)}</Message>" for text in replies)
    body = f"{_DECLARATION}<Response>{messages}</Response>"
    return Response(body, status=status, mimetype="text/xml")
