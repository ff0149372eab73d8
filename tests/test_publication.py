"""The publication rule (store/publication.py), through the doors the public reads:
Open311's requests and updates. Each case is one of the audit's findings (issue 19)."""

import pytest
import time_machine
from sqlalchemy import text

from conftest import CITIZEN, make_token, move_through
from store import publication, reports
from store.clock import utcnow
from store.numbers import parse_number
from store.phones import mask_numbers
from store.stages import Role

V2 = "/open311/v2"
STORY = "Jalan berlubang besar di depan sekolah"  # what WhatsApp.file_report files
PHOTO = ("https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1", "image/jpeg")


@pytest.fixture
def api_key(store):
    return make_token(store, Role.CHANNEL)


def open311_post(client, key, **fields):
    form = {
        "api_key": key,
        "service_code": "jalan_rusak",
        "lat": "-6.186234",
        "long": "106.834187",
        "address_string": "Jl. Kramat Raya 10, rumah Bu Siti",
        "attribute[kelurahan]": "Kramat",
        "description": "Jalan berlubang besar di depan rumah Bu Siti Aminah",
        "media_url": "https://media.example.org/lubang.jpg",
        **fields,
    }
    return client.post(f"{V2}/requests.json", data=form)


def filed(client, key, **fields) -> str:
    answer = open311_post(client, key, **fields)
    assert answer.status_code == 201, answer.get_data(as_text=True)
    return answer.get_json()[0]["service_request_id"]


def public_request(client, number: str) -> dict:
    (request,) = client.get(f"{V2}/requests/{number}.json").get_json()
    return request


def updates_of(client, number: str) -> list[dict]:
    every = client.get(f"{V2}/servicerequestupdates.json").get_json()
    return [update for update in every if update["service_request_id"] == number]


# --- Reports filed by other channels --------------------------------------------------------


def test_a_channels_report_without_consent_shows_stage_category_and_kelurahan_only(client, api_key):
    number = filed(client, api_key)
    request = public_request(client, number)
    assert request["description"] == "" and request["address"] == ""
    assert request["media_url"] == ""
    assert (request["lat"], request["long"]) == (-6.186, 106.834)  # about 100 m
    assert request["service_code"] == "jalan_rusak" and request["zipcode"] == "10450"
    body = client.get(f"{V2}/requests.xml?service_code=jalan_rusak").get_data(as_text=True)
    assert "Siti" not in body and "lubang.jpg" not in body and "186234" not in body


def test_a_channels_report_whose_reporter_agreed_is_public_as_filed(client, api_key):
    number = filed(client, api_key, **{"attribute[public_consent]": "true"})
    request = public_request(client, number)
    assert request["description"] == "Jalan berlubang besar di depan rumah Bu Siti Aminah"
    assert request["address"] == "Jl. Kramat Raya 10, rumah Bu Siti"
    assert (request["lat"], request["long"]) == (-6.186234, 106.834187)
    assert request["media_url"] == "https://media.example.org/lubang.jpg"


def test_the_consent_attribute_is_in_the_service_definition_and_only_true_or_false(
    client, api_key, store
):
    definition = client.get(f"{V2}/services/jalan_rusak.json").get_json()
    consent = next(a for a in definition["attributes"] if a["code"] == "public_consent")
    assert consent["required"] == "false"
    assert [value["key"] for value in consent["values"]] == ["true", "false"]
    refused = open311_post(client, api_key, **{"attribute[public_consent]": "ya"})
    assert refused.status_code == 400
    assert store(reports.count_reports) == 0


def test_the_api_takes_consent_as_a_json_boolean_and_defaults_to_none(client, store):
    key = make_token(store, Role.CHANNEL)
    headers = {"Authorization": f"Bearer {key}"}
    body = {
        "channel": "JAKI",
        "category": "sampah",
        "description": "Sampah menumpuk di pinggir kali",
        "kelurahan": "Kramat",
    }
    private = client.post("/api/v1/reports", json=body, headers=headers).get_json()["number"]
    public = client.post(
        "/api/v1/reports", json={**body, "public_consent": True}, headers=headers
    ).get_json()["number"]
    refused = client.post(
        "/api/v1/reports", json={**body, "public_consent": "yes"}, headers=headers
    )
    assert refused.status_code == 422 and refused.get_json()["error"]["field"] == "public_consent"
    assert public_request(client, private)["description"] == ""
    assert public_request(client, public)["description"] == "Sampah menumpuk di pinggir kali"


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(document.cookie)",
        "JavaScript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "http://media.example.org/lubang.jpg",
        "//media.example.org/lubang.jpg",
        "https://",
    ],
)
def test_a_media_url_that_is_not_https_is_refused_and_nothing_filed(client, api_key, store, url):
    answer = open311_post(client, api_key, media_url=url)
    assert answer.status_code == 400 and "https" in answer.get_json()[0]["description"]
    assert store(reports.count_reports) == 0


def test_a_stored_media_url_that_is_not_https_is_never_republished(client, api_key, app, store):
    number = filed(client, api_key, **{"attribute[public_consent]": "true"})
    with app.extensions["crm.engine"].begin() as connection:
        connection.execute(text("UPDATE report_media SET url = 'javascript:alert(1)'"))
    assert public_request(client, number)["media_url"] == ""


# --- Reports filed through our WhatsApp summary ---------------------------------------------


def test_a_whatsapp_report_is_public_as_its_summary_said(whatsapp, client):
    number = whatsapp.file_report()
    request = public_request(client, number)
    assert request["description"] == STORY and request["address"] == "Jl. Kramat Raya 10"


def test_an_addition_the_reporter_sends_later_reaches_the_officers_not_the_public(
    whatsapp, client, store
):
    number = whatsapp.file_report()
    offered = whatsapp.send("Saya Siti Aminah, rumah saya persis di depan lubangnya")
    assert "hanya dibaca petugas" in offered.text
    assert "sudah kami tambahkan" in whatsapp.send("YA").text
    staff_view = store(reports.find_report, parse_number(number).digits)
    assert "Siti Aminah" in staff_view.description
    assert public_request(client, number)["description"] == STORY
    assert "Siti" not in client.get(f"{V2}/requests.xml").get_data(as_text=True)


def test_a_photo_sent_after_filing_is_kept_for_the_officers_only(whatsapp, client, store):
    number = whatsapp.file_report()
    assert "1 foto kami tambahkan" in whatsapp.send(media=[PHOTO]).text
    staff_view = store(reports.find_report, parse_number(number).digits)
    assert [photo.url for photo in staff_view.photos] == [PHOTO[0]]
    assert public_request(client, number)["media_url"] == ""


def test_the_first_photo_filed_with_the_report_is_public(whatsapp, client):
    for message in ("LAPOR", "1", STORY, "Jl. Kramat Raya 10", "Kramat, Senen"):
        whatsapp.send(message)
    whatsapp.send(media=[PHOTO])
    number = whatsapp.send("YA").report_number
    assert public_request(client, number)["media_url"] == PHOTO[0]


def test_a_reopen_reason_reaches_the_officers_and_the_public_sees_the_stage(
    whatsapp, client, store
):
    reason = "masih rusak, saya Siti Aminah di gang 3 telp (0812) 3456-7890"
    number = whatsapp.file_report()
    with time_machine.travel(utcnow(), tick=False):
        move_through(store, number, "koordinasi", "proses", "tindak_lanjut", "validasi", "selesai")
        whatsapp.send("MENU")  # no longer a rating
        assert "kami buka kembali" in whatsapp.send(f"BUKA {number} {reason}").text
    staff_view = store(reports.find_report, parse_number(number).digits)
    assert staff_view.history[-1].note == reason
    request = public_request(client, number)
    assert request["status_notes"] == "Proses"
    assert updates_of(client, number)[-1]["description"] == "Proses"
    every_public_text = client.get(f"{V2}/servicerequestupdates.xml").get_data(as_text=True)
    assert "Siti" not in every_public_text and "3456" not in every_public_text


def test_a_reopened_report_shows_no_older_note_under_its_new_stage(whatsapp, client, store):
    number = whatsapp.file_report()
    with time_machine.travel(utcnow(), tick=False):
        move_through(store, number, "koordinasi", "proses", "tindak_lanjut")
        move_through(store, number, "validasi", "selesai", note="Lubang sudah ditambal")
        whatsapp.send("MENU")  # no longer a rating
        whatsapp.send(f"BUKA {number} lubangnya muncul lagi")
    assert public_request(client, number)["status_notes"] == "Proses"


def test_an_officers_note_stays_public_with_its_phone_masked(whatsapp, client, store):
    number = whatsapp.file_report()
    move_through(store, number, "koordinasi", note="Hubungi Pak RT di (021) 5551234")
    expected = f"Koordinasi: {mask_numbers('Hubungi Pak RT di (021) 5551234')}"
    assert public_request(client, number)["status_notes"] == expected
    assert updates_of(client, number)[-1]["description"] == expected


def test_the_reporters_phone_and_name_are_never_public(whatsapp, client):
    number = whatsapp.file_report()
    for path in (f"/requests/{number}.xml", "/requests.json", "/servicerequestupdates.xml"):
        body = client.get(V2 + path).get_data(as_text=True)
        assert "Siti" not in body and CITIZEN[3:] not in body, path


# --- The rule itself -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "public"),
    [
        ("https://media.example.org/a.jpg", True),
        ("HTTPS://media.example.org/a.jpg", True),
        ("http://media.example.org/a.jpg", False),
        ("javascript:alert(1)", False),
        ("https:///a.jpg", False),
        ("https://[::1", False),
        ("", False),
    ],
)
def test_only_https_links_are_public(url, public):
    assert publication.is_public_media_url(url) is public


def test_the_migration_publishes_what_each_reporter_was_told_of_reports_filed_before(tmp_path):
    """Migration 0015 on a store of the earlier schema: a WhatsApp report keeps its story
    as filed (not the addition after it) and its filed photo (not the one sent after);
    a channel that called itself "whatsapp" publishes nothing."""
    from store.db import make_engine, upgrade

    engine = make_engine(f"sqlite:///{tmp_path / 'before.db'}")
    upgrade(engine, "0014")
    filed, later = "MM" + "1" * 32, "MM" + "2" * 32
    media = "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/{}/Media/ME1"
    rows = [
        "INSERT INTO contact (id, sender_key, phone, language, language_chosen, created_at,"
        " notifications_paused) VALUES (1, '+6281234567890', '+6281234567890', 'id', 0,"
        " '2026-12-01 10:00:00', 0)",
        *(
            "INSERT INTO report (id, number, number_digits, channel, category, description,"
            " kelurahan_id, kelurahan, kecamatan, kota, stage, stage_changed_at, created_at)"
            f" VALUES ({n}, 'CRM-26-00000{n}-0', '2600000{n}0', '{channel}', 'sampah',"
            f" '{story}', 1, 'Kramat', 'Senen', 'Jakarta Pusat', 'menunggu',"
            " '2026-12-01 10:05:00', '2026-12-01 10:05:00')"
            for n, channel, story in [
                (1, "whatsapp", "Sampah menumpuk\n\nTambahan dari pelapor, 1 Des: Siti di sini"),
                (2, "whatsapp", "Sampah di kali"),
            ]
        ),
        "INSERT INTO stage_change (report_id, seq, to_stage, actor_role, at) VALUES"
        " (1, 0, 'menunggu', 'citizen', '2026-12-01 10:05:00'),"
        " (2, 0, 'menunggu', 'channel', '2026-12-01 10:05:00')",
        "INSERT INTO inbound_message (message_sid, contact_id, body, num_media, received_at,"
        f" reply_queued) VALUES ('{filed}', 1, '', 1, '2026-12-01 10:03:00', 0),"
        f" ('{later}', 1, '', 1, '2026-12-01 10:20:00', 0)",
        f"INSERT INTO report_media (report_id, url) VALUES (1, '{media.format(filed)}'),"
        f" (1, '{media.format(later)}')",
    ]
    with engine.begin() as connection:
        for row in rows:
            connection.execute(text(row))
    upgrade(engine)
    with engine.connect() as connection:
        stories = connection.execute(
            text("SELECT id, public_description FROM report ORDER BY id")
        ).all()
        photos = (
            connection.execute(text("SELECT added_later FROM report_media ORDER BY id"))
            .scalars()
            .all()
        )
    engine.dispose()
    assert stories == [(1, "Sampah menumpuk"), (2, None)]
    assert photos == [0, 1]
