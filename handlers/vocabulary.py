"""The words citizens use for each command, in Indonesian and English.

These are what we *read*, not what we say, so they live here rather than in templates/.
"""

MENU = {"MENU", "HALO", "HALLO", "HAI", "HI", "HELLO", "HEY", "BANTUAN", "HELP"}
GUIDE = {"4", "PETUNJUK", "INFO", "CARA", "GUIDE"}
RESUME_REPORT = {"LAPOR", "REPORT", "BUAT LAPORAN", "NEW REPORT"}
REPORT = {"1"} | RESUME_REPORT
STATUS = {"2", "STATUS", "CEK", "CEK STATUS", "CHECK", "CHECK STATUS"}
STATUS_WORDS = ("CEK STATUS", "CHECK STATUS", "STATUS", "CEK", "CHECK")  # longest first
MY_REPORTS = {"3", "LAPORAN SAYA", "LAPORANKU", "MY REPORTS", "MY REPORT"}
CANCEL = {"BATAL", "CANCEL", "BATALKAN", "STOP LAPOR"}
TO_ENGLISH = {"ENGLISH", "INGGRIS", "BAHASA INGGRIS", "EN"}
TO_INDONESIAN = {"BAHASA", "INDONESIA", "BAHASA INDONESIA", "INDONESIAN", "ID"}
YES = {"YA", "Y", "YES", "IYA", "OK", "OKE", "KIRIM", "SEND"}
SKIP = {"LEWATI", "SKIP", "TIDAK", "NO", "TIDAK ADA"}
DONE = {"LANJUT", "LANJUTKAN", "NEXT", "CONTINUE", "SELESAI", "DONE", "CUKUP"}
RATE = {"NILAI", "RATE", "RATING"}
STARS = {"BINTANG", "STAR", "STARS"}  # "5 bintang"
# Words of a short message that asks for something in a sentence: to make a report
# ("saya mau lapor"), about one made earlier ("sudah saya laporkan minggu lalu, kok belum
# ada kabar?"), for a status ("what is the status of my report?").
REPORT_WORDS = {"LAPOR", "MELAPOR", "LAPORKAN", "MELAPORKAN"}
WISHES = {"MAU", "INGIN", "PENGEN", "PINGIN", "MINTA"}  # "saya mau lapor, tolong cek …"
# "report" alone is a noun as often ("… from report;--"): with one of these it is a wish
WISH_TO_REPORT = ({"REPORT"}, {"WANT", "LIKE", "NEED", "TO"})
ABOUT_REPORTS = REPORT_WORDS | {"LAPORAN", "LAPORANNYA", "LAPORANKU", "REPORT", "REPORTS"}
EARLIER_WORDS = {"SUDAH", "UDAH", "SDH", "TELAH", "PERNAH", "KEMARIN", "LALU", "BELUM"}
EARLIER_WORDS |= {"ALREADY", "YET", "AGO", "LAST"}
PAUSE = {"BERHENTI", "STOP", "UNSUBSCRIBE"}
RESUME = {"MULAI", "START", "SUBSCRIBE"}

# Words that show which language a sender writes in (see looks_english, clearly_written_in).
ENGLISH_MARKERS = {
    "HELLO",
    "HI",
    "HEY",
    "HELP",
    "REPORT",
    "PLEASE",
    "WANT",
    "GOOD",
    "MORNING",
    "THE",
    "MY",
    "STATUS?",
    "WHAT",
    "HOW",
    "I",
    "THERE",
    "IS",
    "ROAD",
    "STREET",
    "FLOOD",
}
INDONESIAN_MARKERS = {
    "HALO",
    "SAYA",
    "MAU",
    "INGIN",
    "LAPOR",
    "TOLONG",
    "SELAMAT",
    "PAGI",
    "SIANG",
    "SORE",
    "MALAM",
    "ADA",
    "DI",
    "JALAN",
    "YANG",
    "BANJIR",
    "SAMPAH",
    "BAPAK",
    "IBU",
    "MAS",
    "MBAK",
}


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
    words = set(command.split())
    return len(words & ENGLISH_MARKERS), len(words & INDONESIAN_MARKERS)
