"""What the citizen is told at each stage, in both languages, and their rating reply."""

import logging
from datetime import UTC, datetime

import pytest

from conftest import outbox_sender, proof_for
from handlers.notifications import (
    DELAYED_REPLY,
    REPORT_CLOSED,
    STAGE_UPDATE,
    delayed_reply_payloads,
    render,
)
from store import outbox, ratings, reports
from store.clock import utcnow
from store.numbers import parse_number
from store.stages import Role, Stage

AT = datetime(2026, 11, 28, 8, 5, tzinfo=UTC)  # 15:05 WIB
NUMBER = "CRM-26-000123-3"

EXPECTED = {
    ("id", "menunggu"): "telah kami terima",
    ("id", "koordinasi"): "diterima oleh kelurahan",
    ("id", "disposisi"): "diteruskan ke perangkat daerah",
    ("id", "ditolak"): "ditolak",
    ("id", "proses"): "sedang ditangani",
    ("id", "tindak_lanjut"): "menunggu validasi TA Fasilitator",
    ("id", "validasi"): "telah divalidasi oleh TA Fasilitator",
    ("id", "selesai"): "Balas dengan angka 1–5",
    ("en", "menunggu"): "We have received your report",
    ("en", "koordinasi"): "received by the kelurahan",
    ("en", "disposisi"): "forwarded to the responsible agency",
    ("en", "ditolak"): "rejected",
    ("en", "proses"): "being handled",
    ("en", "tindak_lanjut"): "awaits validation by a TA Fasilitator",
    ("en", "validasi"): "validated by a TA Fasilitator",
    ("en", "selesai"): "Reply with a number from 1 to 5",
}


def _payload(stage, note=None, from_stage=None):
    return {
        "number": NUMBER,
        "stage": stage,
        "from_stage": from_stage,
        "note": note,
        "at": AT.isoformat(),
    }


@pytest.mark.parametrize("language, stage", sorted(EXPECTED))
def test_each_stage_has_its_own_text_with_number_and_wib_time(language, stage):
    rendered = render("stage_changed", _payload(stage, note="Alasan X"), language)
    assert EXPECTED[(language, stage)] in rendered.body
    assert NUMBER in rendered.body
    assert ("pukul 15.05 WIB" if language == "id" else "15:05 WIB") in rendered.body
    assert len(rendered.body) <= 1600
    expected_template = REPORT_CLOSED if stage == "selesai" else STAGE_UPDATE
    assert rendered.template == expected_template
    assert rendered.variables["1"] == NUMBER


@pytest.mark.parametrize(
    "language, stage, from_stage",
    [(language, stage, None) for language, stage in sorted(EXPECTED) if stage != "menunggu"]
    + [(language, "proses", "tindak_lanjut") for language in ("id", "en")]
    + [(language, "proses", "selesai") for language in ("id", "en")],
)
def test_the_officers_note_stands_on_a_line_of_its_own(language, stage, from_stage):
    body = render("stage_changed", _payload(stage, "Ditangani X", from_stage), language).body
    [line] = [line for line in body.splitlines() if "Ditangani X" in line]
    assert line.endswith(": Ditangani X") and "WIB" not in line, body
    assert "\n\n\n" not in body


def test_a_rejection_gives_its_reason():
    body = render("stage_changed", _payload("ditolak", note="Lokasi di luar DKI"), "id").body
    assert "Alasan: Lokasi di luar DKI" in body


def test_a_returned_follow_up_says_so_with_the_reason():
    body = render(
        "stage_changed",
        _payload("proses", note="Foto kurang jelas", from_stage="tindak_lanjut"),
        "id",
    ).body
    assert "dikembalikan" in body and "Alasan: Foto kurang jelas" in body


def test_template_variables_carry_the_stage_label_and_time():
    rendered = render("stage_changed", _payload("validasi"), "id")
    assert rendered.variables == {
        "1": NUMBER,
        "2": "Validasi",
        "3": "28 Nov 2026 pukul 15.05 WIB",
        "4": "-",
    }


def _walk_to_selesai(store, number):
    for stage, role in [
        ("koordinasi", Role.KELURAHAN),
        ("proses", Role.KELURAHAN),
        ("tindak_lanjut", Role.SKPD),
        ("validasi", Role.FACILITATOR),
        ("selesai", Role.ADMIN),
    ]:
        store(
            reports.move_report,
            number,
            Stage(stage),
            role=role,
            actor_id="t",
            note=None,
            now=utcnow(),
            result_photos=proof_for(stage),
        )


def test_every_move_of_a_whatsapp_report_queues_exactly_one_notification(whatsapp, store):
    number = whatsapp.file_report()
    assert store(outbox.notifications) == []  # the reply already gave the number
    _walk_to_selesai(store, number)
    queued = store(outbox.notifications)
    assert [note.payload["stage"] for note in queued] == [
        "koordinasi",
        "proses",
        "tindak_lanjut",
        "validasi",
        "selesai",
    ]


def test_the_citizen_rates_a_closed_report_by_replying_a_digit(whatsapp, store):
    number = whatsapp.file_report()
    _walk_to_selesai(store, number)
    reply = whatsapp.send("4")
    assert f"penilaian 4/5 untuk laporan {number}" in reply.text
    digits = parse_number(number).digits
    report_id = store(outbox.notifications)[-1].report_id
    assert store(ratings.rating_of, report_id) == 4
    assert "kategori" in whatsapp.send("1").text.lower()  # digits mean the menu again
    assert store(reports.find_report, digits).stage == "selesai"


def test_console_transport_logs_whom_masked_and_what_went_never_names_or_words(
    app, whatsapp, store, caplog
):
    number = whatsapp.file_report()
    store(
        reports.move_report,
        number,
        Stage.KOORDINASI,
        role=Role.KELURAHAN,
        actor_id="t",
        note="Hubungi lurah di 0812-9876-5432",
        now=utcnow(),
    )
    (moved,) = store(outbox.notifications)
    [answer] = delayed_reply_payloads(["Halo, Siti! Laporan Anda kami terima."])
    store(outbox.enqueue, moved.contact_id, DELAYED_REPLY, answer, report_id=None, now=utcnow())
    sender = outbox_sender(app)
    with caplog.at_level(logging.INFO, logger="crm.outbound"):
        assert sender.drain() == 2

    moved_id, answer_id = (note.id for note in store(outbox.notifications))
    assert f"WhatsApp to +62*****: notification {moved_id} (stage_changed), " in caplog.text
    assert f"WhatsApp to +62*****: notification {answer_id} (delayed_reply), " in caplog.text
    for private in ["Siti", "Halo", "Hubungi lurah", "9876", "81234567890"]:
        assert private not in caplog.text
    assert {(note.state, note.transport) for note in store(outbox.notifications)} == {
        ("sent", "console")
    }


def test_a_very_long_officer_note_is_shortened_to_fit_whatsapp():
    rendered = render("stage_changed", _payload("koordinasi", note="kata " * 1000), "id")
    assert len(rendered.body) <= 1600 and "…" in rendered.body
    assert len(rendered.variables["4"]) <= 200 and "\n" not in rendered.variables["4"]


@pytest.mark.parametrize("language", ["id", "en"])
def test_a_delayed_answer_comes_whole_in_parts_that_each_fit_one_whatsapp_message(language):
    answer = [f"Baris {line} dari jawaban panjang yang dikirim terlambat." for line in range(90)]
    payloads = delayed_reply_payloads(answer)
    bodies = [render(DELAYED_REPLY, payload, language).body for payload in payloads]
    assert len(bodies) >= 2 and all(len(body) <= 1600 for body in bodies)
    assert not any(body.endswith("…") for body in bodies)  # none was cut short to fit
    assert [payload["continued"] for payload in payloads] == [False] + [True] * (len(bodies) - 1)
    kept = [text for payload in payloads for text in payload["texts"]]
    assert kept == answer


@pytest.mark.parametrize(
    ("answer", "score"),
    [
        ("ALHAMDULILLAH SUDAH DITAMBAL PAK TERIMA KASIH 5", 5),
        ("bintang lima", 5),
        ("nilai 3 ya pak", 3),
        ("makasih pak, 4 dari 5", 4),
        ("5/5 mantap", 5),
    ],
)
def test_a_rating_said_naturally_is_recorded(whatsapp, store, answer, score):
    number = whatsapp.file_report()
    _walk_to_selesai(store, number)
    assert f"penilaian {score}/5 untuk laporan {number}" in whatsapp.send(answer).text
    report_id = store(outbox.notifications)[-1].report_id
    assert store(ratings.rating_of, report_id) == score


@pytest.mark.parametrize("answer", ["lampu mati lagi jam 5", "di Jl. Kramat 10 masih rusak"])
def test_a_number_in_a_complaint_after_selesai_is_no_rating(whatsapp, store, answer):
    number = whatsapp.file_report()
    _walk_to_selesai(store, number)
    assert "penilaian" not in whatsapp.send(answer).text
    report_id = store(outbox.notifications)[-1].report_id
    assert store(ratings.rating_of, report_id) is None
