"""Citizens' photos copied by the worker from the Twilio-compatible test server into the
media store (a folder, and a bucket on the local S3-compatible server), so that they
outlive Twilio; on SQLite and PostgreSQL."""

import logging
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
import time_machine
from sqlmodel import select
from test_api import Outbox
from test_proof_of_work import opened

from bot import create_app
from bot.media import media_links, media_store
from bot.worker import worker_resources
from conftest import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    RESULT_PNG,
    WhatsApp,
    app_config,
    make_token,
    move_form,
    store_of,
    twilio_config,
)
from scheduler import jobs
from scheduler.photo_copies import RETRY_DELAYS, TwilioMedia
from store import outbox, photos, reports
from store.clock import utcnow
from store.db import new_session
from store.media import key_of
from store.models import ReportMedia
from store.places import match_kelurahan

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"a pothole, seen from the kerb " * 20
HTML = b"<!doctype html><title>Sign in</title>"
TWILIO_PHOTO_AT_TWILIO = (
    f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}"
    f"/Messages/MM{'1' * 32}/Media/ME{'2' * 32}"
)


@pytest.fixture
def citizen(media_app) -> WhatsApp:
    return WhatsApp(media_app.test_client())


def file_report_with_photo(citizen: WhatsApp, url: str) -> str:
    """A whole report conversation with one photo at the photo step: the report number."""
    for message in ("LAPOR", "1", "Jalan berlubang besar di depan sekolah", "Jl. Kramat Raya 10"):
        citizen.send(message)
    citizen.send("Kramat, Senen")
    assert "foto kami simpan" in citizen.send(media=[(url, "image/jpeg")]).text.lower()
    return citizen.send("YA").report_number


def the_photo(app) -> ReportMedia:
    with new_session(app.extensions["crm.engine"]) as db:
        (row,) = db.exec(select(ReportMedia)).all()
        return row


def copy_photos(app) -> int:
    """One run of the worker's job, with what the worker hands it."""
    return jobs.copy_photos(worker_resources(app))


def kept_bytes(app, key: str) -> bytes | None:
    with app.app_context():
        return media_store().get(key)


def open_link(app, media_id: int):
    """GET the signed link to a photo, as a facilitator who got it by WhatsApp would."""
    with app.app_context():
        url = media_links().link(media_id, now=utcnow()).url
    parts = urlsplit(url)
    return app.test_client().get(f"{parts.path}?{parts.query}")


def our_log(caplog) -> list[str]:
    """What this service logged (the fake servers log their own requests)."""
    return [record.getMessage() for record in caplog.records if record.name.startswith("crm")]


def requests_for(fake_twilio, url: str) -> list:
    return [seen for seen in fake_twilio.media_requests if seen.path == urlsplit(url).path]


def test_a_citizens_photo_is_kept_after_twilio_deleted_it(media_app, citizen, fake_twilio):
    url = fake_twilio.add_media(JPEG, "image/jpeg")
    file_report_with_photo(citizen, url)
    assert copy_photos(media_app) == 1
    photo = the_photo(media_app)
    assert (photo.copy_state, photo.content_type) == (photos.COPIED, "image/jpeg")
    assert photo.stored_key == key_of(JPEG, "image/jpeg")
    assert kept_bytes(media_app, photo.stored_key) == JPEG
    fake_twilio.delete_media(url)
    assert requests.get(url, auth=(ACCOUNT_SID, AUTH_TOKEN), timeout=5).status_code == 404
    served = open_link(media_app, photo.id)
    assert served.status_code == 200
    assert (served.data, served.mimetype) == (JPEG, "image/jpeg")


def test_the_credentials_go_to_twilio_and_not_where_it_redirects(media_app, citizen, fake_twilio):
    """Real Twilio answers a media URL with a redirect to a short-lived storage URL."""
    url = fake_twilio.add_media(JPEG, "image/jpeg", redirect=True)
    file_report_with_photo(citizen, url)
    assert copy_photos(media_app) == 1
    asked_twilio, asked_storage = fake_twilio.media_requests
    assert asked_twilio.credentials == (ACCOUNT_SID, AUTH_TOKEN)
    assert asked_storage.host != urlsplit(fake_twilio.url).netloc
    assert asked_storage.path.startswith("/storage/") and asked_storage.credentials is None
    assert kept_bytes(media_app, the_photo(media_app).stored_key) == JPEG


def test_the_webhook_never_fetches_media(media_app, citizen, fake_twilio):
    file_report_with_photo(citizen, fake_twilio.add_media(JPEG, "image/jpeg"))
    assert fake_twilio.media_requests == []
    photo = the_photo(media_app)
    assert (photo.copy_state, photo.stored_key) == (photos.PENDING, None)
    assert open_link(media_app, photo.id).status_code == 404


@pytest.mark.parametrize("status", [500, 429])
def test_a_failed_fetch_is_tried_again_after_a_backoff(media_app, citizen, fake_twilio, status):
    url = fake_twilio.add_media(JPEG, "image/jpeg")
    file_report_with_photo(citizen, url)
    fake_twilio.fail_media_next(status)
    start = utcnow()
    with time_machine.travel(start, tick=False) as clock:
        assert copy_photos(media_app) == 0
        photo = the_photo(media_app)
        assert (photo.copy_state, photo.copy_attempts) == (photos.PENDING, 1)
        assert photo.next_copy_at == start + RETRY_DELAYS[0]
        clock.shift(RETRY_DELAYS[0] - timedelta(seconds=1))
        assert copy_photos(media_app) == 0  # not due yet: nothing asked
        assert len(requests_for(fake_twilio, url)) == 1
        clock.shift(timedelta(seconds=1))
        assert copy_photos(media_app) == 1
    assert kept_bytes(media_app, the_photo(media_app).stored_key) == JPEG


def test_a_photo_is_lost_after_the_last_attempt(media_app, citizen, fake_twilio, caplog):
    url = fake_twilio.add_media(JPEG, "image/jpeg")
    file_report_with_photo(citizen, url)
    fake_twilio.fail_media_next(500, times=len(RETRY_DELAYS) + 1)
    with time_machine.travel(utcnow(), tick=False) as clock, caplog.at_level(logging.INFO):
        for delay in RETRY_DELAYS:
            assert copy_photos(media_app) == 0
            clock.shift(delay)
        assert copy_photos(media_app) == 0
        clock.shift(timedelta(days=30))
        assert copy_photos(media_app) == 0
    photo = the_photo(media_app)
    assert (photo.copy_state, photo.copy_attempts) == (photos.LOST, len(RETRY_DELAYS) + 1)
    assert (photo.stored_key, photo.next_copy_at) == (None, None)
    assert len(requests_for(fake_twilio, url)) == len(RETRY_DELAYS) + 1
    said = "\n".join(our_log(caplog))
    assert f"photo {photo.id} of report {photo.report_id} lost after 6 attempts" in said
    assert ACCOUNT_SID not in said and "/Media/" not in said


def test_a_photo_deleted_at_twilio_is_lost_after_a_few_attempts(media_app, citizen, fake_twilio):
    url = fake_twilio.add_media(JPEG, "image/jpeg")
    file_report_with_photo(citizen, url)
    fake_twilio.delete_media(url)
    with time_machine.travel(utcnow(), tick=False) as clock:
        for _ in range(5):
            copy_photos(media_app)
            clock.shift(timedelta(days=1))
    photo = the_photo(media_app)
    assert (photo.copy_state, photo.copy_attempts) == (photos.LOST, 3)
    assert [seen.method for seen in requests_for(fake_twilio, url)] == ["DELETE"] + ["GET"] * 3


def test_a_whatsapp_photo_outside_twilios_api_is_never_fetched_and_is_lost(
    media_app, citizen, fake_twilio
):
    file_report_with_photo(citizen, fake_twilio.external_url("pothole.jpg"))
    assert copy_photos(media_app) == 0
    photo = the_photo(media_app)
    assert (photo.copy_state, photo.stored_key) == (photos.LOST, None)
    assert fake_twilio.media_requests == []


def test_a_channels_own_link_stays_a_link_and_is_never_fetched(media_app, fake_twilio):
    link = fake_twilio.external_url("pothole.jpg")
    new = reports.NewReport(
        category="jalan_rusak",
        description="Jalan berlubang di depan sekolah",
        kelurahan=match_kelurahan("Kramat").chosen,
        photos=(reports.Photo(link),),
        channel="JAKI",
    )
    store_of(media_app)(reports.create_report, new, now=utcnow())
    assert copy_photos(media_app) == 0
    photo = the_photo(media_app)
    assert (photo.copy_state, photo.stored_key, photo.next_copy_at) == (photos.EXTERNAL, None, None)
    assert fake_twilio.media_requests == []


def test_a_page_that_is_not_an_image_is_lost_not_kept(media_app, citizen, fake_twilio, caplog):
    file_report_with_photo(citizen, fake_twilio.add_media(HTML, "image/jpeg"))
    with caplog.at_level(logging.WARNING):
        assert copy_photos(media_app) == 0
    photo = the_photo(media_app)
    assert (photo.copy_state, photo.copy_attempts, photo.stored_key) == (photos.LOST, 1, None)
    assert "not a JPEG, PNG or WebP image" in "\n".join(our_log(caplog))
    assert open_link(media_app, photo.id).status_code == 404


def test_a_photo_larger_than_allowed_is_lost_not_kept(database_url, media_config, fake_twilio):
    config = twilio_config(database_url, fake_twilio, MEDIA_MAX_BYTES="100", **media_config)
    app = create_app(config)
    file_report_with_photo(WhatsApp(app.test_client()), fake_twilio.add_media(JPEG, "image/jpeg"))
    assert copy_photos(app) == 0
    photo = the_photo(app)
    assert (photo.copy_state, photo.stored_key) == (photos.LOST, None)
    app.extensions["crm.engine"].dispose()


def test_running_the_job_twice_copies_once(media_app, citizen, fake_twilio):
    url = fake_twilio.add_media(JPEG, "image/jpeg")
    file_report_with_photo(citizen, url)
    assert copy_photos(media_app) == 1
    assert copy_photos(media_app) == 0
    assert len(requests_for(fake_twilio, url)) == 1


def test_a_claimed_photo_waits_for_its_lease_before_another_worker_takes_it(
    media_app, citizen, fake_twilio
):
    """A worker that died holding a photo leaves it to the next after the lease."""
    file_report_with_photo(citizen, fake_twilio.add_media(JPEG, "image/jpeg"))
    lease, start = timedelta(minutes=10), utcnow()

    def claim(now):
        with new_session(media_app.extensions["crm.engine"]) as db:
            due = photos.claim_due_copies(limit=10, lease=lease, session=db, now=now)
            db.commit()
            return [copy.media_id for copy in due]

    photo_id = the_photo(media_app).id
    assert claim(start) == [photo_id]
    assert claim(start) == []
    assert claim(start + lease) == [photo_id]


def test_without_twilio_credentials_twilios_photos_wait(database_url, media_config):
    """Development: no account to fetch with. Twilio's photos stay pending, untouched;
    the other links are marked as they are."""
    app = create_app(app_config(database_url, **media_config))
    citizen = WhatsApp(app.test_client())
    file_report_with_photo(citizen, TWILIO_PHOTO_AT_TWILIO)
    filed = the_photo(app)
    assert copy_photos(app) == 0
    photo = the_photo(app)
    assert (photo.copy_state, photo.next_copy_at) == (photos.PENDING, filed.next_copy_at)
    app.extensions["crm.engine"].dispose()


@pytest.mark.parametrize(
    ("url", "is_twilio"),
    [
        ("https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1", True),
        ("https://API.twilio.com:443/2010-04-01/Accounts/AC1/Media/ME1", True),
        ("http://api.twilio.com/2010-04-01/Accounts/AC1/Media/ME1", False),
        ("https://api.twilio.com.example.net/2010-04-01/Media/ME1", False),
        ("https://api.twilio.com@example.net/2010-04-01/Media/ME1", False),
        ("https://user@api.twilio.com/2010-04-01/Media/ME1", False),
        ("https://api.twilio.com:8443/2010-04-01/Media/ME1", False),
        ("https://api.twilio.com:port/2010-04-01/Media/ME1", False),
        ("https://picsum.photos/id/1/640", False),
        ("/2010-04-01/Accounts/AC1/Media/ME1", False),
    ],
)
def test_only_urls_of_the_twilio_api_count_as_twilios(url, is_twilio):
    """Pure parsing: no database nor store involved, so it runs once."""
    media = TwilioMedia(
        api_base_url="https://api.twilio.com", account_sid="AC1", auth_token="t", max_bytes=1
    )
    assert media.is_twilio_url(url) is is_twilio


def test_lihat_opens_the_citizens_photo_and_the_kelurahans_after_twilio_deleted_the_first(
    media_app, citizen, fake_twilio
):
    """The whole evidence on both media stores: the citizen's photo, copied by the worker
    and deleted at Twilio, and the kelurahan's photo of the finished work, each opened
    from the links a facilitator's LIHAT gives."""
    facilitator = "+6281100000001"
    media_app.test_cli_runner().invoke(
        args=["crm", "facilitator", "add", "--name", "Dewi", "--phone", facilitator]
    )
    before_url = fake_twilio.add_media(JPEG, "image/jpeg")
    number = file_report_with_photo(citizen, before_url)
    copy_photos(media_app)
    fake_twilio.delete_media(before_url)
    kelurahan = {"Authorization": f"Bearer {make_token(store_of(media_app), 'kelurahan')}"}
    client = media_app.test_client()
    for stage in ("koordinasi", "proses", "tindak_lanjut"):
        moved = client.post(
            f"/api/v1/reports/{number}/transitions",
            headers=kelurahan,
            data=move_form(stage, photos=(RESULT_PNG,) if stage == "tindak_lanjut" else ()),
            content_type="multipart/form-data",
        )
        assert moved.status_code == 200, moved.get_json()

    watch = Outbox(store_of(media_app))

    citizen.send(f"LIHAT {number}", phone=facilitator)

    sent = [note.payload for note in watch.new() if note.kind == outbox.PHOTO]
    assert [photo["which"] for photo in sent] == ["before", "after"]
    assert [opened(client, photo["url"]).data for photo in sent] == [JPEG, RESULT_PNG]


@pytest.mark.parametrize("media_config", ["folder"], indirect=True)
def test_a_media_store_that_cannot_keep_a_photo_puts_it_off_and_the_batch_goes_on(
    media_app, citizen, fake_twilio, media_config
):
    file_report_with_photo(citizen, fake_twilio.add_media(JPEG, "image/jpeg"))
    folder = Path(media_config["MEDIA_DIR"])
    folder.write_text("a file where the folder should be")  # the disk refuses, as when full
    assert copy_photos(media_app) == 0
    folder.unlink()
    photo = the_photo(media_app)
    assert (photo.copy_state, photo.copy_attempts) == (photos.PENDING, 1)
    with time_machine.travel(utcnow() + RETRY_DELAYS[0], tick=False):
        assert copy_photos(media_app) == 1
    assert kept_bytes(media_app, the_photo(media_app).stored_key) == JPEG
