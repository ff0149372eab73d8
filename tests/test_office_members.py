"""Offices on WhatsApp (issue 22, part 5): a kelurahan's or an SKPD's staff, registered
with `crm office member add`, are told of their office's reports (quiet hours hold the
notices) and act on them by WhatsApp with the API's rules and object checks. Messages go
through the signed webhook, the worker's jobs run in-process with the clock moved, and
what was sent is read from the Twilio-compatible test server."""

import json
from contextlib import contextmanager
from datetime import datetime

import pytest
import time_machine

from bot.worker import worker_resources
from conftest import (
    RESULT_PNG,
    WhatsApp,
    app_with_twilio,
    move_through,
)
from handlers.notifications import render
from scheduler import jobs
from store import reports
from store.clock import JAKARTA

CITIZEN = "+6281234567890"
LURAH, LURAH_TYPED = "+6281211110001", "0812-1111-0001"  # Kramat's staff
SENEN = "+6281211110002"  # another kelurahan's
BINA_MARGA = "+6281211110003"  # the SKPD of roads in Jakarta Pusat
DEWI = "+6281100000001"  # a facilitator
SKPD = "Suku Dinas Bina Marga Jakarta Pusat"
STAFF_SIDS = {
    f"{name}:id": "HX" + digit * 32
    for name, digit in (
        ("new_work", "e"),
        ("staff_held", "f"),
        ("staff_alert", "9"),
        ("office_report", "8"),
        ("office_returned", "7"),
        ("cutoff_list", "6"),
    )
}


def wib(*args) -> datetime:
    return datetime(*args, tzinfo=JAKARTA)


@pytest.fixture
def app(database_url, fake_twilio, tmp_path):
    media = str(tmp_path / "media")
    yield from app_with_twilio(database_url, fake_twilio, STAFF_SIDS, MEDIA_DIR=media)


def cli(app, *args: str):
    return app.test_cli_runner().invoke(args=["crm", *args])


def add_member(app, office: str, name: str, phone: str) -> None:
    result = cli(
        app, "office", "member", "add", "--office", office, "--name", name, "--phone", phone
    )
    assert result.exit_code == 0, result.output


@pytest.fixture
def offices_staffed(app):
    add_member(app, "Kramat", "Bu Lurah", LURAH_TYPED)
    add_member(app, "Senen", "Pak Senen", SENEN)
    add_member(app, SKPD, "Pak Bina", BINA_MARGA)
    result = cli(app, "facilitator", "add", "--name", "Dewi", "--phone", DEWI)
    assert result.exit_code == 0, result.output


class Chat:
    """WhatsApp messages at a moment of the moved clock."""

    def __init__(self, app):
        self.whatsapp = WhatsApp(app.test_client())

    @contextmanager
    def at(self, moment: datetime):
        with time_machine.travel(moment, tick=False):
            yield self.whatsapp

    def send(self, moment: datetime, body: str, phone: str, **kwargs):
        with self.at(moment) as whatsapp:
            return whatsapp.send(body, phone=phone, **kwargs)

    def file(self, moment: datetime) -> str:
        with self.at(moment) as whatsapp:
            return whatsapp.file_report(phone=CITIZEN)


@pytest.fixture
def chat(app) -> Chat:
    return Chat(app)


def stage_of(store, number: str) -> str:
    return store(reports.find_report, digits(number)).stage


def digits(number: str) -> str:
    return "".join(ch for ch in number if ch.isdigit())


# Registration


def test_a_member_is_registered_listed_and_removed_by_the_cli_with_any_phone_format(app):
    added = cli(app, "office", "member", "add", "--office", "kramat", "--name", "Bu Lurah",
                "--phone", LURAH_TYPED)  # fmt: skip
    assert added.exit_code == 0, added.output
    assert "(+6281211110001) of Kramat" in added.output
    add_member(app, SKPD, "Pak Bina", "62 812 1111 0003")

    listed = cli(app, "office", "member", "list").output.splitlines()
    assert [line.split("\t")[1:] for line in listed] == [
        ["Bu Lurah", LURAH, "Kramat"],
        ["Pak Bina", BINA_MARGA, SKPD],
    ]
    only_kramat = cli(app, "office", "member", "list", "--office", "Kramat").output
    assert LURAH in only_kramat and BINA_MARGA not in only_kramat

    twice = cli(app, "office", "member", "add", "--office", "Senen", "--name", "X",
                "--phone", LURAH)  # fmt: skip
    assert twice.exit_code != 0 and "already an active office" in twice.output

    removed = cli(app, "office", "member", "remove", "0812 1111 0001")
    assert removed.exit_code == 0, removed.output
    assert LURAH not in cli(app, "office", "member", "list").output


def test_an_unknown_office_is_refused_with_the_candidates(app):
    unknown = cli(app, "office", "member", "add", "--office", "Atlantis", "--name", "X",
                  "--phone", LURAH)  # fmt: skip
    assert unknown.exit_code != 0
    assert "no single kelurahan matches 'Atlantis'" in unknown.output
    assert "nor is it an SKPD" in unknown.output
    bad_phone = cli(app, "office", "member", "add", "--office", "Kramat", "--name", "X",
                    "--phone", "12")  # fmt: skip
    assert bad_phone.exit_code != 0 and "is not a phone number" in bad_phone.output
    assert cli(app, "office", "member", "list").output == ""


# Told of their office's reports


def test_a_report_filed_by_whatsapp_is_told_to_its_kelurahans_members_only(
    offices_staffed, chat, deliver
):
    number = chat.file(wib(2026, 3, 10, 10, 0))

    got = deliver(wib(2026, 3, 10, 10, 0))

    (notice,) = got[LURAH]
    assert notice.form["ContentSid"] == STAFF_SIDS["office_report:id"]  # she never wrote
    assert json.loads(notice.form["ContentVariables"]) == {
        "1": number,
        "2": "Jalan rusak",
        "3": "Kramat",
        "4": "11 Mar 2026 pukul 10.00 WIB",
    }
    assert SENEN not in got and BINA_MARGA not in got


def test_within_her_window_the_notice_says_what_to_type(offices_staffed, chat, deliver):
    chat.send(wib(2026, 3, 10, 9, 0), "halo", LURAH)
    number = chat.file(wib(2026, 3, 10, 10, 0))

    (notice,) = deliver(wib(2026, 3, 10, 10, 0))[LURAH]

    assert notice.body.startswith(f"📥 Laporan baru di wilayah Anda: *{number}*")
    assert "Jalan rusak, Kel. Kramat" in notice.body
    assert "Mohon diterima dalam 24 jam: 11 Mar 2026 pukul 10.00 WIB" in notice.body
    assert f"TERIMA {number}" in notice.body


def test_a_notice_due_at_five_waits_for_six(offices_staffed, chat, deliver):
    chat.send(wib(2026, 3, 10, 20, 0), "halo", LURAH)
    number = chat.file(wib(2026, 3, 11, 5, 0))

    assert LURAH not in deliver(wib(2026, 3, 11, 5, 0))
    assert LURAH not in deliver(wib(2026, 3, 11, 5, 59, 59))
    (notice,) = deliver(wib(2026, 3, 11, 6, 0))[LURAH]
    assert number in notice.body


# Acting by WhatsApp


def test_terima_takes_the_report_into_koordinasi(offices_staffed, chat, store):
    number = chat.file(wib(2026, 3, 10, 10, 0))

    reply = chat.send(wib(2026, 3, 10, 10, 5), f"Terima {number}", LURAH)

    assert reply.text.startswith(f"Laporan {number} kini Koordinasi.")
    assert "Pelapor kami kabari" in reply.text
    assert stage_of(store, number) == "koordinasi"


def test_another_kelurahans_member_gets_the_not_found_answer_and_nothing_changes(
    offices_staffed, chat, store
):
    number = chat.file(wib(2026, 3, 10, 10, 0))

    for phone in (SENEN, BINA_MARGA):
        for command in (f"TERIMA {number}", f"TOLAK {number} bukan wilayah", f"LIHAT {number}"):
            reply = chat.send(wib(2026, 3, 10, 10, 5), command, phone)
            assert reply.text == (
                f"Laporan {number} tidak ditemukan di antara laporan kantor Anda. Mohon periksa"
                " kembali nomornya, atau ketik ANTRIAN."
            )
    assert stage_of(store, number) == "menunggu"


def test_a_typed_number_of_a_report_that_does_not_exist_gets_the_same_answer(offices_staffed, chat):
    reply = chat.send(wib(2026, 3, 10, 10, 0), "TERIMA CRM-26-999999-4", LURAH)
    assert "tidak ditemukan" in reply.text or "tidak valid" in reply.text


def test_tolak_without_a_reason_asks_for_one_and_changes_nothing(offices_staffed, chat, store):
    number = chat.file(wib(2026, 3, 10, 10, 0))

    reply = chat.send(wib(2026, 3, 10, 10, 5), f"TOLAK {number}", LURAH)
    assert reply.text.startswith("Mohon sertakan alasannya")
    assert stage_of(store, number) == "menunggu"

    reply = chat.send(wib(2026, 3, 10, 10, 6), f"TOLAK {number} Lokasi di luar wilayah", LURAH)
    assert reply.text.startswith(f"Laporan {number} kini Laporan ditolak.")
    assert stage_of(store, number) == "ditolak"


def test_a_move_the_stage_does_not_allow_is_refused_naming_the_stage(offices_staffed, chat, store):
    number = chat.file(wib(2026, 3, 10, 10, 0))

    reply = chat.send(wib(2026, 3, 10, 10, 5), f"PROSES {number}", LURAH)

    assert reply.text.startswith(f"Laporan {number} sedang pada tahap Menunggu: PROSES tidak")
    assert stage_of(store, number) == "menunggu"


def test_teruskan_disposes_to_the_named_skpd_whose_member_is_told(
    offices_staffed, chat, deliver, store
):
    number = chat.file(wib(2026, 3, 10, 10, 0))
    chat.send(wib(2026, 3, 10, 10, 1), f"TERIMA {number}", LURAH)
    chat.send(wib(2026, 3, 10, 10, 2), "halo", BINA_MARGA)

    reply = chat.send(wib(2026, 3, 10, 10, 5), f"TERUSKAN {number} {SKPD.lower()}", LURAH)

    assert reply.text.startswith(f"Laporan {number} kini Disposisi, diteruskan kepada {SKPD}.")
    (notice,) = deliver(wib(2026, 3, 10, 10, 5))[BINA_MARGA]
    assert notice.body.startswith(f"📨 Laporan didisposisikan kepada kantor Anda: *{number}*")
    assert "Batas tindak lanjut 7 hari: 17 Mar 2026 pukul 10.00 WIB" in notice.body
    assert f"PROSES {number}" in notice.body


def test_teruskan_to_an_unknown_skpd_changes_nothing(offices_staffed, chat, store):
    number = chat.file(wib(2026, 3, 10, 10, 0))
    chat.send(wib(2026, 3, 10, 10, 1), f"TERIMA {number}", LURAH)

    reply = chat.send(wib(2026, 3, 10, 10, 5), f"TERUSKAN {number} Dinas Antah Berantah", LURAH)

    assert reply.text.startswith("SKPD “Dinas Antah Berantah” tidak ditemukan.")
    assert stage_of(store, number) == "koordinasi"


def disposed(chat, moment: datetime) -> str:
    number = chat.file(moment)
    chat.send(moment, f"TERIMA {number}", LURAH)
    chat.send(moment, f"TERUSKAN {number} {SKPD}", LURAH)
    return number


def test_selesai_without_a_photo_asks_for_one_and_changes_nothing(offices_staffed, chat, store):
    number = disposed(chat, wib(2026, 3, 10, 10, 0))
    chat.send(wib(2026, 3, 10, 11, 0), f"PROSES {number}", BINA_MARGA)

    reply = chat.send(wib(2026, 3, 10, 12, 0), f"SELESAI {number} sudah ditambal", BINA_MARGA)

    assert reply.text.startswith("Mohon kirim foto hasil pekerjaan")
    assert stage_of(store, number) == "proses"


def test_selesai_with_a_photo_reaches_tindak_lanjut_and_the_facilitator_is_told(
    app, offices_staffed, chat, deliver, store, fake_twilio
):
    number = disposed(chat, wib(2026, 3, 10, 10, 0))
    assert stage_of(store, number) == "disposisi"
    reply = chat.send(wib(2026, 3, 10, 11, 0), f"PROSES {number}", BINA_MARGA)
    assert reply.text.startswith(f"Laporan {number} kini Proses.")
    photo_url = fake_twilio.add_media(RESULT_PNG, "image/png")

    reply = chat.send(
        wib(2026, 3, 10, 12, 0),
        f"SELESAI {number} sudah ditambal",
        BINA_MARGA,
        media=[(photo_url, "image/png")],
    )

    assert reply.text.startswith(f"Laporan {number} kini Tindak lanjut. 1 foto hasil pekerjaan")
    view = store(reports.find_report, digits(number))
    assert view.stage == "tindak_lanjut"
    (result,) = view.result_photos
    assert result.url == photo_url and result.stored_key is None  # the worker copies it
    assert view.history[-1].note == "sudah ditambal"
    with time_machine.travel(wib(2026, 3, 10, 12, 1), tick=False):
        assert jobs.copy_photos(worker_resources(app)) == 1
    view = store(reports.find_report, digits(number))
    (result,) = view.result_photos
    assert result.stored_key is not None and result.content_type == "image/png"
    got = deliver(wib(2026, 3, 10, 12, 1))
    (new_work,) = got[DEWI]
    assert json.loads(new_work.form["ContentVariables"])["1"] == number


def test_a_sticker_is_no_photo_of_the_finished_work(offices_staffed, chat, store, fake_twilio):
    number = disposed(chat, wib(2026, 3, 10, 10, 0))
    chat.send(wib(2026, 3, 10, 11, 0), f"PROSES {number}", BINA_MARGA)
    sticker = fake_twilio.add_media(b"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp")

    reply = chat.send(
        wib(2026, 3, 10, 12, 0), f"SELESAI {number}", BINA_MARGA, media=[(sticker, "image/webp")]
    )

    assert reply.text.startswith("Mohon kirim foto hasil pekerjaan")
    assert stage_of(store, number) == "proses"


def test_a_report_sent_back_by_the_facilitator_is_told_to_the_skpd_with_its_reason(
    app, offices_staffed, chat, deliver, store, fake_twilio
):
    number = disposed(chat, wib(2026, 3, 10, 10, 0))
    chat.send(wib(2026, 3, 10, 11, 0), f"PROSES {number}", BINA_MARGA)
    photo_url = fake_twilio.add_media(RESULT_PNG, "image/png")
    chat.send(
        wib(2026, 3, 10, 12, 0), f"SELESAI {number}", BINA_MARGA, media=[(photo_url, "image/png")]
    )
    deliver(wib(2026, 3, 10, 12, 0))

    reply = chat.send(
        wib(2026, 3, 10, 13, 0), f"KEMBALIKAN {number} Foto tidak menunjukkan lokasi", DEWI
    )
    assert reply.text.startswith(f"Laporan {number} dikembalikan")

    got = deliver(wib(2026, 3, 10, 13, 0))
    (notice,) = got[BINA_MARGA]  # within his window: he wrote SELESAI
    assert notice.body.startswith(
        f"↩️ Laporan *{number}* dikembalikan oleh TA Fasilitator dengan alasan:"
        " Foto tidak menunjukkan lokasi."
    )
    assert "Batas tindak lanjut 7 hari: 17 Mar 2026 pukul 13.00 WIB" in notice.body
    assert LURAH not in got  # disposed: the SKPD's to follow up
    assert stage_of(store, number) == "proses"


def test_a_report_its_citizen_reopens_is_told_to_the_kelurahan_with_the_reason(
    offices_staffed, chat, deliver, store
):
    number = chat.file(wib(2026, 3, 10, 10, 0))
    deliver(wib(2026, 3, 10, 10, 0))
    with time_machine.travel(wib(2026, 3, 11, 10, 0), tick=False):
        move_through(store, number, "koordinasi", "proses", "tindak_lanjut", "validasi", "selesai")
    deliver(wib(2026, 3, 11, 10, 0))

    chat.send(wib(2026, 3, 12, 9, 0), f"BUKA {number} Lubangnya masih ada", CITIZEN)

    got = deliver(wib(2026, 3, 12, 9, 0))
    (notice,) = got[LURAH]  # never disposed: the kelurahan's to follow up again
    assert notice.form["ContentSid"] == STAFF_SIDS["office_returned:id"]
    assert json.loads(notice.form["ContentVariables"]) == {
        "1": number,
        "2": "Lubangnya masih ada",
        "3": "19 Mar 2026 pukul 09.00 WIB",
    }
    assert BINA_MARGA not in got and stage_of(store, number) == "proses"


def test_antrian_lists_the_offices_open_reports_and_positions_name_them(
    offices_staffed, chat, store
):
    first = chat.file(wib(2026, 3, 10, 9, 0))
    second = chat.file(wib(2026, 3, 10, 10, 0))

    queue = chat.send(wib(2026, 3, 10, 10, 5), "ANTRIAN", LURAH)
    assert f"1. {first} – Jalan rusak, Kel. Kramat · Menunggu" in queue.text
    assert f"2. {second} – Jalan rusak, Kel. Kramat · Menunggu" in queue.text

    reply = chat.send(wib(2026, 3, 10, 10, 6), "TERIMA 2", LURAH)
    assert reply.text.startswith(f"Laporan {second} kini Koordinasi.")
    assert stage_of(store, first) == "menunggu"
    empty = chat.send(wib(2026, 3, 10, 10, 7), "ANTRIAN", SENEN)
    assert empty.text.startswith("Tidak ada laporan Senen")


def test_a_member_is_a_citizen_for_everything_else(offices_staffed, chat):
    reply = chat.send(wib(2026, 3, 10, 10, 0), "LAPOR", LURAH)
    assert "kategori" in reply.text.lower()
    # during her own report, "selesai" alone is no command of hers
    assert (
        "Mohon sertakan nomor laporan"
        not in chat.send(wib(2026, 3, 10, 10, 1), "selesai", LURAH).text
    )


# Time rules and the monthly cut-off


def test_the_24_hours_are_warned_of_at_18_and_told_when_missed(app, offices_staffed, chat, deliver):
    chat.send(wib(2026, 3, 10, 7, 0), "halo", LURAH)
    number = chat.file(wib(2026, 3, 10, 8, 0))
    deliver(wib(2026, 3, 10, 8, 0))
    worker = worker_resources(app)

    with time_machine.travel(wib(2026, 3, 11, 2, 0, 1), tick=False):
        jobs.scan_deadlines(worker)
    assert LURAH not in deliver(wib(2026, 3, 11, 2, 0, 1))  # quiet hours
    chat.send(wib(2026, 3, 11, 7, 0), "halo", LURAH)
    (warning,) = deliver(wib(2026, 3, 11, 7, 0))[LURAH]
    assert warning.body.startswith("⏰ 1 laporan kantor Anda mendekati atau melewati")
    assert f"*{number}* belum diterima kelurahan setelah 18 jam" in warning.body
    assert "batas 11 Mar 2026 pukul 08.00 WIB" in warning.body

    with time_machine.travel(wib(2026, 3, 11, 8, 0, 1), tick=False):
        jobs.scan_deadlines(worker)
    got = deliver(wib(2026, 3, 11, 8, 0, 1))
    (missed,) = got[LURAH]
    assert f"*{number}* belum ditindaklanjuti kelurahan dalam 24 jam" in missed.body
    assert SENEN not in got and BINA_MARGA not in got


def test_the_7_days_are_the_skpds_once_disposed(app, offices_staffed, chat, deliver):
    number = disposed(chat, wib(2026, 3, 10, 10, 0))
    chat.send(wib(2026, 3, 16, 10, 0), "halo", BINA_MARGA)
    deliver(wib(2026, 3, 16, 10, 0))

    with time_machine.travel(wib(2026, 3, 16, 10, 0, 1), tick=False):
        jobs.scan_deadlines(worker_resources(app))
    got = deliver(wib(2026, 3, 16, 10, 0, 1))

    (warning,) = got[BINA_MARGA]
    assert f"*{number}* belum selesai ditindaklanjuti setelah 6 hari" in warning.body
    assert "batas 17 Mar 2026 pukul 10.00 WIB" in warning.body
    assert LURAH not in got


def test_each_office_is_sent_its_own_open_reports_at_the_monthly_cutoff(
    app, offices_staffed, chat, deliver
):
    number = chat.file(wib(2026, 2, 20, 10, 0))
    deliver(wib(2026, 2, 20, 10, 0))
    for phone in (LURAH, SENEN):
        chat.send(wib(2026, 3, 2, 7, 0), "halo", phone)

    with time_machine.travel(wib(2026, 3, 2, 8, 0, 1), tick=False):
        jobs.send_digests(worker_resources(app))
    got = deliver(wib(2026, 3, 2, 8, 0, 1))

    (cutoff,) = got[LURAH]
    assert cutoff.body.startswith("Batas penyelesaian bulanan: 1 laporan bulan 2026-02")
    assert f"• {number}" in cutoff.body
    assert SENEN not in got and BINA_MARGA not in got


# What the notices say, in both languages


NOTICES = [
    (
        "office_new_report",
        {
            "number": "CRM-26-000001-9",
            "category": "jalan_rusak",
            "kelurahan": "Kramat",
            "stage": "disposisi",
            "note": "Jalan kota",
            "due_at": "2026-03-17T03:00:00+00:00",
        },
    ),
    (
        "office_returned",
        {
            "number": "CRM-26-000001-9",
            "category": "jalan_rusak",
            "kelurahan": "Kramat",
            "by": "citizen",
            "reason": "Masih berlubang",
            "due_at": "2026-03-17T03:00:00+00:00",
        },
    ),
    (
        "office_deadline",
        {
            "alerts": [
                {
                    "number": f"CRM-26-00000{n}-9",
                    "breach": "kelurahan_18h",
                    "due_at": "2026-03-11T01:00:00+00:00",
                }
                for n in range(2)
            ]
        },
    ),
]


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize(("kind", "payload"), NOTICES)
def test_every_office_notice_reads_in_both_languages_with_its_template(kind, payload, language):
    rendered = render(kind, payload, language)
    assert "CRM-26-00000" in rendered.body and "{{" not in rendered.body
    assert rendered.template in {"office_report", "office_returned", "staff_alert"}
    assert all(value for value in rendered.variables.values())


def test_a_bundle_of_office_notices_has_no_facilitators_footer():
    items = [{"kind": kind, "payload": payload} for kind, payload in NOTICES]
    body = render("staff_held", {"items": items, "ids": [1, 2, 3]}, "id").body
    assert body.startswith("🕕 3 pemberitahuan")
    assert "dibuka kembali oleh pelapor dengan alasan: Masih berlubang" in body
    assert "daftar validasi" not in body
