"""A score of 1 to 5 for a closed report, as citizens give it: `5`, `4/5`, `NILAI 4`,
`4 bintang`, `bintang lima`, or within a sentence that thanks or rates
("ALHAMDULILLAH SUDAH DITAMBAL PAK TERIMA KASIH 5"). One score only: a message with
other numbers (an address, a time, a report number) or two scores gives none."""

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from handlers.understanding.words import PhraseIndex, words_of

WORDS_FILE = Path(__file__).with_name("ratings.toml")
# "4/5", "4 dari 5": the 5 is no second score
_OUT_OF_FIVE = re.compile(r"\b([1-5])\s*(?:/|dari|out of)\s*5\b", re.IGNORECASE)
_SCORES = {str(score): score for score in range(1, 6)}
MAX_WORDS_OF_A_NAMED_SCORE = 8


@dataclass(frozen=True)
class _Table:
    numbers: dict[str, int]
    rates_or_thanks: PhraseIndex[None]  # words that say a number is a score
    scoring: PhraseIndex[None]  # those that say so without thanks: "nilai", "bintang"


def rating_in(text: str) -> int | None:
    words = words_of(_OUT_OF_FIVE.sub(r"\1", text))
    table = _table()
    scores = [_score(word, table) for word in words]
    found = [score for score in scores if score is not None]
    other_numbers = [
        word
        for word, score in zip(words, scores, strict=True)
        if score is None and any(c.isdigit() for c in word)
    ]
    if len(found) != 1 or other_numbers:
        return None
    if len(words) == 1 and words[0] in _SCORES:
        return found[0]
    return found[0] if table.rates_or_thanks.any_in(words) else None


def named_score_in(text: str) -> int | None:
    """A score said to be one, in a short message: "bintang lima", "nilai 4 pak", "5
    stars"; not thanks with a number ("terima kasih, lampu di RT 3 mati lagi"), which is
    read as a rating only when one is awaited (`rating_in`)."""
    table = _table()
    if not table.scoring.any_in(words_of(text)):  # most messages: the words already read
        return None
    words = words_of(_OUT_OF_FIVE.sub(r"\1", text))
    if len(words) > MAX_WORDS_OF_A_NAMED_SCORE:
        return None
    scores = [_score(word, table) for word in words]
    numbers = [word for word in words if any(char.isdigit() for char in word)]
    found = [score for score in scores if score is not None]
    return found[0] if len(found) == 1 and len(numbers) <= 1 else None


def _score(word: str, table: _Table) -> int | None:
    return _SCORES.get(word) or table.numbers.get(word)


@cache
def _table() -> _Table:
    data = tomllib.loads(WORDS_FILE.read_text(encoding="utf-8"))
    return _Table(
        numbers=dict(data["numbers"]),
        rates_or_thanks=PhraseIndex((text, None) for text in data["scoring"] + data["thanks"]),
        scoring=PhraseIndex((text, None) for text in data["scoring"]),
    )
