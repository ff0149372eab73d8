"""The word classes of handlers/vocabulary.py are data: handlers/understanding/words.id.toml,
words.en.toml and words.toml (digits and emoji). These tests keep the files sound, since a
typo there fails no other test until a citizen's message goes misread."""

import fnmatch
import tomllib
from pathlib import Path

import pytest

from handlers import vocabulary
from handlers.understanding import __file__ as understanding_init
from handlers.understanding.words import in_known_forms

ROOT = Path(__file__).resolve().parent.parent
UNDERSTANDING = Path(understanding_init).parent
FILES = sorted(UNDERSTANDING.glob("words*.toml"))


def _lists(table: dict, prefix: str = "") -> dict[str, list]:
    """A file's lists by dotted key, as vocabulary reads them: `parts.photos`."""
    found: dict[str, list] = {}
    for key, value in table.items():
        if isinstance(value, dict):
            found |= _lists(value, f"{prefix}{key}.")
        else:
            found[f"{prefix}{key}"] = value
    return found


def _read(path: Path) -> dict[str, list]:
    return _lists(tomllib.loads(path.read_text(encoding="utf-8")))


def repeated(lists_by_file: dict[str, dict[str, list]]) -> list[str]:
    """Words listed twice in one class, in one file or two: "yes: 'ok' in words.en.toml,
    words.id.toml"."""
    where: dict[tuple[str, str], list[str]] = {}
    for file, lists in lists_by_file.items():
        for key, words in lists.items():
            for word in words:
                where.setdefault((key, word.upper()), []).append(file)
    return [
        f"{key}: {word.lower()!r} in {', '.join(files)}"
        for (key, word), files in sorted(where.items())
        if len(files) > 1
    ]


@pytest.fixture(scope="module")
def data() -> dict[str, dict[str, list]]:
    return {path.name: _read(path) for path in FILES}


def test_vocabulary_reads_every_words_file_and_every_class_in_them(data):
    assert {path.name for path in FILES} == {"words.id.toml", "words.en.toml", "words.toml"}
    assert sorted(vocabulary._WORDS_FILES) == FILES
    keys = set().union(*data.values())
    assert not vocabulary._UNREAD, f"classes in the files that no name reads: {vocabulary._UNREAD}"
    assert keys == set(vocabulary._LISTED)
    for language in ("words.id.toml", "words.en.toml"):  # most classes have words in both
        assert len(data[language]) > 40, language


def test_no_class_is_empty(data):
    empty = [
        f"{key} in {file}"
        for file, lists in data.items()
        for key, words in lists.items()
        if not words
    ]
    assert not empty, f"empty lists: {empty}"
    assert all(vocabulary._LISTED.values())


def test_no_word_is_listed_twice_in_a_class(data):
    assert repeated(data) == []


def test_a_word_listed_twice_is_reported():
    found = repeated(
        {
            "words.id.toml": {"yes": ["ya", "oke", "ya"], "no": ["tidak"]},
            "words.en.toml": {"yes": ["ok", "OKE"], "no": ["no"]},
        }
    )
    assert found == [
        "yes: 'oke' in words.id.toml, words.en.toml",
        "yes: 'ya' in words.id.toml, words.id.toml",
    ]


def test_words_are_lower_case_strings_of_single_spaced_words(data):
    """Lower case like the other understanding files; vocabulary upper-cases on reading."""
    for file, lists in data.items():
        for key, words in lists.items():
            for word in words:
                assert isinstance(word, str), (file, key, word)
                assert word == word.lower(), (file, key, word)
                assert word == " ".join(word.split()), (file, key, word)


def test_courtesy_pairs_are_two_words():
    assert all(len(pair) == 2 for pair in vocabulary.COURTESY_PAIRS)
    assert ("TERIMA", "KASIH") in vocabulary.COURTESY_PAIRS


def test_classes_are_frozen_and_upper_case():
    classes = [
        value
        for name, value in vars(vocabulary).items()
        if name.isupper() and not name.startswith("_") and isinstance(value, set | frozenset)
    ]
    classes += list(vocabulary.PARTS.values()) + list(vocabulary.WISH_TO_REPORT)
    classes += list(vocabulary.FACILITATOR_COMMANDS.values())
    assert len(classes) > 55
    for words in classes:
        assert isinstance(words, frozenset)
        assert all(word == word.upper() for word in words if isinstance(word, str))


def test_status_words_come_longest_first():
    """understanding/status_request.py strips them from before a report number: "cek
    status" before "cek"."""
    lengths = [len(words) for words in vocabulary.STATUS_WORDS]
    assert lengths == sorted(lengths, reverse=True)
    assert set(vocabulary.STATUS_WORDS) == {"CEK STATUS", "CHECK STATUS", "STATUS", "CEK", "CHECK"}


def test_derived_classes_are_made_from_the_data():
    assert vocabulary.GREETINGS < vocabulary.MENU
    assert {"1"} <= vocabulary.REPORT and vocabulary.RESUME_REPORT < vocabulary.REPORT
    assert {"TIDAK ADA FOTO", "GAK ADA FOTONYA", "LEWATI"} <= vocabulary.SKIP
    assert "GA ADA LAGI" in vocabulary.DONE
    assert vocabulary.REPORT_NOUNS.isdisjoint(vocabulary.REPORT_WORDS)
    assert "IBU" in vocabulary.COURTESIES and "IBU" not in vocabulary.SIGN_OFFS
    assert {"WR", "SELAMAT"} <= vocabulary.NOT_TELLING  # from "ass wr wb", "selamat pagi"
    assert vocabulary.FACILITATOR_COMMANDS["ANTRIAN"] == {"ANTRIAN", "ANTREAN", "ANTRI", "QUEUE"}


def test_the_files_ship_with_the_package(data):
    """pyproject's package data for handlers.understanding names them all."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = pyproject["tool"]["setuptools"]["package-data"]["handlers.understanding"]
    for file in data:
        assert any(fnmatch.fnmatch(file, pattern) for pattern in patterns), file


def test_every_listed_word_is_in_the_form_messages_are_read_in(data):
    """A message's keyword form maps everyday spellings (everyday.toml: "nggak" is "gak"),
    so a list entry in another spelling could never match."""
    unread = [
        f"{word} ({key} in {file})"
        for file, lists in data.items()
        for key, words in lists.items()
        for word in words
        if isinstance(word, str) and in_known_forms(word.upper()) != word.upper()
    ]
    assert not unread, f"never read as listed: {unread}"
