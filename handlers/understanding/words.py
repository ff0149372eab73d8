"""A message as the words it is made of, written the same way however it was typed: one
case, no punctuation, stretched letters shortened ("tolooong" is "tolong"). Phrases are
found among them as whole words, a word also with "-nya" after it ("apinya"), through an
index by their first word: one pass over a message's words, whatever the number of
phrases (a STATUS goes through every reader)."""

import re
import tomllib
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Generic, TypeVar

_NOT_A_WORD = re.compile(r"[^\w]+")
# No Indonesian or English word has a letter thrice ("tolooong"); digits may ("1000").
_STRETCHED = re.compile(r"([^\W\d_])\1{2,}")
_WORD = re.compile(r"\w+")
EVERYDAY_FILE = Path(__file__).with_name("everyday.toml")
SUFFIX = "nya"

Value = TypeVar("Value")


@lru_cache(maxsize=64)  # every reader reads the same message: normalised once
def words_of(text: str) -> tuple[str, ...]:
    plain = _NOT_A_WORD.sub(" ", unicodedata.normalize("NFKC", text).casefold().replace("_", " "))
    everyday = _everyday()
    if not everyday.anywhere.search(plain):  # most messages: nothing to map, one C pass
        return tuple(plain.split())
    return tuple(_known(word, everyday) for word in plain.split())


def in_known_forms(command: str) -> str:
    """An upper-case keyword form with its everyday spellings as the word lists know
    them and stretched letters shortened: "IYE BANG, UDEH ITU AJE" is "IYA BANG, UDAH
    ITU AJA", "IYAAA" "IYA"; punctuation and digits as they were."""
    everyday = _everyday(upper=True)
    if not everyday.anywhere.search(command):
        return command
    return _WORD.sub(lambda word: _known(word.group(), everyday), command)


@dataclass(frozen=True)
class _Everyday:
    words: dict[str, str]  # each everyday spelling → the form the word lists know
    endings: tuple[tuple[str, str], ...]  # ("nye", "nya")
    anywhere: re.Pattern  # whether a text holds any of them, or stretched letters


def _known(word: str, everyday: _Everyday) -> str:
    """A word as the lists know it; only words of letters alone are read so: "OOOO01" in
    a mistyped report number stays as typed."""
    if not word.isalpha():
        return word
    word = _STRETCHED.sub(r"\1", word)
    known = everyday.words.get(word)
    if known is not None:
        return known
    for ending, known_ending in everyday.endings:
        if word.endswith(ending) and len(word) > len(ending) + 1:
            return word[: -len(ending)] + known_ending
    return word


@cache
def _everyday(*, upper: bool = False) -> _Everyday:
    data = tomllib.loads(EVERYDAY_FILE.read_text(encoding="utf-8"))
    endings = data.pop("endings")
    case = str.upper if upper else str
    words = {case(form): case(known) for known, forms in data.items() for form in forms}
    ends = tuple((case(end), case(known)) for known, forms in endings.items() for end in forms)
    spellings = "|".join(re.escape(form) for form in sorted(words, key=len, reverse=True))
    endings_at = "|".join(re.escape(end) for end, _ in ends)
    anywhere = rf"\b(?:{spellings})\b|\w(?:{endings_at})\b|{_STRETCHED.pattern}"
    return _Everyday(words=words, endings=ends, anywhere=re.compile(anywhere))


@dataclass(frozen=True)
class Found(Generic[Value]):
    start: int
    length: int
    value: Value


class PhraseIndex(Generic[Value]):
    """Phrases, each with a value (its kind, its language…), found in a message's words."""

    def __init__(self, phrases: Iterable[tuple[str, Value]]):
        self._by_first: dict[str, list[tuple[tuple[str, ...], Value]]] = defaultdict(list)
        for text, value in phrases:
            phrase = words_of(text)
            if phrase:
                self._by_first[phrase[0]].append((phrase, value))

    def found(self, words: Sequence[str]) -> Iterator[Found[Value]]:
        """Every phrase where it starts, in the order of the words. One look-up for most
        words (two with "-nya"): most of a message's words start no phrase."""
        by_first = self._by_first
        for start, word in enumerate(words):
            for form in _forms(word):
                entries = by_first.get(form)
                if entries is None:
                    continue
                for phrase, value in entries:
                    if len(phrase) == 1 or _continues(words, start, phrase):
                        yield Found(start, len(phrase), value)

    def any_in(self, words: Sequence[str]) -> bool:
        return next(self.found(words), None) is not None


def _forms(word: str) -> tuple[str, ...]:
    """The word, and without "-nya" ("apinya": "api")."""
    if word.endswith(SUFFIX) and len(word) > len(SUFFIX):
        return (word, word[: -len(SUFFIX)])
    return (word,)


def _continues(words: Sequence[str], start: int, phrase: tuple[str, ...]) -> bool:
    if start + len(phrase) > len(words):
        return False
    return all(wanted in _forms(words[start + n]) for n, wanted in enumerate(phrase[1:], start=1))
