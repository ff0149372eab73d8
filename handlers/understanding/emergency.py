"""Is a message about an emergency happening now: a fire, people trapped or swept away
by water, a medical emergency, a crime, a collapse, a fallen live wire? Those are
answered before anything else with the numbers to call (templates/*/emergency.txt): CRM
is no emergency service. The phrases are data (emergencies.toml)."""

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from handlers.understanding.words import contains, phrase_of, positions, words_of

WORDS_FILE = Path(__file__).with_name("emergencies.toml")
LANGUAGES = ("id", "en")


@dataclass(frozen=True)
class Emergency:
    kinds: tuple[str, ...]  # in the order of emergencies.toml: fire, flood, medical, …
    language: str  # of the first phrase found: the reply's, unless the citizen chose one


@dataclass(frozen=True)
class _Kind:
    name: str
    phrases: tuple[tuple[tuple[str, ...], str], ...]  # (words, language)
    exceptions: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class _Table:
    kinds: tuple[_Kind, ...]
    hedges: frozenset[str]
    calm: tuple[tuple[str, ...], ...]


def emergency_in(text: str) -> Emergency | None:
    """The emergency `text` tells of, or None (also when it says it is over: "bekas
    kebakaran", "kemarin ada maling" are for a report)."""
    table = _table()
    words = words_of(text)
    if not words or any(contains(words, phrase) for phrase in table.calm):
        return None
    found = [(kind.name, _language_told(kind, words, table)) for kind in table.kinds]
    found = [(name, language) for name, language in found if language is not None]
    if not found:
        return None
    return Emergency(kinds=tuple(name for name, _ in found), language=found[0][1])


def _language_told(kind: _Kind, words: list[str], table: _Table) -> str | None:
    """The language of the first of `kind`'s phrases in `words`, outside its exceptions
    and not right after a hedge ("rawan begal"); None when there is none."""
    covered = {
        start + n
        for phrase in kind.exceptions
        for start in positions(words, phrase)
        for n in range(len(phrase))
    }
    told = (
        language
        for phrase, language in kind.phrases
        for start in positions(words, phrase)
        if start not in covered and (start == 0 or words[start - 1] not in table.hedges)
    )
    return next(told, None)


@cache
def _table() -> _Table:
    data = tomllib.loads(WORDS_FILE.read_text(encoding="utf-8"))
    kinds = tuple(
        _Kind(
            name=name,
            phrases=tuple(
                (phrase_of(text), language)
                for language in LANGUAGES
                for text in entry.get(language, [])
            ),
            exceptions=tuple(phrase_of(text) for text in entry.get("except", [])),
        )
        for name, entry in data["kinds"].items()
    )
    return _Table(
        kinds=kinds,
        hedges=frozenset(data["hedges"]),
        calm=tuple(phrase_of(text) for text in data["calm"]),
    )
