"""Questions the service answers from its own data (issue 21, part 4), at any step:
whether this is an emergency line, who holds my report now, how long reports take."""

from datetime import timedelta

import pytest
import time_machine

from conftest import move_through
from handlers.understanding.questions import question_in
from store.clock import utcnow

ASKED = [
    ("berapa lama biasanya diproses?", "how_long"),
    ("Biasanya berapa hari pak prosesnya?", "how_long"),
    ("How long does it usually take?", "how_long"),
    ("siapa yang menangani laporan saya?", "who_handles"),
    ("laporan saya ditangani siapa ya?", "who_handles"),
    ("Who is handling my report?", "who_handles"),
    ("Is this an emergency service?", "emergency_line"),
    ("ini nomor darurat bukan?", "emergency_line"),
]
NOT_ASKED = ["kapan diperbaiki pak?", "berapa lama lagi pak?", "jalan rusak", "STATUS", ""]


@pytest.mark.parametrize(("text", "question"), ASKED)
def test_a_question_about_the_service_is_recognised(text, question):
    assert question_in(text) == question


@pytest.mark.parametrize("text", NOT_ASKED)
def test_other_messages_ask_none_of_them(text):
    assert question_in(text) is None


def test_is_this_an_emergency_service_is_answered_with_the_numbers(whatsapp):
    reply = whatsapp.send("Is this an emergency service?")
    assert reply.text.startswith("No.") and "112" in reply.text and "110" in reply.text


def test_who_handles_names_the_kelurahan_then_the_skpd_it_was_disposed_to(whatsapp, store):
    number = whatsapp.file_report()
    reply = whatsapp.send("siapa yang menangani laporan saya?")
    assert f"Laporan {number} sedang ditangani Kelurahan Kramat" in reply.text
    move_through(store, number, "koordinasi", "disposisi")
    reply = whatsapp.send("laporan saya ditangani siapa ya?")
    assert "Suku Dinas Bina Marga Jakarta Pusat" in reply.text


def test_how_long_gives_the_median_days_of_the_category_over_90_days(whatsapp, store):
    with time_machine.travel(utcnow() - timedelta(days=10), tick=False):
        first = whatsapp.file_report()
    with time_machine.travel(utcnow() - timedelta(days=7), tick=False):
        move_through(store, first, "koordinasi", "proses", "tindak_lanjut", "validasi", "selesai")
    reply = whatsapp.send("berapa lama biasanya diproses?")
    assert "laporan Jalan rusak selesai sekitar 3 hari sejak dilaporkan" in reply.text


def test_a_question_in_the_middle_of_a_report_is_answered_and_the_report_goes_on(whatsapp, store):
    whatsapp.send("LAPOR")
    whatsapp.send("1")
    reply = whatsapp.send("berapa lama biasanya diproses?")
    assert "90 hari terakhir" in reply.text and "jelaskan masalahnya" in reply.text
    assert "Di mana lokasinya?" in whatsapp.send("Jalan berlubang besar di depan sekolah").text


def test_without_reports_how_long_lists_every_category(whatsapp):
    reply = whatsapp.send("berapa lama biasanya diproses?")
    assert "• Jalan rusak: belum ada yang selesai" in reply.text
    assert "Anda belum" not in reply.text
