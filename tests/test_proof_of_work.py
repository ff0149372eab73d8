"""Proof of the work (issue 20, part 5): a move to tindak_lanjut carries photos of the
finished work, checked by their bytes and kept in the media store before the move
commits; staff who may see them get links that open for a while, and refuse when
altered or expired; a facilitator's LIHAT shows the photos before and after."""

import io
import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import time_machine
from test_api import API, REPORTER, Api, Outbox, error_of, stored

from bot import create_app
from bot.config import ConfigError
from bot.media import open_store
from conftest import RESULT_PNG, app_config, make_token, move_form, move_through, png
from store import outbox, reports
from store.clock import utcnow
from store.media import key_of
from store.places import match_kelurahan
from store.stages import Role

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(64)  # what a JPEG starts with, and more
FACILITATOR = "+6281100000001"


@pytest.fixture
def api(client, store):
    return Api(client, store)


def in_proses(api: Api) -> str:
    """A report a channel filed in Kramat, which the kelurahan handles itself."""
    number = api.file(role="channel", reporter=REPORTER)["number"]
    move_through(api.store, number, "koordinasi", "proses")
    return number


def follow_up(api: Api, number: str, *photos: bytes, role="kelurahan", **fields):
    form = move_form("tindak_lanjut", "Saluran sudah dibersihkan", photos=photos, **fields)
    return api.post(
        f"/reports/{number}/transitions", role=role, data=form, content_type="multipart/form-data"
    )


def channel_report(*, photo: str) -> reports.NewReport:
    """A report a channel filed with its own link to a photo (as Open311's media_url)."""
    return reports.NewReport(
        category="saluran_air",
        description="Saluran tersumbat sampah",
        kelurahan=match_kelurahan("Kramat").chosen,
        photos=(reports.Photo(photo),),
        channel="JAKI",
        created_by=Role.CHANNEL,
    )


def opened(client, url: str):
    """GET a link as a browser on a phone would: its path and query, nothing else."""
    parts = urlsplit(url)
    return client.get(f"{parts.path}?{parts.query}")


def test_a_follow_up_without_a_photo_is_422_and_nothing_changes_or_is_sent(api, store):
    number = in_proses(api)
    before, watch = stored(store, number), Outbox(store)
    for response in (
        api.post(f"/reports/{number}/transitions", {"to": "tindak_lanjut"}, role="kelurahan"),
        follow_up(api, number),  # multipart, without a photo part
    ):
        assert response.status_code == 422
        assert error_of(response)["code"] == "photo_required"
        assert error_of(response)["field"] == "photo"
    after = stored(store, number)
    assert after.history == before.history and after.photos == ()
    assert watch.new() == []


def test_a_follow_up_keeps_its_photos_and_the_office_opens_them_by_link(app, api, client, store):
    number = in_proses(api)
    green, red = png(0, 200, 0), png(200, 0, 0)
    moved = follow_up(api, number, green, red)
    assert moved.status_code == 200, moved.get_json()
    photos = [photo for photo in moved.get_json()["photos"] if photo["kind"] == "result"]
    assert len(photos) == 2
    assert [opened(client, photo["url"]).data for photo in photos] == [green, red]
    response = opened(client, photos[0]["url"])
    assert response.mimetype == "image/png"
    assert response.headers["Cache-Control"].startswith("private")
    assert response.headers["Referrer-Policy"] == "no-referrer"
    kept = open_store(app.config["SETTINGS"])
    assert kept.get(key_of(green, "image/png")) == green
    assert stored(store, number).stage == "tindak_lanjut"


def test_a_jpeg_is_taken_by_its_bytes_whatever_its_name_says(api, store):
    number = in_proses(api)
    form = {"to": "tindak_lanjut", "photo": [(io.BytesIO(JPEG), "hasil.png")]}
    moved = api.post(
        f"/reports/{number}/transitions",
        role="kelurahan",
        data=form,
        content_type="multipart/form-data",
    )
    assert moved.status_code == 200, moved.get_json()
    (after,) = stored(store, number).result_photos
    assert after.content_type == "image/jpeg"


@pytest.mark.parametrize(
    ("photos", "status", "code"),
    [
        ((b"<html><script>alert(1)</script></html>",), 422, "invalid_photo"),
        ((b"GIF89a" + bytes(20),), 422, "invalid_photo"),
        ((RESULT_PNG, b"%PDF-1.7"), 422, "invalid_photo"),
        ((RESULT_PNG,) * 6, 422, "invalid_field"),
        ((b"\x89PNG\r\n\x1a\n" + bytes(3000),), 413, "photo_too_large"),
    ],
    ids=["html", "gif", "one-of-two-a-pdf", "six-photos", "too-large"],
)
def test_a_photo_that_is_no_jpeg_or_png_or_too_large_is_refused_and_nothing_changes(
    database_url, store, photos, status, code
):
    app = create_app(app_config(database_url, MEDIA_MAX_BYTES="2048"))
    try:
        api = Api(app.test_client(), store)
        number = in_proses(api)
        before, watch = stored(store, number), Outbox(store)
        response = follow_up(api, number, *photos)
        assert response.status_code == status
        assert error_of(response)["code"] == code and error_of(response)["field"] == "photo"
        assert stored(store, number).history == before.history
        assert watch.new() == []
    finally:
        app.extensions["crm.engine"].dispose()


def test_a_photo_goes_only_with_a_move_to_tindak_lanjut(api, store):
    number = api.file(role="channel", reporter=REPORTER)["number"]
    form = move_form("koordinasi", photos=(RESULT_PNG,))
    response = api.post(
        f"/reports/{number}/transitions",
        role="kelurahan",
        data=form,
        content_type="multipart/form-data",
    )
    assert response.status_code == 422 and error_of(response)["field"] == "photo"
    assert stored(store, number).stage == "menunggu"


def test_a_media_store_that_cannot_keep_the_photos_is_503_and_the_move_is_undone(
    database_url, store, tmp_path
):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the media folder should be")
    app = create_app(app_config(database_url, MEDIA_DIR=str(blocked / "media")))
    try:
        api = Api(app.test_client(), store)
        number = in_proses(api)
        before, watch = stored(store, number), Outbox(store)
        response = follow_up(api, number, RESULT_PNG)
        assert response.status_code == 503
        assert error_of(response)["code"] == "media_unavailable"
        assert stored(store, number).history == before.history
        assert watch.new() == []
    finally:
        app.extensions["crm.engine"].dispose()


def test_a_link_refuses_when_altered_or_pointed_at_another_photo(api, client):
    number = in_proses(api)
    first, second = follow_up(api, number, png(1, 2, 3), png(4, 5, 6)).get_json()["photos"]
    assert opened(client, first["url"]).status_code == 200
    signature = re.search(r"signature=([^&]+)", first["url"]).group(1)
    expires = re.search(r"expires=(\d+)", first["url"]).group(1)
    altered = [
        first["url"].replace(f"expires={expires}", f"expires={int(expires) + 3600}"),
        first["url"].replace(
            signature, signature[:-2] + ("AA" if signature[-2:] != "AA" else "BB")
        ),
        second["url"].replace(re.search(r"signature=([^&]+)", second["url"]).group(1), signature),
        first["url"].replace(f"expires={expires}", "expires=%C2%B2"),  # "²": a digit to str
        first["url"].split("&signature=")[0],
        first["url"].split("?")[0],
    ]
    for url in altered:
        response = opened(client, url)
        assert response.status_code == 403, url
        assert "tidak sah" in response.get_data(as_text=True)
        assert response.mimetype == "text/plain"


def test_a_link_refuses_once_it_expired(api, client):
    number = in_proses(api)
    (photo,) = follow_up(api, number, RESULT_PNG).get_json()["photos"]
    expires_at = photo["expires_at"]
    assert expires_at.endswith("Z")
    with time_machine.travel(utcnow() + timedelta(hours=23, minutes=59), tick=False):
        assert opened(client, photo["url"]).status_code == 200
    with time_machine.travel(utcnow() + timedelta(hours=24, seconds=1), tick=False):
        response = opened(client, photo["url"])
        assert response.status_code == 410
        assert "kedaluwarsa" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("role", "sees_links"),
    [("kelurahan", True), ("facilitator", True), ("admin", True), ("channel", False)],
)
def test_links_go_only_to_the_office_handling_it_facilitators_and_admins(
    api, store, role, sees_links
):
    number = in_proses(api)
    assert follow_up(api, number, RESULT_PNG).status_code == 200
    (photo,) = api.get(f"/reports/{number}", role=role).get_json()["photos"]
    assert photo["kind"] == "result"
    assert (photo["url"] is not None) is sees_links
    assert (photo["expires_at"] is not None) is sees_links


def test_another_kelurahan_cannot_follow_up_or_see_the_photos(api, store):
    number = in_proses(api)
    kapuk = make_token(store, "kelurahan", office="Kapuk", name="kapuk")
    headers = {"Authorization": f"Bearer {kapuk}"}
    form = move_form("tindak_lanjut", "Sudah", photos=(RESULT_PNG,))
    path = f"{API}/reports/{number}/transitions"
    elsewhere = api.client.post(
        path, headers=headers, data=form, content_type="multipart/form-data"
    )
    assert elsewhere.status_code == 404
    assert stored(store, number).photos == ()
    assert follow_up(api, number, RESULT_PNG).status_code == 200
    assert api.client.get(f"{API}/reports/{number}", headers=headers).status_code == 404


def test_lihat_gives_the_facilitator_the_photos_before_and_after_and_they_open(
    app, api, client, store, whatsapp
):
    app.test_cli_runner().invoke(
        args=["crm", "facilitator", "add", "--name", "Dewi", "--phone", FACILITATOR]
    )
    before = "https://jaki.example.go.id/foto/saluran.jpg"
    number = store(reports.create_report, channel_report(photo=before), now=utcnow()).number
    move_through(store, number, "koordinasi", "proses")
    after = png(10, 120, 10)
    assert follow_up(api, number, after).status_code == 200

    watch = Outbox(store)

    text = whatsapp.send(f"LIHAT {number}", phone=FACILITATOR).text

    assert "Foto laporan: 1 foto:\n• " + before in text  # a channel's own link stays a link
    assert "Foto hasil pekerjaan: 1 foto, 1 dikirim sebagai gambar setelah pesan ini." in text
    (sent,) = [note for note in watch.new() if note.kind == outbox.PHOTO]
    assert opened(client, sent.payload["url"]).data == after
    assert "Tautan foto berlaku sampai" not in text  # no link of ours in the text
    assert "Siti" not in text


@pytest.mark.parametrize("env", ["production", "staging"])
def test_outside_development_a_real_secret_key_is_required(database_url, env):
    """Each process would otherwise sign with a key of its own: the worker's links (a
    LIHAT answered from the spool) would not open on `web`."""
    production = {
        "CRM_ENV": env,
        "PUBLIC_BASE_URL": "https://crm.example.go.id",
        "TWILIO_AUTH_TOKEN": "f" * 32,
    }
    for secret in ("", "changeme", "short-secret"):
        with pytest.raises(ConfigError, match="SECRET_KEY"):
            create_app(app_config(database_url, **production, SECRET_KEY=secret))
    app = create_app(app_config(database_url, **production, SECRET_KEY="k" * 64))
    app.extensions["crm.engine"].dispose()


def test_only_a_role_that_follows_up_may_send_a_large_form(api, store):
    """The limit of every request (128 KB) stays for the others: a channel's or a
    facilitator's form cannot make the server read megabytes."""
    number = in_proses(api)
    large = png() + bytes(200 * 1024)
    for role in ("channel", "facilitator"):
        response = follow_up(api, number, large, role=role)
        assert response.status_code == 413, role
    assert follow_up(api, number, large, role="kelurahan").status_code == 200


def test_a_form_part_without_a_name_is_an_unknown_field_not_a_500(api, store):
    """Found by the fuzzer: werkzeug names such a part None."""
    number = in_proses(api)
    body = (
        "--XX\r\nContent-Disposition: form-data\r\n\r\n[false]\r\n"
        '--XX\r\nContent-Disposition: form-data; name="to"\r\n\r\nkoordinasi\r\n--XX--\r\n'
    )
    response = api.post(
        f"/reports/{number}/transitions",
        role="kelurahan",
        data=body.encode(),
        content_type="multipart/form-data; boundary=XX",
    )
    assert response.status_code == 422
    assert error_of(response)["code"] == "unknown_field"
    assert stored(store, number).stage == "proses"
