"""Emergencies first (issue 21, part 3): a fire, people trapped by water, a medical
emergency, a crime happening, a collapse, a fallen live wire are answered at once with
the numbers to call, before anything else and whatever the step of a report; then the
offer to report the aftermath. A complaint that only mentions such words is a complaint."""

import pytest
import time_machine
from test_limits_and_opt_out import strict, strict_app  # noqa: F401 (fixtures)

from handlers.understanding.emergency import emergency_in
from store import drafts, inbound
from store.clock import utcnow

# (what a citizen writes, the kinds of emergency it tells, the language of the reply)
TOLD = [
    ("ada kebakaran di rumah tetangga!!", ("fire",), "id"),
    ("TOLONG PAK APINYA BESAR", ("fire",), "id"),
    ("Toloooong, rumah sebelah kebakaraaan", ("fire",), "id"),
    ("asap tebal keluar dari ruko", ("fire",), "id"),
    ("There is a fire next door, please help", ("fire",), "en"),
    ("ada warga terjebak banjir di lantai dua", ("flood",), "id"),
    ("anak hanyut di kali", ("flood",), "id"),
    ("ada orang pingsan di halte busway", ("medical",), "id"),
    ("kecelakaan motor di perempatan, korban berdarah", ("medical",), "id"),
    ("bapak saya serangan jantung", ("medical",), "id"),
    ("ada maling masuk rumah tetangga sekarang", ("crime",), "id"),
    ("tawuran pelajar di depan sekolah", ("crime",), "id"),
    ("my neighbour was robbed, the thief is still here", ("crime",), "en"),
    ("rumah roboh, ada yang tertimpa", ("collapse",), "id"),
    ("kabel listrik putus menjuntai ke jalan", ("electricity",), "id"),
    ("anak kesetrum tiang listrik", ("electricity",), "id"),
    ("percikan api dari trafo, kebakaran", ("fire", "electricity"), "id"),
]
# Complaints for CRM: no emergency, whatever words they share with one.
NOT_TOLD = [
    "jalan berlubang dekat stasiun kereta api",
    "jalan gelap rawan begal, lampunya mati",
    "perempatan ini sering kecelakaan, mohon dipasang lampu",
    "bekas kebakaran minggu lalu belum dibersihkan",
    "puing sisa kebakaran menutup saluran",
    "tiap pagi terjebak macet karena parkir liar",
    "banjir setinggi lutut di jalan",
    "pohon tumbang menutup jalan",
    "warga tidak sadar buang sampah ke kali",
    "hidran di depan kantor bocor",
    "kemarin ada maling motor, minta lampu jalan",
    "lampu jalan mati",
    "STATUS CRM-26-000123-3",
    "",
    "🙏🙏",
]


@pytest.mark.parametrize(("text", "kinds", "language"), TOLD)
def test_an_emergency_is_recognised_however_it_is_written(text, kinds, language):
    emergency = emergency_in(text)
    assert emergency is not None
    assert (emergency.kinds, emergency.language) == (kinds, language)


@pytest.mark.parametrize("text", NOT_TOLD)
def test_a_complaint_that_shares_words_with_an_emergency_is_no_emergency(text):
    assert emergency_in(text) is None


def test_a_fire_is_answered_first_with_the_numbers_to_call(whatsapp, store):
    reply = whatsapp.send("ada kebakaran di rumah tetangga!!")
    first = reply.messages[0]
    assert first.startswith("*Jika ini keadaan darurat, segera telepon")
    assert "Damkar) *113*" in first and "Jakarta Siaga *112*" in first
    assert "bukan layanan darurat" in reply.text and "ketik LAPOR" in reply.text
    assert store(inbound.count_inbound) == 1  # the message is kept


def test_a_citizen_writing_english_is_told_in_english(whatsapp):
    reply = whatsapp.send("Help! There is a fire in the house next door")
    assert "If this is an emergency, call now" in reply.text
    assert "*113*" in reply.text and "not an emergency service" in reply.text


def test_an_emergency_in_the_middle_of_a_report_is_not_taken_as_its_answer(whatsapp, store):
    whatsapp.send("LAPOR")
    whatsapp.send("1")
    reply = whatsapp.send("TOLONG PAK APINYA BESAR")
    assert "*113*" in reply.messages[0]
    assert "tetap tersimpan" in reply.text
    assert "uraian" in reply.text.lower() or "jelaskan" in reply.text.lower()  # asked again
    whatsapp.send("Jalan berlubang besar di depan sekolah")
    contact = store(drafts.load_draft, _contact_id(store))
    assert contact.data["description"] == "Jalan berlubang besar di depan sekolah"


def test_an_emergency_is_answered_even_over_the_per_minute_limit(strict):  # noqa: F811
    with time_machine.travel(utcnow(), tick=False):
        for _ in range(6):
            strict.send("halo")
        assert "*110*" in strict.send("ada maling masuk rumah, tolong").text


def test_a_complaint_near_the_railway_is_filed_as_a_complaint(whatsapp):
    whatsapp.send("LAPOR")
    whatsapp.send("1")
    reply = whatsapp.send("Jalan berlubang besar dekat stasiun kereta api")
    assert "darurat" not in reply.text


def _contact_id(store) -> int:
    from conftest import CITIZEN
    from store import contacts
    from store.phones import sender_from

    return store(contacts.touch_contact, sender_from(CITIZEN), None, now=utcnow()).id
