"""Everyday Indonesian around the keywords: courtesies ("ya pak", "batal aja"), thanks,
greetings and informal questions are understood, not answered "belum memahami"."""

from datetime import timedelta

import pytest
import time_machine

from conftest import move_through
from store import drafts, ratings, reports
from store.clock import utcnow
from store.numbers import parse_number

TO_CONFIRM = ["LAPOR", "1", "Jalan berlubang besar di depan sekolah", "Jl. Kramat Raya 10"]


def _to_photos(whatsapp):
    for text in [*TO_CONFIRM, "Kramat, Senen"]:
        whatsapp.send(text)


def _close(store, number):
    move_through(store, number, "koordinasi", "proses", "tindak_lanjut", "validasi", "selesai")


@pytest.mark.parametrize(
    "yes",
    [
        "ya pak",
        "iya pak",
        "Iya.",
        "sudah benar",
        "betul",
        "kirim pak",
        "ok pak",
        "ya sudah",
        "yaa",
        "sdh benar min",
        "sdh bener",
        "udah bener semua",
        "bener pak kirim",
    ],
)
def test_a_polite_or_informal_yes_sends_the_report(whatsapp, store, yes):
    _to_photos(whatsapp)
    whatsapp.send("LEWATI")
    assert "laporan Anda sudah kami terima" in whatsapp.send(yes).text
    assert store(reports.count_reports) == 1


def test_yes_with_a_comma_sends_the_report(whatsapp, store):
    _to_photos(whatsapp)
    whatsapp.send("LEWATI")
    assert "laporan Anda sudah kami terima" in whatsapp.send("Ya, kirim").text


@pytest.mark.parametrize(
    "no_photo",
    ["gak ada foto pak", "tdk ada", "ga ada", "tidak ada pak", "lewat", "udah", "gak ada lagi"],
)
def test_informal_no_photo_or_done_moves_on_to_the_summary(whatsapp, no_photo):
    _to_photos(whatsapp)
    assert "Mohon periksa laporan Anda" in whatsapp.send(no_photo).text


@pytest.mark.parametrize(
    ("steps", "cancel"),
    [(2, "batal aja"), (3, "batal pak"), (4, "gak jadi"), (4, "tolong batalkan")],
)
def test_an_informal_cancel_cancels_at_any_step(whatsapp, store, steps, cancel):
    for text in TO_CONFIRM[:steps]:
        whatsapp.send(text)
    assert "dibatalkan" in whatsapp.send(cancel).text
    assert store(reports.count_reports) == 0


def test_the_main_menu_asked_during_a_report_is_shown_and_the_question_kept(whatsapp):
    for text in TO_CONFIRM[:2]:
        whatsapp.send(text)
    reply = whatsapp.send("menu utama")
    assert "Anda sedang membuat laporan" in reply.text
    assert "Uraian terlalu singkat" not in reply.text


@pytest.mark.parametrize("rating", ["5 bintang, makasih pak", "5 ya pak", "nilai 5 pak"])
def test_a_rating_with_thanks_or_courtesies_around_it_is_recorded(whatsapp, store, rating):
    number = whatsapp.file_report()
    _close(store, number)
    assert "penilaian 5/5" in whatsapp.send(rating).text
    report_id = store(reports.find_report, parse_number(number).digits).id
    assert store(ratings.rating_of, report_id) == 5


def test_thanks_after_closing_is_answered_and_leaves_the_rating_open(whatsapp, store):
    number = whatsapp.file_report()
    _close(store, number)
    thanks = whatsapp.send("terima kasih banyak pak, sudah beres")
    assert "Sama-sama" in thanks.text and "balas angka 1–5" in thanks.text
    assert "penilaian 4/5" in whatsapp.send("4").text


@pytest.mark.parametrize("thanks", ["makasih pak", "terima kasih", "oke pak terima kasih infonya"])
def test_thanks_at_any_other_time_is_answered_politely(whatsapp, thanks):
    whatsapp.file_report()
    reply = whatsapp.send(thanks)
    assert reply.text.startswith("Sama-sama") and "belum memahami" not in reply.text


def test_thanks_followed_by_a_complaint_is_not_taken_for_thanks(whatsapp):
    whatsapp.file_report()
    reply = whatsapp.send("makasih, tapi jalannya masih rusak")
    assert "Sama-sama" not in reply.text


@pytest.mark.parametrize("greeting", ["selamat pagi", "Assalamualaikum pak", "pagi pak"])
def test_a_greeting_from_a_known_citizen_gets_the_menu(whatsapp, greeting):
    whatsapp.send("halo")
    reply = whatsapp.send(greeting)
    assert "1. LAPOR" in reply.text and "belum memahami" not in reply.text


@pytest.mark.parametrize(
    "question",
    [
        "laporan sy gmn pak?",
        "laporan saya gimana",
        "gmn laporan saya pak",
        "nomor laporan saya berapa ya",
        "saya lupa nomor laporannya",
        "cek laporan",
        "status laporan saya",
        "What is the status of my report?",
    ],
)
def test_an_informal_question_about_ones_reports_lists_them(whatsapp, question):
    number = whatsapp.file_report()
    reply = whatsapp.send(question)
    assert number in reply.text and "belum memahami" not in reply.text


def test_status_without_a_number_from_someone_without_reports_asks_for_it(whatsapp):
    whatsapp.send("halo")
    assert "Silakan kirim nomor laporan Anda" in whatsapp.send("STATUS").text


def test_an_expired_draft_is_said_once_with_how_to_start_again(whatsapp, store):
    for text in TO_CONFIRM[:3]:
        whatsapp.send(text)
    with time_machine.travel(utcnow() + timedelta(hours=25), tick=False):
        reply = whatsapp.send("ya")
    assert reply.messages == [
        "Laporan Anda yang belum selesai sudah lebih dari 24 jam tidak dilanjutkan, sehingga "
        "laporan tersebut telah kami hapus. Ketik LAPOR untuk membuat laporan baru."
    ]
    assert store(drafts.load_draft, 1) is None


@pytest.mark.parametrize("ok", ["ok", "YA", "oke pak", "sip"])
def test_an_ok_outside_a_report_is_acknowledged_not_misunderstood(whatsapp, store, ok):
    whatsapp.file_report()
    reply = whatsapp.send(ok)  # a YA sent twice, or an "ok" after an answer
    assert reply.text.startswith("Baik, terima kasih") and "belum memahami" not in reply.text
    assert store(reports.count_reports) == 1


@pytest.mark.parametrize("yes", ["iya betul", "oke kirim", "kirim sekarang", "yes please send"])
def test_a_short_yes_in_a_sentence_sends_the_report(whatsapp, store, yes):
    _to_photos(whatsapp)
    whatsapp.send("LEWATI")
    assert "laporan Anda sudah kami terima" in whatsapp.send(yes).text


def test_a_yes_with_a_but_does_not_send_the_report(whatsapp, store):
    _to_photos(whatsapp)
    whatsapp.send("LEWATI")
    assert "pilih kategori" in whatsapp.send("ya tapi ganti kategorinya").text
    assert store(reports.count_reports) == 0


@pytest.mark.parametrize("cancel", ["batal lapor", "mohon dibatalkan", "gak jadi lapor", "batalin"])
def test_cancelling_in_a_sentence_cancels(whatsapp, cancel):
    for text in TO_CONFIRM[:3]:
        whatsapp.send(text)
    assert "dibatalkan" in whatsapp.send(cancel).text


def test_a_question_about_ones_reports_during_a_report_is_answered_then_the_question_again(
    whatsapp,
):
    number = whatsapp.file_report()
    for text in TO_CONFIRM[:2]:
        whatsapp.send(text)
    reply = whatsapp.send("laporan saya gimana?")
    assert number in reply.text and "jelaskan masalahnya" in reply.text


def test_thanks_during_a_report_is_no_description(whatsapp):
    for text in TO_CONFIRM[:2]:
        whatsapp.send(text)
    reply = whatsapp.send("terima kasih pak")
    assert "Sama-sama" in reply.text and "jelaskan masalahnya" in reply.text


@pytest.mark.parametrize(
    "question",
    [
        "kapan diperbaiki pak?",
        "sudah diperbaiki belum ya pak?",
        "kira-kira kapan ya",
        "kabarnya pak?",
    ],
)
def test_a_question_from_someone_with_reports_lists_them(whatsapp, question):
    number = whatsapp.file_report()
    assert number in whatsapp.send(question).text


@pytest.mark.parametrize("ok", ["baik pak", "👍", "maaf baru kirim fotonya", "bukan pak"])
def test_a_nod_is_acknowledged(whatsapp, ok):
    whatsapp.file_report()
    assert whatsapp.send(ok).text.startswith("Baik, terima kasih")


def test_stars_before_the_score_rate_the_report(whatsapp, store):
    number = whatsapp.file_report()
    _close(store, number)
    assert "penilaian 5/5" in whatsapp.send("bintang 5").text


@pytest.mark.parametrize("greeting", ["Assalamualaikum, selamat siang pak", "Halo admin, pagi"])
def test_greetings_together_get_the_menu(whatsapp, greeting):
    whatsapp.send("halo")
    assert "1. LAPOR" in whatsapp.send(greeting).text


def test_a_facilitators_courtesies_are_neither_missed_nor_sent_as_the_reason(app, whatsapp):
    runner = app.test_cli_runner()
    runner.invoke(args=["crm", "facilitator", "add", "--name", "Dewi", "--phone", "08110000001"])
    number = whatsapp.file_report()
    viewed = whatsapp.send(f"tolong lihat {number}", phone="+628110000001")
    assert number in viewed.text and "None" not in viewed.text
    returned = whatsapp.send(f"KEMBALIKAN {number} pak", phone="+628110000001")
    assert "sertakan alasannya" in returned.text


@pytest.mark.parametrize(
    "message",
    [
        "Mohon cek saluran air yang mampet di depan rumah saya di Jl Kenari sudah seminggu",
        "Jalan di depan rumah saya berlubang besar sudah dua minggu, kapan akan diperbaiki?",
        "Keluhan: sampah sudah 3 hari belum diangkut di RT 05 dan mulai bau sekali",
    ],
)
def test_a_complaint_that_asks_to_check_or_says_how_long_is_kept_as_a_story(whatsapp, message):
    whatsapp.send("halo")
    assert "uraian masalah Anda kami catat untuk laporan baru" in whatsapp.send(message).text


@pytest.mark.parametrize(
    "message", ["Bagaimana cara lapor?", "Saya mau lapor, gimana caranya?", "How do I report?"]
)
def test_asking_how_to_report_starts_a_report(whatsapp, message):
    whatsapp.file_report()
    reply = whatsapp.send(message)
    assert "pilih kategori" in reply.text or "Choose the kind of problem" in reply.text


def test_thanks_then_a_status_question_answers_the_status(whatsapp):
    number = whatsapp.file_report()
    reply = whatsapp.send(f"Terima kasih, cek status {number}")
    assert "Tahap saat ini" in reply.text


def test_thanks_then_a_rating_records_it(whatsapp, store):
    number = whatsapp.file_report()
    _close(store, number)
    assert "penilaian 5/5" in whatsapp.send("terima kasih, 5").text


@pytest.mark.parametrize("choice", ["2 pak", "no 2", "nomor 2"])
def test_a_kelurahan_suggestion_is_chosen_in_everyday_words(whatsapp, choice):
    for text in ["LAPOR", "2", "Sampah menumpuk di pinggir kali", "Jl. Cempaka Putih Raya 5"]:
        whatsapp.send(text)
    assert "1. Cempaka Putih" in whatsapp.send("cempaka putih").text
    assert "Kirim foto" in whatsapp.send(choice).text


def test_a_pin_at_the_photo_step_is_said_to_be_kept(whatsapp):
    _to_photos(whatsapp)
    reply = whatsapp.send(location=(-6.1862, 106.8341))
    assert reply.text.startswith("Lokasi Anda kami perbarui") and "Kirim foto, atau" in reply.text


def test_a_reopen_with_courtesies_reopens(whatsapp, store):
    number = whatsapp.file_report()
    _close(store, number)
    whatsapp.send("4")
    reply = whatsapp.send(f"tolong buka {number} jalannya masih rusak pak")
    assert "kami buka kembali" in reply.text


@pytest.mark.parametrize(
    "reopen",
    [
        "tolong dibuka lagi {number}, lubangnya muncul lagi",
        "buka lagi pak {number} lubangnya muncul lagi abis hujan",
        "buka kembali laporan {number} masih rusak",
        "reopen report {number} still broken",
        "Mas, tolong buka lagi {number} masih rusak",
        "tolong buka lagi laporan saya {number}, masih rusak",
    ],
)
def test_a_reopen_said_in_everyday_words_reopens_with_its_reason(whatsapp, store, reopen):
    number = whatsapp.file_report()
    _close(store, number)
    assert "kami buka kembali" in whatsapp.send(reopen.format(number=number)).text
    note = store(reports.find_report, parse_number(number).digits).history[-1].note
    assert note.split()[0] in {"lubangnya", "masih", "still"}


def test_a_question_opening_with_dibuka_is_not_taken_for_a_reopen(whatsapp):
    whatsapp.file_report()
    assert "BUKA <nomor" not in whatsapp.send("dibuka jam berapa kantor kelurahan?").text
    number = whatsapp.file_report()
    assert "BUKA <nomor" not in whatsapp.send(f"dibuka kapan laporan {number}?").text


@pytest.mark.parametrize(
    "not_yet",
    ["Ok tunggu sebentar", "Sudah, nanti saya kabari", "Iya pak, nomor rumahnya 12", "OK wait"],
)
def test_a_yes_that_goes_on_to_something_else_does_not_send_the_report(whatsapp, store, not_yet):
    _to_photos(whatsapp)
    whatsapp.send("LEWATI")
    assert "Balas YA untuk mengirim" in whatsapp.send(not_yet).text
    assert store(reports.count_reports) == 0


@pytest.mark.parametrize(
    "yes", ["Ya terima kasih", "Kirim ya pak terima kasih", "Terima kasih, kirim"]
)
def test_a_yes_with_thanks_sends_the_report(whatsapp, store, yes):
    _to_photos(whatsapp)
    whatsapp.send("LEWATI")
    assert "laporan Anda sudah kami terima" in whatsapp.send(yes).text


def test_a_request_with_thanks_right_after_closing_is_done_not_thanked(whatsapp, store):
    number = whatsapp.file_report()
    _close(store, number)
    reply = whatsapp.send(f"BUKA {number} lubangnya muncul lagi, terima kasih")
    assert "kami buka kembali" in reply.text


def test_thanks_for_what_was_done_is_thanked_not_answered_with_a_list(whatsapp):
    whatsapp.file_report()
    assert whatsapp.send("Terima kasih laporannya sudah ditindaklanjuti").text.startswith(
        "Sama-sama"
    )
    assert "Sama-sama" not in whatsapp.send("Makasih, lampu di gang sebelah juga mati").text


def test_a_facilitators_note_keeps_words_that_mean_something(app, store, whatsapp):
    runner = app.test_cli_runner()
    runner.invoke(args=["crm", "facilitator", "add", "--name", "Dewi", "--phone", "08110000001"])
    number = whatsapp.file_report()
    move_through(store, number, "koordinasi", "proses", "tindak_lanjut")
    whatsapp.send(f"KEMBALIKAN {number} tolong hubungi ibu ya pak", phone="+628110000001")
    history = store(reports.find_report, parse_number(number).digits).history
    assert history[-1].note == "tolong hubungi ibu"


@pytest.mark.parametrize(
    "message", ["Saya mau lapor", "Selamat pagi, saya mau lapor", "I want to report a problem"]
)
def test_a_first_message_asking_to_report_is_welcomed_straight_into_the_report(whatsapp, message):
    reply = whatsapp.send(message)
    assert "Selamat datang" in reply.text or "Welcome" in reply.text
    assert "pilih kategori" in reply.text or "Choose the kind of problem" in reply.text
    assert "LAPORAN SAYA" not in reply.text and "MY REPORTS" not in reply.text  # no menu


def test_after_one_english_question_an_indonesian_one_is_answered_in_indonesian(whatsapp):
    whatsapp.file_report()
    assert "report" in whatsapp.send("What is the status of my report?").text.lower()
    assert "Laporan Anda" in whatsapp.send("laporan saya gimana pak?").text


@pytest.mark.parametrize(("first", "thanks"), [("halo", "ok thank you"), ("Hello", "makasih")])
def test_thanks_in_the_other_language_keep_the_citizens_language(whatsapp, first, thanks):
    whatsapp.send(first)
    reply = whatsapp.send(thanks)
    assert ("Sama-sama" in reply.text) is (first == "halo")


VIDEO = ("https://api.twilio.com/media/ME5", "video/mp4")


def test_a_video_whose_caption_asks_to_report_starts_a_report(whatsapp):
    whatsapp.send("halo")
    reply = whatsapp.send("saya mau lapor jalan rusak", media=[VIDEO])
    assert "hanya foto (JPG atau PNG) yang dapat dilampirkan" in reply.text
    assert "jelaskan masalahnya" in reply.text  # the kind is said: the story is asked


def test_a_video_with_only_a_wish_to_report_is_told_what_can_be_sent(whatsapp):
    whatsapp.send("halo")
    assert "pilih kategori" not in whatsapp.send("saya mau lapor", media=[VIDEO]).text


def test_a_first_thank_you_gets_the_menu_alone(whatsapp):
    reply = whatsapp.send("🙏")
    assert "LAPORAN SAYA" in reply.text and "Sama-sama" not in reply.text


@pytest.mark.parametrize(
    ("message", "answer"),
    [
        ("ok pak siap", "Baik, terima kasih"),
        ("aamiin", "Baik, terima kasih"),
        ("noted", "Baik, terima kasih"),
        ("terima kasih banyak pak, semoga cepat ditangani", "Sama-sama"),
    ],
)
def test_an_acknowledgement_is_answered_shortly(whatsapp, store, message, answer):
    number = whatsapp.file_report()
    move_through(store, number, "koordinasi")
    assert answer in whatsapp.send(message).text


def test_asking_for_news_lists_the_citizens_reports(whatsapp):
    number = whatsapp.file_report()
    assert number in whatsapp.send("kok belum ada kabar ya").text


@pytest.mark.parametrize("typed", ["cek laporan crm {y} {s} {c}", "check report crm {y} {s} {c}"])
def test_a_spaced_short_number_after_a_report_word_is_found(whatsapp, typed):
    number = whatsapp.file_report()
    _, year, sequence, check = number.split("-")
    reply = whatsapp.send(typed.format(y=year, s=int(sequence), c=check))
    assert "Tahap saat ini" in reply.text or "Current stage" in reply.text


@pytest.mark.parametrize("caption", ["semoga cepat ditangani pak", "mohon segera ditangani"])
def test_a_photo_with_an_acknowledging_caption_answers_no_question(whatsapp, caption):
    for message in ("LAPOR", "1"):
        whatsapp.send(message)
    reply = whatsapp.send(caption, media=[("https://api.twilio.com/media/ME1", "image/jpeg")])
    assert "jelaskan masalahnya" in reply.text


@pytest.mark.parametrize(
    "salam",
    [
        "Assalamualaikum",
        "Assalamu'alaikum wr wb",
        "assalamu alaikum pak",
        "Asalamualaikum min",
        "Ass wr wb",
        "Assalamualaikum warahmatullahi wabarakatuh",
        "Ass. Wr. Wb.",
        "Assalamu’alaikum",
        "Assalammualaikum",
        "Askum pak",
    ],
)
def test_a_salam_is_answered_with_waalaikumsalam(whatsapp, salam):
    first = whatsapp.send(salam)
    assert first.text.startswith("Waalaikumsalam") and "1. LAPOR" in first.text
    assert whatsapp.send(salam).text.startswith("Waalaikumsalam")


def test_a_salam_before_a_first_complaint_is_answered_before_the_report_starts(whatsapp):
    reply = whatsapp.send(
        "Assalamualaikum pak, jalan di depan rumah saya di Jl Kenari berlubang besar sudah seminggu"
    )
    assert reply.text.startswith("Waalaikumsalam")
    assert "Di mana lokasinya" in reply.text  # the report starts: its place is asked


def test_a_salam_during_a_report_and_in_english_is_answered_too(whatsapp):
    whatsapp.send("LAPOR")
    assert whatsapp.send("Assalamualaikum").text.startswith("Waalaikumsalam")
    whatsapp.send("BATAL")
    whatsapp.send("ENGLISH")
    assert whatsapp.send("Assalamualaikum").text.startswith("Wa'alaikumsalam")


@pytest.mark.parametrize("greeting", ["halo", "selamat pagi", "Good morning"])
def test_other_greetings_are_answered_with_hello(whatsapp, greeting):
    assert whatsapp.send(greeting).text.startswith(("Halo", "Hello"))


def test_a_facilitators_salam_is_answered_above_their_menu(app, whatsapp):
    runner = app.test_cli_runner()
    runner.invoke(args=["crm", "facilitator", "add", "--name", "Dewi", "--phone", "08110000001"])
    reply = whatsapp.send("Assalamualaikum", phone="+628110000001")
    assert reply.text.startswith("Waalaikumsalam, Dewi") and "ANTRIAN" in reply.text
