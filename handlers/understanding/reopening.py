"""Whether a message asks to reopen a closed report, `BUKA <number> <reason>`, and the
number and reason after its verb. Pure functions of the text; handlers/reopen.py
reopens the report.

Whether a report number is named is read by its shape (report_numbers.py); which one,
by the action through store/numbers.py."""

from handlers import vocabulary
from handlers.understanding import report_numbers

_QUESTION_WORDS = vocabulary.QUESTION_STARTS | vocabulary.ASKING | vocabulary.ASKING_WHEN


def is_command(command: str) -> bool:
    """`command` is the message without the courtesies around it (`IncomingMessage.answer`)."""
    verb = command.split(" ", 1)[0]
    return verb in vocabulary.REOPEN or (
        verb in vocabulary.REOPEN_WITH_A_NUMBER
        and _QUESTION_WORDS.isdisjoint(command.split())
        and report_numbers.names_a_number(command, with_prefix=True)
    )


def after_the_verb(text: str) -> str:
    """ "Mas, tolong buka lagi laporan saya CRM-… masih rusak" → "CRM-… masih rusak"."""
    words = text.split()
    while words and _plain(words[0]) in vocabulary.COURTESIES:
        words.pop(0)
    words = words[1:]
    while words and _plain(words[0]) in vocabulary.REOPEN_BEFORE_THE_NUMBER:
        words.pop(0)
    return " ".join(words)


def _plain(word: str) -> str:
    return word.upper().strip(",.:;!")
