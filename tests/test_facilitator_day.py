"""A TA Fasilitator's day, scripted end to end (issue 22, "Done when"): a citizen files
a report through the webhook at 07:50 WIB, the kelurahan follows it up through the API
at 07:55 with a photo and where it was taken; the worker's sender announces it to her
at 08:00; she reads her queue, looks at the report (its photos as images, the criteria,
the distance), asks the Biro, gets the answer, and validates it; the citizen is told.
Everything is read from what the Twilio-compatible test server received."""

import json

import time_machine
from test_api import Api, stored
from test_guidance import QA_SIDS, app  # noqa: F401 (the app fixture, with its templates)
from test_new_work import STAFF_SIDS, wib
from test_proof_in_hand import CITIZEN, JPEG, citizen_files, kelurahan_follows_up, opened

from conftest import DEWI, RESULT_PNG, SUPERVISOR
from store.criteria import defaults

QUESTION = "Foto hasil diambil siang hari, apakah cukup untuk lampu jalan"
ANSWER = "Cukup bila nomor tiangnya sama dengan foto laporan"


def test_a_facilitators_day(app, client, store, whatsapp, fake_twilio, team, deliver):  # noqa: F811
    api = Api(client, store)

    def at(hour: int, minute: int, text: str, phone: str = DEWI) -> str:
        with time_machine.travel(wib(2026, 3, 10, hour, minute), tick=False):
            return whatsapp.send(text, phone=phone).text

    # 07:50 a citizen reports a dark street lamp with a pin and a photo; 07:55 Kramat's
    # token moves it to tindak_lanjut with a PNG and where it was taken
    with time_machine.travel(wib(2026, 3, 10, 7, 50), tick=False):
        number = citizen_files(whatsapp, fake_twilio, app)
    with time_machine.travel(wib(2026, 3, 10, 7, 55), tick=False):
        kelurahan_follows_up(api, number)

    # 08:00 the worker's sender runs: the new work reaches her (a template: she has not
    # written today)
    (announced,) = deliver(wib(2026, 3, 10, 8, 0))[DEWI]
    assert announced.form["ContentSid"] == STAFF_SIDS["new_work:id"]
    assert json.loads(announced.form["ContentVariables"])["1"] == number

    queue = at(8, 2, "ANTRIAN")
    assert f"1. {number} – Penerangan jalan, Kel. Kramat" in queue

    view = at(8, 3, "LIHAT 1")
    assert view.startswith(f"Laporan *{number}* – Tindak lanjut")
    assert "Foto laporan: 1 foto, 1 dikirim sebagai gambar setelah pesan ini." in view
    assert "Foto hasil pekerjaan: 1 foto, 1 dikirim sebagai gambar setelah pesan ini." in view
    assert "Jarak lokasi foto hasil dari titik laporan: ± 40 m" in view
    assert "Catatan tindak lanjut petugas: Lampu diganti" in view
    assert f"Kriteria validasi Penerangan jalan: {defaults()['penerangan_jalan']}" in view
    images = deliver(wib(2026, 3, 10, 8, 3))[DEWI]
    assert [image.body.split(" – ")[0] for image in images] == [
        "📷 Foto laporan 1/1",
        "✅ Foto hasil pekerjaan 1/1",
    ]
    opened_at = wib(2026, 3, 10, 8, 4)  # when Twilio fetches them
    assert [opened(client, image.form["MediaUrl"], opened_at).data for image in images] == [
        JPEG,
        RESULT_PNG,
    ]

    asked = at(8, 5, f"TANYA 1 {QUESTION}")
    assert f"Pertanyaan Anda tentang laporan {number} telah dikirim" in asked
    (question,) = deliver(wib(2026, 3, 10, 8, 5))[SUPERVISOR]
    assert question.form["ContentSid"] == QA_SIDS["staff_question:id"]
    assert json.loads(question.form["ContentVariables"]) == {
        "1": number,
        "2": "Dewi",
        "3": QUESTION,
    }

    answered = at(8, 20, f"JAWAB {number} {ANSWER}", phone=SUPERVISOR)
    assert "telah dikirim kepada Dewi" in answered
    (answer,) = deliver(wib(2026, 3, 10, 8, 20))[DEWI]
    assert f"“{ANSWER}”" in answer.body and f"“{QUESTION}”" in answer.body

    validated = at(8, 25, "VALIDASI 1 sesuai foto")
    assert f"Laporan {number} telah divalidasi dan ditutup." in validated
    assert "Pelapor kami kabari lewat WhatsApp." in validated
    told = deliver(wib(2026, 3, 10, 8, 25))[CITIZEN]
    assert any(number in message.body and "selesai" in message.body for message in told)
    assert stored(store, number).stage == "selesai"
