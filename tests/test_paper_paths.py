"""The paper's own paths (DESIGN.md, Allowed moves): a kelurahan handles a report itself
("diproses langsung oleh kelurahan"), rejects one still waiting with a reason, and an
admin corrects a wrong rejection."""

import pytest
from test_api import API, REPORTER, Api, Outbox, stored

from conftest import make_token, move_through

FACILITATOR = "+6281100000001"


@pytest.fixture
def api(client, store):
    return Api(client, store)


def stages_told(notes) -> list[str]:
    return [note.payload["stage"] for note in notes]


def test_a_kelurahan_handles_a_report_itself_up_to_its_validation(app, api, store):
    app.test_cli_runner().invoke(
        args=["crm", "facilitator", "add", "--name", "Dewi", "--phone", FACILITATOR]
    )
    number = api.file(role="channel", reporter=REPORTER)["number"]
    watch = Outbox(store)
    for to_stage, note in [
        ("koordinasi", None),
        ("proses", "Ditangani langsung oleh kelurahan"),
        ("tindak_lanjut", "Saluran sudah dibersihkan"),
    ]:
        moved = api.move(number, to_stage, role="kelurahan", note=note)
        assert moved.status_code == 200, moved.get_json()
    validated = api.move(number, "validasi", role="facilitator")
    assert validated.status_code == 200, validated.get_json()
    report = stored(store, number)
    assert report.stage == "selesai" and report.skpd is None
    assert [entry.actor_role for entry in report.history] == [
        "channel",
        "kelurahan",
        "kelurahan",
        "kelurahan",
        "facilitator",
        "system",
    ]
    to_citizen = [note for note in watch.new() if note.kind == "stage_changed"]
    assert stages_told(to_citizen) == [
        "koordinasi",
        "proses",
        "tindak_lanjut",
        "validasi",
        "selesai",
    ]


def test_another_kelurahan_cannot_carry_on_with_it(api, store):
    number = api.file()["number"]
    move_through(store, number, "koordinasi", "proses")
    kapuk = make_token(store, "kelurahan", office="Kapuk", name="kapuk")
    moved = api.client.post(
        f"{API}/reports/{number}/transitions",
        headers={"Authorization": f"Bearer {kapuk}"},
        json={"to": "tindak_lanjut"},
    )
    assert moved.status_code == 404
    assert stored(store, number).stage == "proses"


@pytest.mark.parametrize("to_stage", ["tindak_lanjut", "ditolak"])
def test_once_disposed_the_proses_is_the_skpds_not_the_kelurahans(api, store, to_stage):
    number = api.file()["number"]
    move_through(store, number, "koordinasi", "disposisi", "proses")
    watch = Outbox(store)
    refused = api.move(number, to_stage, role="kelurahan", note="alasan")
    assert refused.status_code == 403
    assert stored(store, number).stage == "proses" and watch.new() == []
    assert api.move(number, to_stage, role="skpd", note="alasan").status_code == 200


def test_a_kelurahan_rejects_a_report_in_proses_it_handles_itself(api, store):
    number = api.file()["number"]
    move_through(store, number, "koordinasi", "proses")
    moved = api.move(number, "ditolak", role="kelurahan", note="Bukan fasilitas umum")
    assert moved.status_code == 200


def test_a_rejection_from_menunggu_tells_the_citizen_once_with_its_reason(api, store):
    number = api.file(reporter=REPORTER)["number"]
    watch = Outbox(store)
    assert api.move(number, "ditolak", role="kelurahan").status_code == 422
    assert watch.new() == []
    moved = api.move(number, "ditolak", role="kelurahan", note="Kebakaran: hubungi 112")
    assert moved.status_code == 200
    (told,) = watch.new()
    assert told.payload["stage"] == "ditolak" and told.payload["from_stage"] == "menunggu"
    assert told.payload["note"] == "Kebakaran: hubungi 112"
    assert [entry.to_stage for entry in stored(store, number).history] == [
        "menunggu",
        "ditolak",
    ]


def test_an_admin_corrects_a_wrong_rejection_with_a_reason_and_the_citizen_is_told(api, store):
    number = api.file(reporter=REPORTER)["number"]
    api.move(number, "ditolak", role="kelurahan", note="Di luar wilayah")
    watch = Outbox(store)
    assert api.move(number, "koordinasi", role="admin").status_code == 422
    for role in ["kelurahan", "skpd", "facilitator"]:
        refused = api.move(number, "koordinasi", role=role, note="keliru")
        assert refused.status_code in (403, 404), role
    assert watch.new() == []
    moved = api.move(number, "koordinasi", role="admin", note="Lokasi ternyata di Kramat")
    assert moved.status_code == 200
    (told,) = watch.new()
    assert (told.payload["stage"], told.payload["from_stage"]) == ("koordinasi", "ditolak")


def test_the_corrected_rejections_message_says_it_was_withdrawn():
    from datetime import UTC, datetime

    from handlers.notifications import render

    payload = {
        "number": "CRM-26-000123-3",
        "stage": "koordinasi",
        "from_stage": "ditolak",
        "note": "Lokasi ternyata di Kramat",
        "at": datetime(2026, 11, 28, 8, 5, tzinfo=UTC).isoformat(),
    }
    body = render("stage_changed", payload, "id").body
    assert "Penolakan laporan *CRM-26-000123-3* dibatalkan" in body
    assert "Catatan: Lokasi ternyata di Kramat" in body
    assert (
        "rejection of report *CRM-26-000123-3* has been withdrawn"
        in render("stage_changed", payload, "en").body
    )
