"""Guidance on call (issue 22, part 4): validation criteria per category, kept as data
admins change (`crm criteria`) and shown in LIHAT; a facilitator's `TANYA` goes to the
supervisors by WhatsApp, a supervisor's `JAWAB` comes back to her, and both stay in the
report's staff history, never the citizen's. Messages go through the webhook, what was
sent is read from the Twilio-compatible test server, the clock is moved."""

import json

import pytest
import time_machine
from test_api import Api
from test_new_work import STAFF_SIDS, wib
from test_proof_in_hand import CITIZEN, citizen_files, kelurahan_follows_up

from conftest import DEWI, SUPERVISOR, app_with_twilio
from store.categories import CATEGORIES
from store.criteria import defaults

RINA = "+6281100000002"  # a second facilitator
QA_SIDS = {"staff_question:id": "HX" + "1" * 32, "staff_answer:id": "HX" + "2" * 32}
MORNING = wib(2026, 3, 10, 9, 0)


@pytest.fixture
def app(database_url, fake_twilio, tmp_path):
    media = str(tmp_path / "media")
    yield from app_with_twilio(database_url, fake_twilio, STAFF_SIDS, QA_SIDS, MEDIA_DIR=media)


@pytest.fixture
def api(client, store):
    return Api(client, store)


@pytest.fixture
def in_her_queue(app, api, whatsapp, fake_twilio, team) -> str:
    """A citizen's report (penerangan jalan) followed up and in Dewi's queue."""
    with time_machine.travel(MORNING, tick=False):
        number = citizen_files(whatsapp, fake_twilio, app)
        kelurahan_follows_up(api, number)
    return number


def cli(app, *args: str):
    return app.test_cli_runner().invoke(args=["crm", *args])


def said(whatsapp, text: str, phone: str, *, minute: int = 5) -> str:
    with time_machine.travel(wib(2026, 3, 10, 9, minute), tick=False):
        return whatsapp.send(text, phone=phone).text


def test_every_category_has_default_criteria_in_indonesian(app):
    assert set(defaults()) == set(CATEGORIES)
    listed = cli(app, "criteria", "list")
    assert listed.exit_code == 0, listed.output
    lines = listed.output.strip().splitlines()
    assert [line.split("\t")[0] for line in lines] == list(CATEGORIES)
    assert all(line.split("\t")[1] == "default" for line in lines)


def test_an_admin_sets_a_categorys_criteria_and_lihat_shows_them(app, whatsapp, in_her_queue):
    default = defaults()["penerangan_jalan"]
    assert f"Kriteria validasi Penerangan jalan: {default}" in said(
        whatsapp, f"LIHAT {in_her_queue}", DEWI
    )

    text = "Foto malam hari, lampu menyala, nomor tiang terlihat."
    changed = cli(app, "criteria", "set", "penerangan_jalan", "--text", f"  {text} ")
    assert changed.exit_code == 0, changed.output
    shown = cli(app, "criteria", "show", "penerangan_jalan")
    assert shown.output.startswith("penerangan_jalan (set ") and text in shown.output

    assert f"Kriteria validasi Penerangan jalan: {text}" in said(
        whatsapp, f"LIHAT {in_her_queue}", DEWI, minute=6
    )


def test_criteria_for_no_category_or_without_text_are_refused(app):
    assert cli(app, "criteria", "set", "gempa", "--text", "x").exit_code != 0
    empty = cli(app, "criteria", "set", "sampah", "--text", "   ")
    assert empty.exit_code != 0 and "need a text" in empty.output
    assert cli(app, "criteria", "show", "gempa").exit_code != 0


def test_tanya_reaches_the_supervisor_and_jawab_comes_back_to_her(whatsapp, deliver, in_her_queue):
    number = in_her_queue
    said(whatsapp, "halo", SUPERVISOR, minute=1)  # his 24-hour window is open: free text
    said(whatsapp, "ANTRIAN", DEWI)
    reply = said(whatsapp, "TANYA 1 Foto diambil siang hari, apakah cukup?", DEWI)
    assert f"Pertanyaan Anda tentang laporan {number} telah dikirim kepada 1 supervisor" in reply

    (question,) = deliver(wib(2026, 3, 10, 9, 5))[SUPERVISOR]
    assert f"Pertanyaan dari TA Fasilitator Dewi tentang laporan *{number}*" in question.body
    # as asked, its "?" too
    assert "“Foto diambil siang hari, apakah cukup?”" in question.body
    assert f"Balas: JAWAB {number} <jawaban Anda>" in question.body

    answer = said(whatsapp, f"JAWAB {number} Cukup bila nomor tiang terlihat.", SUPERVISOR)
    assert f"Jawaban Anda tentang laporan {number} telah dikirim kepada Dewi" in answer
    assert "masih menunggu" not in answer

    (answered,) = deliver(wib(2026, 3, 10, 9, 6))[DEWI]
    assert f"Jawaban Pak Sup (Biro Pemerintahan) tentang laporan *{number}*" in answered.body
    assert "“Cukup bila nomor tiang terlihat.”" in answered.body

    view = said(whatsapp, f"LIHAT {number}", DEWI, minute=7)
    assert "Tanya-jawab dengan Biro Pemerintahan:" in view
    assert "Dewi: Foto diambil siang hari, apakah cukup?" in view
    assert "↳ Pak Sup (10 Mar 2026 pukul 09.05 WIB): Cukup bila nomor tiang terlihat.\n" in view


def test_the_questions_stay_out_of_the_citizens_history(api, whatsapp, in_her_queue):
    number = in_her_queue
    said(whatsapp, f"TANYA {number} Apakah ini lokasi yang sama?", DEWI)
    said(whatsapp, f"JAWAB {number} Ya, sama.", SUPERVISOR)
    for text in (
        said(whatsapp, f"STATUS {number}", CITIZEN),
        json.dumps(api.get(f"/reports/{number}").get_json()),
    ):
        assert "lokasi yang sama" not in text and "Ya, sama" not in text


def test_when_two_asked_the_answer_goes_to_the_latest_and_the_supervisor_is_told(
    app, whatsapp, deliver, in_her_queue
):
    number = in_her_queue
    assert cli(app, "facilitator", "add", "--name", "Rina", "--phone", RINA).exit_code == 0
    said(whatsapp, f"TANYA {number} Dari Dewi: apakah cukup?", DEWI, minute=5)
    said(whatsapp, f"TANYA {number} Dari Rina: perlu foto malam?", RINA, minute=6)
    deliver(wib(2026, 3, 10, 9, 6))

    first = said(whatsapp, f"JAWAB {number} Perlu.", SUPERVISOR, minute=7)
    assert "telah dikirim kepada Rina" in first
    assert "masih menunggu jawaban, dari Dewi" in first and "penanya terakhir" in first
    assert list(deliver(wib(2026, 3, 10, 9, 7))) == [RINA]

    second = said(whatsapp, f"JAWAB {number} Cukup.", SUPERVISOR, minute=8)
    assert "telah dikirim kepada Dewi" in second and "masih menunggu" not in second
    assert list(deliver(wib(2026, 3, 10, 9, 8))) == [DEWI]


def test_a_question_at_night_waits_for_the_morning(whatsapp, deliver, in_her_queue):
    with time_machine.travel(wib(2026, 3, 10, 22, 0), tick=False):
        whatsapp.send(f"TANYA {in_her_queue} Apakah cukup?", phone=DEWI)
    assert SUPERVISOR not in deliver(wib(2026, 3, 10, 22, 0))
    (morning,) = deliver(wib(2026, 3, 11, 6, 0))[SUPERVISOR]
    # he has not written in 24 hours: the approved template carries it
    assert morning.form["ContentSid"] == QA_SIDS["staff_question:id"]
    variables = json.loads(morning.form["ContentVariables"])
    assert variables == {"1": in_her_queue, "2": "Dewi", "3": "Apakah cukup?"}


@pytest.mark.parametrize(
    ("text", "phone", "expected"),
    [
        ("TANYA", DEWI, "Mohon sertakan nomor laporan"),
        ("TANYA {number}", DEWI, "Mohon tulis pertanyaan Anda setelah nomornya"),
        ("TANYA 7 apakah cukup?", DEWI, "tidak ada nomor urut 7"),
        ("JAWAB", SUPERVISOR, "Mohon sertakan nomor laporan dan jawaban Anda"),
        ("JAWAB CRM-26-000123-4 ok", SUPERVISOR, "Nomor tidak valid"),
        ("JAWAB {number}", SUPERVISOR, "Mohon tulis jawaban Anda setelah nomor laporan"),
        ("JAWAB {number} Cukup.", SUPERVISOR, "Tidak ada pertanyaan fasilitator yang menunggu"),
        ("halo", SUPERVISOR, "Menu supervisor Biro Pemerintahan"),
    ],
)
def test_bad_staff_input_is_told_what_it_needs(whatsapp, in_her_queue, text, phone, expected):
    said(whatsapp, "ANTRIAN", DEWI)
    assert expected in said(whatsapp, text.format(number=in_her_queue), phone)


def test_a_citizen_typing_tanya_or_jawab_is_not_taken_for_staff(whatsapp, deliver, in_her_queue):
    number = in_her_queue
    for text in (f"TANYA {number} kapan selesai?", f"JAWAB {number} terima kasih"):
        reply = said(whatsapp, text, CITIZEN)
        assert "supervisor" not in reply.lower() and "pertanyaan anda" not in reply.lower()
        assert number in reply  # read as asking after the report, as before
    assert SUPERVISOR not in deliver(wib(2026, 3, 10, 9, 5))
