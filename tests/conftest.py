"""Fixtures: the real app on a fresh database per test (SQLite, and PostgreSQL when
`CRM_TEST_POSTGRES_URL` is set), and a WhatsApp sender that signs like Twilio."""

import io
import itertools
import json
import os
import shutil
import struct
import threading
import uuid
import xml.etree.ElementTree as ET
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

import boto3
import pytest
import time_machine
from fake_twilio import FakeTwilio
from moto.server import ThreadedMotoServer
from sqlalchemy import make_url, text
from twilio.request_validator import RequestValidator
from werkzeug.serving import make_server

from bot import create_app
from bot.worker import sender_settings, worker_resources
from scheduler import jobs
from scheduler.resources import WorkerResources
from scheduler.sender import OutboxSender
from store import offices, reports, tokens
from store.clock import utcnow
from store.db import make_engine, new_session, upgrade
from store.media import StoredPhoto, key_of
from store.stages import Role, Stage

POSTGRES_ENV = "CRM_TEST_POSTGRES_URL"
AUTH_TOKEN = "test-auth-token-0123456789abcdef"
ACCOUNT_SID = "AC" + "1" * 32
BOT_NUMBER = "whatsapp:+14155238886"
CONTENT_SIDS = {
    "stage_update:id": "HX" + "a" * 32,
    "stage_update:en": "HX" + "b" * 32,
    "report_closed:id": "HX" + "c" * 32,
    "report_closed:en": "HX" + "d" * 32,
}
PUBLIC_BASE_URL = "https://crm.example.go.id"
SECRET_KEY = "test-secret-key-for-links-to-photos-0123456789"
CITIZEN = "+6281234567890"


def png(red: int = 0, green: int = 160, blue: int = 80) -> bytes:
    """A real one-pixel PNG of that colour: a photo of the finished work in tests."""

    def chunk(tag: bytes, data: bytes) -> bytes:
        checksum = struct.pack(">I", zlib.crc32(tag + data))
        return struct.pack(">I", len(data)) + tag + data + checksum

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)  # 1×1, 8-bit RGB
    pixels = zlib.compress(bytes([0, red, green, blue]))
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


RESULT_PNG = png()
# What a test's setup moves to tindak_lanjut with, when the photo itself is not tested.
PROOF = (StoredPhoto(key_of(RESULT_PNG, "image/png"), "image/png"),)


def proof_for(stage) -> tuple[StoredPhoto, ...]:
    return PROOF if Stage(stage) is Stage.TINDAK_LANJUT else ()


def move_form(to: str, note: str | None = None, *, photos=(RESULT_PNG,), **fields) -> dict:
    """A move to post as multipart/form-data (`data=`), with photos of the finished work."""
    form = {"to": to, **({"note": note} if note is not None else {}), **fields}
    if photos:
        form["photo"] = [(io.BytesIO(data), f"hasil-{n}.png") for n, data in enumerate(photos)]
    return form


def _postgres_server_url() -> str | None:
    return os.environ.get(POSTGRES_ENV) or None


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    path = tmp_path_factory.mktemp("template") / "crm.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_database():
    """A database of its own for this test run, migrated once; dropped at the end."""
    server_url = _postgres_server_url()
    if server_url is None:
        pytest.skip(
            f"PostgreSQL tests need {POSTGRES_ENV} (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)"
        )
    name = f"crm_test_{uuid.uuid4().hex[:10]}"
    admin = make_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    yield url
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


def _empty_postgres(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as connection:
        tables = (
            connection.execute(
                text(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                    "AND tablename <> 'alembic_version'"
                )
            )
            .scalars()
            .all()
        )
        connection.execute(
            text(
                "TRUNCATE "
                + ", ".join(f'"{table}"' for table in tables)
                + " RESTART IDENTITY CASCADE"
            )
        )
        offices.seed_default_offices(connection)
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """A fresh, migrated database for each test, on each engine."""
    if request.param == "sqlite":
        path = tmp_path / "crm.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("postgres_database")
    _empty_postgres(url)
    return url


def app_config(database_url: str, **overrides: str) -> dict[str, str]:
    return {
        "DATABASE_URL": database_url,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
        "CRM_ENV": "test",
        "SECRET_KEY": SECRET_KEY,
        # The public rate limit has tests of its own (test_public_reads.py); the others
        # read the dashboard and Open311 as often as they need.
        "PUBLIC_RATE_LIMIT": "100000 per second",
        **overrides,
    }


@pytest.fixture
def app(database_url):
    """The app with the console transport (no Twilio credentials)."""
    app = create_app(app_config(database_url))
    yield app
    app.extensions["crm.engine"].dispose()


@pytest.fixture
def fake_twilio():
    fake = FakeTwilio(ACCOUNT_SID, AUTH_TOKEN).start()
    yield fake
    fake.stop()


def twilio_config(database_url: str, fake: FakeTwilio, **overrides: str) -> dict[str, str]:
    """Settings that point the real `twilio` client at the fake server."""
    settings = {
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_WHATSAPP_FROM": BOT_NUMBER,
        "TWILIO_API_BASE_URL": fake.url,
        "TWILIO_CONTENT_SIDS": json.dumps(CONTENT_SIDS),
        "SEND_RATE_PER_SECOND": "1000",
    }
    return app_config(database_url, **{**settings, **overrides})


def app_with_twilio(database_url: str, fake: FakeTwilio, *templates: dict, **overrides: str):
    """For a test module's `app` fixture (`yield from`): the app on the fake Twilio server,
    with the approved templates of CONTENT_SIDS and `templates` (a module's own kinds)."""
    sids = json.dumps({k: v for table in (CONTENT_SIDS, *templates) for k, v in table.items()})
    app = create_app(twilio_config(database_url, fake, TWILIO_CONTENT_SIDS=sids, **overrides))
    yield app
    app.extensions["crm.engine"].dispose()


S3_REGION = "us-east-1"
S3_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "test-key-id", "AWS_SECRET_ACCESS_KEY": "test-secret"}


@pytest.fixture(scope="session")
def s3_server() -> Iterator[str]:
    """A local S3-compatible server (moto's, in a thread) on a free loopback port: its
    URL. The media store talks the real S3 API to it over HTTP."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture(params=["folder", "s3"])
def media_config(request, tmp_path, monkeypatch) -> dict[str, str]:
    """App settings for each media store: a fresh folder, or a fresh bucket on the local
    S3-compatible server (with AWS credentials in the environment, where boto3 reads
    them in production too)."""
    if request.param == "folder":
        return {"MEDIA_DIR": str(tmp_path / "media")}
    endpoint = request.getfixturevalue("s3_server")
    for name, value in S3_CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    bucket = f"crm-media-{uuid.uuid4().hex[:12]}"
    boto3.client("s3", endpoint_url=endpoint, region_name=S3_REGION).create_bucket(Bucket=bucket)
    return {
        "MEDIA_S3_BUCKET": bucket,
        "MEDIA_S3_ENDPOINT_URL": endpoint,
        "MEDIA_S3_REGION": S3_REGION,
    }


@pytest.fixture
def twilio_app(database_url, fake_twilio):
    """The app sending through the `twilio` client to the fake Twilio server."""
    app = create_app(twilio_config(database_url, fake_twilio))
    yield app
    app.extensions["crm.engine"].dispose()


@pytest.fixture
def media_app(database_url, fake_twilio, media_config):
    """The app with the fake Twilio server's credentials and base URL (so the worker can
    copy photos from it), keeping photos in each media store in turn."""
    app = create_app(twilio_config(database_url, fake_twilio, **media_config))
    yield app
    app.extensions["crm.engine"].dispose()


@contextmanager
def serving(database_url: str, **overrides: str) -> Iterator[dict]:
    """The app (with settings `overrides`) behind a real threaded HTTP server on a free
    loopback port: `{"app": …, "base": "http://127.0.0.1:<port>"}`."""
    server = make_server("127.0.0.1", 0, None, threaded=True)
    base = f"http://127.0.0.1:{server.server_port}"
    app = create_app(
        {
            "DATABASE_URL": database_url,
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "PUBLIC_BASE_URL": base,
            "CRM_ENV": "test",
            "SECRET_KEY": SECRET_KEY,
            "PUBLIC_RATE_LIMIT": "100000 per second",
            **overrides,
        }
    )
    server.app = app
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield {"app": app, "base": base}
    finally:
        server.shutdown()
        server.server_close()
        app.extensions["crm.engine"].dispose()


@pytest.fixture
def served(database_url):
    """The app behind a real HTTP server on a free loopback port."""
    with serving(database_url) as holder:
        yield holder


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def session(app):
    """A session for tests that call the store directly (not while posting to the app:
    on SQLite an open transaction holds the write lock)."""
    with new_session(app.extensions["crm.engine"]) as db:
        yield db


@pytest.fixture
def store(app):
    """`store(fn, *args)` runs one store function in its own short transaction, so a
    test can look at the database between webhook calls."""
    return store_of(app)


def store_of(app):
    """The `store` runner of an app a test built itself."""
    engine = app.extensions["crm.engine"]

    def run(function, *args, **kwargs):
        with new_session(engine) as db:
            result = function(*args, session=db, **kwargs)
            db.commit()
            return result

    return run


@pytest.fixture
def worker(app) -> WorkerResources:
    """What the worker hands its jobs, made for `app` as `crm worker` makes it."""
    return worker_resources(app)


def outbox_sender(app, **kwargs) -> OutboxSender:
    """The worker's sender for `app`; `kwargs` (a transport, a worker id) go to it."""
    settings = sender_settings(app.config["SETTINGS"])
    return OutboxSender(engine=app.extensions["crm.engine"], settings=settings, **kwargs)


def refresh_figures(app) -> None:
    """What the worker does at start and every 5 minutes: compute the figures that the
    dashboard and the stats API show (no web request computes them)."""
    jobs.refresh_stats(worker_resources(app))


# The office each role's test token belongs to, unless a test names another: the tests'
# reports are filed in Kramat (Jakarta Pusat), mostly as jalan_rusak.
HOME_OFFICE = {
    Role.KELURAHAN: "Kramat",
    Role.SKPD: "Suku Dinas Bina Marga Jakarta Pusat",
    Role.CHANNEL: "JAKI",
}


def make_token(store, role: str, *, office: str | None = None, name: str | None = None) -> str:
    """A bearer token of `role`, bound to `office` (by default its HOME_OFFICE; none for
    the citywide roles)."""
    role = Role(role)
    _, token = store(
        tokens.create_token,
        name or f"test-{role}",
        role,
        office=office or HOME_OFFICE.get(role),
        now=utcnow(),
    )
    return token


def move_through(store, number: str, *stages: str, note: str | None = None) -> None:
    """Walk a report through `stages` as an admin: a test's setup, not what it tests."""
    for stage in stages:
        store(
            reports.move_report,
            number,
            Stage(stage),
            role=Role.ADMIN,
            actor_id="test",
            note=note,
            now=utcnow(),
            result_photos=proof_for(stage),
        )


@dataclass
class Reply:
    status: int
    messages: list[str]
    raw: str

    @property
    def text(self) -> str:
        return "\n\n".join(self.messages)

    @property
    def report_number(self) -> str:
        """The number in a "report created" reply (`Nomor laporan: *CRM-…*`)."""
        return next(line.split("*")[1] for line in self.text.splitlines() if "*CRM-" in line)


class WhatsApp:
    """Posts messages to the webhook the way Twilio does, signed with the auth token."""

    path = "/webhooks/whatsapp"

    def __init__(self, client):
        self.client = client
        self._sids = itertools.count(1)

    def form(
        self, body="", *, phone=CITIZEN, name="Siti", sid=None, media=(), location=None, **extra
    ) -> dict[str, str]:
        form = {
            "MessageSid": sid or f"SM{next(self._sids):032x}",
            "AccountSid": "AC" + "0" * 32,
            "From": phone if phone.startswith("whatsapp:") else f"whatsapp:{phone}",
            "To": "whatsapp:+14155238886",
            "Body": body,
            "NumMedia": str(len(media)),
            "ProfileName": name,
        }
        for index, (url, content_type) in enumerate(media):
            form[f"MediaUrl{index}"] = url
            form[f"MediaContentType{index}"] = content_type
        if location is not None:
            form.update(
                MessageType="location", Latitude=str(location[0]), Longitude=str(location[1])
            )
            if len(location) > 2:
                form["Address"] = location[2]
        form.update(extra)
        return form

    def post(self, form: dict[str, str], *, signature: str | None = None) -> Reply:
        if signature is None:
            signature = RequestValidator(AUTH_TOKEN).compute_signature(
                PUBLIC_BASE_URL + self.path, form
            )
        response = self.client.post(self.path, data=form, headers={"X-Twilio-Signature": signature})
        raw = response.get_data(as_text=True)
        messages = []
        if response.mimetype == "text/xml" and raw:
            messages = [element.text or "" for element in ET.fromstring(raw).iter("Message")]
        return Reply(status=response.status_code, messages=messages, raw=raw)

    def send(self, body="", **kwargs) -> Reply:
        return self.post(self.form(body, **kwargs))

    REPORT = (
        "LAPOR",
        "1",
        "Jalan berlubang besar di depan sekolah",
        "Jl. Kramat Raya 10",
        "Kramat, Senen",
        "LEWATI",
    )

    def file_report(self, *, phone=CITIZEN, clock=None, pause_seconds=13) -> str:
        """Walk a whole report conversation and return the new report's number; with a
        time_machine `clock`, `pause_seconds` between messages (under a per-minute limit)."""
        for message in self.REPORT:
            self.send(message, phone=phone)
            if clock:
                clock.shift(pause_seconds)
        return self.send("YA", phone=phone).report_number


@pytest.fixture
def whatsapp(client):
    return WhatsApp(client)


# A TA Fasilitator and a supervisor of the Biro Pemerintahan, registered by `team`.
DEWI, SUPERVISOR = "+6281100000001", "+6281199999999"


@pytest.fixture
def team(app):
    for role, name, phone in (("facilitator", "Dewi", DEWI), ("supervisor", "Pak Sup", SUPERVISOR)):
        result = app.test_cli_runner().invoke(
            args=["crm", role, "add", "--name", name, "--phone", phone]
        )
        assert result.exit_code == 0, result.output


@pytest.fixture
def deliver(app, fake_twilio):
    """`deliver(at)`: the worker's sender drains the outbox at that moment; what the
    test server received then, per phone."""
    sender = outbox_sender(app, worker_id="test-worker")

    def run(at: datetime) -> dict[str, list]:
        before = len(fake_twilio.received)
        with time_machine.travel(at, tick=False):
            sender.drain()
        got: dict[str, list] = {}
        for message in fake_twilio.received[before:]:
            got.setdefault(message.form["To"].removeprefix("whatsapp:"), []).append(message)
        return got

    return run
