"""Replies as TwiML. Citizen text is escaped by the `twilio` library's XML builder."""

from flask import Response
from twilio.twiml.messaging_response import MessagingResponse

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


def twiml(replies: list[str], status: int = 200) -> Response:
    response = MessagingResponse()
    for text in replies:
        response.message(text)
    return Response(str(response), status=status, mimetype="text/xml")
