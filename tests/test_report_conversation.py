"""Whole report conversations through the signed webhook."""

from datetime import timedelta

import pytest
import time_machine

from conftest import move_through
from store import reports
from store.clock import utcnow
from store.numbers import parse_number

CITIZEN = "+6281234567890"


def _report_number(reply) -> str:
    for line in reply.text.splitlines():
        if "CRM-" in line and "*" in line:
            return line.split("*")[1]
    raise AssertionError(f"no report number in {reply.text!r}")


def file_report(whatsapp, *, phone=CITIZEN, english=False):
    """Walk the whole conversation; return the last reply."""
    whatsapp.send("ENGLISH" if english else "LAPOR", phone=phone)
    if english:
        whatsapp.send("REPORT", phone=phone)
    whatsapp.send("1", phone=phone)
    whatsapp.send("Jalan berlubang besar di depan sekolah sejak seminggu", phone=phone)
    whatsapp.send("Jl. Kramat Raya No. 10, depan SDN 01", phone=phone)
    whatsapp.send("kramat, senen", phone=phone)
    whatsapp.send("LEWATI", phone=phone)
    return whatsapp.send("YES" if english else "YA", phone=phone)


def test_first_message_gets_menu_addressed_by_profile_name(whatsapp):
    reply = whatsapp.send("selamat pagi", name="Budi")
    assert reply.status == 200
    assert "Halo, Budi!" in reply.text
    assert "1. LAPOR" in reply.text and "LAPORAN SAYA" in reply.text


def test_full_report_in_indonesian_creates_report_in_menunggu(whatsapp, store):
    assert "kategori" in whatsapp.send("LAPOR").text
    assert "jelaskan masalahnya" in whatsapp.send("1").text
    assert "Di mana lokasinya" in whatsapp.send("Jalan berlubang besar di depan sekolah").text
    assert "kelurahan" in whatsapp.send("Jl. Kramat Raya No. 10").text.lower()
    assert "Kirim foto" in whatsapp.send("Kramat, Senen").text
    summary = whatsapp.send(media=[("https://api.twilio.com/media/ME1", "image/jpeg")])
    assert summary.messages[0] == "Foto kami simpan (1/5)."  # the summary next, no LANJUT
    assert "Kategori: Jalan rusak" in summary.text
    assert "Kelurahan: Kramat, Kec. Senen" in summary.text
    assert "Foto: 1" in summary.text
    done = whatsapp.send("ya")
    assert "laporan Anda sudah kami terima" in done.text
    number = _report_number(done)
    parsed = parse_number(number)
    assert parsed.valid
    report = store(reports.find_report, parsed.digits)
    assert report.stage == "menunggu"
    assert report.category == "jalan_rusak"
    assert report.kelurahan == "Kramat"
    assert report.reporter_phone == CITIZEN
    assert report.reporter_name == "Siti"
    assert [photo.url for photo in report.photos] == ["https://api.twilio.com/media/ME1"]
    assert [entry.to_stage for entry in report.history] == ["menunggu"]


def test_full_report_in_english(whatsapp, store):
    assert "English" in whatsapp.send("ENGLISH").text
    assert "Choose the kind of problem" in whatsapp.send("REPORT").text
    whatsapp.send("2")
    assert "Where is it?" in whatsapp.send("Rubbish piled up next to the market for days").text
    assert "Which kelurahan" in whatsapp.send("Jl. Pasar Baru 5").text
    assert "Send photos" in whatsapp.send("Pasar Baru").text
    assert "Please check your report" in whatsapp.send("SKIP").text
    done = whatsapp.send("YES")
    assert "we have received your report" in done.text
    number = _report_number(done)
    assert store(reports.find_report, parse_number(number).digits).category == "sampah"


def test_english_greeting_from_a_new_citizen_is_answered_in_english(whatsapp):
    assert "Welcome to Jakarta" in whatsapp.send("Hello, good morning").text
    assert "Reply with a number" in whatsapp.send("MENU").text


def test_a_new_citizen_asking_to_report_gets_the_menu_and_the_first_question_in_english(
    whatsapp,
):
    reply = whatsapp.send("Hello, I want to report a problem").text

    assert "Welcome to Jakarta" in reply and "Choose the kind of problem" in reply


def test_language_is_remembered_per_phone(whatsapp):
    whatsapp.send("ENGLISH")
    assert "Sorry, we did not understand" in whatsapp.send("asdf").text
    other = "+6281311112222"
    whatsapp.send("halo", phone=other)
    assert "Mohon maaf, kami belum memahami" in whatsapp.send("asdf", phone=other).text
    whatsapp.send("BAHASA")
    assert "Mohon maaf" in whatsapp.send("asdf").text


def test_a_known_citizen_who_writes_in_english_is_answered_in_english_from_then_on(whatsapp):
    whatsapp.send("status")  # a first message in neither language: Indonesian
    assert "Mohon maaf" in whatsapp.send("asdf").text
    reply = whatsapp.send("What is the status of my report?")
    assert "Mohon maaf" not in reply.text and "report" in reply.messages[0].lower()
    assert reply.messages[-1] == "Untuk Bahasa Indonesia, balas BAHASA."
    assert "Sorry, we did not understand" in whatsapp.send("asdf").text


def test_a_citizen_greeted_in_english_who_writes_indonesian_gets_indonesian(whatsapp):
    assert "Welcome to Jakarta" in whatsapp.send("Hi").text
    reply = whatsapp.send("Selamat pagi, saya mau lapor jalan rusak")
    assert "jelaskan masalahnya" in reply.text  # its kind is said: the story is asked
    assert reply.messages[-1] == "For English, reply ENGLISH."
    assert "Uraian terlalu singkat" in whatsapp.send("asdf").text


def test_the_answers_of_a_report_in_progress_do_not_switch_the_language(whatsapp):
    assert "Welcome to Jakarta" in whatsapp.send("Hello, I want to report a problem").text
    whatsapp.send("1")
    reply = whatsapp.send("Jalan berlubang di depan sekolah, bahaya untuk motor")
    assert "Where is it?" in reply.text
    assert "For English, reply ENGLISH." not in reply.text


def test_a_chosen_language_is_kept_whatever_the_citizen_writes_after(whatsapp):
    whatsapp.send("ENGLISH")
    whatsapp.send("REPORT")
    whatsapp.send("1")
    reply = whatsapp.send("Jalan berlubang besar di depan sekolah").text  # for the officers
    assert "Where is it?" in reply
    whatsapp.send("BATAL")
    whatsapp.send("BAHASA")
    assert "Silakan kirim nomor laporan" in whatsapp.send("What is the status of my report?").text


@pytest.mark.parametrize("message", ["Hi", "OK", "Gambir", "Jalan Sudirman", "STATUS?"])
def test_one_word_of_the_other_language_does_not_switch_a_known_citizen(whatsapp, message):
    whatsapp.send("halo")
    whatsapp.send(message)
    assert "Mohon maaf, kami belum memahami" in whatsapp.send("asdf").text


def test_cancel_at_any_step_discards_the_draft(whatsapp, store):
    whatsapp.send("LAPOR")
    whatsapp.send("3")
    assert "dibatalkan" in whatsapp.send("batal").text
    assert "Tidak ada laporan yang sedang dibuat" in whatsapp.send("BATAL").text
    assert store(reports.count_reports) == 0
    assert "kategori" in whatsapp.send("LAPOR").text


def test_draft_idle_for_24_hours_expires(whatsapp, store):
    with time_machine.travel(utcnow(), tick=False) as clock:
        whatsapp.send("LAPOR")
        whatsapp.send("1")
        clock.shift(60 * 60 * 24 + 60)
        reply = whatsapp.send("Jalan rusak parah di depan rumah saya")
    assert "lebih dari 24 jam" in reply.text
    assert store(reports.count_reports) == 0
    assert "kategori" in whatsapp.send("LAPOR").text


def test_draft_idle_for_23_hours_continues(whatsapp):
    with time_machine.travel(utcnow(), tick=False) as clock:
        whatsapp.send("LAPOR")
        whatsapp.send("1")
        clock.shift(60 * 60 * 23)
        reply = whatsapp.send("Jalan rusak parah di depan rumah saya")
    assert "Di mana lokasinya" in reply.text


def test_menu_during_a_report_keeps_the_draft_and_asks_its_question_again(whatsapp):
    whatsapp.send("LAPOR")
    whatsapp.send("1")
    menu = whatsapp.send("MENU")
    assert "sedang membuat laporan" in menu.text and "jelaskan masalahnya" in menu.text
    resumed = whatsapp.send("LAPOR")
    assert "belum selesai" in resumed.text and "jelaskan masalahnya" in resumed.text


def test_a_greeting_hours_into_a_report_shows_the_summary_before_a_yes_sends_it(whatsapp, store):
    with time_machine.travel(utcnow(), tick=False) as clock:
        for message in whatsapp.REPORT:
            whatsapp.send(message)
        clock.shift(3 * 60 * 60)
        greeted = whatsapp.send("pagi pak")
    assert "Mohon periksa laporan Anda" in greeted.text and "Balas YA" in greeted.text
    assert store(reports.count_reports) == 0


def test_too_short_description_is_asked_again_with_why(whatsapp):
    whatsapp.send("LAPOR")
    whatsapp.send("1")
    for short in ["rusak", "🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂", "..........", "a b c"]:
        reply = whatsapp.send(short)
        assert "terlalu singkat" in reply.text and "minimal 10 huruf" in reply.text


def test_a_ten_thousand_character_description_is_kept_up_to_what_a_report_holds(whatsapp, store):
    whatsapp.send("LAPOR")
    whatsapp.send("1")
    reply = whatsapp.send("jalan rusak " * 900)  # cut to 4,096 characters by the webhook
    assert reply.status == 200
    assert "Kami catat 3.995 karakter pertama sebagai uraian laporan" in reply.text
    assert 'sampai kata "…' in reply.text
    assert "Di mana lokasinya" in reply.text
    assert len(_filed_after_location(whatsapp, store).description) == 3995


def test_category_by_name_and_wrong_number(whatsapp):
    whatsapp.send("LAPOR")
    assert "pilihan tersebut tidak ada" in whatsapp.send("42").text
    assert "jelaskan masalahnya" in whatsapp.send("sampah").text


def test_location_pin_answers_the_location_question(whatsapp, store):
    whatsapp.send("LAPOR")
    whatsapp.send("5")
    whatsapp.send("Lampu jalan mati sudah tiga malam")
    reply = whatsapp.send(location=(-6.1862, 106.8341, "Jl. Kebon Sirih 22"))
    assert "Di kelurahan mana" not in reply.text  # the pin says it, and so does the reply
    assert "Lokasi Anda kami simpan: Kel. Kebon Sirih, Kec. Menteng, Jakarta Pusat." in reply.text
    summary = whatsapp.send("LEWATI")
    assert "Kelurahan: Kebon Sirih, Kec. Menteng, Jakarta Pusat (dari titik lokasi)" in summary.text
    assert "Bila kelurahannya salah, ketik nama kelurahan yang benar" in summary.text
    done = whatsapp.send("YA")
    report = store(reports.find_report, parse_number(_report_number(done)).digits)
    assert report.latitude == -6.1862 and report.longitude == 106.8341
    assert report.location_text == "Jl. Kebon Sirih 22"


def test_location_pin_before_report_starts_one_and_skips_location_question(whatsapp):
    whatsapp.send("halo")
    reply = whatsapp.send(location=(-6.2, 106.8))
    assert "lokasi" in reply.text and "pilih kategori" in reply.text
    whatsapp.send("1")
    reply = whatsapp.send("Aspal mengelupas di tikungan jalan")  # the pin is on a border
    assert "Titik lokasi Anda berada di perbatasan kelurahan" in reply.text
    assert "1. Slipi, Kec. Palmerah" in reply.text and "2. Petamburan" in reply.text
    assert "foto" in whatsapp.send("2").text


def test_photo_out_of_turn_is_kept_and_the_question_repeated(whatsapp, store):
    whatsapp.send("LAPOR")
    reply = whatsapp.send(media=[("https://api.twilio.com/media/ME9", "image/png")])
    assert "1 foto kami simpan" in reply.text
    assert "pilih kategori" in reply.text
    whatsapp.send("1")
    whatsapp.send("Jalan berlubang besar di depan sekolah")
    whatsapp.send("Jl. Salemba 1")
    assert "Foto: 1" in whatsapp.send("10430").text  # the photo question is not asked


def test_photos_sent_at_once_out_of_turn_ask_the_question_once(whatsapp):
    """WhatsApp sends each photo of a handful as a message of its own."""
    whatsapp.send("LAPOR")
    replies = [
        whatsapp.send(media=[(f"https://api.twilio.com/media/ME{n}", "image/jpeg")]).text
        for n in range(3)
    ]
    assert ["pilih kategori" in reply for reply in replies] == [True, False, False]
    assert all("1 foto kami simpan" in reply for reply in replies)
    assert "jawab pertanyaan di atas" in replies[2]
    whatsapp.send("1")
    photo = whatsapp.send(media=[("https://api.twilio.com/media/ME9", "image/jpeg")])
    assert "Mohon jelaskan masalahnya" in photo.text  # a new question is asked in full
    whatsapp.send("Jalan berlubang besar di depan sekolah")
    whatsapp.send("Jl. Salemba 1")
    assert "Foto: 4" in whatsapp.send("10430").text


def test_photo_with_caption_during_description_keeps_both(whatsapp):
    whatsapp.send("LAPOR")
    whatsapp.send("1")
    reply = whatsapp.send(
        "Lubang besar di jalan depan pasar",
        media=[("https://api.twilio.com/media/ME7", "image/jpeg")],
    )
    assert "1 foto kami simpan" in reply.text
    assert "Di mana lokasinya" in reply.text


# A problem whose kind the story does not say: confirmed, then its category asked.
STORY = "Ada masalah di depan SDN 01 Kramat, sudah dua minggu dibiarkan, warga resah"
# One that says it (a pothole): its category guessed, the place asked next.
POTHOLE = "Ada lubang besar di jalan depan SDN 01 Kramat, sudah dua minggu, motor sering jatuh"
PHOTO = ("https://api.twilio.com/media/ME7", "image/jpeg")


def _finish_from_location(whatsapp):
    """The place and kelurahan, then no photos when asked (not when one came already)."""
    whatsapp.send("Jl. Kramat Raya No. 10")
    reply = whatsapp.send("Kramat, Senen")
    return reply if "Balas YA untuk mengirim" in reply.text else whatsapp.send("LEWATI")


def _filed_after_location(whatsapp, store):
    _finish_from_location(whatsapp)
    return _filed(whatsapp, store)


def _filed(whatsapp, store):
    done = whatsapp.send("YA")
    return store(reports.find_report, parse_number(_report_number(done)).digits)


def test_a_problem_told_in_the_first_message_is_kept_for_the_citizen_to_confirm(whatsapp, store):
    first = whatsapp.send(STORY)
    assert first.messages[0].startswith("Halo, Siti! Selamat datang")
    assert "1. LAPOR" not in first.text  # the category list is the only numbered one
    assert "uraian masalah Anda kami catat untuk laporan baru" in first.text
    assert "Bila Anda tidak bermaksud membuat laporan, ketik BATAL" in first.text
    assert "pilih kategori" in first.text
    confirm = whatsapp.send("1")
    assert f"“{STORY}”" in confirm.text and "Balas YA bila sudah sesuai" in confirm.text
    assert "Di mana lokasinya" in whatsapp.send("ya pak").text
    assert STORY in _finish_from_location(whatsapp).text
    assert _filed(whatsapp, store).description == STORY


def test_a_problem_told_up_front_can_be_replaced_at_the_description_question(whatsapp, store):
    whatsapp.send(STORY)
    whatsapp.send("1")
    whatsapp.send("Aspal mengelupas dan berlubang di depan SDN 01 Kramat")
    _finish_from_location(whatsapp)
    assert _filed(whatsapp, store).description == (
        "Aspal mengelupas dan berlubang di depan SDN 01 Kramat"
    )


def test_a_problem_told_in_english_is_kept_and_answered_in_english(whatsapp):
    reply = whatsapp.send(
        "Hello, there is a big problem in front of the school and it is getting worse every day"
    )
    assert "we have noted your description of the problem for a new report" in reply.text
    assert "Choose the kind of problem" in reply.text
    assert "Reply YES if that is right" in whatsapp.send("1").text


def test_a_story_in_english_that_says_its_kind_goes_straight_to_the_place(whatsapp):
    reply = whatsapp.send(
        "Hello, there is a big pothole on the road in front of the school and it is getting worse"
    )
    assert "we have noted your description of the problem for a new report" in reply.text
    assert "Choose the kind of problem" not in reply.text
    whatsapp.send("Jl. Kramat Raya No. 10")
    whatsapp.send("Kramat, Senen")
    assert "Category: Damaged road (from your story)" in whatsapp.send("SKIP").text


def test_a_photo_caption_that_tells_the_problem_is_kept_with_the_photo(whatsapp, store):
    reply = whatsapp.send("Lubang besar di jalan depan pasar", media=[PHOTO])
    assert "uraian masalah dan 1 foto Anda kami catat" in reply.text
    assert "Di mana lokasinya" in reply.text  # its kind is in the caption
    summary = _finish_from_location(whatsapp).text
    assert "Kategori: Jalan rusak (dari cerita Anda)" in summary
    assert "Uraian: Lubang besar di jalan depan pasar" in summary and "Foto: 1" in summary


@pytest.mark.parametrize(
    "caption",
    [
        "Ini fotonya pak",
        "Assalamualaikum",
        "Selamat pagi pak",
        "saya mau lapor",
        "mohon ditindaklanjuti",
        "LAPORAN SAYA",
        "apakah ini bisa dilaporkan?",
    ],
)
def test_a_photo_caption_that_tells_nothing_keeps_only_the_photo(whatsapp, caption):
    reply = whatsapp.send(caption, media=[PHOTO])
    assert "1 foto Anda kami catat untuk laporan baru" in reply.text
    assert "uraian" not in reply.text
    assert "jelaskan masalahnya" in whatsapp.send("1").text


def test_a_caption_that_tells_nothing_answers_no_question_of_a_report(whatsapp, store):
    for text in ["LAPOR", "1", "Jalan depan rumah rusak parah banyak lubang"]:
        whatsapp.send(text)
    reply = whatsapp.send("ini fotonya pak", media=[PHOTO])
    assert "1 foto kami simpan" in reply.text and "Di mana lokasinya" in reply.text
    whatsapp.send("Gang Mawar RT 03, Kramat")
    summary = whatsapp.send("Kramat, Senen")  # a photo came: none asked for
    assert "Lokasi: Gang Mawar RT 03, Kramat" in summary.text


def test_the_problem_told_at_the_category_question_is_kept_then_the_category_asked(whatsapp, store):
    whatsapp.send("LAPOR")
    reply = whatsapp.send("Ada masalah di depan kantor kelurahan sejak tadi malam")
    assert "uraian masalah Anda kami catat untuk laporan ini" in reply.text
    assert "pilih kategori" in reply.text
    more = whatsapp.send("pohon besar tumbang menutup jalan")  # told in two messages
    assert "uraian masalah Anda kami tambahkan" in more.text
    assert "Di mana lokasinya" in more.text  # the second says its kind
    assert "Kategori: Pohon tumbang (dari cerita Anda)" in _finish_from_location(whatsapp).text
    assert _filed(whatsapp, store).description == (
        "Ada masalah di depan kantor kelurahan sejak tadi malam\npohon besar tumbang menutup jalan"
    )


def test_a_second_part_past_what_a_report_holds_is_kept_up_to_it_and_said_where(whatsapp):
    whatsapp.send("LAPOR")
    whatsapp.send("Ada masalah di depan rumah " + "warga sudah lama mengeluh " * 150)
    reply = whatsapp.send("dan juga " * 300)
    assert "uraian masalah Anda kami tambahkan" in reply.text
    assert "Kami catat 3.998 karakter pertama" in reply.text and "pilih kategori" in reply.text


def test_a_problem_told_at_length_is_kept_whole_and_its_kind_read_from_it(whatsapp, store):
    essay = " ".join(["Saluran air di depan rumah kami mampet dan meluap setiap hujan turun."] * 25)
    first = whatsapp.send(essay)  # 1,774 characters, kept whole
    assert "uraian masalah Anda kami catat untuk laporan baru" in first.text
    assert "Kami catat" not in first.text and "Di mana lokasinya" in first.text
    assert _filed_after_location(whatsapp, store).description == essay


@pytest.mark.parametrize(
    "answer",
    ["42", "rusak parah", "yang mana ya", "nomor 12", "🙂 🙂 🙂 🙂"],
)
def test_a_slip_or_a_greeting_at_the_category_question_is_not_kept_as_the_problem(whatsapp, answer):
    whatsapp.send("LAPOR")
    reply = whatsapp.send(answer)
    assert "pilihan tersebut tidak ada" in reply.text
    assert "kami catat" not in reply.text
    assert "jelaskan masalahnya" in whatsapp.send("1").text


def test_a_status_asked_at_the_category_question_is_not_kept_as_the_problem(whatsapp):
    whatsapp.send("LAPOR")
    reply = whatsapp.send("cek status laporan saya dong")
    assert "kami catat" not in reply.text
    assert "jelaskan masalahnya" in whatsapp.send("1").text


NOT_A_NEW_PROBLEM = [
    "laporan saya sudah seminggu belum ditangani padahal jalan di depan rumah masih rusak",
    "Pengaduan saya minggu lalu soal lampu jalan mati di gang kenari belum ditindaklanjuti",
    "my report from last week has not been handled yet and the road is still broken",
    "Bagaimana cara membuat laporan kalau saya tidak punya foto dari lokasi kejadiannya?",
    "Selamat pagi pak, saya mau tanya apakah layanan ini juga bisa untuk pungli di kelurahan",
    "Hello, I would like to know what kinds of problems I can report through this number",
    "Terima kasih banyak pak atas bantuannya, jalan di depan rumah sudah diperbaiki",
    "Thank you so much for fixing the road in front of our house, it looks great now",
    "Selamat siang, mohon info bagaimana cara melaporkan jalan rusak di wilayah kami ya pak",
]
# Reported before elsewhere: from a phone without reports here, news to us.
NEWS_TO_US = [
    "lampu jalan di gang kenari sudah dilaporkan warga dari bulan lalu tapi tetap mati",
    "I reported a broken street light two weeks ago and nobody has come to fix it",
    "Saya sudah lapor minggu lalu tentang sampah di kali tapi sampai sekarang belum diangkut",
]


@pytest.mark.parametrize(
    ("message", "kept"),
    [(message, False) for message in NOT_A_NEW_PROBLEM]
    + [(message, True) for message in NEWS_TO_US],
)
def test_a_long_message_starts_a_report_only_when_it_tells_a_new_problem(whatsapp, message, kept):
    whatsapp.send("halo")
    reply = whatsapp.send(message)
    started = (
        "kami catat untuk laporan baru" in reply.text or "noted your description" in reply.text
    )
    assert started is kept


def test_a_yes_and_more_adds_to_the_problem_told_up_front(whatsapp, store):
    whatsapp.send(STORY)
    whatsapp.send("1")
    assert "Di mana lokasinya" in whatsapp.send("Betul, lubangnya sedalam 30 cm").text
    _finish_from_location(whatsapp)
    assert _filed(whatsapp, store).description == f"{STORY}\nBetul, lubangnya sedalam 30 cm"


@pytest.mark.parametrize(("hours", "answer"), [(0, "keterangan tambahan"), (2, "belum memahami")])
def test_a_long_message_while_a_report_is_on_its_way_starts_none(whatsapp, hours, answer):
    file_report(whatsapp)
    with time_machine.travel(utcnow() + timedelta(hours=hours), tick=False):
        reply = whatsapp.send(STORY)
    assert answer in reply.text  # within the hour of filing, a detail of that report
    assert "pilih kategori" not in reply.text


def test_a_long_message_from_staff_starts_no_report(app, whatsapp):
    runner = app.test_cli_runner()
    runner.invoke(args=["crm", "supervisor", "add", "--name", "Rudi", "--phone", CITIZEN])
    reply = whatsapp.send(
        "Baik pak, informasinya sudah kami terima dan segera kami koordinasikan dengan kelurahan"
    )
    assert "kami catat" not in reply.text and "pilih kategori" not in reply.text


@pytest.mark.parametrize(("days", "kept"), [(6, False), (8, True)])
def test_a_new_problem_is_kept_only_a_week_after_the_last_report_closed(
    whatsapp, store, days, kept
):
    number = _report_number(file_report(whatsapp))
    move_through(store, number, "ditolak", note="Bukan wilayah DKI Jakarta")
    with time_machine.travel(utcnow() + timedelta(days=days), tick=False):
        reply = whatsapp.send(STORY)
    assert ("uraian masalah Anda kami catat untuk laporan baru" in reply.text) is kept


VOICE_NOTE = ("https://api.twilio.com/media/ME8", "audio/ogg")


def test_a_voice_note_in_a_report_asks_the_citizen_to_type_and_the_question_again(whatsapp):
    whatsapp.send("LAPOR")
    reply = whatsapp.send(media=[VOICE_NOTE])
    assert "belum dapat menerima pesan suara. Silakan ketik pesan Anda" in reply.text
    assert "pilih kategori" in reply.text


def test_a_voice_note_outside_a_report_asks_the_citizen_to_type(whatsapp, store):
    whatsapp.send("halo")
    reply = whatsapp.send(media=[VOICE_NOTE])
    assert "belum dapat menerima pesan suara" in reply.text and "ketik LAPOR" in reply.text
    assert store(reports.count_reports) == 0


def test_a_sticker_in_a_report_is_refused_as_no_photo(whatsapp):
    whatsapp.send("LAPOR")
    reply = whatsapp.send(media=[("https://api.twilio.com/media/ME9", "image/webp")])
    assert "hanya foto" in reply.text


def _to_kelurahan(whatsapp, address):
    """A rubbish report up to the kelurahan question."""
    for message in ("LAPOR", "2", "Sampah menumpuk di pinggir kali", address):
        whatsapp.send(message)


def test_ambiguous_kelurahan_offers_suggestions_and_accepts_a_number(whatsapp):
    _to_kelurahan(whatsapp, "Jl. Cipinang Jaya")
    choice = whatsapp.send("cipinang besar")
    assert "Kelurahan mana yang Anda maksud? Balas dengan angkanya:\n1. Cipinang Besar" in (
        choice.text
    )
    assert "Kirim foto" in whatsapp.send("2").text
    summary = whatsapp.send("LEWATI")
    assert "Kelurahan: Cipinang Besar Selatan" in summary.text


def test_a_kecamatan_given_for_the_kelurahan_lists_its_kelurahan_to_choose(whatsapp):
    _to_kelurahan(whatsapp, "Jl. Kebon Kacang Raya")
    choice = whatsapp.send("Tanah Abang")
    assert "Tanah Abang adalah nama kecamatan. Lokasinya di kelurahan mana?" in choice.text
    assert "angkanya:\n1. Bendungan Hilir, Kec. Tanah Abang" in choice.text
    assert "5. Kebon Kacang, Kec. Tanah Abang" in choice.text
    again = whatsapp.send("9")
    assert "pilihan 9 tidak ada. Tanah Abang adalah nama kecamatan" in again.text
    whatsapp.send("5")
    assert "Kelurahan: Kebon Kacang, Kec. Tanah Abang" in whatsapp.send("LEWATI").text


@pytest.mark.parametrize(
    ("typed", "answer"),
    [
        (
            "gak tau pak kelurahannya apa",
            "Tidak apa-apa. Kirim titik lokasi (📎 › Lokasi), kami carikan kelurahannya",
        ),
        ("12345", "Kode pos 12345 tidak kami temukan di DKI Jakarta"),
        ("Atlantis", "Kelurahan “Atlantis” tidak kami temukan"),
    ],
)
def test_a_kelurahan_not_found_is_answered_with_what_to_type_instead(whatsapp, typed, answer):
    _to_kelurahan(whatsapp, "Jl. Daan Mogot km 12")
    assert answer in whatsapp.send(typed).text
    assert "Menteng adalah nama kecamatan" in whatsapp.send("kec. menteng").text


@pytest.mark.parametrize(
    ("typed", "answer"),
    [
        ("LEWATI", "kelurahan perlu diisi agar laporan sampai ke petugas yang tepat"),
        ("jakarta pusat", "jakarta pusat adalah nama kota"),
        ("kode pos 99999", "Kode pos 99999 tidak kami temukan di DKI Jakarta"),
    ],
)
def test_a_skip_a_city_or_an_unknown_code_at_the_kelurahan_question_say_what_is_needed(
    whatsapp, typed, answer
):
    _to_kelurahan(whatsapp, "Jl. Daan Mogot km 12")
    assert answer in whatsapp.send(typed).text


def test_kelurahan_typo_and_postal_code_are_forgiven(whatsapp):
    _to_kelurahan(whatsapp, "Jl. Daan Mogot km 12")
    assert "tidak kami temukan" in whatsapp.send("Atlantis").text
    assert "Kirim foto" in whatsapp.send("  KAPOK   muara ").text
    summary = whatsapp.send("LEWATI")
    assert "Kelurahan: Kapuk Muara" in summary.text


def test_confirmation_needs_yes(whatsapp, store):
    _to_kelurahan(whatsapp, "Jl. Daan Mogot km 12")
    whatsapp.send("10310")
    whatsapp.send("LEWATI")
    assert "Balas YA" in whatsapp.send("mungkin").text
    assert store(reports.count_reports) == 0


def test_opaque_whatsapp_user_id_can_report(whatsapp, store):
    done = file_report(whatsapp, phone="whatsapp:ID.8f3a9c2b1e")
    report = store(reports.find_report, parse_number(_report_number(done)).digits)
    assert report.reporter_phone is None
    assert report.reporter_contact_id is not None


def test_english_report_end_to_end_helper(whatsapp):
    assert "we have received your report" in file_report(whatsapp, english=True).text


@pytest.mark.parametrize("yes", ["iya betul pak", "Ya, sudah sesuai", "yes that's right", "siap"])
def test_an_everyday_yes_confirms_the_problem_told_up_front(whatsapp, store, yes):
    whatsapp.send(STORY)
    whatsapp.send("1")
    assert "Di mana lokasinya" in whatsapp.send(yes).text
    _finish_from_location(whatsapp)
    assert _filed(whatsapp, store).description == STORY


@pytest.mark.parametrize("answer", ["tidak, bukan itu", "bukan", "hmm"])
def test_a_short_answer_that_is_no_description_shows_the_problem_told_again(whatsapp, answer):
    whatsapp.send(STORY)
    whatsapp.send("1")
    reply = whatsapp.send(answer)
    assert f"“{STORY}”" in reply.text and "Uraian terlalu singkat" not in reply.text


@pytest.mark.parametrize("punctuation", ["?", ".", "....", "!!", "...?"])
def test_punctuation_alone_at_the_category_question_is_not_understood_not_a_crash(
    whatsapp, punctuation
):
    whatsapp.send("LAPOR")
    reply = whatsapp.send(punctuation)
    assert "gangguan" not in reply.text and "pilihan tersebut tidak ada" in reply.text


@pytest.mark.parametrize("answer", ["3 hari sampah numpuk", "2 lubang besar", "5 rumah kebanjiran"])
def test_a_number_that_starts_the_problem_is_not_taken_for_the_category(whatsapp, answer):
    whatsapp.send("LAPOR")
    reply = whatsapp.send(answer)
    assert "uraian masalah Anda kami catat" in reply.text
    assert "Di mana lokasinya" in reply.text  # its kind read from the story, not the number


# -- photos and details sent after filing ------------------------------------------------


def _photos_of(store, number):
    return store(reports.find_report, parse_number(number).digits).photos


@pytest.mark.parametrize(
    "caption",
    ["", "Maaf tadi lupa fotonya", "ini fotonya pak 🙏", "maaf baru kirim fotonya", "foto lainnya"],
)
def test_a_photo_sent_soon_after_filing_is_added_to_that_report(whatsapp, store, caption):
    number = whatsapp.file_report()
    reply = whatsapp.send(caption, media=[PHOTO])
    assert f"1 foto kami tambahkan ke laporan {number} (1/5 foto)" in reply.text
    assert "kategori" not in reply.text  # no new report begun
    assert [photo.url for photo in _photos_of(store, number)] == [PHOTO[0]]
    assert "Tidak ada laporan yang sedang dibuat" in whatsapp.send("BATAL").text


def test_photos_added_are_told_on_their_own_line_from_how_to_report_another(whatsapp):
    whatsapp.file_report()
    assert "(1/5 foto).\nBila foto ini untuk masalah lain" in whatsapp.send(media=[PHOTO]).text


@pytest.mark.parametrize("caption", ["ini masalah lain", "untuk laporan baru", "another problem"])
def test_a_photo_said_to_be_of_another_problem_starts_a_new_report(whatsapp, store, caption):
    number = whatsapp.file_report()
    assert "untuk laporan baru" in whatsapp.send(caption, media=[PHOTO]).text
    assert _photos_of(store, number) == ()


def test_photos_fill_a_report_up_to_its_limit_and_say_how_many_were_left_out(whatsapp, store):
    number = whatsapp.file_report()
    for index in range(4):
        whatsapp.send(media=[(f"https://api.twilio.com/media/ME{index}", "image/jpeg")])
    reply = whatsapp.send(media=[PHOTO, ("https://api.twilio.com/media/ME9", "image/png")])
    assert "1 foto kami tambahkan" in reply.text and "(5/5 foto)" in reply.text
    assert "1 foto lainnya tidak dapat kami simpan karena batas 5 foto" in reply.text
    assert len(_photos_of(store, number)) == 5


def test_a_photo_delivered_twice_is_added_once(whatsapp, store):
    number = whatsapp.file_report()
    form = whatsapp.form(media=[PHOTO])
    whatsapp.post(form)
    whatsapp.post(form)
    assert len(_photos_of(store, number)) == 1


def test_photos_past_a_reports_limit_are_not_kept_and_the_citizen_is_told(whatsapp, store):
    number = whatsapp.file_report()
    for index in range(5):
        whatsapp.send(media=[(f"https://api.twilio.com/media/ME{index}", "image/jpeg")])
    reply = whatsapp.send(media=[PHOTO])
    assert f"laporan {number} sudah berisi 5 foto (batas maksimal)" in reply.text
    assert len(_photos_of(store, number)) == 5


def test_a_photo_an_hour_after_filing_starts_a_new_report(whatsapp, store):
    with time_machine.travel(utcnow(), tick=False) as clock:
        number = whatsapp.file_report(clock=clock)
        clock.shift(timedelta(hours=1, seconds=1))
        reply = whatsapp.send(media=[PHOTO])
    assert "1 foto Anda kami catat untuk laporan baru" in reply.text
    assert _photos_of(store, number) == ()


def test_a_photo_after_the_report_was_closed_starts_a_new_report(whatsapp, store):
    number = whatsapp.file_report()
    move_through(store, number, "ditolak", note="Bukan wewenang Pemprov")
    assert "untuk laporan baru" in whatsapp.send(media=[PHOTO]).text
    assert _photos_of(store, number) == ()


def test_a_photo_that_tells_a_new_problem_starts_a_new_report(whatsapp, store):
    number = whatsapp.file_report()
    reply = whatsapp.send("Lampu jalan mati di depan gang tiga", media=[PHOTO])
    assert "uraian masalah dan 1 foto Anda kami catat untuk laporan baru" in reply.text
    assert _photos_of(store, number) == ()


def test_a_photo_added_to_a_report_is_told_in_english_to_an_english_writer(whatsapp):
    whatsapp.send("ENGLISH")
    number = whatsapp.file_report()
    reply = whatsapp.send(media=[PHOTO])
    assert f"we added 1 photo to report {number} (1/5 photos)" in reply.text


def _description_of(store, number):
    return store(reports.find_report, parse_number(number).digits).description


@pytest.mark.parametrize(
    "detail",
    [
        "lubangnya ada tiga, dalam sekali",
        "Untuk laporan tadi, sudah ada motor yang jatuh di situ kemarin malam pak",
    ],
)
def test_a_detail_sent_soon_after_filing_is_added_once_the_citizen_says_yes(
    whatsapp, store, detail
):
    number = whatsapp.file_report()
    offered = whatsapp.send(detail)
    assert f"Apakah pesan ini keterangan tambahan untuk laporan {number}?" in offered.text
    assert _description_of(store, number) == "Jalan berlubang besar di depan sekolah"
    assert f"sudah kami tambahkan ke laporan {number}" in whatsapp.send("iya pak").text
    first, added = _description_of(store, number).split("\n\n")
    assert first == "Jalan berlubang besar di depan sekolah"
    assert added.startswith("Tambahan dari pelapor, ") and added.endswith(f" WIB:\n{detail}")


def test_a_detail_the_citizen_says_no_to_is_not_added(whatsapp, store):
    number = whatsapp.file_report()
    whatsapp.send("wah keren banget sistemnya")
    assert "tidak kami tambahkan" in whatsapp.send("bukan").text
    assert _description_of(store, number) == "Jalan berlubang besar di depan sekolah"


@pytest.mark.parametrize(
    ("detail", "answer", "told"),
    [
        ("Lampu jalan mati di depan gang tiga sejak semalam", "LAPOR", "detail"),
        (
            "Lampu jalan mati di depan gang tiga sejak semalam",
            "bukan pak, ini masalah lain",
            "detail",
        ),
        ("Lampu jalan mati di depan gang tiga sejak semalam", "no, it's another problem", "detail"),
        (
            "lubangnya ada tiga, dalam sekali",
            "bukan, masalah lain: got mampet depan rumah",
            "answer",
        ),
        (
            "lubangnya ada tiga, dalam sekali",
            "bukan, ini masalah lain: lampu jalan mati di gang 5",
            "answer",
        ),
    ],
)
def test_a_detail_answered_as_another_problem_starts_a_report_told_by_it(
    whatsapp, store, detail, answer, told
):
    number = whatsapp.file_report()
    whatsapp.send(detail)
    reply = whatsapp.send(answer)
    assert "uraian masalah Anda kami catat untuk laporan baru" in reply.text
    story = detail if told == "detail" else answer
    assert "Di mana lokasinya" in reply.text  # its kind is in the story
    assert f"Uraian: {story}" in _finish_from_location(whatsapp).text
    assert _description_of(store, number) == "Jalan berlubang besar di depan sekolah"


def test_an_offer_is_only_for_the_very_next_message(whatsapp, store):
    number = whatsapp.file_report()
    whatsapp.send("lubangnya ada tiga, dalam sekali")
    assert "Tahap saat ini" in whatsapp.send(f"STATUS {number}").text
    assert "sudah kami tambahkan" not in whatsapp.send("YA").text
    assert _description_of(store, number) == "Jalan berlubang besar di depan sekolah"


def test_an_offer_left_for_an_hour_is_not_accepted_by_a_late_yes(whatsapp, store):
    with time_machine.travel(utcnow(), tick=False) as clock:
        number = whatsapp.file_report(clock=clock)
        whatsapp.send("lubangnya ada tiga, dalam sekali")
        clock.shift(timedelta(hours=1, seconds=1))
        assert "sudah kami tambahkan" not in whatsapp.send("YA").text
    assert _description_of(store, number) == "Jalan berlubang besar di depan sekolah"


@pytest.mark.parametrize(
    "message",
    [
        "terima kasih pak",
        "ok",
        "siap pak",
        "kapan diperbaiki?",
        "kira-kira berapa lama ya pak",
        "ada masalah lain, lampu jalan mati di gang 5",
        "kok belum ada kabar ya",
        "siap pak ditunggu kabarnya",
        "semoga cepat ditangani ya pak",
    ],
)
def test_thanks_questions_and_other_problems_after_filing_are_offered_as_no_detail(
    whatsapp, store, message
):
    number = whatsapp.file_report()
    assert "keterangan tambahan" not in whatsapp.send(message).text
    assert _description_of(store, number) == "Jalan berlubang besar di depan sekolah"


def test_a_detail_an_hour_after_filing_is_not_offered(whatsapp, store):
    with time_machine.travel(utcnow(), tick=False) as clock:
        whatsapp.file_report(clock=clock)
        clock.shift(timedelta(hours=1, seconds=1))
        reply = whatsapp.send("lubangnya ada tiga, dalam sekali")
    assert "keterangan tambahan" not in reply.text


def test_a_too_long_detail_is_refused_and_offered_as_nothing(whatsapp, store):
    number = whatsapp.file_report()
    detail = "lubang " * 142 + "dalam sekali"
    reply = whatsapp.send(detail).text
    assert f"terlalu panjang untuk ditambahkan ke laporan {number} (1.006 karakter" in reply
    assert "sudah kami tambahkan" not in whatsapp.send("YA").text
    assert _description_of(store, number) == "Jalan berlubang besar di depan sekolah"


def test_details_stop_being_added_when_the_description_is_long_enough(whatsapp, store):
    details = [f"Keterangan nomor {index} tentang lubang " + "x" * 960 for index in range(7)]
    replies = []
    with time_machine.travel(utcnow(), tick=False) as clock:  # under the per-minute limit
        number = whatsapp.file_report(clock=clock)
        for detail in details:
            clock.shift(10)
            whatsapp.send(detail)
            clock.shift(10)
            replies.append(whatsapp.send("YA").text)
    assert all("sudah kami tambahkan" in reply for reply in replies[:6])
    assert f"laporan {number} sudah memuat banyak keterangan" in replies[6]
    assert _description_of(store, number).count("Tambahan dari pelapor") == 6


def test_a_detail_added_is_told_in_english_to_an_english_writer(whatsapp, store):
    whatsapp.send("ENGLISH")
    number = whatsapp.file_report()
    assert f"Is this more about report {number}?" in whatsapp.send("Three holes, very deep").text
    assert f"we added what you wrote to report {number}" in whatsapp.send("yes").text
    assert "\n\nAdded by the reporter, " in _description_of(store, number)


# -- correcting the summary ---------------------------------------------------------------


def _to_summary(whatsapp):
    for message in ("LAPOR", "1", "Jalan berlubang besar di depan sekolah"):
        whatsapp.send(message)
    whatsapp.send("Jl. Kramat Raya 10")
    whatsapp.send("Kramat, Senen")
    return whatsapp.send("LEWATI")


def test_the_summary_says_how_to_correct_it(whatsapp):
    assert "Balas YA untuk mengirim, UBAH untuk memperbaiki" in _to_summary(whatsapp).text


def test_the_summary_says_what_of_a_report_is_public_before_it_is_sent(whatsapp):
    """Open311 (GeoReport v2, public by design) shows its text, place and first photo."""
    summary = _to_summary(whatsapp).text
    assert "dapat dilihat publik; nama dan nomor telepon Anda tidak" in summary


def test_a_part_named_at_the_summary_is_asked_again_and_leads_back_to_it(whatsapp, store):
    _to_summary(whatsapp)
    assert "Di kelurahan mana" in whatsapp.send("kelurahannya salah pak").text
    summary = whatsapp.send("Cikini")
    assert "Kelurahan: Cikini, Kec. Menteng" in summary.text and "Balas YA" in summary.text
    whatsapp.send("YA")
    assert store(reports.count_reports) == 1


@pytest.mark.parametrize(
    ("number", "answer", "summary_line"),
    [
        ("1", "2", "Kategori: Sampah"),
        ("2", "Lubang sedalam 30 cm di depan SD 01", "Uraian: Lubang sedalam 30 cm di depan SD 01"),
        ("3", "Jl. Kramat Raya 12, depan apotek", "Lokasi: Jl. Kramat Raya 12, depan apotek"),
    ],
)
def test_ubah_asks_which_part_and_corrects_just_that(whatsapp, number, answer, summary_line):
    _to_summary(whatsapp)
    assert "Bagian mana yang ingin Anda ubah?" in whatsapp.send("UBAH").text
    whatsapp.send(number)
    summary = whatsapp.send(answer)
    assert summary_line in summary.text and "Kelurahan: Kramat, Kec. Senen" in summary.text


def test_a_location_pin_sent_when_correcting_the_location_replaces_it(whatsapp):
    _to_summary(whatsapp)
    whatsapp.send("ganti lokasi")
    border = whatsapp.send(location=(-6.1862, 106.8423))  # between Kenari and Kwitang
    assert "Titik lokasi Anda berada di perbatasan kelurahan" in border.text
    summary = whatsapp.send("2")
    assert "Lokasi: -6.18620, 106.84230" in summary.text
    assert "Kelurahan: Kwitang, Kec. Senen" in summary.text
    assert "Mohon periksa laporan Anda" in summary.text


def test_the_change_question_understands_yes_and_asks_again_otherwise(whatsapp):
    _to_summary(whatsapp)
    whatsapp.send("ada yang salah")
    assert "Mohon maaf, pilihan tersebut tidak ada" in whatsapp.send("7").text
    assert "Mohon periksa laporan Anda" in whatsapp.send("YA").text


def test_an_english_summary_is_corrected_with_change(whatsapp):
    whatsapp.send("ENGLISH")
    assert "CHANGE to correct it" in _to_summary(whatsapp).text
    assert "Which part would you like to change?" in whatsapp.send("CHANGE").text


@pytest.mark.parametrize("cancel", ["BATAL", "gak jadi"])
def test_a_cancel_word_while_correcting_ends_the_correction_not_the_report(whatsapp, cancel):
    _to_summary(whatsapp)
    whatsapp.send("UBAH")
    whatsapp.send("3")
    reply = whatsapp.send(cancel)
    assert "bagian tersebut tidak kami ubah" in reply.text
    assert "Lokasi: Jl. Kramat Raya 10" in reply.text
    assert "laporan Anda sudah kami terima" in whatsapp.send("YA").text


def test_a_cancel_word_at_the_summary_still_cancels_the_report(whatsapp):
    _to_summary(whatsapp)
    assert "Laporan dibatalkan" in whatsapp.send("BATAL").text


@pytest.mark.parametrize(
    ("typed", "summary_line"),
    [
        ("ubah kelurahan jadi cikini", "Kelurahan: Cikini, Kec. Menteng"),
        ("alamatnya harusnya Jl. Kramat Raya 21", "Lokasi: Jl. Kramat Raya 21"),
        ("ubah 1", None),
    ],
)
def test_a_correction_may_give_the_new_value_or_the_parts_number(whatsapp, typed, summary_line):
    _to_summary(whatsapp)
    reply = whatsapp.send(typed)
    if summary_line is None:
        assert "pilih kategori" in reply.text
    else:
        assert summary_line in reply.text and "Mohon periksa laporan Anda" in reply.text


@pytest.mark.parametrize("answer", ["correct", "yes, that's correct", "ok correct"])
def test_an_english_correct_at_the_summary_sends_the_report(whatsapp, answer):
    whatsapp.send("ENGLISH")
    _to_summary(whatsapp)
    assert "Your report has been received" in whatsapp.send(answer).text or "CRM-" in (
        whatsapp.send("MY REPORTS").text
    )


def test_a_part_said_to_be_right_is_not_asked_again(whatsapp):
    _to_summary(whatsapp)
    assert "Balas YA untuk mengirim laporan" in whatsapp.send("ya lokasinya sudah benar").text


def test_another_part_named_while_correcting_goes_to_that_part(whatsapp):
    _to_summary(whatsapp)
    whatsapp.send("lokasinya salah")
    assert "pilih kategori" in whatsapp.send("kategori salah").text
    summary = whatsapp.send("2")
    assert "Kategori: Sampah" in summary.text and "Lokasi: Jl. Kramat Raya 10" in summary.text


def test_photos_are_sent_again_when_corrected_and_kept_when_called_off(whatsapp):
    for message in ("LAPOR", "1", "Jalan berlubang besar di depan sekolah"):
        whatsapp.send(message)
    whatsapp.send("Jl. Kramat Raya 10")
    whatsapp.send("Kramat, Senen")
    assert "Foto: 1" in whatsapp.send(media=[PHOTO]).text
    assert "(0/5 foto)" in whatsapp.send("ganti foto").text
    assert "Foto: 1" in whatsapp.send("BATAL").text
    whatsapp.send("UBAH")
    whatsapp.send("5")
    assert "Foto: 0" in whatsapp.send("LEWATI").text


def test_a_yes_at_length_to_an_offer_adds_the_detail(whatsapp, store):
    number = whatsapp.file_report()
    whatsapp.send("lubangnya ada tiga, dalam sekali")
    assert "sudah kami tambahkan" in whatsapp.send("iya betul, itu buat laporan tadi").text
    assert "lubangnya ada tiga" in _description_of(store, number)


def test_another_problem_told_right_after_filing_starts_a_report_with_it(whatsapp, store):
    number = whatsapp.file_report()
    reply = whatsapp.send("ada masalah lain, lampu jalan mati di gang 5")
    assert "uraian masalah Anda kami catat untuk laporan baru" in reply.text
    assert _description_of(store, number) == "Jalan berlubang besar di depan sekolah"


@pytest.mark.parametrize(
    "detail", ["lubangnya kira-kira selebar 1 meter", "the hole is about two metres long"]
)
def test_a_detail_with_kira_kira_or_long_is_still_offered(whatsapp, detail):
    whatsapp.file_report()
    reply = whatsapp.send(detail).text
    assert "keterangan tambahan" in reply or "more about report" in reply


def test_a_detail_told_in_two_messages_is_offered_and_added_whole(whatsapp, store):
    number = whatsapp.file_report()
    whatsapp.send("lubangnya ada tiga")
    whatsapp.send("dalam sekali sekitar 30 cm")
    whatsapp.send("ya")
    assert _description_of(store, number).endswith("lubangnya ada tiga\ndalam sekali sekitar 30 cm")


def test_a_yes_to_a_detail_of_a_report_closed_meanwhile_adds_nothing(whatsapp, store):
    number = whatsapp.file_report()
    whatsapp.send("lubangnya ada tiga, dalam sekali")
    move_through(store, number, "ditolak", note="Bukan wewenang Pemprov")
    assert f"laporan {number} sudah ditutup" in whatsapp.send("ya").text
    assert _description_of(store, number) == "Jalan berlubang besar di depan sekolah"


@pytest.mark.parametrize(
    ("message", "answer"),
    [
        ("eh bentar", "kami tunggu"),
        ("sebentar ya pak saya cari dulu alamatnya", "kami tunggu"),
        ("gmn caranya kirim lokasi?", "Lokasi › Kirim lokasi"),
        ("bagaimana cara kirim lokasinya pak", "Lokasi › Kirim lokasi"),
    ],
)
def test_chatter_at_the_location_question_is_answered_not_kept_as_the_address(
    whatsapp, message, answer
):
    for text in ["LAPOR", "1", "Jalan berlubang besar di depan sekolah"]:
        whatsapp.send(text)
    assert answer in whatsapp.send(message).text
    assert "kelurahan" in whatsapp.send("Jl. Kramat Raya 10, depan masjid").text.lower()
    for text in ["Kramat, Senen", "LEWATI"]:
        summary = whatsapp.send(text)
    assert "• Lokasi: Jl. Kramat Raya 10, depan masjid" in summary.text


@pytest.mark.parametrize(
    "address",
    [
        "tunggu di depan gang 3 RT 05",
        "Jl. Kemang Raya 10, dekat halte?",
        "Dimana ya, depan Indomaret Kemang",
        "Bentar pak, Kampung Melayu",
    ],
)
def test_an_address_with_a_question_mark_or_a_wait_in_it_is_kept(whatsapp, address):
    for text in ["LAPOR", "1", "Jalan berlubang besar di depan sekolah"]:
        whatsapp.send(text)
    assert "kelurahan" in whatsapp.send(address).text.lower()


def test_asking_in_english_how_to_send_a_location_is_answered(whatsapp):
    whatsapp.send("ENGLISH")
    for text in ["REPORT", "1", "Big pothole in front of the school"]:
        whatsapp.send(text)
    assert (
        "Location › Send your current location" in whatsapp.send("how do I send my location?").text
    )


@pytest.mark.parametrize(
    ("first", "kept"),
    [
        (
            "Assalamualaikum pak, jalan di depan rumah saya di Jl Kenari berlubang sudah seminggu",
            "Jalan di depan rumah saya di Jl Kenari berlubang sudah seminggu",
        ),
        (
            "Selamat pagi admin. Sampah menumpuk di tepi kali Ciliwung dekat jembatan sejak Senin",
            "Sampah menumpuk di tepi kali Ciliwung dekat jembatan sejak Senin",
        ),
        (
            "Assalamualaikum wr. wb. Jalan di depan rumah saya di Jl Kenari berlubang sudah lama",
            "Jalan di depan rumah saya di Jl Kenari berlubang sudah lama",
        ),
        (
            "Ass. wr. wb. Jalan di depan rumah saya di Jl Kenari berlubang sudah lama sekali",
            "Jalan di depan rumah saya di Jl Kenari berlubang sudah lama sekali",
        ),
        (  # no greeting: "Malam" is when
            "Malam ini banjir lagi setinggi lutut di gang 5 RT 03 Kampung Melayu pak",
            "Malam ini banjir lagi setinggi lutut di gang 5 RT 03 Kampung Melayu pak",
        ),
    ],
)
def test_a_problem_told_with_a_greeting_is_kept_without_it(whatsapp, store, first, kept):
    """Officers read the problem, not "Assalamualaikum pak," before it."""
    whatsapp.send(first)
    assert f"Uraian: {kept}\n" in _finish_from_location(whatsapp).text


def test_a_short_problem_with_the_word_masalah_is_still_a_story(whatsapp, store):
    """ "Masalah got mampet": a photo's caption that starts a new report, not a photo for
    the report just filed."""
    number = whatsapp.file_report()
    reply = whatsapp.send("Masalah got mampet", media=[PHOTO])
    assert f"ke laporan {number}" not in reply.text and "Di mana lokasinya" in reply.text


def test_saying_there_is_a_problem_is_not_thanked(whatsapp):
    whatsapp.send("halo")
    assert "terima kasih" not in whatsapp.send("masalah pak").text.lower()


def test_a_category_corrected_on_the_way_is_changed_and_the_question_comes_back(whatsapp):
    """At "Di mana lokasinya?", "salah kategori pak, harusnya saluran air" was stored as
    the address (issue 21)."""
    for message in ("LAPOR", "1", "Got mampet, air meluap ke jalan"):
        whatsapp.send(message)
    reply = whatsapp.send("salah kategori pak, harusnya saluran air")
    assert "Di mana lokasinya?" in reply.text
    whatsapp.send("Jl. Kramat Raya 10")
    whatsapp.send("Kramat, Senen")
    summary = whatsapp.send("LEWATI").text
    assert "Saluran air" in summary and "salah kategori" not in summary
    assert "Jl. Kramat Raya 10" in summary


def test_ganti_kategori_on_the_way_asks_the_category_then_the_question_it_interrupted(
    whatsapp,
):
    for message in ("LAPOR", "1", "Jalan berlubang besar di depan sekolah"):
        whatsapp.send(message)
    assert "pilih kategori" in whatsapp.send("ganti kategori").text.lower()
    assert "Di mana lokasinya?" in whatsapp.send("4").text
    whatsapp.send("Jl. Kramat Raya 10")
    whatsapp.send("Kramat, Senen")
    summary = whatsapp.send("LEWATI").text
    assert "Saluran air" in summary and "Jalan berlubang besar" in summary


def test_a_correction_called_off_on_the_way_goes_back_to_the_question(whatsapp):
    for message in ("LAPOR", "1", "Jalan berlubang besar di depan sekolah"):
        whatsapp.send(message)
    whatsapp.send("uraiannya salah")
    reply = whatsapp.send("BATAL")
    assert "tidak kami ubah" in reply.text and "Di mana lokasinya?" in reply.text


def test_a_description_that_mentions_a_later_part_is_kept_as_the_description(whatsapp):
    whatsapp.send("LAPOR")
    whatsapp.send("2")
    reply = whatsapp.send("Sampah menumpuk, lokasi tempat sampahnya salah taruh di trotoar")
    assert "Di mana lokasinya?" in reply.text
