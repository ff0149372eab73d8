"""Whether a message asks after a report's status, and the report number it names:
"STATUS CRM-26-000123-3", "cek status laporan saya", a number typed on its own or
typed wrongly. Pure functions of a message's keyword form (`IncomingMessage.answer`);
handlers/status.py looks the report up and answers.

Whether a report number is named is read by its shape (report_numbers.py); which one,
with its check digit, by handlers/status.py through store/numbers.py. Whether digits are
a phone number the message says (`IncomingMessage.typed_a_phone`)."""

import re

from handlers import vocabulary
from handlers.message import IncomingMessage
from handlers.understanding import report_numbers

MAX_WORDS_AFTER_A_STATUS_WORD = 3  # "cek status laporan saya"; "cek saluran … sejak …" tells


_STATUS_WORD = re.compile(
    rf"^(?:{'|'.join(vocabulary.STATUS_WORDS)})(?![^\W_])[\s:.,\-]*"
)  # "STATUS CRM-…", "status: CRM-…", "cek status laporan CRM-…"; not "CEKLIS"


def looks_like_status_request(message: IncomingMessage) -> bool:
    """`STATUS …` or `CEK …` with a number, about one's reports or short; something shaped
    like a report number on its own; or a message that names one ("Laporan saya
    CRM-26-000123-3 belum ditangani"). Not "(mohon) cek saluran air yang mampet di
    depan rumah saya …", which asks for a look at the problem."""
    command = message.answer
    return (
        (bool(_STATUS_WORD.match(command)) and _asks_a_status(after_status_word(command)))
        or report_numbers.is_typed_number(command, short_form=True)
        or report_numbers.names_a_number(command, with_prefix=True, short_form=True)
        or (_typed_as_a_number(command) and not message.typed_a_phone)
    )


# A report number typed wrongly, for the reply to show the right form: "CRM-26-000004"
# (its last digit left out), "CRM-26-OOOO01-9" (letters O), "CRM-2026-000001-9",
# "000001-9". CRM and figures only, six at least (not a house number), and not a phone
# number nor a typed coordinate ("-6.2088 106.8456"). A sum ("500.000") or an ID card's
# number gets the same answer: what a report number looks like.
_NUMBER_SHAPED = re.compile(r"^(?:CRM[\s\-.:/]*)?[\dO][\dO\s\-./]*$")
MIN_DIGITS_TYPED = 6


def _typed_as_a_number(command: str) -> bool:
    figures = sum(char.isdigit() or char == "O" for char in command)
    return figures >= MIN_DIGITS_TYPED and bool(_NUMBER_SHAPED.match(command))


def _asks_a_status(typed: str) -> bool:
    words = typed.split()
    return (
        len(words) <= MAX_WORDS_AFTER_A_STATUS_WORD
        or any(char.isdigit() for char in typed)
        or names_own_reports(typed)
    )


def names_a_number(command: str) -> bool:
    """A report number the message unmistakably asks about, for a report in progress to
    answer and go on: one with its CRM prefix on its own, or one after a status word
    (right after it, or further on with its prefix). Digits alone may be typed
    coordinates (-6.208 106.845), and "Cek saluran air mampet, hubungi 0812345678" is a
    description."""
    if _STATUS_WORD.match(command):
        typed = after_status_word(command)
        return report_numbers.is_typed_number(
            typed, short_form=True
        ) or report_numbers.names_a_number(typed, with_prefix=True, short_form=True)
    return command.startswith(report_numbers.PREFIX) and report_numbers.is_typed_number(
        command, short_form=True
    )


def after_status_word(command: str) -> str:
    """What follows the status word the message opens with, if any."""
    return _STATUS_WORD.sub("", command, count=1)


def names_own_reports(typed: str) -> bool:
    """Words, no digits, about one's reports: "laporan saya", "pengaduan sy"."""
    words = set(typed.split())
    return not any(char.isdigit() for char in typed) and not words.isdisjoint(
        vocabulary.ABOUT_REPORTS
    )
