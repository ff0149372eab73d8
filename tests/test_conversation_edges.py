"""Turns of the conversation that a real citizen takes and a tidy script would not."""

import pytest

from conftest import move_through
from store import outbox, ratings, reports
from store.clock import utcnow
from store.numbers import parse_number

PHOTO = ("https://api.twilio.com/media/ME1", "image/jpeg")
STICKER = ("https://api.twilio.com/media/ME2", "image/webp")


def _to_photo_step(whatsapp):
    for text in ["LAPOR", "1", "Jalan berlubang besar di depan sekolah", "Jl. Kramat Raya 10"]:
        whatsapp.send(text)
    return whatsapp.send("Kramat, Senen")


def _close(store, number):
    move_through(store, number, "koordinasi", "proses", "tindak_lanjut", "validasi", "selesai")


def test_a_digit_right_after_closing_is_a_rating_also_as_nilai(whatsapp, store):
    number = whatsapp.file_report()
    _close(store, number)
    assert "penilaian 5/5" in whatsapp.send("NILAI 5").text
    report_id = store(reports.find_report, parse_number(number).digits).id
    assert store(ratings.rating_of, report_id) == 5


@pytest.mark.parametrize(
    ("score", "apology"), [("1", True), ("2", True), ("3", False), ("5", False)]
)
def test_a_low_rating_gets_an_apology_and_the_way_to_reopen(whatsapp, store, score, apology):
    number = whatsapp.file_report()
    _close(store, number)
    reply = whatsapp.send(score).text
    assert f"penilaian {score}/5" in reply
    assert ("Mohon maaf" in reply and f"BUKA {number}" in reply) is apology


def test_a_menu_digit_later_is_not_taken_as_a_rating(whatsapp, store):
    number = whatsapp.file_report()
    _close(store, number)
    assert "1. LAPOR" in whatsapp.send("MENU").text
    assert "pilih kategori" in whatsapp.send("1").text
    report_id = store(reports.find_report, parse_number(number).digits).id
    assert store(ratings.rating_of, report_id) is None


@pytest.mark.parametrize("choice", ["٣", "1️⃣"])
def test_unusual_digits_are_answered_not_crashed(whatsapp, choice):
    whatsapp.send("LAPOR")
    reply = whatsapp.send(choice)
    assert reply.status == 200 and "pilihan tersebut tidak ada" in reply.text


@pytest.mark.parametrize(
    "choice", ["²", "２", "2 sampah", "2. Sampah", "2 ya pak", "pilih nomor 2", "no. 2"]
)
def test_a_choice_typed_with_other_digits_or_words_after_it_is_the_choice(whatsapp, choice):
    whatsapp.send("LAPOR")
    assert "jelaskan masalahnya" in whatsapp.send(choice).text
    summary = [whatsapp.send(text) for text in ["Sampah menumpuk di pinggir kali", "Jl. Salemba 1"]]
    assert "Di kelurahan mana" in summary[-1].text


def test_a_sticker_alone_is_taken_as_chat_and_does_not_start_a_report(whatsapp, store):
    """A sticker ("👍", "terima kasih") is an answer, not a photo sent wrongly."""
    whatsapp.send("halo")
    reply = whatsapp.send(media=[STICKER])
    assert reply.text.startswith("Baik, terima kasih")
    assert "hanya dapat menerima foto" not in reply.text and "pilih kategori" not in reply.text


@pytest.mark.parametrize(
    "no_photos",
    [
        "gak jadi kirim foto",
        "batal fotonya aja",
        "fotonya gak ada pak",
        "belum ada foto",
        "I don't have a photo",
        "no pics",
    ],
)
def test_saying_no_photo_in_words_goes_on_to_the_summary(whatsapp, store, no_photos):
    _to_photo_step(whatsapp)
    assert "Mohon periksa laporan Anda" in whatsapp.send(no_photos).text
    assert store(reports.count_reports) == 0


@pytest.mark.parametrize(
    "not_no", ["fotonya tidak jelas, saya kirim ulang", "foto gak bisa kekirim", "foto no 2 salah"]
)
def test_words_about_the_photos_that_do_not_decline_them_keep_the_question(whatsapp, not_no):
    _to_photo_step(whatsapp)
    assert "Mohon periksa laporan Anda" not in whatsapp.send(not_no).text


def test_photo_step_says_exactly_what_was_kept(whatsapp):
    _to_photo_step(whatsapp)
    both = whatsapp.send(media=[PHOTO, STICKER])
    assert both.messages[0] == (
        "Foto kami simpan (1/5). Mohon maaf, hanya foto (JPG atau PNG) yang dapat dilampirkan."
    )
    assert "Mohon periksa laporan Anda" in both.text  # the summary: more photos may follow
    second = whatsapp.send(media=[PHOTO])
    assert second.messages == [
        "Foto kami simpan (2/5).\nKirim foto lain bila ada, atau balas YA untuk mengirim laporan."
    ]
    for _ in range(2):
        whatsapp.send(media=[PHOTO])
    fifth = whatsapp.send(media=[PHOTO])
    assert fifth.messages == ["Foto kami simpan (5/5).\nBalas YA untuk mengirim laporan."]
    sixth = whatsapp.send(media=[PHOTO])
    assert "Paling banyak 5 foto" in sixth.text and "Balas YA" in sixth.text
    assert "Foto kami simpan" not in sixth.text


def test_lanjutkan_finishes_the_photo_step(whatsapp):
    _to_photo_step(whatsapp)
    assert "Mohon periksa laporan Anda" in whatsapp.send("lanjutkan").text


def test_status_and_my_reports_during_a_report_are_answered_then_the_question_repeats(
    whatsapp,
):
    number = whatsapp.file_report()
    whatsapp.send("LAPOR")
    whatsapp.send("1")
    reply = whatsapp.send(f"STATUS {number}")
    assert "Tahap saat ini" in reply.text and "jelaskan masalahnya" in reply.text
    mine = whatsapp.send("LAPORAN SAYA")
    assert number in mine.text and "jelaskan masalahnya" in mine.text


def test_a_report_number_alone_during_a_report_is_answered_not_kept_as_its_description(
    whatsapp, store
):
    number = whatsapp.file_report()
    whatsapp.send("LAPOR")
    whatsapp.send("1")

    reply = whatsapp.send(number.lower())

    assert "Tahap saat ini" in reply.text and "jelaskan masalahnya" in reply.text
    assert "Di mana lokasinya" not in reply.text


def test_status_and_guide_words_at_the_location_step_are_answered_not_kept_as_the_address(
    whatsapp,
):
    number = whatsapp.file_report()
    for text in ["LAPOR", "1", "Jalan berlubang besar di depan sekolah"]:
        whatsapp.send(text)

    asked = whatsapp.send("STATUS")
    answered = whatsapp.send(number)
    guide = whatsapp.send("PETUNJUK")

    assert number in asked.text and "Di mana lokasinya" in asked.text  # their reports, listed
    assert "Tahap saat ini" in answered.text and "Di mana lokasinya" in answered.text
    assert "Di mana lokasinya" in guide.text and "Lokasi: PETUNJUK" not in guide.text


def test_a_description_that_starts_with_cek_is_a_description(whatsapp):
    whatsapp.send("LAPOR")
    whatsapp.send("1")

    reply = whatsapp.send("Cek saluran air mampet di depan rumah sejak Senin")

    assert "Di mana lokasinya" in reply.text and "bukan nomor laporan" not in reply.text


def test_menu_during_a_report_has_no_numbers_to_mistake_but_the_questions(whatsapp):
    whatsapp.send("LAPOR")
    menu, question = whatsapp.send("MENU").messages
    assert "1." not in menu and "BATAL – batalkan" in menu
    assert "1. Jalan rusak" in question


def test_a_photo_captioned_lapor_while_resuming_is_kept(whatsapp):
    _to_photo_step(whatsapp)
    reply = whatsapp.send("LAPOR", media=[PHOTO])
    assert "belum selesai" in reply.text and "(1/5 foto)" in reply.text


def test_an_expired_draft_is_announced_even_after_the_worker_ran(whatsapp, worker):
    import time_machine

    from scheduler import jobs

    start = utcnow()
    with time_machine.travel(start, tick=False) as clock:
        whatsapp.send("LAPOR")
        clock.shift(60 * 60 * 25)
        jobs.purge_expired_drafts(worker)
        reply = whatsapp.send("2")
    assert "lebih dari 24 jam" in reply.text


def test_three_answers_the_question_during_a_report_not_the_menu(whatsapp):
    whatsapp.send("LAPOR")
    assert "jelaskan masalahnya" in whatsapp.send("3").text  # Banjir / genangan
    whatsapp.send("Genangan air setinggi lutut di depan pasar")
    whatsapp.send("Jl. Cempaka Putih Raya 5")
    choices = whatsapp.send("Cempaka")
    assert "3. " in choices.text
    assert "Kirim foto" in whatsapp.send("3").text


def test_the_reporter_reopens_a_closed_report_within_seven_days_with_a_reason(whatsapp, store):
    import time_machine

    number = whatsapp.file_report()
    closed_at = utcnow()
    with time_machine.travel(closed_at, tick=False) as clock:
        _close(store, number)
        whatsapp.send("MENU")  # a later message: no longer a rating
        assert "sertakan alasannya" in whatsapp.send(f"BUKA {number}").text
        assert (
            "tidak ditemukan di antara laporan Anda"
            in whatsapp.send(f"BUKA {number} Masih rusak", phone="+6285799990000").text
        )
        clock.shift(60 * 60 * 24 * 6)
        notified = len(store(outbox.notifications))
        reply = whatsapp.send(f"buka {number.lower()} Lubang masih ada")
    assert "kami buka kembali" in reply.text
    assert len(store(outbox.notifications)) == notified  # told once, by the reply
    report = store(reports.find_report, parse_number(number).digits)
    assert report.stage == "proses"
    assert (report.history[-1].actor_role, report.history[-1].note) == (
        "citizen",
        "Lubang masih ada",
    )


def test_a_report_closed_more_than_seven_days_ago_cannot_be_reopened(whatsapp, store):
    import time_machine

    number = whatsapp.file_report()
    with time_machine.travel(utcnow(), tick=False) as clock:
        _close(store, number)
        clock.shift(60 * 60 * 24 * 8)
        whatsapp.send("MENU")
        assert "lebih dari 7 hari" in whatsapp.send(f"BUKA {number} Masih rusak").text
        assert "belum selesai" not in whatsapp.send(f"BUKA {number} x").text
    assert store(reports.find_report, parse_number(number).digits).stage == "selesai"


def test_a_rejected_report_cannot_be_reopened_and_the_reporter_is_told_to_file_anew(
    whatsapp, store
):
    number = whatsapp.file_report()
    move_through(store, number, "ditolak", note="Bukan wewenang Pemprov")

    reopen = whatsapp.send(f"BUKA {number} Masih rusak").text
    status = whatsapp.send(f"STATUS {number}").text

    assert "sudah ditolak" in reopen and "LAPOR" in reopen and "belum selesai" not in reopen
    assert "Bukan wewenang Pemprov" in status and "fakta di lapangan" not in status
    assert store(reports.find_report, parse_number(number).digits).stage == "ditolak"


@pytest.mark.parametrize("typed", ["BATAL\u200b", "\ufeffbatal", "ＢＡＴＡＬ", "Batal\u2060!"])
def test_a_command_typed_with_invisible_or_full_width_characters_is_understood(whatsapp, typed):
    whatsapp.send("LAPOR")

    assert "dibatalkan" in whatsapp.send(typed).text


@pytest.mark.parametrize("typed", ["4 bintang", "4/5", "4 stars", "nilai 4"])
def test_a_rating_is_read_as_people_write_it(whatsapp, store, typed):
    number = whatsapp.file_report()
    _close(store, number)

    assert "penilaian 4/5" in whatsapp.send(typed).text


@pytest.mark.parametrize(
    "typed",
    ["Selamat pagi, saya mau lapor", "mau melaporkan", "lapor pak", "Saya mau lapor, tolong cek"],
)
def test_a_short_message_asking_to_report_starts_a_report(whatsapp, typed):
    whatsapp.send("halo")

    assert "pilih kategori" in whatsapp.send(typed).text.lower()


@pytest.mark.parametrize("typed", ["What is the status of my report?", "mau cek laporan saya"])
def test_a_short_question_about_status_without_a_number_asks_for_it(whatsapp, typed):
    whatsapp.send("halo")

    reply = whatsapp.send(typed).text

    assert "kirim nomor laporan" in reply or "send your report number" in reply.lower()
    assert "kategori" not in reply and "category" not in reply


@pytest.mark.parametrize(
    "typed", ["Sudah saya laporkan minggu lalu kok belum ada kabar", "Laporan saya belum ditangani"]
)
def test_a_short_message_about_an_earlier_report_lists_the_citizens_reports(whatsapp, typed):
    number = whatsapp.file_report()

    reply = whatsapp.send(typed).text

    assert number in reply and "kategori" not in reply


@pytest.mark.parametrize("typed", ["tolong hubungi 0812345678", "cek lagi ya, hubungi 0812345678"])
def test_a_phone_number_in_a_message_is_no_report_number(whatsapp, typed):
    whatsapp.send("halo")

    reply = whatsapp.send(typed).text

    assert "Nomor tidak valid" not in reply


@pytest.mark.parametrize(
    "typed",
    ["-6.208 106.845", "Cek saluran air mampet di gang kami, hubungi 0812345678"],
)
def test_digits_during_a_report_that_are_no_report_number_are_answers(whatsapp, typed):
    for text in ["LAPOR", "1", "Jalan berlubang besar di depan sekolah"]:
        whatsapp.send(text)

    reply = whatsapp.send(typed).text

    assert "Nomor tidak valid" not in reply and "kelurahan" in reply.lower()


def test_a_choice_beyond_the_kelurahan_list_says_so(whatsapp):
    for text in ["LAPOR", "1", "Jalan berlubang besar di depan sekolah", "Jl. Kramat Raya 10"]:
        whatsapp.send(text)
    listed = whatsapp.send("Cempaka")
    assert "3. " in listed.text

    reply = whatsapp.send("9")

    assert "pilihan 9 tidak ada" in reply.text and "3. " in reply.text
