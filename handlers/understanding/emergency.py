"""Is a message about an emergency happening now: a fire, people trapped or swept away
by water, a medical emergency, a crime, a collapse, a fallen live wire? Those are
answered before anything else with the numbers to call (templates/*/emergency.txt): CRM
is no emergency service. The phrases are data (emergencies.toml)."""

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from handlers.understanding.words import PhraseIndex, words_of

WORDS_FILE = Path(__file__).with_name("emergencies.toml")
LANGUAGES = ("id", "en")


@dataclass(frozen=True)
class Emergency:
    kinds: tuple[str, ...]  # in the order of emergencies.toml: fire, flood, medical, …
    language: str  # of the first phrase found: the reply's, unless the citizen chose one


# What a phrase of emergencies.toml says, in the one index of all of them.
_CALM, _EXCEPTION, _EMERGENCY = "calm", "exception", "emergency"


@dataclass(frozen=True)
class _Table:
    kinds: tuple[str, ...]
    phrases: PhraseIndex[tuple[str, str, str]]  # (what it says, kind, language)
    hedges: frozenset[str]


def emergency_in(text: str) -> Emergency | None:
    """The emergency `text` tells of, or None (also when it says it is over: "bekas
    kebakaran", "kemarin ada maling" are for a report). One pass over its words."""
    table = _table()
    words = words_of(text)
    found = list(table.phrases.found(words))
    if not found or any(phrase.value[0] == _CALM for phrase in found):
        return None
    covered = {
        (phrase.value[1], phrase.start + n)
        for phrase in found
        if phrase.value[0] == _EXCEPTION
        for n in range(phrase.length)
    }
    languages: dict[str, str] = {}
    for phrase in found:
        says, kind, language = phrase.value
        hedged = phrase.start > 0 and words[phrase.start - 1] in table.hedges
        if says == _EMERGENCY and (kind, phrase.start) not in covered and not hedged:
            languages.setdefault(kind, language)
    if not languages:
        return None
    kinds = tuple(kind for kind in table.kinds if kind in languages)
    return Emergency(kinds=kinds, language=languages[kinds[0]])


@cache
def _table() -> _Table:
    data = tomllib.loads(WORDS_FILE.read_text(encoding="utf-8"))
    kinds = data["kinds"]
    emergencies = [
        (text, (_EMERGENCY, kind, language))
        for kind, entry in kinds.items()
        for language in LANGUAGES
        for text in entry.get(language, [])
    ]
    exceptions = [
        (text, (_EXCEPTION, kind, "")) for kind, entry in kinds.items() for text in entry["except"]
    ]
    calm = [(text, (_CALM, "", "")) for text in data["calm"]]
    return _Table(
        kinds=tuple(kinds),
        phrases=PhraseIndex(emergencies + exceptions + calm),
        hedges=frozenset(data["hedges"]),
    )
