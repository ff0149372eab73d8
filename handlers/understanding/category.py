"""The category a citizen's story most likely belongs to (store/categories.py), to offer it
before the list: "got mampet udeh seminggu" is saluran_air, "there is a big pothole on my
street" jalan_rusak, "di jalan kemang raya no 5" nothing. The phrases and their weights
are data (categories.toml).

Each category scores the weights of the phrases a story contains, each phrase once:
- a phrase right after a negator ("bukan banjir", "not flooded", "sempat tergenang")
  counts 0;
- a landmark right after a place word ("sampah di halte", "jalan taman", "sepanjang
  trotoar") weighs 1 at most;
- a phrase that points at a problem right after a topic word ("lapor soal taman") names
  it: 2 weighs 3;
- a damage word at most DAMAGE_GAP words after a thing that can be damaged, in its
  clause, no other phrase or other thing between ("jalan kemang raya rusak", "halte
  roboh", "the bridge is broken"), makes that thing name its problem (3), and is not read
  on its own ("roboh" alone leans to a fallen tree; "di jalan kemang, kabel rusak" is
  neither a road nor a tree);
- "got" counts only in a message without English words ("I got it");
- a phrase saying it is fixed ("lampu jalan sudah nyala") takes its weight away, unless a
  contrast follows it and names no other problem ("…sudah nyala tapi yang di gang 3 masih
  mati", not "sampah sudah diangkut, tapi jalannya berlubang").

The best category is guessed when it scores at least THRESHOLD (one phrase that names the
problem, or two that point at it: "bau" alone decides nothing) and at least MARGIN more
than the runner-up: a story naming two problems alike ("jalan rusak dan lampu jalan
mati") gives no guess, and the citizen picks from the list. "lainnya" is never guessed."""

import re
import tomllib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from handlers.understanding.words import SUFFIX, words_of

WORDS_FILE = Path(__file__).with_name("categories.toml")
THRESHOLD = 3  # the least score guessed: one weight-3 phrase, or 2 + 1
MARGIN = 2  # how far the best must be ahead of the runner-up
_ARTICLES = frozenset({"the", "a", "an"})  # skipped between a place word and a landmark
DAMAGED = 3  # the weight of a thing a damage word describes
_CLAUSE_BREAK = re.compile(r"[,;!?\n]")
DAMAGE_GAP = 3  # the most words between the thing and the damage word: "jalan kemang raya rusak"


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
    damageable: bool


@dataclass(frozen=True)
class _Table:
    order: tuple[str, ...]  # the categories as the data lists them (the citizens' list)
    single: dict[str, _Phrase]  # phrases of one word, by it
    longer: dict[tuple[str, str], tuple[_Phrase, ...]]  # by their first two words, longest first
    spellings: dict[str, str]
    negators: frozenset[str]
    places: frozenset[str]
    topics: frozenset[str]
    damage: frozenset[str]
    others: frozenset[str]  # other things a damage word may describe: it is theirs
    contrasts: frozenset[str]
    english: frozenset[str]


def guess_category(text: str) -> CategoryGuess | None:
    """The category `text` is most likely about, or None when nothing, or nothing clearly
    ahead of the rest, says so. One pass over its words, a few look-ups a word (and its
    clauses read again only when a damage word may describe a thing)."""
    table = _table()
    words = _spelled(words_of(text), table.spellings)
    english = not table.english.isdisjoint(words)
    weights: dict[_Phrase, int] = {}
    covered_until = 0
    single, longer, damage, others = table.single, table.longer, table.damage, table.others
    damageable: _Phrase | None = None  # the last phrase read, if a damage word may describe it
    damageable_end = 0
    fixed: list[_Phrase] = []  # phrases saying it is fixed, until a contrast
    contested: list[_Phrase] = []  # phrases saying it is fixed, a contrast after them
    named_after: set[str] = set()  # the categories of the phrases read after the contrast
    breaks: tuple[int, ...] | None = None  # where the clauses start, read when needed
    for start, pair in enumerate(zip(words, (*words[1:], ""), strict=False)):  # ""  after the last
        if start < covered_until:  # the first phrase to start, then the longest, is read
            continue
        word = pair[0]
        phrase = single.get(word)
        if pair in longer:
            phrase = _longer_at(words, start, longer[pair]) or phrase
        if damageable is not None:
            if word in damage and start - damageable_end <= DAMAGE_GAP:
                if breaks is None:
                    breaks = _clause_starts(text, table.spellings)
                if (
                    (phrase is None or len(phrase.words) == 1)  # "broken road" is read as itself
                    and words[start - 1] not in table.negators
                    and not any(damageable_end <= at <= start for at in breaks)
                ):
                    weights[damageable] = max(DAMAGED, weights[damageable])
                    continue
            elif word in others:  # "jalan kemang kabel rusak": the cable's
                damageable = None
        if fixed and word in table.contrasts:
            contested += fixed
            fixed.clear()
        if phrase is None or (english and phrase.indonesian_only):
            continue
        covered_until = start + len(phrase.words)
        weight, where = _weight(phrase, words, start, table)
        weights[phrase] = max(weight, weights.get(phrase, weight))  # once, at its strongest
        if weight < 0:
            fixed.append(phrase)
        elif contested and weight > 0:
            named_after.add(phrase.category)
        damageable = phrase if phrase.damageable and weight > 0 and not where else None
        damageable_end = covered_until
    for over in contested:  # "…sudah nyala tapi yang di gang 3 masih mati": not over
        if named_after <= {over.category}:  # unless the contrast is another problem
            weights[over] = 0
    scores: dict[str, int] = defaultdict(int)
    for phrase, weight in weights.items():
        scores[phrase.category] += weight
    ranked = sorted(scores.items(), key=lambda item: (-item[1], table.order.index(item[0])))
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


def _weight(phrase: _Phrase, words: Sequence[str], start: int, table: _Table) -> tuple[int, bool]:
    """The phrase's weight where it is read, and whether it says where the problem is
    (a landmark after a place word), not what it is."""
    if phrase.weight <= 0 or start == 0:
        return phrase.weight, False
    before = words[start - 1]
    if before in table.negators:
        return 0, False
    if before in _ARTICLES and start > 1:
        before = words[start - 2]
    if phrase.landmark and before in table.places:
        return min(phrase.weight, 1), True
    if phrase.weight == 2 and before in table.topics:
        return 3, False
    return phrase.weight, False


def _clause_starts(text: str, spellings: dict[str, str]) -> tuple[int, ...]:
    """Where each clause after the first starts among the message's words: "di jalan
    kemang raya, lampunya rusak" has a clause at "lampu". Clauses end at , ; ! ? and new
    lines, not at full stops ("Jl. Kemang"). Read only when a damage word may describe a
    thing, without words_of's cache (its entries are the whole messages other readers read)."""
    starts: list[int] = []
    count = 0
    for clause in _CLAUSE_BREAK.split(text)[:-1]:
        count += len(_spelled(words_of.__wrapped__(clause), spellings))
        starts.append(count)
    return tuple(starts)


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
    damageable = {spell(text) for text in data["damageable"]}
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
                    damageable=words in damageable,
                )
                if len(words) == 1:
                    single[words[0]] = phrase
                else:
                    longer[words[:2]].append(phrase)
    return _Table(
        order=tuple(data["categories"]),
        single=single,
        longer={
            first: tuple(sorted(phrases, key=lambda phrase: -len(phrase.words)))
            for first, phrases in longer.items()
        },
        spellings=spellings,
        negators=frozenset(word for text in data["negators"] for word in spell(text)),
        places=frozenset(word for text in data["places"] for word in spell(text)),
        topics=frozenset(word for text in data["topics"] for word in spell(text)),
        damage=frozenset(word for text in data["damage"] for word in spell(text)),
        others=frozenset(word for text in data["others"] for word in spell(text)),
        contrasts=frozenset(word for text in data["contrasts"] for word in spell(text)),
        english=frozenset(data["english"]),
    )
