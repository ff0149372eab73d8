"""The whole journey: a citizen reports by WhatsApp, the kelurahan and the SKPD move it
through the API, a facilitator validates it by WhatsApp, and the citizen receives every
notification, in order, through the real `twilio` client."""

import re

import pytest

from conftest import RESULT_PNG, make_token, move_form, outbox_sender
from store.stages import Role

CITIZEN = "+6281234567890"
FACILITATOR = "+6281100000001"


@pytest.fixture
def app(twilio_app):
    return twilio_app


def _bearer(store, role: Role) -> dict[str, str]:
    return {"Authorization": f"Bearer {make_token(store, role)}"}


def test_report_to_validation_every_notification_in_order(
    app, client, whatsapp, store, fake_twilio
):
    runner = app.test_cli_runner()
    runner.invoke(args=["crm", "facilitator", "add", "--name", "Dewi", "--phone", FACILITATOR])
    for text in [
        "LAPOR",
        "1",
        "Jalan berlubang besar di depan SDN 01",
        "Jl. Kramat Raya 10",
        "Kramat, Senen",
        "LEWATI",
    ]:
        whatsapp.send(text, phone=CITIZEN)
    number = re.search(r"CRM-\d{2}-\d{6}-\d", whatsapp.send("YA", phone=CITIZEN).text).group(0)

    kelurahan, skpd = _bearer(store, Role.KELURAHAN), _bearer(store, Role.SKPD)
    moves = [
        (kelurahan, "koordinasi", "Diterima"),
        (kelurahan, "disposisi", "Ke Sudin Bina Marga"),
        (skpd, "proses", None),
        (skpd, "tindak_lanjut", "Lubang sudah ditambal"),
    ]
    for headers, stage, note in moves:
        answer = client.post(
            f"/api/v1/reports/{number}/transitions",
            headers=headers,
            data=move_form(stage, note, photos=(RESULT_PNG,) if stage == "tindak_lanjut" else ()),
            content_type="multipart/form-data",
        )
        assert answer.status_code == 200, answer.get_json()
    assert "divalidasi dan ditutup" in whatsapp.send(f"VALIDASI {number}", phone=FACILITATOR).text

    outbox_sender(app).drain()
    to_citizen = [
        got.body for got in fake_twilio.received if got.form["To"] == f"whatsapp:{CITIZEN}"
    ]
    expected = [
        "diterima oleh kelurahan",
        "diteruskan ke *Suku Dinas Bina Marga Jakarta Pusat*",
        "sedang ditangani",
        "menunggu validasi TA Fasilitator",
        "telah divalidasi oleh TA Fasilitator",
        "telah selesai",
    ]
    assert len(to_citizen) == len(expected)
    for body, phrase in zip(to_citizen, expected, strict=True):
        assert number in body and phrase in body
    assert "Balas dengan angka 1–5" in to_citizen[-1]
