"""Per-phone limits, and BERHENTI / MULAI for notifications."""

import pytest
import time_machine

from bot import create_app
from conftest import WhatsApp, app_config, move_through, outbox_sender
from store import inbound, outbox, reports
from store.clock import utcnow
from store.stages import Role, Stage


@pytest.fixture
def strict_app(database_url):
    app = create_app(app_config(database_url, MESSAGES_PER_MINUTE="5", REPORTS_PER_DAY="2"))
    yield app
    app.extensions["crm.engine"].dispose()


@pytest.fixture
def strict(strict_app):
    return WhatsApp(strict_app.test_client())


def test_a_phone_sending_too_fast_is_asked_to_wait_and_nothing_changes(strict):
    with time_machine.travel(utcnow(), tick=False) as clock:
        for _ in range(5):
            assert "terlalu banyak pesan" not in strict.send("halo").text
        reply = strict.send("LAPOR")
        assert "terlalu banyak pesan" in reply.text
        assert "pilih kategori" not in reply.text
        assert "terlalu banyak pesan" not in strict.send("halo", phone="+6285700000000").text
        clock.shift(61)
        assert "pilih kategori" in strict.send("LAPOR").text


EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


def test_only_the_first_message_over_the_limit_is_told_to_wait_the_rest_get_silence(strict, store):
    with time_machine.travel(utcnow(), tick=False) as clock:
        for _ in range(5):
            strict.send("halo")
            clock.shift(1)
        told = strict.send("halo")
        clock.shift(1)
        silenced = [strict.send("halo", sid=f"SM{index:032x}") for index in range(100, 103)]
        again = strict.send("halo", sid=f"SM{100:032x}")  # Twilio retrying one of them

        assert "terlalu banyak pesan" in told.text
        assert [reply.raw for reply in silenced] == [EMPTY_TWIML] * 3
        assert again.status == 200 and again.raw == EMPTY_TWIML
        assert store(inbound.count_inbound) == 5 + 1 + 3  # each recorded once
        clock.shift(60)
        assert "Halo, Siti" in strict.send("MENU").text


def test_a_phone_flooding_for_minutes_is_told_once_and_answered_no_more(strict):
    with time_machine.travel(utcnow(), tick=False) as clock:
        answered = []
        for _ in range(150):  # one a second for two and a half minutes
            answered.append(strict.send("halo").messages)
            clock.shift(1)
    told = [messages for messages in answered if messages]
    assert len(told) == 5 + 1
    assert "terlalu banyak pesan" in told[-1][0]


def test_reports_per_day_are_limited_per_wib_day(strict, strict_app):
    with time_machine.travel(utcnow(), tick=False) as clock:
        strict.file_report(clock=clock)
        clock.shift(61)
        strict.file_report(clock=clock)
        clock.shift(61)
        assert "paling banyak 2 laporan per hari" in strict.send("LAPOR").text
        clock.shift(60 * 60 * 24)
        assert "pilih kategori" in strict.send("LAPOR").text


def test_berhenti_stops_notifications_and_mulai_resumes_them(app, whatsapp, store):
    number = whatsapp.file_report()
    assert "tidak akan mengirim kabar" in whatsapp.send("BERHENTI").text
    sender = outbox_sender(app)
    store(
        reports.move_report,
        number,
        Stage.KOORDINASI,
        role=Role.KELURAHAN,
        actor_id="t",
        note=None,
        now=utcnow(),
    )
    sender.drain()
    assert [note.state for note in store(outbox.notifications)] == ["suppressed"]
    assert "Tahap saat ini: *Koordinasi*" in whatsapp.send(f"STATUS {number}").text
    assert "akan kembali kami kirim" in whatsapp.send("MULAI").text
    store(
        reports.move_report,
        number,
        Stage.PROSES,
        role=Role.KELURAHAN,
        actor_id="t",
        note=None,
        now=utcnow(),
    )
    sender.drain()
    assert [note.state for note in store(outbox.notifications)] == ["suppressed", "sent"]


def test_a_report_closed_while_notifications_pause_takes_no_rating_it_never_asked_for(
    whatsapp, store
):
    number = whatsapp.file_report()
    whatsapp.send("BERHENTI")
    move_through(store, number, "koordinasi", "proses", "tindak_lanjut", "validasi", "selesai")

    reply = whatsapp.send("1")  # the menu's LAPOR, as the closing notice never came

    assert "penilaian" not in reply.text and "kategori" in reply.text.lower()
