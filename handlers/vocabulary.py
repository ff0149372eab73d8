"""The words citizens use for each command, in Indonesian and English.

These are what we *read*, not what we say, so they live here rather than in templates/.
The words are data, read once at import: understanding/words.id.toml (Indonesian, with
Jakarta's everyday forms), words.en.toml (English) and words.toml (digits and emoji),
whose comments say what each class is for. A class is the union of its lists in the three
files, upper-cased as the messages it is compared with (IncomingMessage.command). Here are
the classes' names, the classes made of others (set algebra), and the readings that are
code: patterns and functions.
"""

import itertools
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path

_WORDS_FILES = tuple(
    Path(__file__).with_name("understanding") / name
    for name in ("words.id.toml", "words.en.toml", "words.toml")
)


def _keys_of(table: dict, prefix: str = "") -> Iterator[tuple[str, list[str]]]:
    """A file's lists by dotted key: `parts.photos` for `photos` in the table `parts`."""
    for key, value in table.items():
        if isinstance(value, dict):
            yield from _keys_of(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value


def _read_words() -> dict[str, list[str]]:
    classes: dict[str, list[str]] = {}
    for file in _WORDS_FILES:
        for key, words in _keys_of(tomllib.loads(file.read_text(encoding="utf-8"))):
            classes.setdefault(key, []).extend(words)
    return classes


_LISTED = _read_words()
_UNREAD = set(_LISTED)  # left with a key no name below takes (tests/test_vocabulary_data.py)


def _listed(key: str) -> list[str]:
    """A class's words as the files list them, upper-cased."""
    _UNREAD.discard(key)
    return [word.upper() for word in _LISTED[key]]


def _words(key: str) -> frozenset[str]:
    return frozenset(_listed(key))


# What each class is for is said beside its words, in understanding/words.id.toml.
GREETINGS = _words("greetings")
MENU = GREETINGS | _words("menu")
GUIDE = _words("guide")
RESUME_REPORT = _words("resume_report")
REPORT = _words("report") | RESUME_REPORT
STATUS = _words("status")
# longest first: understanding/status_request.py's pattern takes "CEK STATUS" before "CEK"
STATUS_WORDS = tuple(sorted(_words("status_words"), key=lambda words: (-len(words), words)))
MY_REPORTS = _words("my_reports")
CANCEL = _words("cancel")
TO_ENGLISH = _words("to_english")
TO_INDONESIAN = _words("to_indonesian")
YES = _words("yes")
AFFIRMING = _words("affirming")  # a yes in a sentence: is_a_yes
CONFIRMING = _words("confirming")
_NONE = _words("none")  # "tidak ada", and below "tidak ada foto", "gak ada lagi"
SKIP = _words("skip") | _NONE | {f"{none} FOTO" for none in _NONE}
SKIP |= {f"{none} FOTONYA" for none in _NONE}
DONE = _words("done") | {f"{none} LAGI" for none in _NONE}
# Words of a short message that asks for something in a sentence: to make a report, about
# one made earlier, for a status.
REPORT_WORDS = _words("report_words")
WISHES = _words("wishes")
# "report" alone is a noun as often: with one of the second set it is a wish
WISH_TO_REPORT = (_words("wish_to_report.report"), _words("wish_to_report.wishes"))
ABOUT_REPORTS = REPORT_WORDS | _words("about_reports")
EARLIER_WORDS = _words("earlier_words")
ASKING_AFTER = _words("asking_after")
# Whose report: "laporan saya", "my report"; "laporannya" is one already known.
OWNERS_AFTER = _words("owners_after")
OWNERS_BEFORE = _words("owners_before")
OWNED_REPORTS = _words("owned_reports")
OWNERS = OWNERS_AFTER | OWNERS_BEFORE | OWNED_REPORTS
REPORT_NOUNS = ABOUT_REPORTS - REPORT_WORDS
THANKS = _words("thanks")
THANKS_SIGNS = _words("thanks_signs")
PRAISE = _words("praise")
# The words that make a message an acknowledgement, and those allowed around them.
ACKNOWLEDGERS = _words("acknowledgers")
ACKNOWLEDGING = ACKNOWLEDGERS | _words("acknowledging")
ASKING_FOR_NEWS = _words("asking_for_news")
DONE_WELL = _words("done_well")
THANKED_FOR = _words("thanked_for")
QUESTION_STARTS = _words("question_starts")
ASKING = _words("asking")
COURTESIES = _words("courtesies")
COURTESY_PAIRS = frozenset(tuple(pair.split()) for pair in _listed("courtesy_pairs"))
# The courtesies that end a note without saying anything: "… sudah dicek ya pak", but
# not "… tolong hubungi ibu", "… cuma satu saja".
SIGN_OFFS = COURTESIES - _words("not_sign_offs")
CHOICE_WORDS = _words("choice_words")
# Words that tell nothing of a problem: "ini fotonya pak", "selamat pagi", "saya mau lapor".
GREETING_WORDS = frozenset(word for greeting in GREETINGS for word in greeting.split())
NOT_TELLING = COURTESIES | THANKS | REPORT_WORDS | WISHES | ABOUT_REPORTS | CHOICE_WORDS
NOT_TELLING |= GREETING_WORDS | _words("not_telling")
CHANGE = _words("change")
CORRECTING = _words("correcting")
AS_IT_IS = _words("as_it_is")
# The parts of a report one may correct at the summary, by the step that asks for each.
PARTS = {
    step: _words(f"parts.{step}")
    for step in ("category", "description", "location", "kelurahan", "photos")
}
REPORT_AGAIN = _words("report_again")
NO = _words("no")
ASKING_WHEN = _words("asking_when")
ASKING_HOW_LONG = tuple(_listed("asking_how_long"))
# A message of these words alone asks nothing: "maaf baru kirim fotonya", "bukan pak".
NOTHING_ASKED = NOT_TELLING | ACKNOWLEDGING | NO | _words("nothing_asked")
NEGATIONS = _words("negations")
KNOWING = _words("knowing")
# "No photo" in words, beside a photo word: "gak jadi kirim foto", "batal fotonya aja",
# "belum ada foto", "no pics"; not "fotonya tidak jelas" nor "foto gak bisa kekirim".
_NO_PHOTO = re.compile(
    r"\b(?:(?:GAK|GA|TIDAK|TDK|TAK|BELUM)\s+(?:JADI|USAH|ADA|PUNYA)|BATAL|TANPA"
    r"|NO|DON'?T\s+HAVE|HAVE\s+NO|WITHOUT)\b(?!\s*\d)"
)


def declines_photos(answer: str) -> bool:
    words = set(re.findall(r"\w+", answer))
    return not PARTS["photos"].isdisjoint(words) and _NO_PHOTO.search(answer) is not None


ANOTHER = _words("another")  # with a problem word: says_another_problem
PROBLEM_WORDS = _words("problem_words") | ABOUT_REPORTS
# "bukan pak, ini masalah lain": that there is another problem, not what it is.
SAYING_ANOTHER_PROBLEM = ANOTHER | PROBLEM_WORDS | _words("saying_another_problem")
PAUSE = _words("pause")
RESUME = _words("resume")
REOPEN = _words("reopen")
REOPEN_WITH_A_NUMBER = _words("reopen_with_a_number")
REOPEN_BEFORE_THE_NUMBER = _words("reopen_before_the_number") | COURTESIES
# A TA Fasilitator's commands, each with the words that may be typed for it.
FACILITATOR_COMMANDS = {
    command: _words(f"facilitator_commands.{command.lower()}")
    for command in ("ANTRIAN", "LIHAT", "VALIDASI", "KEMBALIKAN", "TANYA")
}
# A kelurahan's or an SKPD's staff's commands, likewise.
OFFICE_COMMANDS = {
    command: _words(f"office_commands.{command.lower()}")
    for command in ("TERIMA", "TOLAK", "TERUSKAN", "PROSES", "SELESAI", "ANTRIAN", "LIHAT")
}
# A supervisor's (Biro Pemerintahan): JAWAB, the answer to a facilitator's TANYA.
SUPERVISOR_COMMANDS = {"JAWAB": _words("supervisor_commands.jawab")}


class StaffCommands:
    """One role's commands: each word they may type to the command it means ("ANTREAN"
    is ANTRIAN), and which a message starts with."""

    def __init__(self, commands: dict[str, frozenset[str]]):
        self.verbs = {word: command for command, words in commands.items() for word in words}

    def verb_of(self, command: str) -> str | None:
        """The command a message starts with (`Lihat: CRM-…`, `validate CRM-…`); none in
        thanks ("terima kasih" is no TERIMA)."""
        first, second, *_ = (*command.split(" ", 2), "")
        if (first, second) in COURTESY_PAIRS:
            return None
        return self.verbs.get(first.strip("?!.,:;"))

    def is_command(self, command: str) -> bool:
        return self.verb_of(command) is not None


# Words that show which language a sender writes in (see looks_english, clearly_written_in).
_MARKS_AROUND_WORDS = "?!.,;:()\"'"
ENGLISH_MARKERS = _words("english_markers")
INDONESIAN_MARKERS = _words("indonesian_markers")


def looks_english(command: str) -> bool:
    english, indonesian = _markers(command)
    return english > indonesian


def clearly_written_in(command: str) -> str | None:
    """The language a message leaves no doubt about: two marker words of one and none of
    the other. Enough to answer a known citizen in it from then on; "Hi" alone, a name or
    an address is not."""
    english, indonesian = _markers(command)
    if english >= 2 and not indonesian:
        return "en"
    if indonesian >= 2 and not english:
        return "id"
    return None


def _markers(command: str) -> tuple[int, int]:
    typed = command.split()
    words = set(typed) | {word.strip(_MARKS_AROUND_WORDS) for word in typed}  # "pak?"
    return len(words & ENGLISH_MARKERS), len(words & INDONESIAN_MARKERS)


def says_another_problem(command: str) -> bool:
    words = set(re.findall(r"\w+", command))
    return not ANOTHER.isdisjoint(words) and not PROBLEM_WORDS.isdisjoint(words)


def says_not_knowing(command: str) -> bool:
    """ "gak tau pak", "saya tidak tahu kelurahannya", "I don't know", "no idea"."""
    words = [word.strip(_MARKS_AROUND_WORDS) for word in command.split()]
    pairs = itertools.pairwise(words)
    return any(first in NEGATIONS and second in KNOWING for first, second in pairs) or (
        "NO IDEA" in command
    )


def opens_with_a_yes(words: list[str]) -> bool:
    """ "Betul, lubangnya …", "iya betul, itu buat laporan tadi", "ya lokasinya …"."""
    return bool(words) and words[0] in AFFIRMING


def is_a_yes(answer: str) -> bool:
    """YES, or a yes in a sentence of yes-words only ("iya betul sekali", "sudah sesuai",
    "oke kirim", "yes please send"); not "ok, tunggu sebentar" nor "ya, tapi …"."""
    words = answer.split()
    return answer in YES or (
        bool(words)
        and words[0] in AFFIRMING
        and all(word in AFFIRMING or word in CONFIRMING or word in COURTESIES for word in words)
    )


def is_a_thank_you(command: str) -> bool:
    """Thanks and nothing else but praise ("terima kasih pak, sudah beres", "makasih
    infonya", "terima kasih, laporan saya sudah ditindaklanjuti"); not thanks around a
    request ("BUKA CRM-… masih rusak, terima kasih") or a new problem ("makasih, lampu
    di gang sebelah juga mati")."""
    if command in THANKS_SIGNS:
        return True
    words = set(re.findall(r"\w+", command))
    if words.isdisjoint(THANKS):
        return False
    allowed = THANKS | PRAISE | COURTESIES | ACKNOWLEDGING
    if not words.isdisjoint(DONE_WELL):
        allowed |= THANKED_FOR
    return words <= allowed


def is_an_acknowledgement(command: str) -> bool:
    """ "ok pak siap", "semoga cepat ditangani ya pak", "aamiin": nothing to answer but
    a short "all right" (with thanks, `is_a_thank_you`); not "kabarnya pak?"."""
    words = set(re.findall(r"\w+", command))
    return (
        "?" not in command
        and not words.isdisjoint(ACKNOWLEDGERS)
        and words <= ACKNOWLEDGING | COURTESIES | PRAISE
    )


def asks_when(command: str) -> bool:
    """ "kira-kira kapan dikerjakan pak", "berapa lama lagi", "when will it be fixed"."""
    words = set(re.findall(r"\w+", command))
    return not ASKING_WHEN.isdisjoint(words) or any(ask in command for ask in ASKING_HOW_LONG)


WAIT = _words("wait")  # "sebentar ya pak": the answer is coming, this is not it
ADDRESS_WORDS = _words("address_words")  # "Jl. Kemang Raya dekat halte", "Kampung Melayu"


def names_a_place(command: str) -> bool:
    """A number or an address word: "tunggu di depan gang 3" is an address all the same."""
    words = set(re.findall(r"\w+", command))
    return any(char.isdigit() for char in command) or not ADDRESS_WORDS.isdisjoint(words)


def asks_to_wait(command: str) -> bool:
    return not WAIT.isdisjoint(re.findall(r"\w+", command))


# "Assalamualaikum" as it is typed: one S or two, an M or two, with an apostrophe
# (straight or curly) or a space or neither, or cut short to "Ass. wr. wb.", "Aslm".
_SALAM = re.compile(r"\b(?:AS{1,2}ALAM{1,2}U?[\s'’`]*ALAIKUM|ASS?[\s.]*WR[\s.]*WB|ASLM|ASKUM)\b")


def says_salam(command: str) -> bool:
    """The message greets with "Assalamualaikum": it is answered "Waalaikumsalam"."""
    return _SALAM.search(command) is not None


def is_a_greeting(answer: str) -> bool:
    """A greeting or several, with forms of address: "Assalamualaikum, selamat siang pak",
    "Ass. wr. wb.", "Assalamu’alaikum"."""
    if answer in GREETINGS:
        return True
    words = re.findall(r"\w+", _SALAM.sub(" ", answer))
    greets = says_salam(answer) or any(word in GREETING_WORDS for word in words)
    return greets and all(greets_or_addresses(word) for word in words)


def greets_or_addresses(word: str) -> bool:
    """A word of a greeting or a courtesy: "selamat", "pagi", "pak", "admin"."""
    return word in GREETING_WORDS or word in COURTESIES


def courtesy_bounds(words: list[str], courtesies: frozenset[str] = COURTESIES) -> tuple[int, int]:
    """Where the words without the courtesies around them start and end, keeping at least
    one: `YA PAK` is `YA`, `TOLONG BATALKAN` `BATALKAN`, `OKE TERIMA KASIH` `OKE`."""
    start, end = 0, len(words)
    while end - start > 1:  # from the end first: `YA PAK` is YA, not PAK
        if words[end - 1] in courtesies:
            end -= 1
        elif end - start > 2 and (words[end - 2], words[end - 1]) in COURTESY_PAIRS:
            end -= 2
        elif words[start] in courtesies:
            start += 1
        elif end - start > 2 and (words[start], words[start + 1]) in COURTESY_PAIRS:
            start += 2  # "terima kasih, 5"
        else:
            break
    return start, end
