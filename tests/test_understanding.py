"""The understanding layer's pure readings, without the app: (text) → reading, in
microseconds (handlers/understanding/; emergencies in test_emergencies.py)."""

import pytest

from handlers.understanding.rating import rating_in
from handlers.understanding.words import words_of

SCORES = [
    ("5", 5),
    ("4/5", 4),
    ("4 / 5", 4),
    ("NILAI 4", 4),
    ("rate 2", 2),
    ("4 bintang", 4),
    ("bintang 5", 5),
    ("bintang lima", 5),
    ("Lima bintang pak", 5),
    ("ALHAMDULILLAH SUDAH DITAMBAL PAK TERIMA KASIH 5", 5),
    ("3 bintang, makasih pak", 3),
    ("makasih pak 4 dari 5", 4),
    ("Thanks, 5 stars", 5),
    ("five stars, great job", 5),
]
NO_SCORE = [
    "lampu mati lagi jam 5",  # a time, not thanks
    "Jl. Kramat Raya 10, makasih 5",  # another number beside it
    "5 5",
    "nilai 4 atau 5",
    "terima kasih",
    "6",
    "0",
    "lima",  # a word alone may be anything
    "LAPORAN SAYA",
    "STATUS CRM-26-000123-3 makasih",
    "",
]


@pytest.mark.parametrize(("text", "score"), SCORES)
def test_a_score_is_read_however_it_is_given(text, score):
    assert rating_in(text) == score


@pytest.mark.parametrize("text", NO_SCORE)
def test_no_score_is_read_where_there_is_none_or_more_than_one(text):
    assert rating_in(text) is None


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("TOLOOONG Pak!!", ["tolong", "pak"]),
        ("apinya   BESAR...", ["apinya", "besar"]),
        ("Ｋｅｂａｋａｒａｎ", ["kebakaran"]),
        ("saat maaf", ["saat", "maaf"]),  # doubled letters stay
    ],
)
def test_words_are_written_one_way_however_they_are_typed(text, words):
    assert words_of(text) == tuple(words)
