"""A terminal WhatsApp: sign each line exactly as Twilio would and post it to the bot.

    flask --app bot chat --phone 081234567890

Lines starting with `/` are special: `/lokasi LAT LON [label]` sends a location pin,
`/foto URL [caption]` a photo, `/keluar` quits. Anything else is sent as the message body.

Notifications the worker sent to this phone through the console transport (stage
changes made by officers, the photos a facilitator's LIHAT sends, with their link) are
shown as they arrive.
"""

import itertools
import secrets
import shlex
import threading
import xml.etree.ElementTree as ET

import click
import requests
from flask import Flask, current_app
from flask.cli import with_appcontext
from twilio.request_validator import RequestValidator

from bot import database
from handlers.notifications import render
from store import outbox
from store.phones import to_e164

WEBHOOK_PATH = "/webhooks/whatsapp"
BOT_NUMBER = "whatsapp:+14155238886"


def message_form(phone: str, name: str, line: str, counter: int) -> dict[str, str]:
    """Twilio's form fields for one typed line."""
    form = {
        "MessageSid": f"SM{secrets.token_hex(16)}",
        "AccountSid": "AC" + "0" * 32,
        "From": f"whatsapp:{phone}",
        "To": BOT_NUMBER,
        "ProfileName": name,
        "WaId": phone.lstrip("+"),
        "Body": line,
        "NumMedia": "0",
        "NumSegments": "1",
        "SmsStatus": "received",
        "ApiVersion": "2010-04-01",
    }
    if line.startswith("/lokasi") or line.startswith("/location"):
        parts = shlex.split(line)[1:]
        form.update(Body="", MessageType="location", Latitude=parts[0], Longitude=parts[1])
        if len(parts) > 2:
            form["Label"] = " ".join(parts[2:])
    elif line.startswith("/foto") or line.startswith("/photo"):
        _, *given = line.split(maxsplit=2)  # "/foto URL its caption"
        url = given[0] if given else f"https://picsum.photos/id/{counter}/640"
        form.update(
            Body=given[1] if len(given) > 1 else "",
            MessageType="image",
            NumMedia="1",
            MediaUrl0=url,
            MediaContentType0="image/jpeg",
        )
    return form


def post_signed(server: str, signed_url: str, token: str, form: dict[str, str]) -> list[str]:
    signature = RequestValidator(token).compute_signature(signed_url, form)
    answer = requests.post(
        server.rstrip("/") + WEBHOOK_PATH,
        data=form,
        headers={"X-Twilio-Signature": signature},
        timeout=15,
    )
    if answer.status_code != 200:
        return [f"[HTTP {answer.status_code}]"]
    return [element.text or "" for element in ET.fromstring(answer.text).iter("Message")]


@click.command("chat")
@click.option("--phone", default="081234567890", show_default=True, help="Your phone number.")
@click.option("--name", default="Warga", show_default=True, help="Your WhatsApp profile name.")
@click.option("--server", default=None, help="Where the bot runs (default: PUBLIC_BASE_URL).")
@with_appcontext
def chat(phone: str, name: str, server: str | None) -> None:
    """Talk to the running bot from the terminal, signed like Twilio."""
    settings = current_app.config["SETTINGS"]
    e164 = to_e164(phone) or phone
    signed_url = settings.public_base_url + WEBHOOK_PATH
    server = server or settings.public_base_url
    commands = "/lokasi LAT LON, /foto URL [caption], /keluar"
    click.echo(f"Chatting as {name} ({e164}) with {server}. {commands}.")
    watcher = NotificationWatcher(current_app._get_current_object(), e164)
    watcher.start()
    for counter in itertools.count(1):
        try:
            line = input("> ")
        except (EOFError, KeyboardInterrupt):
            break
        if line.strip() in {"/keluar", "/quit"}:
            break
        try:
            form = message_form(e164, name, line, counter)
            replies = post_signed(server, signed_url, settings.twilio_auth_token, form)
        except (IndexError, ValueError) as problem:
            click.echo(f"[not sent: {problem}]")
            continue
        except requests.RequestException as problem:
            click.echo(f"[cannot reach the bot at {server}: {problem}]")
            continue
        for reply in replies:
            click.echo(click.style(reply, fg="green") + "\n")
        watcher.show_new()
    watcher.stop()


class NotificationWatcher:
    """Shows, every few seconds, notifications the console transport sent to `sender_key`."""

    def __init__(self, app: Flask, sender_key: str, every_seconds: float = 2.0):
        self.app, self.sender_key, self.every_seconds = app, sender_key, every_seconds
        self._stop = threading.Event()
        self._lock = threading.Lock()
        with app.app_context():
            already = outbox.sent_to(sender_key, after_id=0, session=database.session())
        self._last_id = already[-1].id if already else 0

    def start(self) -> None:
        threading.Thread(target=self._poll, daemon=True).start()

    def stop(self) -> None:
        self._stop.set()

    def _poll(self) -> None:
        while not self._stop.wait(self.every_seconds):
            self.show_new()

    def show_new(self) -> None:
        with self._lock, self.app.app_context():
            for item in outbox.sent_to(
                self.sender_key, after_id=self._last_id, session=database.session()
            ):
                rendered = render(item.kind, item.payload, item.language)
                photo = f"\n[foto] {rendered.media_url}" if rendered.media_url else ""
                click.echo(click.style(f"[notifikasi] {rendered.body}{photo}", fg="yellow") + "\n")
                self._last_id = item.id
