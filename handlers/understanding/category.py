"""The category a citizen's story most likely belongs to (store/categories.py), to offer it
before the list: "got mampet udeh seminggu" is saluran_air, "there is a big pothole on my
street" jalan_rusak, "di jalan kemang raya no 5" nothing. The phrases and their weights
are data (categories.toml).

Each category scores the weights of the phrases a story contains, each phrase once:
- a phrase right after a negator ("bukan banjir", "not flooded") counts 0;
- a landmark right after a place word ("sampah di halte", "jalan taman") weighs 1 at most;
- "got" counts only in a message without English words ("I got it");
- a phrase saying it is fixed ("lampu jalan sudah nyala") takes its weight away.

The best category is guessed when it scores at least THRESHOLD (one phrase that names the
problem, or two that point at it: "bau" alone decides nothing) and at least MARGIN more
than the runner-up: a story naming two problems alike ("jalan rusak dan lampu jalan
mati") gives no guess, and the citizen picks from the list. "lainnya" is never guessed."""

import tomllib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from handlers.understanding.words import SUFFIX, words_of
from store.categories import CATEGORIES

WORDS_FILE = Path(__file__).with_name("categories.toml")
THRESHOLD = 3  # the least score guessed: one weight-3 phrase, or 2 + 1
MARGIN = 2  # how far the best must be ahead of the runner-up
_ARTICLES = frozenset({"the", "a", "an"})  # skipped between a place word and a landmark


@dataclass(frozen=True)
class CategoryGuess:
    category: str
    score: int
    runner_up: str | None  # the next category with a score above 0, if any


@dataclass(frozen=True)
class _Phrase:
    words: tuple[str, ...]  # as spelled in the table: a phrase's identity
    category: str
    weight: int
    landmark: bool
    indonesian_only: bool


@dataclass(frozen=True)
class _Table:
    single: dict[str, _Phrase]  # phrases of one word, by it
    longer: dict[tuple[str, str], tuple[_Phrase, ...]]  # by their first two words, longest first
    spellings: dict[str, str]
    negators: frozenset[str]
    places: frozenset[str]
    english: frozenset[str]


def guess_category(text: str) -> CategoryGuess | None:
    """The category `text` is most likely about, or None when nothing, or nothing clearly
    ahead of the rest, says so. One pass over its words, one or two look-ups a word."""
    table = _table()
    words = _spelled(words_of(text), table.spellings)
    english = not table.english.isdisjoint(words)
    weights: dict[_Phrase, int] = {}
    covered_until = 0
    single, longer = table.single, table.longer
    for start, pair in enumerate(zip(words, (*words[1:], ""), strict=False)):  # ""  after the last
        if start < covered_until:  # the first phrase to start, then the longest, is read
            continue
        phrase = single.get(pair[0])
        if pair in longer:
            phrase = _longer_at(words, start, longer[pair]) or phrase
        if phrase is None or (english and phrase.indonesian_only):
            continue
        covered_until = start + len(phrase.words)
        weight = _weight(phrase, words, start, table)
        weights[phrase] = max(weight, weights.get(phrase, weight))  # once, at its strongest
    scores: dict[str, int] = defaultdict(int)
    for phrase, weight in weights.items():
        scores[phrase.category] += weight
    ranked = sorted(scores.items(), key=lambda item: (-item[1], CATEGORIES.index(item[0])))
    if not ranked or ranked[0][1] < THRESHOLD:
        return None
    best, score = ranked[0]
    second = max(ranked[1][1], 0) if len(ranked) > 1 else 0
    if score - second < MARGIN:
        return None
    runner_up = ranked[1][0] if second > 0 else None
    return CategoryGuess(category=best, score=score, runner_up=runner_up)


def _longer_at(words: tuple[str, ...], start: int, phrases: tuple[_Phrase, ...]) -> _Phrase | None:
    for phrase in phrases:  # longest first
        if words[start : start + len(phrase.words)] == phrase.words:
            return phrase
    return None


def _weight(phrase: _Phrase, words: Sequence[str], start: int, table: _Table) -> int:
    if phrase.weight <= 0 or start == 0:
        return phrase.weight
    before = words[start - 1]
    if before in table.negators:
        return 0
    if before in _ARTICLES and start > 1:
        before = words[start - 2]
    if phrase.landmark and before in table.places:
        return min(phrase.weight, 1)
    return phrase.weight


def _spelled(words: Sequence[str], spellings: dict[str, str]) -> tuple[str, ...]:
    """Each word as categories.toml spells it, without "-nya": "jln" is "jalan",
    "lobangnya" "lubang", "got nya" "got", "gorong2" "gorong gorong"."""
    spelled: list[str] = []
    for word in words:
        if word.endswith(SUFFIX):
            if word == SUFFIX:
                continue
            word = word[: -len(SUFFIX)]
        same = spellings.get(word)
        if same is None and word.endswith("2") and len(word) > 3 and word[:-1].isalpha():
            stem = spellings.get(word[:-1], word[:-1])
            spelled += (stem, stem)
            continue
        spelled.append(same or word)
    return tuple(spelled)


@cache
def _data() -> dict:
    return tomllib.loads(WORDS_FILE.read_text(encoding="utf-8"))


@cache
def _table() -> _Table:
    data = _data()
    spellings = {other: word for word, others in data["spellings"].items() for other in others}

    def spell(text: str) -> tuple[str, ...]:
        return _spelled(words_of(text), spellings)

    landmarks = {spell(text) for text in data["landmarks"]}
    indonesian_only = {spell(text) for text in data["indonesian_only"]}
    single: dict[str, _Phrase] = {}
    longer: dict[tuple[str, str], list[_Phrase]] = defaultdict(list)
    seen: set[tuple[str, ...]] = set()
    for category, by_weight in data["categories"].items():
        for weight, texts in by_weight.items():
            for text in texts:
                words = spell(text)
                if words in seen:
                    raise ValueError(f"{text!r} is twice in {WORDS_FILE.name}")
                seen.add(words)
                phrase = _Phrase(
                    words=words,
                    category=category,
                    weight=int(weight),
                    landmark=words in landmarks,
                    indonesian_only=words in indonesian_only,
                )
                if len(words) == 1:
                    single[words[0]] = phrase
                else:
                    longer[words[:2]].append(phrase)
    return _Table(
        single=single,
        longer={
            first: tuple(sorted(phrases, key=lambda phrase: -len(phrase.words)))
            for first, phrases in longer.items()
        },
        spellings=spellings,
        negators=frozenset(word for text in data["negators"] for word in spell(text)),
        places=frozenset(word for text in data["places"] for word in spell(text)),
        english=frozenset(data["english"]),
    )
