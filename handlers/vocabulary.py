"""The words citizens use for each command, in Indonesian and English.

These are what we *read*, not what we say, so they live here rather than in templates/.
"""

import itertools
import re

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
    "ASSALAMU ALAIKUM",
    "ASSALAMUALAIKUM WARAHMATULLAHI WABARAKATUH",
    "ASS WR WB",
    "ASLM",
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
MY_REPORTS = {"3", "LAPORAN SAYA", "LAPORANKU", "MY REPORTS", "MY REPORT", "CEK LAPORAN"}
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
AFFIRMING |= {"YEP", "YEAH", "SURE", "LANJUT", "CUKUP", "SETUJU", "SDH", "BENER"}
# The rest of such a yes: "iya betul sekali", "sudah sesuai semua", "yes, that's right".
CONFIRMING = {"SEKALI", "ITU", "SEMUA", "SEKARANG", "DIKIRIM", "SAJA", "AJA", "RIGHT", "IS"}
CONFIRMING |= {"IT", "THAT'S", "THATS", "THAT", "PLEASE", "GO", "AHEAD", "ALL", "GOOD", "FINE"}
_NONE = {"TIDAK ADA", "TDK ADA", "GAK ADA", "GA ADA", "GAADA", "NGGAK ADA", "ENGGAK ADA", "TAK ADA"}
SKIP = {"LEWATI", "LEWAT", "SKIP", "TIDAK", "NO", "NONE", "NO PHOTO", "NO PHOTOS", "TANPA FOTO"}
SKIP |= _NONE | {f"{none} FOTO" for none in _NONE} | {f"{none} FOTONYA" for none in _NONE}
DONE = {"LANJUT", "LANJUTKAN", "NEXT", "CONTINUE", "SELESAI", "DONE", "CUKUP", "SUDAH", "UDAH"}
DONE |= {"SDH", "SUDAH SEMUA", "SUDAH CUKUP", "THAT'S ALL"} | {f"{none} LAGI" for none in _NONE}
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
REPORT_NOUNS = ABOUT_REPORTS - REPORT_WORDS
THANKS = {"TERIMA", "TERIMAKASIH", "MAKASIH", "MAKASI", "MKSH", "TRIMS", "THANKS", "THANK", "THX"}
THANKS |= {"TQ", "NUWUN", "NUHUN"}
THANKS_SIGNS = {"🙏", "🙏🏻", "🙏🏼", "🙏🏽", "🙏🏾"}
# What a thank-you says besides thanks: "terima kasih pak, sudah beres", "makasih infonya".
PRAISE = {"SUDAH", "UDAH", "SDH", "TELAH", "BERES", "SELESAI", "DIPERBAIKI", "DITANGANI"}
PRAISE |= {"BAGUS", "MANTAP", "CEPAT", "BAIK", "ATAS", "INFONYA", "INFORMASINYA", "INFO"}
PRAISE |= {"RESPONNYA", "RESPON", "PELAYANANNYA", "TANGGAPANNYA", "KASIH", "YOU", "FOR", "SO"}
PRAISE |= {"MUCH", "VERY", "THE", "HELP", "FIXING", "QUICK", "GREAT", "DONE", "FIXED", "OK"}
PRAISE |= {"OKE", "SIP", "YA", "IYA"}
# Words that only acknowledge, with or without thanks: "siap pak, ditunggu kabarnya",
# "semoga cepat ditangani", "aamiin", "noted".
# The words that make a message one: ACKNOWLEDGING allows the others around them, so that
# "cepat pak" (hurry) or "saya" alone is none.
ACKNOWLEDGERS = {"SEMOGA", "DITUNGGU", "TUNGGU", "SIAP", "OK", "OKE", "BAIK", "MANTAP", "SIP"}
ACKNOWLEDGERS |= {"AAMIIN", "AMIN", "AMIIN", "ALHAMDULILLAH", "NOTED", "NICE", "GREAT", "COOL"}
ACKNOWLEDGING = ACKNOWLEDGERS | {"CEPAT", "SEGERA", "DITANGANI", "DIPROSES", "SELANJUTNYA"}
ACKNOWLEDGING |= {"KABARNYA", "KABAR", "SAYA", "KAMI", "YA", "A", "LOT", "LOTS", "WILL", "WAIT"}
# Asking after a report's progress without a question word: "kok belum ada kabar ya".
ASKING_FOR_NEWS = {"KABAR", "KABARNYA", "PROGRES", "PROGRESNYA", "PROGRESS"}
# What was done, thanked for: "terima kasih, laporan saya sudah ditindaklanjuti".
DONE_WELL = {"SUDAH", "UDAH", "BERES", "SELESAI", "DIPERBAIKI", "DITANGANI", "FIXED", "DONE"}
DONE_WELL |= {"DITINDAKLANJUTI", "FIXING"}
THANKED_FOR = {"LAPORAN", "LAPORANNYA", "SAYA", "KAMI", "DILAPORKAN", "DITINDAKLANJUTI", "MY"}
THANKED_FOR |= {"REPORT", "ROAD", "JALAN", "JALANNYA"}
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
# The courtesies that end a note without saying anything: "… sudah dicek ya pak", but
# not "… tolong hubungi ibu", "… cuma satu saja".
SIGN_OFFS = COURTESIES - {"IBU", "BAPAK", "MAS", "MBAK", "SAJA", "AJA", "BANYAK"}
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
NOT_TELLING |= {"MAAF", "LUPA", "TADI", "TAMBAHAN", "SUSULAN", "KETINGGALAN", "SORRY", "FORGOT"}
# At the summary, a wish to correct it: "ubah", "ada yang salah", "ganti kategorinya".
CHANGE = {"UBAH", "UBAHNYA", "GANTI", "SALAH", "KELIRU", "EDIT", "KOREKSI", "REVISI", "CHANGE"}
CHANGE |= {"WRONG", "MISTAKE"}  # not "correct", a yes, nor "perbaiki", a wish for the repair
# A part said to be right as it is: "ya lokasinya sudah benar", "kelurahannya sesuai".
AS_IT_IS = {"BENAR", "BETUL", "SESUAI", "COCOK", "CORRECT", "RIGHT", "FINE"}
# The parts of a report one may correct there, by the step that asks for each.
PARTS = {
    "category": {"KATEGORI", "KATEGORINYA", "JENIS", "JENISNYA", "CATEGORY"},
    "description": {"URAIAN", "URAIANNYA", "KETERANGAN", "KETERANGANNYA", "DESKRIPSI"},
    "location": {"LOKASI", "LOKASINYA", "ALAMAT", "ALAMATNYA", "LOCATION", "ADDRESS"},
    "kelurahan": {"KELURAHAN", "KELURAHANNYA", "KEL"},
    "photos": {"FOTO", "FOTONYA", "GAMBAR", "GAMBARNYA", "PHOTO", "PHOTOS", "PIC", "PICS"},
}
PARTS["description"] |= {"DESCRIPTION", "CERITA", "CERITANYA"}  # not "tidak ada masalah"
# Answers to "is this more about your report?": LAPOR makes it a new one, a no leaves it.
REPORT_AGAIN = {"LAPOR", "REPORT", "LAPOR BARU", "LAPORAN BARU", "NEW REPORT", "BUAT LAPORAN"}
NO = {"TIDAK", "BUKAN", "NO", "NOPE", "JANGAN", "GAK", "ENGGAK", "NGGAK", "NDAK", "TDK", "GA"}
NO |= {"BUKAN PAK", "TIDAK USAH", "GAK USAH", "NGGAK USAH", "GA USAH", "NO THANKS"}
# A question of when or how long, anywhere in a message: "kira-kira kapan dikerjakan";
# not "kira-kira" or "berapa" alone ("lubangnya kira-kira selebar 1 meter").
ASKING_WHEN = {"KAPAN", "WHEN"}
ASKING_HOW_LONG = ("BERAPA LAMA", "HOW LONG")
# A message of these words alone asks nothing: "maaf baru kirim fotonya", "bukan pak".
NOTHING_ASKED = NOT_TELLING | ACKNOWLEDGING | NO | {"BARU", "SEMPAT", "DIKIRIM", "SUDAH"}
# "gak tau kelurahannya", "saya tidak tahu", "I don't know": a negation before knowing.
NEGATIONS = {"GAK", "GA", "NGGAK", "ENGGAK", "TIDAK", "TDK", "GK", "NDAK", "DONT", "DON'T", "NOT"}
KNOWING = {"TAU", "TAHU", "KNOW", "SURE", "PAHAM", "NGERTI", "YAKIN"}
# "No photo" in words, beside a photo word: "gak jadi kirim foto", "batal fotonya aja",
# "belum ada foto", "no pics"; not "fotonya tidak jelas" nor "foto gak bisa kekirim".
_NO_PHOTO = re.compile(
    r"\b(?:(?:GAK|GA|NGGAK|ENGGAK|TIDAK|TDK|TAK|BELUM)\s+(?:JADI|USAH|ADA|PUNYA)|BATAL|TANPA"
    r"|NO|DON'?T\s+HAVE|HAVE\s+NO|WITHOUT)\b(?!\s*\d)"
)


def declines_photos(answer: str) -> bool:
    words = set(re.findall(r"\w+", answer))
    return not PARTS["photos"].isdisjoint(words) and _NO_PHOTO.search(answer) is not None


# A caption that says it is not for the report just filed: "ini masalah lain", "untuk
# laporan baru" (a report word with one of these; "maaf baru kirim fotonya" is no such).
ANOTHER = {"BARU", "LAIN", "BEDA", "BERBEDA", "NEW", "ANOTHER", "OTHER", "DIFFERENT", "KEDUA"}
PROBLEM_WORDS = {"MASALAH", "PROBLEM", "ISSUE", "KELUHAN", "ADUAN"} | ABOUT_REPORTS
# "bukan pak, ini masalah lain": that there is another problem, not what it is.
SAYING_ANOTHER_PROBLEM = frozenset(
    ANOTHER | PROBLEM_WORDS | {"BUKAN", "NO", "NOT", "ITS", "IT", "S"}
)
PAUSE = {"BERHENTI", "STOP", "UNSUBSCRIBE"}
RESUME = {"MULAI", "START", "SUBSCRIBE"}

# Words that show which language a sender writes in (see looks_english, clearly_written_in).
_MARKS_AROUND_WORDS = "?!.,;:()\"'"
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
    "WHEN",
    "WHERE",
    "ARE",
    "THIS",
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
    "PAK",
    "BU",
    "GIMANA",
    "BAGAIMANA",
    "LAPORAN",
    "LAPORANNYA",
    "SUDAH",
    "BELUM",
    "KAPAN",
    "TIDAK",
    "GAK",
    "MOHON",
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


# "sebentar ya pak", "tunggu, saya cari dulu": the answer is coming, this is not it.
WAIT = {"BENTAR", "SEBENTAR", "BNTR", "TUNGGU", "TUNGGUIN", "WAIT", "MOMENT", "SEC"}
# Words of an address or a landmark: "Jl. Kemang Raya dekat halte", "Kampung Melayu".
ADDRESS_WORDS = {"JL", "JLN", "JALAN", "RAYA", "GG", "GANG", "RT", "RW", "NO", "BLOK", "KAV"}
ADDRESS_WORDS |= {"KAMPUNG", "KP", "KOMP", "KOMPLEK", "KOMPLEKS", "PERUM", "PERUMAHAN", "PASAR"}
ADDRESS_WORDS |= {"GEDUNG", "MASJID", "MUSHOLA", "GEREJA", "SEKOLAH", "SD", "SMP", "SMA", "HALTE"}
ADDRESS_WORDS |= {"STASIUN", "TERMINAL", "KALI", "JEMBATAN", "PUSKESMAS", "KANTOR", "TAMAN"}
ADDRESS_WORDS |= {"DEPAN", "BELAKANG", "SAMPING", "SEBELAH", "DEKAT", "DEKET", "SEBERANG"}
ADDRESS_WORDS |= {"STREET", "ROAD", "NEAR", "OPPOSITE"}


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


def courtesy_bounds(words: list[str], courtesies: set[str] = COURTESIES) -> tuple[int, int]:
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
