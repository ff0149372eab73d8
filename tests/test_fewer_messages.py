"""A report in as few messages as the citizen's own words allow: a story that says its
kind, a pin that says its kelurahan, a photo already sent; and a rating sent days later."""

from datetime import timedelta

import pytest
import time_machine
from test_notification_texts import _walk_to_selesai

from store import outbox, ratings, reports
from store.clock import utcnow
from store.numbers import parse_number

PHOTO = ("https://api.twilio.com/media/ME7", "image/jpeg")
MONAS = (-6.1754, 106.8272, "Monas")
BANDUNG = (-6.9175, 107.6191, "Gedung Sate")


def _filed(store, reply):
    return store(reports.find_report, parse_number(reply.report_number).digits)


def test_a_photo_with_its_story_a_pin_and_ya_file_a_report_in_three_messages(whatsapp, store):
    started = whatsapp.send("Sampah menumpuk di trotoar sudah seminggu, bau sekali", media=[PHOTO])
    assert "Di mana lokasinya" in started.text
    summary = whatsapp.send(location=MONAS)
    assert "Kategori: Sampah (dari cerita Anda)" in summary.text
    assert "Kelurahan: Gambir, Kec. Gambir, Jakarta Pusat (dari titik lokasi)" in summary.text
    assert "Foto: 1" in summary.text
    report = _filed(store, whatsapp.send("YA"))
    assert report.category == "sampah" and report.kelurahan == "Gambir"
    assert report.latitude == -6.1754


def test_typing_everything_with_the_story_first_takes_five_messages(whatsapp, store):
    whatsapp.send("Jalan di depan sekolah kami berlubang besar sekali, motor sering jatuh di situ")
    whatsapp.send("Jl. Kramat Raya No. 10")
    whatsapp.send("Kramat, Senen")
    assert "Kategori: Jalan rusak (dari cerita Anda)" in whatsapp.send("LEWATI").text
    assert _filed(store, whatsapp.send("YA")).category == "jalan_rusak"


def test_a_guessed_category_is_changed_at_the_summary_like_any_part(whatsapp, store):
    whatsapp.send("got mampet udeh seminggu bang, air meluap ke jalan", media=[PHOTO])
    assert "Kategori: Saluran air (dari cerita Anda)" in whatsapp.send(location=MONAS).text
    whatsapp.send("ganti kategori")
    assert "Kategori: Banjir / genangan\n" in whatsapp.send("3").text
    assert _filed(store, whatsapp.send("YA")).category == "banjir"


def test_a_kelurahan_typed_at_the_summary_replaces_the_pins(whatsapp, store):
    whatsapp.send("Lampu jalan mati di depan gang tiga sejak semalam", media=[PHOTO])
    whatsapp.send(location=MONAS)
    summary = whatsapp.send("Kebon Kelapa")
    assert "Kelurahan: Kebon Kelapa, Kec. Gambir" in summary.text
    assert "(dari titik lokasi)" not in summary.text
    assert _filed(store, whatsapp.send("YA")).kelurahan == "Kebon Kelapa"


def test_a_pin_outside_jakarta_is_told_so_and_the_place_asked_again(whatsapp, store):
    whatsapp.send("LAPOR")
    whatsapp.send("1")
    whatsapp.send("Jalan berlubang besar di depan sekolah")
    reply = whatsapp.send(location=BANDUNG)
    assert "di luar DKI Jakarta" in reply.text and "Di mana lokasinya" in reply.text
    kept = whatsapp.send(location=MONAS)  # the pin's kelurahan: on to the photos
    assert "Di kelurahan mana" not in kept.text and "Kirim foto" in kept.text


def test_a_pin_outside_jakarta_does_not_start_a_report_with_its_place(whatsapp):
    reply = whatsapp.send(location=BANDUNG)
    assert "di luar DKI Jakarta" in reply.text and "pilih kategori" in reply.text


@pytest.mark.parametrize("yes", ["iye bang kirim", "udeh itu aje bang", "iyaaa"])
def test_a_betawi_yes_sends_the_report(whatsapp, store, yes):
    whatsapp.send("Sampah menumpuk di trotoar sudah seminggu, bau sekali", media=[PHOTO])
    whatsapp.send(location=MONAS)
    assert _filed(store, whatsapp.send(yes)).category == "sampah"


@pytest.mark.parametrize("done", ["kagak ada fotonye bang", "udeh itu aje", "ok cukup"])
def test_a_betawi_no_photo_or_done_ends_the_photos(whatsapp, done):
    for message in ["LAPOR", "1", "Jalan berlubang besar di depan sekolah", "Jl. Kramat 10"]:
        whatsapp.send(message)
    whatsapp.send("Kramat, Senen")
    assert "Mohon periksa laporan Anda" in whatsapp.send(done).text


@pytest.mark.parametrize(
    ("later", "rated"), [(timedelta(days=1), True), (timedelta(days=8), False)]
)
def test_a_rating_sent_days_after_selesai_counts_within_the_week(whatsapp, store, later, rated):
    number = whatsapp.file_report()
    _walk_to_selesai(store, number)
    whatsapp.send("ok")  # the very next answer is no rating: the one awaited is forgotten
    report_id = store(outbox.notifications)[-1].report_id
    with time_machine.travel(utcnow() + later, tick=False):
        reply = whatsapp.send("bintang lima pak, makasih")
    assert ("penilaian 5/5" in reply.text) is rated
    assert store(ratings.rating_of, report_id) == (5 if rated else None)


def test_a_menu_number_days_after_selesai_stays_a_menu_choice(whatsapp, store):
    number = whatsapp.file_report()
    _walk_to_selesai(store, number)
    whatsapp.send("ok")
    with time_machine.travel(utcnow() + timedelta(days=1), tick=False):
        reply = whatsapp.send("2")
    assert "penilaian" not in reply.text and number in reply.text  # their reports


def _at_the_kelurahan_question(whatsapp):
    for message in ["LAPOR", "1", "Jalan berlubang besar di depan sekolah", "Jl. Saharjo 5"]:
        whatsapp.send(message)


@pytest.mark.parametrize(
    ("typed", "listed"),
    [
        ("Menteng", ["1. Menteng, Kec. Menteng", "2. Menteng Atas", "3. Menteng Dalam"]),
        ("kramat", ["1. Kramat, Kec. Senen", "2. Kramat Pela", "3. Kramat Jati"]),
    ],
)
def test_a_name_other_kelurahan_go_on_from_asks_which(whatsapp, typed, listed):
    _at_the_kelurahan_question(whatsapp)
    reply = whatsapp.send(typed)
    assert "Kelurahan mana yang Anda maksud" in reply.text
    assert all(line in reply.text for line in listed)
    assert "Kirim foto" in whatsapp.send("3").text


@pytest.mark.parametrize("typed", ["Kel. Menteng", "menteng, kec menteng", "Menteng Dalam"])
def test_a_name_said_exactly_is_taken(whatsapp, typed):
    _at_the_kelurahan_question(whatsapp)
    assert "Kirim foto" in whatsapp.send(typed).text


def test_not_knowing_which_keeps_the_list_and_a_pin_then_answers(whatsapp, store):
    _at_the_kelurahan_question(whatsapp)
    whatsapp.send("tebet")
    unsure = whatsapp.send("ga tau bu, pokoknya deket stasiun")
    assert "Kirim titik lokasi" in unsure.text and "1. Bukit Duri" in unsure.text
    assert "Kirim foto" in whatsapp.send("6").text  # the list still stands: Tebet Barat
    summary = whatsapp.send("LEWATI")
    assert "Kelurahan: Tebet Barat, Kec. Tebet" in summary.text


def test_a_pin_sent_for_the_kelurahan_question_answers_it(whatsapp):
    _at_the_kelurahan_question(whatsapp)
    whatsapp.send("ga tau")
    assert "Kirim foto" in whatsapp.send(location=MONAS).text
    assert "Kelurahan: Gambir, Kec. Gambir" in whatsapp.send("LEWATI").text


def test_what_is_said_before_the_name_is_not_the_name(whatsapp):
    _at_the_kelurahan_question(whatsapp)
    assert "Kirim foto" in whatsapp.send("kan udah bang, kampung melayu").text
    assert "Kelurahan: Kampung Melayu" in whatsapp.send("LEWATI").text


def test_a_correction_that_names_no_part_is_read_by_its_value(whatsapp, store):
    whatsapp.send("Jalan di depan sekolah kami berlubang besar sekali, motor sering jatuh di situ")
    reply = whatsapp.send("eh salah, harusnya saluran air")  # at the place question
    assert reply.messages[0] == "Baik, kategori sudah kami ubah."
    assert "Di mana lokasinya" in reply.text
    whatsapp.send("Jl. Kramat Raya No. 10")
    whatsapp.send("Kramat, Senen")
    summary = whatsapp.send("LEWATI")
    assert "Kategori: Saluran air\n" in summary.text
    assert "Lokasi: Jl. Kramat Raya No. 10" in summary.text  # never "eh salah, …"


def test_a_kelurahan_corrected_by_its_name_on_the_way(whatsapp):
    _at_the_kelurahan_question(whatsapp)
    whatsapp.send("Kramat, Senen")
    reply = whatsapp.send("salah ketik, seharusnya Kenari")  # at the photo question
    assert "Kirim foto" in reply.text
    assert "Kelurahan: Kenari, Kec. Senen" in whatsapp.send("LEWATI").text


@pytest.mark.parametrize("typed", ["ralat pak", "eh salah"])
def test_a_correction_without_its_part_asks_which_and_stores_nothing(whatsapp, typed):
    _at_the_kelurahan_question(whatsapp)
    reply = whatsapp.send(typed)
    assert "bagian mana yang perlu diperbaiki" in reply.text
    assert "Di kelurahan mana" in reply.text


def test_salah_inside_a_story_is_the_story(whatsapp):
    whatsapp.send("LAPOR")
    whatsapp.send("7")
    reply = whatsapp.send("Mobil parkir di tempat yang salah menutup jalan masuk gang")
    assert "Di mana lokasinya" in reply.text


# -- second thoughts about the place, the category, a rating -----------------------------

BORDER = (-6.1907, 106.7246, "")  # between Meruya Utara and Kembangan Selatan
STORY_WITH_PHOTO = "Sampah menumpuk di trotoar sudah seminggu, bau sekali"


def _summary_from_a_pin(whatsapp):
    whatsapp.send(STORY_WITH_PHOTO, media=[PHOTO])
    return whatsapp.send(location=MONAS)


def test_a_second_pin_on_a_border_asks_which_kelurahan_then_shows_the_summary(whatsapp, store):
    _summary_from_a_pin(whatsapp)
    border = whatsapp.send(location=BORDER)
    assert "Titik lokasi Anda berada di perbatasan kelurahan" in border.text
    assert "Kirim titik lokasi" not in border.text  # they just did
    summary = whatsapp.send("1")
    assert "Kelurahan: Meruya Utara" in summary.text and "Mohon periksa" in summary.text
    assert _filed(store, whatsapp.send("YA")).kelurahan == "Meruya Utara (Ilir)"


def test_a_pin_sent_to_correct_the_kelurahan_replaces_a_typed_one(whatsapp):
    _at_the_kelurahan_question(whatsapp)
    whatsapp.send("Kramat, Senen")
    whatsapp.send("LEWATI")
    whatsapp.send("ubah kelurahan")
    summary = whatsapp.send(location=MONAS)
    assert "Kelurahan: Gambir, Kec. Gambir" in summary.text


def test_an_address_typed_over_a_pin_asks_the_kelurahan_again(whatsapp):
    _summary_from_a_pin(whatsapp)
    whatsapp.send("ubah lokasi")
    reply = whatsapp.send("Jl. Tebet Raya no 5 dekat stasiun")
    assert "Di kelurahan mana" in reply.text
    summary = whatsapp.send("Tebet Timur")
    assert "Kelurahan: Tebet Timur" in summary.text and "(dari titik lokasi)" not in summary.text


def test_a_pin_sent_for_the_kelurahan_keeps_the_typed_address(whatsapp):
    _at_the_kelurahan_question(whatsapp)
    whatsapp.send(location=(-6.1754, 106.8272, ""))
    summary = whatsapp.send("LEWATI")
    assert "Lokasi: Jl. Saharjo 5" in summary.text and "Kelurahan: Gambir" in summary.text


def test_a_sentence_while_changing_the_category_asks_the_category_again(whatsapp):
    _summary_from_a_pin(whatsapp)
    whatsapp.send("ganti kategori")
    reply = whatsapp.send("itu sebenarnya saluran air yang mampet jadi sampahnya numpuk")
    assert "pilih kategori" in reply.text
    assert "Kategori: Saluran air\n" in whatsapp.send("4").text


def test_a_new_description_at_the_summary_drops_the_guess_label(whatsapp):
    _summary_from_a_pin(whatsapp)
    whatsapp.send("ubah uraian")
    summary = whatsapp.send("Tumpukan kardus bekas di trotoar depan toko")
    assert "Kategori: Sampah\n" in summary.text


def test_an_ambiguous_name_typed_over_the_pins_asks_which(whatsapp):
    _summary_from_a_pin(whatsapp)
    reply = whatsapp.send("Menteng")
    assert "2. Menteng Atas" in reply.text
    assert "Kelurahan: Menteng Atas" in whatsapp.send("2").text


def test_a_detail_after_the_longest_story_is_still_added(whatsapp, store):
    story = "Saluran air di depan rumah kami mampet dan meluap setiap hujan turun. " * 57
    whatsapp.send(story)
    whatsapp.send("Jl. Kramat Raya 10")
    whatsapp.send("Kramat, Senen")
    whatsapp.send("LEWATI")
    number = whatsapp.send("YA").report_number
    whatsapp.send("lubangnya ada tiga dan dalam sekali")
    assert f"sudah kami tambahkan ke laporan {number}" in whatsapp.send("YA").text


def test_thanks_with_a_number_days_after_selesai_is_news_not_a_rating(whatsapp, store):
    number = whatsapp.file_report()
    _walk_to_selesai(store, number)
    whatsapp.send("ok")
    report_id = store(outbox.notifications)[-1].report_id
    news = "Terima kasih pak, sekarang lampu jalan di RT 3 mati lagi sejak kemarin malam"
    with time_machine.travel(utcnow() + timedelta(days=2), tick=False):
        reply = whatsapp.send(news)
    assert "penilaian" not in reply.text
    assert store(ratings.rating_of, report_id) is None


def test_a_late_score_is_not_taken_once_another_report_has_moved(whatsapp, store):
    number = whatsapp.file_report()
    _walk_to_selesai(store, number)
    whatsapp.send("ok")
    with time_machine.travel(utcnow() + timedelta(hours=2), tick=False):
        whatsapp.file_report()  # a newer report: "bintang lima" could be for either
        assert "penilaian" not in whatsapp.send("bintang lima").text


def test_a_rating_awaited_is_kept_through_a_report_in_progress(whatsapp, store):
    number = whatsapp.file_report()
    whatsapp.send("LAPOR")
    _walk_to_selesai(store, number)
    whatsapp.send("2")  # the category of the report in progress
    whatsapp.send("BATAL")
    assert f"penilaian 4/5 untuk laporan {number}" in whatsapp.send("4").text


@pytest.mark.parametrize(
    ("request_", "summary_line"),
    [
        ("Saya ingin melaporkan kerusakan jalan", "Kategori: Jalan rusak (dari cerita Anda)"),
        ("mau lapor lampu jalan mati", "Kategori: Penerangan jalan (dari cerita Anda)"),
    ],
)
def test_a_wish_to_report_that_names_the_kind_asks_the_story_not_the_category(
    whatsapp, request_, summary_line
):
    assert "jelaskan masalahnya" in whatsapp.send(request_).text
    whatsapp.send("Lubangnya besar dan dalam di depan sekolah, sudah dua minggu")
    whatsapp.send("Jl. Kramat Raya No. 10")
    whatsapp.send("Kramat, Senen")
    assert summary_line in whatsapp.send("LEWATI").text


def test_a_new_kind_of_problem_told_after_a_rated_report_starts_a_new_one(whatsapp, store):
    number = whatsapp.file_report()  # a road (jalan_rusak), closed and rated
    _walk_to_selesai(store, number)
    whatsapp.send("5 mantap pak")
    reply = whatsapp.send(
        "lampu jalan di depan pasar mati sudah seminggu, gelap sekali kalau malam"
    )
    assert "Di mana lokasinya?" in reply.text
    whatsapp.send(location=MONAS)
    summary = whatsapp.send("LEWATI")
    assert "Kategori: Penerangan jalan (dari cerita Anda)" in summary.text


def test_the_same_kind_told_again_after_a_report_is_not_taken_for_a_new_one(whatsapp, store):
    number = whatsapp.file_report()  # a road
    _walk_to_selesai(store, number)
    whatsapp.send("5")
    reply = whatsapp.send("jalan di depan sekolah berlubang lagi pak, motor jatuh tadi pagi")
    assert "Di mana lokasinya?" not in reply.text  # about the road: no second report begun
