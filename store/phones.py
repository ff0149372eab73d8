"""Who sent a message: phone numbers in any form to E.164, and the key we file senders by."""

import re
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers

DEFAULT_REGION = "ID"
_CHANNEL_PREFIX = re.compile(r"^(whatsapp|sms|tel):", re.IGNORECASE)
CACHED_INPUT_CHARS = 64  # a phone in any of its forms; the API's fields can be 1 MB


def to_e164(raw: str) -> str | None:
    """`0812…`, `62812…`, `+62 812-…`, `whatsapp:+62…` → `+62812…`; None if not a phone number."""
    if len(raw) <= CACHED_INPUT_CHARS:
        return _cached_e164(raw)
    return _parse_e164(raw)


@lru_cache(maxsize=16_384)  # every message asks, and a conversation's phone repeats
def _cached_e164(raw: str) -> str | None:
    return _parse_e164(raw)


def _parse_e164(raw: str) -> str | None:
    text = _CHANNEL_PREFIX.sub("", raw.strip())
    if not text or not re.search(r"\d", text) or re.search(r"[A-Za-z]", text):
        return None
    digits_only = re.sub(r"[^\d+]", "", text)
    if digits_only.startswith("62") and not digits_only.startswith("+"):
        text = "+" + digits_only
    try:
        parsed = phonenumbers.parse(text, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


@dataclass(frozen=True)
class Sender:
    """`key` identifies the sender for good: their E.164 number, or what Twilio sent
    when it is not a phone number (WhatsApp's opaque user IDs, `whatsapp:<id>`)."""

    key: str
    phone: str | None


def sender_from(raw_from: str) -> Sender:
    phone = to_e164(raw_from)
    return Sender(key=phone or raw_from.strip(), phone=phone)


def mask(value: str | None) -> str:
    """For logs: `+6281234567890` → `+62812*****890`."""
    if not value:
        return "-"
    if len(value) <= 9:
        return value[: len(value) // 4] + "*" * (len(value) - len(value) // 4)
    return value[:6] + "*" * (len(value) - 9) + value[-3:]


# A report number, kept whole, or a run of digits, spaces, dots and hyphens.
_REPORT_OR_DIGITS = re.compile(
    r"(?P<report>CRM[\s-]?\d{2}[\s-]?\d{6,7}[\s-]?\d)|(?P<digits>(?<!\d)\+?\d[\d\s.-]{7,}\d)",
    re.IGNORECASE,
)
PHONE_DIGITS = 9  # Indonesian numbers have 9 to 13; dates (28-11-2026) and sums have fewer


def mask_numbers(text: str) -> str:
    """Mask anything phone-like inside free text (an error message from Twilio, an
    officer's note, a typed address): runs of at least PHONE_DIGITS digits, whatever
    separates them; report numbers, dates and sums of rupiah stay readable."""
    return _REPORT_OR_DIGITS.sub(_masked_if_phone, text)


def _masked_if_phone(match: re.Match) -> str:
    if match.group("report"):
        return match.group(0)
    digits = re.sub(r"[\s.-]", "", match.group("digits"))
    return mask(digits) if len(digits.lstrip("+")) >= PHONE_DIGITS else match.group(0)
