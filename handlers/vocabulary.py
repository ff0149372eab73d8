"""The words citizens use for each command, in Indonesian and English.

These are what we *read*, not what we say, so they live here rather than in templates/.
"""

GREETINGS = {
    "HALO",
    "HALLO",
    "HAI",
    "HI",
    "HELLO",
    "HEY",
    "PAGI",
    "SIANG",
    "SORE",
    "MALAM",
    "SELAMAT PAGI",
    "SELAMAT SIANG",
    "SELAMAT SORE",
    "SELAMAT MALAM",
    "ASSALAMUALAIKUM",
    "ASSALAMU'ALAIKUM",
    "ASALAMUALAIKUM",
    "ASSALAMUALAIKUM WR WB",
    "GOOD MORNING",
    "GOOD AFTERNOON",
    "GOOD EVENING",
}
MENU = GREETINGS | {"MENU", "MENU UTAMA", "MAIN MENU", "BANTUAN", "HELP"}
GUIDE = {"4", "PETUNJUK", "INFO", "CARA", "GUIDE"}
RESUME_REPORT = {"LAPOR", "REPORT", "BUAT LAPORAN", "NEW REPORT"}
REPORT = {"1"} | RESUME_REPORT
STATUS = {"2", "STATUS", "CEK", "CEK STATUS", "CHECK", "CHECK STATUS"}
STATUS_WORDS = ("CEK STATUS", "CHECK STATUS", "STATUS", "CEK", "CHECK")  # longest first
MY_REPORTS = {"3", "LAPORAN SAYA", "LAPORANKU", "MY REPORTS", "MY REPORT"}
CANCEL = {"BATAL", "CANCEL", "BATALKAN", "STOP LAPOR", "GAK JADI", "GA JADI", "TIDAK JADI"}
CANCEL |= {"NGGAK JADI", "ENGGAK JADI", "TDK JADI", "NEVER MIND", "BATALIN", "DIBATALKAN"}
CANCEL |= {"SAYA BATALKAN", "BATAL DULU", "UDAHAN", "BATAL LAPOR", "BATAL LAPORAN"}
CANCEL |= {"BATALKAN LAPORAN", "BATALKAN LAPORANNYA", "GAK JADI LAPOR", "TIDAK JADI LAPOR"}
CANCEL |= {"GA JADI LAPOR", "CANCEL REPORT"}
TO_ENGLISH = {"ENGLISH", "INGGRIS", "BAHASA INGGRIS", "EN"}
TO_INDONESIAN = {"BAHASA", "INDONESIA", "BAHASA INDONESIA", "INDONESIAN", "ID"}
YES = {"YA", "Y", "YES", "IYA", "OK", "OKE", "KIRIM", "SEND", "YAA", "IYAA", "OKAY", "OKEY", "SIP"}
YES |= {"BETUL", "BENAR", "SUDAH BENAR", "SUDAH BETUL", "YA BENAR", "YA BETUL", "YA KIRIM"}
YES |= {"KIRIMKAN", "SUDAH", "YAUDAH", "SETUJU", "CORRECT", "CONFIRM", "YEAH", "YEP", "SURE"}
YES |= {"BAIK", "SIAP", "👍", "👌"}
# The first words of a short yes in a sentence: "iya betul pak", "sudah sesuai", "oke kirim".
AFFIRMING = {"YA", "IYA", "IYAA", "YAA", "YES", "BETUL", "BENAR", "SUDAH", "UDAH", "OK", "OKE"}
AFFIRMING |= {"OKAY", "SIP", "SIAP", "BAIK", "SESUAI", "KIRIM", "KIRIMKAN", "SEND", "CORRECT"}
AFFIRMING |= {"YEP", "YEAH", "SURE", "LANJUT", "CUKUP", "SETUJU"}
DOUBTING = {"TIDAK", "TDK", "GAK", "GA", "ENGGAK", "NGGAK", "BUKAN", "JANGAN", "SALAH", "TAPI"}
DOUBTING |= {"BELUM", "GANTI", "UBAH", "TAMBAH", "TAMBAHKAN", "NO", "NOT", "BUT", "CHANGE"}
MAX_WORDS_OF_A_YES = 5
_NONE = {"TIDAK ADA", "TDK ADA", "GAK ADA", "GA ADA", "GAADA", "NGGAK ADA", "ENGGAK ADA", "TAK ADA"}
SKIP = {"LEWATI", "LEWAT", "SKIP", "TIDAK", "NO", "NONE", "NO PHOTO", "NO PHOTOS", "TANPA FOTO"}
SKIP |= _NONE | {f"{none} FOTO" for none in _NONE} | {f"{none} FOTONYA" for none in _NONE}
DONE = {"LANJUT", "LANJUTKAN", "NEXT", "CONTINUE", "SELESAI", "DONE", "CUKUP", "SUDAH", "UDAH"}
DONE |= {"SDH", "SUDAH SEMUA", "SUDAH CUKUP", "THAT'S ALL"} | {f"{none} LAGI" for none in _NONE}
RATE = {"NILAI", "RATE", "RATING"}
STARS = {"BINTANG", "STAR", "STARS"}  # "5 bintang"
# Words of a short message that asks for something in a sentence: to make a report
# ("saya mau lapor"), about one made earlier ("sudah saya laporkan minggu lalu, kok belum
# ada kabar?"), for a status ("what is the status of my report?").
REPORT_WORDS = {"LAPOR", "MELAPOR", "LAPORKAN", "MELAPORKAN"}
WISHES = {"MAU", "INGIN", "PENGEN", "PINGIN", "MINTA"}  # "saya mau lapor, tolong cek …"
# "report" alone is a noun as often ("… from report;--"): with one of these it is a wish
WISH_TO_REPORT = ({"REPORT"}, {"WANT", "LIKE", "NEED", "TO", "HOW", "WHERE", "CAN"})
ABOUT_REPORTS = REPORT_WORDS | {"LAPORAN", "LAPORANNYA", "LAPORANKU", "REPORT", "REPORTS"}
ABOUT_REPORTS |= {"DILAPORKAN", "PENGADUAN", "PENGADUANNYA", "ADUAN", "KELUHAN", "REPORTED"}
EARLIER_WORDS = {"SUDAH", "UDAH", "SDH", "TELAH", "PERNAH", "KEMARIN", "LALU", "BELUM", "TADI"}
EARLIER_WORDS |= {"ALREADY", "YET", "AGO", "LAST"}
# With a report word, a short question after one's reports: "laporan saya gimana?",
# "nomor laporan saya berapa ya", "saya lupa nomor laporannya".
ASKING_AFTER = {"GMN", "GIMANA", "BAGAIMANA", "KAPAN", "BERAPA", "MANA", "LUPA", "KABAR"}
ASKING_AFTER |= {"KABARNYA", "PERKEMBANGAN", "PERKEMBANGANNYA", "HOW", "WHERE", "WHEN", "FORGOT"}
# Whose report: "laporan saya", "my report"; "laporannya" is one already known.
OWNERS_AFTER = {"SAYA", "SY", "KAMI", "AKU", "KITA", "GUE", "GW"}
OWNERS_BEFORE = {"MY", "OUR"}
OWNED_REPORTS = {"LAPORANKU", "LAPORANNYA", "PENGADUANNYA"}
OWNERS = OWNERS_AFTER | OWNERS_BEFORE | OWNED_REPORTS
DONE_REPORTING = {"DILAPORKAN", "REPORTED"}
REPORT_NOUNS = ABOUT_REPORTS - REPORT_WORDS
THANKS = {"TERIMA", "TERIMAKASIH", "MAKASIH", "MAKASI", "MKSH", "TRIMS", "THANKS", "THANK", "THX"}
THANKS |= {"TQ", "NUWUN", "NUHUN"}
THANKS_SIGNS = {"🙏", "🙏🏻", "🙏🏼", "🙏🏽", "🙏🏾"}
BUT_STILL = {"TAPI", "TETAPI", "NAMUN", "MASIH", "BELUM", "BUT", "STILL", "NOT", "YET"}
# A question, by its first word or a word of asking anywhere ("saya mau tanya …").
QUESTION_STARTS = {"APA", "APAKAH", "BAGAIMANA", "GIMANA", "GMN", "BGMN", "KAPAN", "KENAPA"}
QUESTION_STARTS |= {"MENGAPA", "BERAPA", "DIMANA", "SIAPA", "BISAKAH", "BOLEHKAH", "HOW", "WHAT"}
QUESTION_STARTS |= {"WHEN", "WHY", "WHERE", "WHO", "CAN", "COULD", "IS", "ARE", "DO", "DOES"}
ASKING = {"TANYA", "BERTANYA", "MENANYAKAN", "NANYA", "ASK", "ASKING", "KNOW", "WONDER"}
ASKING |= {"BAGAIMANA", "GIMANA", "GMN", "BGMN", "APAKAH"}  # anywhere: "mohon info bagaimana …"
# Forms of address and particles around a keyword: "ya pak", "batal aja", "tolong batalkan".
COURTESIES = {"PAK", "BU", "BAPAK", "IBU", "MAS", "MBAK", "KAK", "BANG", "MIN", "ADMIN", "GAN"}
COURTESIES |= {"YA", "YAH", "DONG", "DEH", "SIH", "AJA", "SAJA", "NIH", "TOLONG", "MOHON"}
COURTESIES |= {"PLEASE", "PLS", "SIR", "MAAM", "TERIMAKASIH", "MAKASIH", "MAKASI", "THANKS"}
COURTESIES |= {"THX", "TQ", "TRIMS", "BANYAK"}
COURTESY_PAIRS = {("TERIMA", "KASIH"), ("THANK", "YOU")}
# Words before a choice: "pilih nomor 2", "no. 2", "kategori 2".
CHOICE_WORDS = {"PILIH", "PILIHAN", "NOMOR", "NOMER", "NO", "ANGKA", "KATEGORI", "CHOOSE"}
CHOICE_WORDS |= {"NUMBER", "OPTION", "CATEGORY"}
# Words that tell nothing of a problem: "ini fotonya pak", "selamat pagi", "saya mau lapor".
NOT_TELLING = COURTESIES | THANKS | REPORT_WORDS | WISHES | ABOUT_REPORTS | CHOICE_WORDS
GREETING_WORDS = {word for greeting in GREETINGS for word in greeting.split()}
NOT_TELLING |= GREETING_WORDS
NOT_TELLING |= {"KASIH", "YOU", "INI", "ITU", "NYA", "SAYA", "AKU", "KAMI", "FOTO", "FOTONYA"}
NOT_TELLING |= {"GAMBAR", "GAMBARNYA", "BERIKUT", "TERLAMPIR", "KIRIM", "SEGERA", "DIBANTU"}
NOT_TELLING |= {"BANTU", "BANTUANNYA", "DITINDAKLANJUTI", "TINDAK", "LANJUTI", "WR"}
NOT_TELLING |= {"WB", "HERE", "IS", "THE", "THIS", "A", "PHOTO", "PICTURE", "ATTACHED", "MY"}
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


def is_a_yes(answer: str) -> bool:
    """YES, or a short yes in a sentence ("iya betul", "sudah sesuai", "oke kirim", "yes
    please send") that doubts nothing ("ya tapi …", "tidak, bukan itu")."""
    words = answer.split()
    return answer in YES or (
        bool(words)
        and words[0] in AFFIRMING
        and len(words) <= MAX_WORDS_OF_A_YES
        and DOUBTING.isdisjoint(words)
    )


def is_a_greeting(answer: str) -> bool:
    """A greeting or several, with forms of address: "Assalamualaikum, selamat siang pak"."""
    words = answer.split()
    return answer in GREETINGS or (
        any(word in GREETING_WORDS for word in words)
        and all(word in GREETING_WORDS or word in COURTESIES for word in words)
    )


def courtesy_bounds(words: list[str]) -> tuple[int, int]:
    """Where the words without the courtesies around them start and end, keeping at least
    one: `YA PAK` is `YA`, `TOLONG BATALKAN` `BATALKAN`, `OKE TERIMA KASIH` `OKE`."""
    start, end = 0, len(words)
    while end - start > 1:  # from the end first: `YA PAK` is YA, not PAK
        if words[end - 1] in COURTESIES:
            end -= 1
        elif end - start > 2 and (words[end - 2], words[end - 1]) in COURTESY_PAIRS:
            end -= 2
        elif words[start] in COURTESIES:
            start += 1
        elif end - start > 2 and (words[start], words[start + 1]) in COURTESY_PAIRS:
            start += 2  # "terima kasih, 5"
        else:
            break
    return start, end


def without_courtesies(words: list[str]) -> list[str]:
    start, end = courtesy_bounds(words)
    return words[start:end]
