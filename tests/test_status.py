"""Status by report number, for the reporter and for anyone else, and "my reports"."""

from datetime import timedelta

import pytest
import time_machine
from sqlmodel import select

from conftest import proof_for
from store import reports
from store.clock import utcnow
from store.models import Contact, InboundMessage
from store.numbers import parse_number
from store.stages import Role, Stage

REPORTER = "+6281234567890"
STRANGER = "+6285799998888"


@pytest.fixture
def filed(whatsapp):
    """A report filed by REPORTER through the conversation, then moved twice by officers."""
    whatsapp.send("LAPOR", phone=REPORTER, name="Siti Aminah")
    whatsapp.send("1", phone=REPORTER)
    whatsapp.send("Jalan berlubang besar di depan SDN 01", phone=REPORTER)
    whatsapp.send("Jl. Kramat Raya No. 10", phone=REPORTER)
    whatsapp.send("Kramat, Senen", phone=REPORTER)
    whatsapp.send("LEWATI", phone=REPORTER)
    done = whatsapp.send("YA", phone=REPORTER)
    number = done.report_number
    return number


def _move(store, number, to, role, note=None):
    return store(
        reports.move_report,
        number,
        Stage(to),
        role=role,
        actor_id="officer-7",
        note=note,
        now=utcnow(),
        result_photos=proof_for(to),
    )


def test_reporter_sees_stage_description_and_history_in_wib(whatsapp, store, filed):
    _move(store, filed, "koordinasi", Role.KELURAHAN, note="Diteruskan ke Sudin Bina Marga")
    reply = whatsapp.send(f"STATUS {filed}", phone=REPORTER)
    assert f"Laporan *{filed}*" in reply.text
    assert "Tahap saat ini: *Koordinasi*" in reply.text
    assert "WIB" in reply.text
    assert "Jalan berlubang besar" in reply.text
    assert "Menunggu" in reply.text and "Diteruskan ke Sudin Bina Marga" in reply.text


def test_stranger_sees_stage_and_dates_but_nothing_personal(whatsapp, store, filed):
    _move(store, filed, "koordinasi", Role.KELURAHAN, note="Hubungi Bu Siti di 0812-3456-7890")
    whatsapp.send("halo", phone=STRANGER)
    reply = whatsapp.send(filed, phone=STRANGER)
    assert "Tahap saat ini: *Koordinasi*" in reply.text
    for private in ["Siti", "7890", "+62", "Jalan berlubang", "Hubungi"]:
        assert private not in reply.text


@pytest.mark.parametrize(
    "typed",
    [
        "{n}",
        "{n_lower}",
        "{n_bare}",
        "STATUS {n_spaced}",
        "cek {n_bare}",
        "status {n_lower}",
        "status: {n}",
        "Status laporan {n}",
        "cek status {n} gimana?",
        "STATUS *{n}*",
        "Check status of report {n}, please",
        "What is the status of report {n}?",
        "Laporan saya {n} belum ditangani",
    ],
)
def test_number_lookup_forgives_spacing_case_and_prefix(whatsapp, filed, typed):
    digits = parse_number(filed).digits
    text = typed.format(
        n=filed,
        n_lower=filed.lower(),
        n_bare=digits,
        n_spaced=f"{digits[:2]} {digits[2:5]} {digits[5:]}",
    )
    written_in_english = typed.startswith(("Check", "What"))  # answered in English
    heading = "Current stage" if written_in_english else "Tahap saat ini"
    assert heading in whatsapp.send(text, phone=REPORTER).text


def _typos(digits: str):
    for index, digit in enumerate(digits):
        for other in "0123456789":
            if other != digit:
                yield digits[:index] + other + digits[index + 1 :]
    for index in range(len(digits) - 1):
        if digits[index] != digits[index + 1]:
            yield digits[:index] + digits[index + 1] + digits[index] + digits[index + 2 :]


def test_every_single_digit_typo_and_adjacent_swap_is_invalid_not_unknown(whatsapp, filed):
    digits = parse_number(filed).digits
    typos = list(_typos(digits))
    assert len(typos) >= 9 * len(digits)
    with time_machine.travel(utcnow(), tick=False) as clock:
        for typo in typos:
            clock.shift(5)  # under the per-phone limit of 20 messages a minute
            reply = whatsapp.send(f"STATUS {typo}", phone=REPORTER)
            assert "Nomor tidak valid" in reply.text, typo


def test_valid_but_unknown_number_is_not_found(whatsapp, filed):
    whatsapp.send("halo", phone=STRANGER)
    reply = whatsapp.send("STATUS CRM-26-999999-4", phone=STRANGER)
    assert parse_number("CRM-26-999999-4").valid
    assert "tidak ditemukan" in reply.text


def test_status_without_number_asks_for_it(whatsapp):
    whatsapp.send("halo")
    assert "kirim nomor laporan" in whatsapp.send("2").text


def test_a_mistyped_number_after_words_is_shown_as_read(whatsapp, filed):
    whatsapp.send("halo", phone=STRANGER)
    reply = whatsapp.send("cek laporan crm-26-000001-0 dong", phone=STRANGER)
    assert "Nomor tidak valid: “CRM-26-000001-0”" in reply.text


@pytest.mark.parametrize(
    "typed",
    ["CRM-26-000004", "CRM-26-OOOO01-9", "CRM-26-00001-9", "CRM-2026-000001-9", "000001-9"],
)
def test_a_number_typed_wrongly_just_after_filing_explains_the_format(whatsapp, filed, typed):
    """Not offered as a detail of the report just filed, nor "not understood"."""
    reply = whatsapp.send(typed, phone=REPORTER)
    assert f"“{typed}” bukan nomor laporan" in reply.text and "tambahan" not in reply.text


@pytest.mark.parametrize("typed", ["081234567890", "-6.2088 106.8456"])
def test_a_phone_number_or_coordinates_alone_are_not_read_as_a_report_number(whatsapp, typed):
    whatsapp.send("halo")
    assert "bukan nomor laporan" not in whatsapp.send(typed).text


def test_a_status_asked_without_reports_does_not_point_to_the_empty_list(whatsapp):
    whatsapp.send("halo")
    assert "LAPORAN SAYA" not in whatsapp.send("status").text


def test_status_of_a_non_number_explains_the_format(whatsapp):
    whatsapp.send("halo")
    assert "bukan nomor laporan" in whatsapp.send("STATUS jalan rusak").text


def test_my_reports_lists_newest_first_with_stages(whatsapp, store, filed):
    whatsapp.send("LAPOR", phone=REPORTER)
    whatsapp.send("2", phone=REPORTER)
    whatsapp.send("Sampah menumpuk di pinggir kali", phone=REPORTER)
    whatsapp.send("Jl. Daan Mogot km 12", phone=REPORTER)
    whatsapp.send("Kapuk, Cengkareng", phone=REPORTER)
    whatsapp.send("LEWATI", phone=REPORTER)
    second = whatsapp.send("YA", phone=REPORTER)
    newer = second.report_number
    _move(store, filed, "koordinasi", Role.KELURAHAN)
    listing = whatsapp.send("LAPORAN SAYA", phone=REPORTER).text
    assert listing.index(newer) < listing.index(filed)
    assert "Sampah" in listing and "*Menunggu*" in listing and "*Koordinasi*" in listing


def test_my_reports_when_there_are_none(whatsapp):
    whatsapp.send("halo", phone=STRANGER)
    assert "belum memiliki laporan" in whatsapp.send("3", phone=STRANGER).text


def test_long_history_is_split_into_whatsapp_sized_messages(whatsapp, store, filed):
    long_note = "Catatan petugas " + "sangat panjang " * 60
    _move(store, filed, "koordinasi", Role.KELURAHAN, note=long_note)
    _move(store, filed, "proses", Role.KELURAHAN, note=long_note)
    _move(store, filed, "tindak_lanjut", Role.SKPD, note=long_note)
    _move(store, filed, "proses", Role.FACILITATOR, note=long_note)
    reply = whatsapp.send(f"STATUS {filed}", phone=REPORTER)
    assert len(reply.messages) >= 2
    assert all(len(message) <= 1600 for message in reply.messages)


def test_a_number_typed_with_autocorrected_dashes_or_without_zeros_is_found(whatsapp):
    number = whatsapp.file_report()
    assert "Tahap saat ini" in whatsapp.send(f"STATUS: {number.replace('-', '–')}").text
    _, year, sequence, check = number.split("-")
    assert "Tahap saat ini" in whatsapp.send(f"crm-{year}-{int(sequence)}-{check}").text


def test_a_status_answered_without_a_change_is_recorded_once_with_the_senders_time_and_name(
    whatsapp, store, filed
):
    """On SQLite a STATUS is answered in a read-only transaction and recorded after it
    (bot/webhooks.py): the record, the 24-hour window and the name are kept all the same,
    and Twilio delivering it again gets the stored answer."""
    later = utcnow() + timedelta(hours=2)
    with time_machine.travel(later, tick=False):
        form = whatsapp.form(f"STATUS {filed}", phone=REPORTER, name="Bu Siti", sid="SM" + "7" * 32)
        first = whatsapp.post(form)
        again = whatsapp.post(form)
    assert f"Laporan *{filed}*" in first.text and again.messages == first.messages
    recorded = store(
        lambda session: session.exec(
            select(InboundMessage.reply, Contact.last_inbound_at, Contact.profile_name)
            .join(Contact, Contact.id == InboundMessage.contact_id)
            .where(InboundMessage.message_sid == form["MessageSid"])
        ).all()
    )
    assert recorded == [(first.messages, later, "Bu Siti")]


def test_a_message_found_to_change_something_is_answered_and_recorded_in_one_write(
    whatsapp, store, filed
):
    """On SQLite the read-only answer meets a write (the language the citizen now
    writes in) and is answered again from the start in a write transaction."""
    reply = whatsapp.send(f"what is the status of {filed} please", phone=REPORTER)
    assert f"Report *{filed}*" in reply.text
    language = store(lambda session: session.exec(select(Contact.language)).one())
    recorded = store(lambda session: len(session.exec(select(InboundMessage)).all()))
    assert (language, recorded) == ("en", 8)  # the report's seven messages, and this one
