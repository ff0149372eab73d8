"""How outgoing messages leave: Twilio's REST API, or the console when no credentials
are configured (development). Both answer with a SID or raise `SendError`."""

import logging
import secrets
from dataclasses import dataclass

import requests
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from store.phones import mask

logger = logging.getLogger("crm.outbound")
TWILIO_TIMEOUT_SECONDS = 10


@dataclass(frozen=True)
class Message:
    to: str
    body: str | None = None
    content_sid: str | None = None
    content_variables: str | None = None  # JSON text, as Twilio takes it
    media_url: str | None = None  # a photo Twilio fetches and sends with the body
    about: str = "a message"  # what it is, for logs: nothing of whom it is for, nor its text


class SendError(Exception):
    """`retryable`: try again later (429, 5xx, network). Otherwise permanent."""

    def __init__(self, message: str, *, code: str | None, retryable: bool):
        super().__init__(message)
        self.code = code
        self.retryable = retryable


class ConsoleTransport:
    """Development: log that a message went, and keep it in the outbox as sent. Not its
    text, which holds people's names and words (`flask chat` shows it to its phone)."""

    name = "console"

    def send(self, message: Message) -> str:
        to = mask(message.to.removeprefix("whatsapp:"))
        if message.content_sid:
            logger.info("WhatsApp to %s: %s, template %s", to, message.about, message.content_sid)
        else:
            logger.info(
                "WhatsApp to %s: %s, %d characters%s",
                to,
                message.about,
                len(message.body or ""),
                ", with a photo" if message.media_url else "",
            )
        return f"CONSOLE{secrets.token_hex(14)}"


class TwilioTransport:
    name = "twilio"

    def __init__(
        self,
        *,
        account_sid: str,
        auth_token: str,
        sender: str,
        api_base_url: str,
        status_callback: str | None,
    ):
        # environment={} keeps edge/region variables from rewriting a local test URL.
        self._client = Client(
            account_sid,
            auth_token,
            environment={},
            http_client=TwilioHttpClient(timeout=TWILIO_TIMEOUT_SECONDS),
        )
        self._client.api.base_url = api_base_url.rstrip("/")
        self._sender = sender
        self._status_callback = status_callback

    def send(self, message: Message) -> str:
        fields = {"to": message.to, "from_": self._sender}
        if self._status_callback:
            fields["status_callback"] = self._status_callback
        if message.content_sid:
            fields.update(
                content_sid=message.content_sid, content_variables=message.content_variables
            )
        else:
            fields["body"] = message.body
        if message.media_url:
            fields["media_url"] = [message.media_url]
        try:
            return self._client.messages.create(**fields).sid
        except TwilioRestException as problem:
            retryable = problem.status == 429 or problem.status >= 500
            code = str(problem.code) if problem.code else str(problem.status)
            raise SendError(problem.msg or str(problem), code=code, retryable=retryable) from None
        except requests.RequestException as problem:
            raise SendError(f"network: {problem}", code=None, retryable=True) from None
