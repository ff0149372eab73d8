"""A terminal WhatsApp: sign each line exactly as Twilio would and post it to the bot.

    flask --app bot chat --phone 081234567890

Lines starting with `/` are special: `/lokasi LAT LON [label]` sends a location pin,
`/foto URL` a photo, `/keluar` quits. Anything else is sent as the message body.
"""

import itertools
import secrets
import shlex
import xml.etree.ElementTree as ET

import click
import requests
from flask import current_app
from flask.cli import with_appcontext
from twilio.request_validator import RequestValidator

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
        url = (
            line.split(maxsplit=1)[1] if " " in line else f"https://picsum.photos/id/{counter}/640"
        )
        form.update(
            Body="",
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
    click.echo(f"Chatting as {name} ({e164}) with {server}. /lokasi LAT LON, /foto URL, /keluar.")
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
