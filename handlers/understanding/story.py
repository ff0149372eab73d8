"""Whether a message tells a problem: the text a citizen sends before being asked for it
(a long first message, a photo's caption, a sentence at the category question), kept as
a report's description, which they are then asked to confirm rather than type again.

Wrongly kept, a text starts a report nobody meant, so anything that reads as a question,
thanks, a greeting, a request or news of an earlier report is not a story."""

import re

from handlers import vocabulary
from handlers.message import IncomingMessage
from handlers.understanding import status_request

MIN_DESCRIPTION_CHARS = 10  # letters or digits, so "🙂🙂🙂" or "....." is not a description
# What a report's description holds (as Open311's): a story told at greater length is
# kept up to here, at a word's end, and the citizen told where it was cut.
MAX_STORY_CHARS = 4000
LAST_WORDS = 6
MIN_TOLD_WORDS = 3  # words beyond greetings, courtesies and "ini fotonya": "jalan rusak parah"
NEAR = 2  # words between: "sudah lapor", "pernah saya laporkan", "laporan saya kemarin"
# A question mark ends a question in a short message; a long complaint may end with one
# ("… sudah dua minggu, kapan akan diperbaiki?") and still tell the problem.
QUESTION_MARK_WITHIN = 10


def words_of(command: str) -> list[str]:
    return re.findall(r"\w+", command)


# A piece of the text up to a comma or a full stop: "Assalamualaikum wr. ", "pak, ".
_PIECE = re.compile(r"[^,.!]*[,.!]+\s*")


def without_greeting(text: str) -> str:
    """The story as officers should read it, without the greeting it opens with:
    "Assalamualaikum wr. wb. Jalan …", "Selamat pagi admin. Sampah …" (greetings and
    forms of address, each piece ending in a comma or a full stop); not "Malam ini
    banjir lagi …", nor a greeting that would leave too little to describe a problem."""
    rest, greeted = text, False
    while (piece := _PIECE.match(rest)) and piece.end() < len(rest):
        words = words_of(piece.group().upper())
        if not words or not all(vocabulary.greets_or_addresses(word) for word in words):
            break
        greeted = greeted or any(word in vocabulary.GREETING_WORDS for word in words)
        rest = rest[piece.end() :]
    if not greeted or sum(char.isalnum() for char in rest) < MIN_DESCRIPTION_CHARS:
        return text
    return rest[:1].upper() + rest[1:]


def kept_story(told: str) -> str:
    """The story whole, or its first `MAX_STORY_CHARS` characters up to a word's end."""
    if len(told) <= MAX_STORY_CHARS:
        return told
    if told[MAX_STORY_CHARS].isspace():  # the limit falls after a whole word
        return told[:MAX_STORY_CHARS].rstrip()
    cut = told[:MAX_STORY_CHARS]
    return (cut.rsplit(None, 1)[0] if " " in cut.strip() else cut).rstrip()


def last_words(text: str) -> str:
    """The end of a kept story, for the citizen to see where it stops."""
    return " ".join(text.split()[-LAST_WORDS:])


def says_something(message: IncomingMessage) -> bool:
    """More than greetings, courtesies, "ini fotonya pak" and "semoga cepat ditangani": a
    caption worth reading as the answer to the question."""
    silent = vocabulary.NOT_TELLING | vocabulary.ACKNOWLEDGING
    return any(word not in silent for word in words_of(message.answer))


def tells_a_problem(message: IncomingMessage, *, besides: frozenset[str] = frozenset()) -> bool:
    """A text that tells a problem, none of the things above, long enough to describe it
    (whether it is too long for a description is the report's question to say);
    `besides`: words that tell nothing here either."""
    return tells_something(message, besides=besides) and not _about_an_earlier_report(
        words_of(message.command)
    )


def tells_something(message: IncomingMessage, *, besides: frozenset[str] = frozenset()) -> bool:
    """A text that tells something of a problem, a new one or one reported ("untuk
    laporan tadi, lubangnya ada tiga"): not a question, thanks or a status request."""
    words = words_of(message.command)  # with the courtesies: "Terima kasih, …" opens thanks
    told = [word for word in words if word not in vocabulary.NOT_TELLING and word not in besides]
    return (
        len(told) >= MIN_TOLD_WORDS
        and sum(char.isalnum() for char in message.text) >= MIN_DESCRIPTION_CHARS
        and not asks(message)
        and not _opens_with_thanks(words)
        and not status_request.looks_like_status_request(message)
    )


def asks(message: IncomingMessage) -> bool:
    """A question: "Bagaimana cara melapor …", "… apakah bisa …?", "I would like to know …"."""
    words = words_of(message.answer)
    return (
        ("?" in message.text and len(words) <= QUESTION_MARK_WITHIN)
        or not vocabulary.QUESTION_STARTS.isdisjoint(words[:1])
        or not vocabulary.ASKING.isdisjoint(words)
    )


def _opens_with_thanks(words: list[str]) -> bool:
    """Opening with thanks ("Terima kasih banyak pak, jalannya sudah diperbaiki"); a report
    that ends with them ("… mohon bantuannya, terima kasih") is still a report."""
    return bool(vocabulary.THANKS.intersection(words[:2]))


def _about_an_earlier_report(words: list[str]) -> bool:
    """A "status", or one's own or an earlier report ("laporan saya sudah seminggu belum
    …", "my report from last week", "fotonya untuk laporan tadi"). Not a complaint that
    was reported before elsewhere ("… sudah saya laporkan ke RT tapi belum ada tindakan":
    without a report here it is news to us), nor one that says how long the problem has
    lasted ("Keluhan: sampah sudah 3 hari belum diangkut"), nor "cek": "mohon cek
    saluran yang mampet …" asks for a look at the problem."""
    if "STATUS" in words:
        return True
    for index, word in enumerate(words):
        if word not in vocabulary.REPORT_NOUNS:
            continue
        before = set(words[max(0, index - NEAR) : index])
        after = [word for word in words[index + 1 : index + 1 + NEAR] if word != "YANG"][:1]
        if (
            word in vocabulary.OWNED_REPORTS
            or not vocabulary.OWNERS_BEFORE.isdisjoint(before)  # "my report"
            or not (vocabulary.OWNERS_AFTER | vocabulary.EARLIER_WORDS).isdisjoint(after)
        ):
            return True  # "laporan saya …", "laporannya", "laporan (yang) tadi"
    return False
