"""A message as the words it is made of, written the same way however it was typed: one
case, no punctuation, stretched letters shortened ("tolooong" is "tolong"). Phrases are
found among them as whole words, a word also with "-nya" after it ("apinya")."""

import re
import unicodedata
from collections.abc import Sequence

_NOT_A_WORD = re.compile(r"[^\w]+")
_STRETCHED = re.compile(r"(\w)\1{2,}")  # no Indonesian or English word has a letter thrice


def words_of(text: str) -> list[str]:
    plain = unicodedata.normalize("NFKC", text).casefold().replace("_", " ")
    return _STRETCHED.sub(r"\1", _NOT_A_WORD.sub(" ", plain)).split()


def phrase_of(text: str) -> tuple[str, ...]:
    return tuple(words_of(text))


def _same(word: str, wanted: str) -> bool:
    return word == wanted or word == wanted + "nya"


def positions(words: Sequence[str], phrase: Sequence[str]) -> list[int]:
    """Where `phrase` starts among `words`."""
    last = len(words) - len(phrase)
    return [
        start
        for start in range(last + 1)
        if all(_same(words[start + n], wanted) for n, wanted in enumerate(phrase))
    ]


def contains(words: Sequence[str], phrase: Sequence[str]) -> bool:
    return bool(positions(words, phrase))
