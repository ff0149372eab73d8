"""guess_category over tests/test_category_guess.py's stories: µs per guess (median of
rounds), with the message's words already normalised (every reader of a message shares
words_of's cache) and without, and for one long message of twelve stories.

    python bench/category_guess.py
"""

import statistics
import sys
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).parents[1]), str(Path(__file__).parents[1] / "tests")]

from test_category_guess import STORIES  # noqa: E402

from handlers.understanding.category import guess_category  # noqa: E402
from handlers.understanding.words import words_of  # noqa: E402

TEXTS = [text for text, _ in STORIES]


def per_guess(texts: list[str], fresh: bool, rounds: int = 30) -> float:
    times = []
    for _ in range(rounds):
        spent = 0
        for text in texts:
            if fresh:
                words_of.cache_clear()
            else:
                words_of(text)  # as another reader would have, untimed
            began = time.perf_counter_ns()
            guess_category(text)
            spent += time.perf_counter_ns() - began
        times.append(spent / len(texts))
    return statistics.median(times) / 1000


def main() -> None:
    guess_category("warm up")
    print(f"{len(TEXTS)} stories, words normalised: {per_guess(TEXTS, fresh=False):.1f} µs")
    print(f"{len(TEXTS)} stories, words not normalised: {per_guess(TEXTS, fresh=True):.1f} µs")
    long = " ".join(TEXTS[:12])
    print(f"one message of {len(long)} characters: {per_guess([long] * 50, fresh=True):.1f} µs")


if __name__ == "__main__":
    main()
