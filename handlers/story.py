"""Whether a message tells a problem: the text a citizen sends before being asked for it
(a long first message, a photo's caption, a sentence at the category question), kept as
a report's description, which they are then asked to confirm rather than type again.

Wrongly kept, a text starts a report nobody meant, so anything that reads as a question,
thanks, a greeting, a request or news of an earlier report is not a story."""

import re

from handlers import status, vocabulary

MIN_DESCRIPTION_CHARS = 10  # letters or digits, so "🙂🙂🙂" or "....." is not a description
MAX_DESCRIPTION_CHARS = 1000
MIN_TOLD_WORDS = 3  # words beyond greetings, courtesies and "ini fotonya": "jalan rusak parah"


def words_of(command: str) -> list[str]:
    return re.findall(r"\w+", command)


def says_something(command: str) -> bool:
    """More than greetings, courtesies and "ini fotonya pak": a caption worth reading as
    the answer to the question."""
    return any(word not in vocabulary.NOT_TELLING for word in words_of(command))


def tells_a_problem(text: str, command: str) -> bool:
    """A text that tells a problem, none of the things above, long enough to describe it
    (whether it is too long for a description is the report's question to say)."""
    words = words_of(command)
    told = [word for word in words if word not in vocabulary.NOT_TELLING]
    return (
        len(told) >= MIN_TOLD_WORDS
        and sum(char.isalnum() for char in text) >= MIN_DESCRIPTION_CHARS
        and not _asks(text, words)
        and not _thanks(words)
        and not _about_an_earlier_report(set(words))
        and not status.looks_like_status_request(command)
    )


def _asks(text: str, words: list[str]) -> bool:
    """A question: "Bagaimana cara melapor …", "… apakah bisa …?", "I would like to know …"."""
    return (
        "?" in text
        or words[0] in vocabulary.QUESTION_STARTS
        or not vocabulary.ASKING.isdisjoint(words)
    )


def _thanks(words: list[str]) -> bool:
    """Opening with thanks ("Terima kasih banyak pak, jalannya sudah diperbaiki"); a report
    that ends with them ("… mohon bantuannya, terima kasih") is still a report."""
    return bool(vocabulary.THANKS.intersection(words[:2]))


def _about_an_earlier_report(words: set[str]) -> bool:
    """A "status", or an earlier report ("laporan saya sudah seminggu belum …") in a message
    that does not say it is reporting ("saya mau melaporkan …, sudah dua minggu"). Not
    "cek": "mohon cek saluran yang mampet …" asks for a look at the problem."""
    if "STATUS" in words:
        return True
    reporting = not words.isdisjoint(vocabulary.REPORT_WORDS) or all(
        not words.isdisjoint(among) for among in vocabulary.WISH_TO_REPORT
    )
    return (
        not reporting
        and not words.isdisjoint(vocabulary.ABOUT_REPORTS)
        and not words.isdisjoint(vocabulary.EARLIER_WORDS)
    )
