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


MASKED_NUMBER = "[nomor disamarkan]"
HIDDEN = "*****"  # what `mask` shows for the rest of a sender, whatever its length


def mask(value: str | None) -> str:
    """For logs: a phone number shows its country code only (`+6281234567890` →
    `+62*****`), anything else (WhatsApp's opaque user IDs) nothing of itself."""
    if not value:
        return "-"
    phone = to_e164(value)
    if phone is None:
        return HIDDEN
    return f"+{phonenumbers.parse(phone).country_code}{HIDDEN}"


# What free text may hold that looks like a phone number but is not one, and stays: the
# report numbers we give out, dates and times, sums of rupiah, coordinates.
_DASHES = "\\-\u2010-\u2015\u2212"  # hyphen, the dashes of autocorrect, minus
_DAY, _MONTH = r"(?:0?[1-9]|[12]\d|3[01])", r"(?:0?[1-9]|1[0-2])"
_DATE = "|".join(
    [
        *(rf"{_DAY}{s}{_MONTH}{s}(?:(?:19|20)\d\d|\d\d)" for s in ("-", r"\.", "/")),
        rf"{_DAY} {_MONTH} (?:19|20)\d\d",  # 12 05 2024
        r"(?:19|20)\d\d-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])",  # 2026-11-28
    ]
)
_TIME = r"(?:[01]?\d|2[0-3])[.:][0-5]\d(?:[.:][0-5]\d)?"
_KEPT = "|".join(
    [
        rf"CRM[\s{_DASHES}]?\d{{2}}[\s{_DASHES}]?\d{{6,7}}[\s{_DASHES}]?\d(?!\d)",
        rf"(?:{_DATE}|{_TIME})(?![.:/{_DASHES}]?\d)",
        r"(?:Rp|IDR)\.?\s?\d{1,3}(?:[., ]\d{3})*(?:,\d{1,2}|,-)?",  # Rp 1.500.000,-
        r"\d{1,3}(?:\.\d{3})+(?:,\d{1,2})?(?= ?(?:rupiah|,-))",  # 125.000.000 rupiah
        r"-?\d{1,3}\.\d{3,}, ?-?\d{1,3}\.\d{3,}",  # a place: -6.20880, 106.84560
    ]
)
# A phone number however its digits are grouped: spaces, tabs, line breaks, dots,
# hyphens, dashes, slashes, commas, colons, bars, underscores, parentheses or brackets
# between them, spaces beside them or not; an area code in parentheses or brackets, also
# with nothing after it (`(021)5551234`). A date or a time ends it (`10320 28-11-2026`).
_GAP = r"\s{0,3}"
_OPEN = r"[(\[]?"
# A parenthesis or bracket closes a group inside the number only when more digits follow
# (`+62 (0)812…`); one that closes the whole number stays: `(0812-9999-0000), RT 05`.
_CLOSE_INSIDE = r"(?:[)\]](?=[^\d\n]{0,4}\d))?"
# Never empty, but right after a closing parenthesis or bracket.
_SEPARATOR = rf"(?:(?<=[)\]])|(?=\D)){_GAP}{_OPEN}{_GAP}[{_DASHES}./,:;|_]?{_GAP}{_OPEN}"
_PHONE_LIKE = (
    rf"\+?(?:[(\[]\d+[)\]]|\d+)"
    rf"(?:{_SEPARATOR}(?!(?:{_DATE}|{_TIME})(?!\d))\d+{_CLOSE_INSIDE})*"
)
_NUMBERS = re.compile(rf"(?P<kept>{_KEPT})|(?<!\d){_PHONE_LIKE}", re.IGNORECASE)
PHONE_DIGITS = 9  # the shortest with its area code, (0251) 12345; dates and sums have fewer


def mask_numbers(text: str) -> str:
    """Replace, whole, anything phone-like inside free text (Open311's public texts, an
    officer's note, an error message from Twilio): every number of PHONE_DIGITS digits
    or more, whatever separates them, so also an NIK (16 digits). Report numbers, dates,
    times, sums of rupiah and coordinates stay, and so do shorter numbers (RT/RW, postal
    codes, house numbers)."""
    return _NUMBERS.sub(_masked_if_phone, text)


def _masked_if_phone(match: re.Match) -> str:
    found = match.group(0)
    if match.group("kept") is not None:
        return found
    return MASKED_NUMBER if sum(char.isdigit() for char in found) >= PHONE_DIGITS else found
