"""What a short message outside a report's questions asks for, in a sentence: to make a
report ("saya mau lapor"), after reports made earlier ("laporan saya gimana?"), for a
status, after progress, or nothing at all ("maaf baru kirim fotonya"). Pure functions
of a message or its keyword forms (`IncomingMessage.command`, `.answer`)."""

import re

from handlers import vocabulary
from handlers.message import IncomingMessage
from handlers.understanding import status_request, story

MAX_WORDS_OF_A_REQUEST = 10


def short_with(command: str, *keywords) -> bool:
    """A short message with a word of each of these sets in it: a request in a sentence
    (a long one is more likely a report's story told up front)."""
    words = story.words_of(command)
    return len(words) <= MAX_WORDS_OF_A_REQUEST and all(
        not set(among).isdisjoint(words) for among in keywords
    )


def is_short(command: str) -> bool:
    return len(story.words_of(command)) <= MAX_WORDS_OF_A_REQUEST


def asks_after_own_reports(
    command: str, *, asking: frozenset[str] = vocabulary.ASKING_AFTER
) -> bool:
    """A short question about one's reports: "laporan saya gimana?", "saya lupa nomor
    laporannya"; not "bagaimana cara lapor?", which wants to report."""
    return short_with(command, vocabulary.REPORT_NOUNS, asking, vocabulary.OWNERS)


def asks_about_earlier_reports(message: IncomingMessage) -> bool:
    command = message.answer
    return (
        status_request.looks_like_status_request(message)
        or short_with(command, vocabulary.ABOUT_REPORTS, vocabulary.EARLIER_WORDS)
        or asks_after_own_reports(command)
    )


def wishes_to_report(message: IncomingMessage) -> bool:
    """A wish to report ("saya mau lapor", "how do I report?"): short, with a report
    word, not about reports already made ("saya sudah lapor 3 hari lalu", "laporan saya
    gimana?"), and not a status request unless it says the wish too ("saya mau lapor,
    tolong cek …")."""
    command = message.answer
    says_report = short_with(command, vocabulary.REPORT_WORDS) or short_with(
        command, *vocabulary.WISH_TO_REPORT
    )
    return (
        says_report
        and not asks_about_earlier_reports(message)
        and (
            not short_with(command, vocabulary.STATUS_WORDS)
            or short_with(command, vocabulary.REPORT_WORDS, vocabulary.WISHES)
        )
    )


def acknowledges(command: str) -> bool:
    """ "ok", "siap pak, ditunggu", or a YA sent twice."""
    return command in vocabulary.YES or vocabulary.is_an_acknowledgement(command)


def asks_after_progress(message: IncomingMessage) -> bool:
    """A question, "kira-kira kapan ya", or "kok belum ada kabar ya": each is answered
    by the citizen's reports, when they have any."""
    return (
        story.asks(message)
        or vocabulary.asks_when(message.answer)
        or short_with(message.answer, vocabulary.ASKING_FOR_NEWS)
    )


def asks_nothing(command: str) -> bool:
    """ "maaf baru kirim fotonya", "bukan": nothing to do."""
    return set(story.words_of(command)) <= vocabulary.NOTHING_ASKED


def media_without_words(message: IncomingMessage) -> bool:
    """A voice note, a video, a photo with "ini fotonya pak": nothing to read."""
    return bool(message.media) and not story.says_something(message)


def asks_for_the_menu(message: IncomingMessage) -> bool:
    """MENU, or greetings; not a photo's caption ("Assalamualaikum"): the photo counts."""
    command = message.answer
    asked = command in vocabulary.MENU or vocabulary.is_a_greeting(command)
    return asked and not message.has_attachment


def starts_with_attachment(message: IncomingMessage) -> bool:
    """A photo or a location pin sent outside a report starts one; other media don't."""
    return message.location is not None or any(item.is_photo for item in message.media)


def photos_only(message: IncomingMessage) -> bool:
    """Photos, no pin, whose caption tells no new problem ("Lampu jalan mati di gang 3"
    or "ini masalah lain" start a new report): for the report just filed, if any."""
    only_photos = bool(message.media) and all(item.is_photo for item in message.media)
    return (
        only_photos
        and message.location is None
        and not story.tells_a_problem(message)
        and not vocabulary.says_another_problem(message.command)
    )


_SHOULD_BE = re.compile(
    r"\b(?:harusnya|seharusnya|sebenarnya|yang benar|should be)\b[\s:]*", re.IGNORECASE
)


def corrected_value(message: IncomingMessage) -> str | None:
    """What a correction on the way gives as the right value ("eh salah, harusnya saluran
    air": "saluran air"; "ralat pak": ""), or None when the message opens with no
    correction: then it is the question's answer, "salah" in it or not."""
    words = message.answer.replace(",", " ").split()
    opener = next(
        (size for size in (2, 1) if " ".join(words[:size]) in vocabulary.CORRECTING), None
    )
    if opener is None:
        return None
    said = _SHOULD_BE.split(message.text, maxsplit=1)
    return said[1].strip(" .,!") if len(said) > 1 else ""


def tells_a_detail(message: IncomingMessage) -> bool:
    """Text alone that tells something which may be of the report just filed
    ("lubangnya ada tiga"); not a question ("kira-kira kapan dikerjakan pak"), news
    asked for ("kok belum ada kabar ya") nor another problem."""
    if message.has_attachment or not story.tells_something(message):
        return False
    command = message.command
    asks_for_news = not vocabulary.ASKING_FOR_NEWS.isdisjoint(story.words_of(command))
    return not (
        vocabulary.asks_when(command) or asks_for_news or vocabulary.says_another_problem(command)
    )


def tells_at_length(message: IncomingMessage) -> bool:
    """A long message that tells a problem (requests are short, see `short_with`)."""
    return not is_short(message.answer) and story.tells_a_problem(message)
