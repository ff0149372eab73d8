"""Proof in hand (issue 22, part 3): a facilitator's LIHAT sends the photos of the
problem and of the finished work as WhatsApp images (one per message, through links
Twilio fetches from our `/media` route), the officer's note, and how far from the
report's pin the work was photographed when the officer said where. Reports are filed
through the webhook and moved through the API; what was sent is read from the
Twilio-compatible test server."""

from datetime import datetime
from urllib.parse import urlsplit

import pytest
import time_machine
from test_api import Api
from test_new_work import STAFF_SIDS, wib

from bot.worker import worker_resources
from conftest import (
    DEWI,
    PUBLIC_BASE_URL,
    RESULT_PNG,
    WhatsApp,
    app_with_twilio,
    make_token,
    move_form,
    png,
)
from handlers.facilitator import PHOTOS_SENT
from scheduler import jobs

CITIZEN = "+6281234567001"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"a dark street lamp " * 20
PIN = (-6.1855, 106.846)  # in Kramat
WORK_PHOTOGRAPHED_AT = (-6.1857, 106.8463)  # 40 m from the pin


@pytest.fixture
def app(database_url, fake_twilio, tmp_path):
    media = str(tmp_path / "media")
    yield from app_with_twilio(database_url, fake_twilio, STAFF_SIDS, MEDIA_DIR=media)


@pytest.fixture
def api(client, store):
    return Api(client, store)


def citizen_files(
    whatsapp: WhatsApp, fake_twilio, app, *, photos=(JPEG,), pin=PIN, phone=CITIZEN
) -> str:
    """A report a citizen files through the webhook, with a pin (or an address) and
    photos, which the worker then copies from Twilio into the media store."""
    for text in ("LAPOR", "5", "Lampu jalan mati sudah tiga malam"):
        whatsapp.send(text, phone=phone)
    if pin is None:
        whatsapp.send("Jl. Kramat Raya 10", phone=phone)
        whatsapp.send("Kramat, Senen", phone=phone)
    else:
        whatsapp.send(location=pin, phone=phone)
    media = [(fake_twilio.add_media(data, "image/jpeg"), "image/jpeg") for data in photos]
    if media:
        whatsapp.send(media=media, phone=phone)
    else:
        whatsapp.send("LEWATI", phone=phone)
    number = whatsapp.send("YA", phone=phone).report_number
    assert number, "the report was filed"
    jobs.copy_photos(worker_resources(app))
    return number


def kelurahan_follows_up(
    api: Api, number: str, *, photos=(RESULT_PNG,), place=WORK_PHOTOGRAPHED_AT, note="Lampu diganti"
) -> None:
    """Kramat's token accepts the report, works on it, and moves it to tindak_lanjut
    with photos of the finished work and, when given, where they were taken."""
    kramat = {"Authorization": f"Bearer {make_token(api.store, 'kelurahan', name='kramat')}"}
    path = f"/api/v1/reports/{number}/transitions"
    for stage in ("koordinasi", "proses"):
        assert api.client.post(path, headers=kramat, json={"to": stage}).status_code == 200
    fields = {} if place is None else {"latitude": str(place[0]), "longitude": str(place[1])}
    form = move_form("tindak_lanjut", note, photos=photos, **fields)
    moved = api.client.post(path, headers=kramat, data=form, content_type="multipart/form-data")
    assert moved.status_code == 200, moved.get_json()


def opened(client, url: str, at: datetime):
    """GET a MediaUrl as Twilio does when it sends (`at`): an absolute URL of ours."""
    assert url.startswith(PUBLIC_BASE_URL + "/media/"), url
    parts = urlsplit(url)
    with time_machine.travel(at, tick=False):
        return client.get(f"{parts.path}?{parts.query}")


def lihat(whatsapp: WhatsApp, deliver, text: str, at: datetime) -> tuple[str, list]:
    """Her LIHAT's reply, and the images the sender then sent her."""
    with time_machine.travel(at, tick=False):
        reply = whatsapp.send(text, phone=DEWI)
    return reply.text, [sent for sent in deliver(at).get(DEWI, []) if "MediaUrl" in sent.form]


def test_lihat_sends_the_photos_before_and_after_as_images_that_open_the_right_bytes(
    app, api, client, whatsapp, fake_twilio, team, deliver
):
    with time_machine.travel(wib(2026, 3, 10, 9, 0), tick=False):
        number = citizen_files(whatsapp, fake_twilio, app)
        kelurahan_follows_up(api, number)
    deliver(wib(2026, 3, 10, 9, 1))  # the citizen's notices, her new work

    text, images = lihat(whatsapp, deliver, f"LIHAT {number}", wib(2026, 3, 10, 9, 5))

    assert "Foto laporan: 1 foto, 1 dikirim sebagai gambar setelah pesan ini." in text
    assert "Foto hasil pekerjaan: 1 foto, 1 dikirim sebagai gambar setelah pesan ini." in text
    assert "Catatan tindak lanjut petugas: Lampu diganti" in text
    assert "Tautan foto" not in text  # nothing left as a link
    assert [image.body for image in images] == [
        f"📷 Foto laporan 1/1 – {number}",
        f"✅ Foto hasil pekerjaan 1/1 – {number}",
    ]
    served = [opened(client, image.form["MediaUrl"], wib(2026, 3, 10, 9, 5)) for image in images]
    assert [(page.status_code, page.data) for page in served] == [(200, JPEG), (200, RESULT_PNG)]


def test_the_distance_from_the_pin_to_where_the_work_was_photographed_is_shown(
    app, api, whatsapp, fake_twilio, team, deliver
):
    with time_machine.travel(wib(2026, 3, 10, 9, 0), tick=False):
        number = citizen_files(whatsapp, fake_twilio, app)
        kelurahan_follows_up(api, number, place=WORK_PHOTOGRAPHED_AT)

    text, _ = lihat(whatsapp, deliver, f"LIHAT {number}", wib(2026, 3, 10, 9, 5))

    assert "Jarak lokasi foto hasil dari titik laporan: ± 40 m" in text


@pytest.mark.parametrize(
    ("pin", "place"),
    [(PIN, None), (None, WORK_PHOTOGRAPHED_AT)],
    ids=["place-of-the-work-unknown", "no-pin"],
)
def test_no_distance_is_shown_unless_both_places_are_known(
    app, api, whatsapp, fake_twilio, team, deliver, pin, place
):
    with time_machine.travel(wib(2026, 3, 10, 9, 0), tick=False):
        number = citizen_files(whatsapp, fake_twilio, app, pin=pin)
        kelurahan_follows_up(api, number, place=place)

    text, _ = lihat(whatsapp, deliver, f"LIHAT {number}", wib(2026, 3, 10, 9, 5))

    assert "Jarak" not in text


def test_more_photos_than_are_sent_are_counted_and_linked(
    app, api, client, whatsapp, fake_twilio, team, deliver
):
    results = tuple(png(10 * n, 120, 10) for n in range(1, 6))
    with time_machine.travel(wib(2026, 3, 10, 9, 0), tick=False):
        number = citizen_files(whatsapp, fake_twilio, app)
        kelurahan_follows_up(api, number, photos=results)

    text, images = lihat(whatsapp, deliver, f"LIHAT {number}", wib(2026, 3, 10, 9, 5))

    more = len(results) - PHOTOS_SENT
    assert f"Foto hasil pekerjaan: 5 foto, {PHOTOS_SENT} dikirim sebagai gambar" in text
    assert f"; {more} lainnya:" in text
    assert "(Tautan foto berlaku sampai" in text
    after = [image for image in images if "Foto hasil" in image.body]
    assert [image.body.split(" – ")[0] for image in after] == [
        f"✅ Foto hasil pekerjaan {n}/{PHOTOS_SENT}" for n in range(1, PHOTOS_SENT + 1)
    ]
    sent = [opened(client, image.form["MediaUrl"], wib(2026, 3, 10, 9, 5)).data for image in after]
    assert sent == list(results[:PHOTOS_SENT])


def test_a_photo_not_yet_copied_is_described_and_not_sent(
    app, api, whatsapp, fake_twilio, team, deliver
):
    with time_machine.travel(wib(2026, 3, 10, 9, 0), tick=False):
        for text in ("LAPOR", "5", "Lampu jalan mati sudah tiga malam"):
            whatsapp.send(text, phone=CITIZEN)
        whatsapp.send(location=PIN, phone=CITIZEN)
        whatsapp.send(
            media=[(fake_twilio.add_media(JPEG, "image/jpeg"), "image/jpeg")], phone=CITIZEN
        )
        number = whatsapp.send("YA", phone=CITIZEN).report_number  # not copied yet
        kelurahan_follows_up(api, number)

    text, images = lihat(whatsapp, deliver, f"LIHAT {number}", wib(2026, 3, 10, 9, 5))

    assert "Foto laporan: 1 foto:\n• belum tersimpan, coba LIHAT lagi" in text
    assert [image.body.split(" ")[1] for image in images] == ["Foto"]  # the result only
    assert "Foto hasil" in images[0].body


def test_a_place_without_photos_or_half_a_place_is_refused(api, whatsapp, fake_twilio, app):
    number = citizen_files(whatsapp, fake_twilio, app)
    kramat = {"Authorization": f"Bearer {make_token(api.store, 'kelurahan', name='kramat')}"}
    path = f"/api/v1/reports/{number}/transitions"
    for stage in ("koordinasi", "proses"):
        assert api.client.post(path, headers=kramat, json={"to": stage}).status_code == 200
    for fields, photos in (
        ({"latitude": "-6.18"}, (RESULT_PNG,)),
        (dict(latitude="-6.18", longitude="106.8"), ()),
    ):
        form = move_form("tindak_lanjut", "x", photos=photos, **fields)
        refused = api.client.post(
            path, headers=kramat, data=form, content_type="multipart/form-data"
        )
        assert refused.status_code == 422, refused.get_json()


def test_crm_move_takes_where_the_photos_were_taken(
    app, whatsapp, fake_twilio, team, deliver, tmp_path
):
    with time_machine.travel(wib(2026, 3, 10, 9, 0), tick=False):
        number = citizen_files(whatsapp, fake_twilio, app)
        photo = tmp_path / "hasil.png"
        photo.write_bytes(RESULT_PNG)
        runner = app.test_cli_runner()
        for stage in ("koordinasi", "proses"):
            assert runner.invoke(args=["crm", "move", number, stage]).exit_code == 0
        half = runner.invoke(
            args=[
                "crm",
                "move",
                number,
                "tindak_lanjut",
                "--photo",
                str(photo),
                "--latitude",
                "-6.1857",
            ]
        )
        assert half.exit_code != 0 and "go together" in half.output
        moved = runner.invoke(
            args=[
                "crm",
                "move",
                number,
                "tindak_lanjut",
                "--note",
                "Lampu diganti",
                "--photo",
                str(photo),
                "--latitude",
                "-6.1857",
                "--longitude",
                "106.8463",
            ]
        )
        assert moved.exit_code == 0, moved.output

    text, _ = lihat(whatsapp, deliver, f"LIHAT {number}", wib(2026, 3, 10, 9, 5))

    assert "Jarak lokasi foto hasil dari titik laporan: ± 40 m" in text
