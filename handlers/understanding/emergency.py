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


@dataclass(frozen=True)
class _Table:
    kinds: tuple[str, ...]
    phrases: PhraseIndex[tuple[str, str]]  # (kind, language)
    exceptions: PhraseIndex[str]  # kind
    hedges: frozenset[str]
    calm: PhraseIndex[None]


def emergency_in(text: str) -> Emergency | None:
    """The emergency `text` tells of, or None (also when it says it is over: "bekas
    kebakaran", "kemarin ada maling" are for a report)."""
    table = _table()
    words = words_of(text)
    if not words or table.calm.any_in(words):
        return None
    covered = {
        (found.value, found.start + n)
        for found in table.exceptions.found(words)
        for n in range(found.length)
    }
    languages: dict[str, str] = {}
    for found in table.phrases.found(words):
        kind, language = found.value
        hedged = found.start > 0 and words[found.start - 1] in table.hedges
        if (kind, found.start) not in covered and not hedged:
            languages.setdefault(kind, language)
    if not languages:
        return None
    kinds = tuple(kind for kind in table.kinds if kind in languages)
    return Emergency(kinds=kinds, language=languages[kinds[0]])


@cache
def _table() -> _Table:
    data = tomllib.loads(WORDS_FILE.read_text(encoding="utf-8"))
    kinds = data["kinds"]
    return _Table(
        kinds=tuple(kinds),
        phrases=PhraseIndex(
            (text, (kind, language))
            for kind, entry in kinds.items()
            for language in LANGUAGES
            for text in entry.get(language, [])
        ),
        exceptions=PhraseIndex(
            (text, kind) for kind, entry in kinds.items() for text in entry.get("except", [])
        ),
        hedges=frozenset(data["hedges"]),
        calm=PhraseIndex((text, None) for text in data["calm"]),
    )
