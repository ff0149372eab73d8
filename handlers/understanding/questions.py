"""Questions about the service itself, which it answers from its own data: is this an
emergency line, who handles my report, how long does it usually take. The phrases are
data (questions.toml); the answers are handlers/questions.py's."""

import tomllib
from functools import cache
from pathlib import Path

from handlers.understanding.words import contains, phrase_of, words_of

WORDS_FILE = Path(__file__).with_name("questions.toml")
EMERGENCY_LINE, WHO_HANDLES, HOW_LONG = "emergency_line", "who_handles", "how_long"


def question_in(text: str) -> str | None:
    """`EMERGENCY_LINE`, `WHO_HANDLES` or `HOW_LONG`, or None."""
    words = words_of(text)
    return next(
        (
            question
            for question, phrases in _table().items()
            if any(contains(words, phrase) for phrase in phrases)
        ),
        None,
    )


@cache
def _table() -> dict[str, tuple[tuple[str, ...], ...]]:
    data = tomllib.loads(WORDS_FILE.read_text(encoding="utf-8"))
    return {question: tuple(phrase_of(text) for text in data[question]) for question in data}
