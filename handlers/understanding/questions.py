"""Questions about the service itself, which it answers from its own data: is this an
emergency line, who handles my report, how long does it usually take. The phrases are
data (questions.toml); the answers are handlers/questions.py's."""

import tomllib
from functools import cache
from pathlib import Path

from handlers.understanding.words import PhraseIndex, words_of

WORDS_FILE = Path(__file__).with_name("questions.toml")
EMERGENCY_LINE, WHO_HANDLES, HOW_LONG = "emergency_line", "who_handles", "how_long"


def question_in(text: str) -> str | None:
    """`EMERGENCY_LINE`, `WHO_HANDLES` or `HOW_LONG`, or None; the first in
    questions.toml's order when a message asks several."""
    asked = {found.value for found in _index().found(words_of(text))}
    return next((question for question in _order() if question in asked), None)


@cache
def _order() -> tuple[str, ...]:
    return tuple(tomllib.loads(WORDS_FILE.read_text(encoding="utf-8")))


@cache
def _index() -> PhraseIndex[str]:
    data = tomllib.loads(WORDS_FILE.read_text(encoding="utf-8"))
    return PhraseIndex((text, question) for question in data for text in data[question])
