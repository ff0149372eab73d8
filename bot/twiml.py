"""Replies as TwiML: `<Response>` with one `<Message>` per WhatsApp message.

Built by hand rather than with the `twilio` library's `MessagingResponse`: that builds
an ElementTree for two elements, a tenth of the webhook's whole cost, and the escaping
of element text is all it does for us (tests/test_webhook_safety.py pins it down)."""

from xml.sax.saxutils import escape

from flask import Response

from handlers.cleaning import printable

_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>'


def twiml(replies: list[str], status: int = 200) -> Response:
    """Replies are cleaned again here: a stored reply may quote what a citizen typed
    before input was cleaned of what XML cannot carry."""
    messages = "".join(f"<Message>{escape(printable(text))}</Message>" for text in replies)
    body = f"{_DECLARATION}<Response>{messages}</Response>"
    return Response(body, status=status, mimetype="text/xml")
