"""A stuck database costs a reply, never a message (issue 19). Another connection holds
what every message needs, as the audit did; the webhook gives up after its lock
timeout and keeps the message in the spool, the fallback URL and /healthz answer within
their own budgets whatever the app's timeouts, and once the lock is gone the replay
answers every kept message once. Long work (statistics, migrations) waits for the lock
instead of giving up."""

import threading
import time
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

import pytest
import requests
import time_machine
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError
from twilio.request_validator import RequestValidator

from bot import database
from bot.worker import worker_resources
from conftest import AUTH_TOKEN, WhatsApp, outbox_sender, serving
from handlers.notifications import render
from scheduler import jobs, replay
from store import inbound, outbox, places, reports
from store.clock import utcnow
from store.db import new_session, unbounded, upgrade
from store.models import StatsSnapshot
from store.spool import Spool
from store.stages import Role

WEBHOOK, FALLBACK = "/webhooks/whatsapp", "/webhooks/whatsapp/fallback"
ALICE, BUDI, CITRA = "+6281200000001", "+6281200000002", "+6281200000003"
KEPT = "tersimpan"  # in the "message kept" text


@contextmanager
def held(database_url: str, *, seconds: float, table: str = "inbound_message"):
    """A second connection holds `table` (`LOCK TABLE … IN ACCESS EXCLUSIVE MODE`, as
    in the audit) on PostgreSQL, the write lock (`BEGIN IMMEDIATE`) on SQLite, for
    `seconds` or until the block ends. Yields an Event set just before the release, so
    whatever happened while it is unset happened under the lock."""
    engine = create_engine(database_url)  # no timeouts of the app's
    connection = engine.raw_connection()
    cursor = connection.cursor()
    if engine.dialect.name == "sqlite":
        connection.driver_connection.isolation_level = None
        cursor.execute("BEGIN IMMEDIATE")
    else:
        cursor.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
    releasing = threading.Event()

    def release():
        if not releasing.is_set():
            releasing.set()
            connection.rollback()

    timer = threading.Timer(seconds, release)
    timer.start()
    try:
        yield releasing
    finally:
        timer.cancel()
        timer.join()
        release()
        connection.close()
        engine.dispose()


@dataclass
class Answer:
    status: int
    messages: list[str]
    seconds: float
    under_lock: bool

    @property
    def text(self) -> str:
        return "\n\n".join(self.messages)


class Twilio:
    """Posts to a served app as Twilio does: signed, to the webhook or the fallback URL."""

    def __init__(self, base: str):
        self.base = base
        self.forms = WhatsApp(None)

    def form(self, body: str, phone: str) -> dict[str, str]:
        return self.forms.form(body, phone=phone)

    def post(self, path: str, form: dict[str, str], lock: threading.Event | None = None):
        signature = RequestValidator(AUTH_TOKEN).compute_signature(self.base + path, form)
        started = time.monotonic()
        response = requests.post(
            self.base + path, data=form, headers={"X-Twilio-Signature": signature}, timeout=30
        )
        seconds = time.monotonic() - started
        under_lock = lock is not None and not lock.is_set()
        messages = [element.text or "" for element in ET.fromstring(response.text).iter("Message")]
        return Answer(response.status_code, messages, seconds, under_lock)


def _postgres_only(database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("statement and lock timeouts are PostgreSQL's")


def _delayed_replies(app) -> list:
    with app.app_context():
        notes = outbox.notifications(session=database.session())
    return [note for note in notes if note.kind == "delayed_reply"]


def test_a_webhook_meeting_a_stuck_database_keeps_the_message_and_the_replay_answers_it_once(
    database_url, tmp_path
):
    # SQLite waits DB_STATEMENT_TIMEOUT_MS for its write lock; PostgreSQL, the lock timeout
    low = {"DB_STATEMENT_TIMEOUT_MS": "300", "DB_LOCK_TIMEOUT_MS": "300"}
    with serving(database_url, SPOOL_DIR=str(tmp_path / "spool"), **low) as served:
        app, twilio = served["app"], Twilio(served["base"])
        assert twilio.post(WEBHOOK, twilio.form("LAPOR", ALICE)).status == 200
        during = [twilio.form("1", ALICE), twilio.form("LAPORAN SAYA", BUDI)]
        fallback = twilio.form("halo", CITRA)  # Twilio calls it when a webhook failed anyway
        later = twilio.form("MENU", BUDI)

        with held(database_url, seconds=3) as lock, ThreadPoolExecutor(3) as pool:
            webhooks = [pool.submit(twilio.post, WEBHOOK, form, lock) for form in during]
            answers = [pool.submit(twilio.post, FALLBACK, fallback, lock).result()]
            answers += [answer.result() for answer in webhooks]
            answers.append(twilio.post(WEBHOOK, later, lock))

        for answer in answers:
            assert answer.status == 200 and KEPT in answer.text and answer.under_lock
        assert answers[-1].seconds < 1  # the spool holds messages: kept without the database
        worker = worker_resources(app)
        assert replay.replay_spool(worker) == 4
        assert replay.replay_spool(worker) == 0
        with app.app_context():
            db = database.session()
            for form in [*during, fallback, later]:
                assert inbound.stored_reply(form["MessageSid"], session=db)
            assert inbound.count_inbound(session=db) == 1 + 4
        assert len(_delayed_replies(app)) == 4  # one answer each, as a notification
        assert not Spool(tmp_path / "spool").has_pending()


def test_the_fallback_keeps_a_message_within_two_seconds_whatever_the_timeouts(
    database_url, tmp_path
):
    """The fallback waits for the database ANSWERED_CHECK_SECONDS, not the app's lock
    timeout (here longer than the lock is held)."""
    _postgres_only(database_url)
    patient = {"DB_STATEMENT_TIMEOUT_MS": "30000", "DB_LOCK_TIMEOUT_MS": "30000"}
    with serving(database_url, SPOOL_DIR=str(tmp_path / "spool"), **patient) as served:
        twilio = Twilio(served["base"])
        form = twilio.form("LAPORAN SAYA", BUDI)
        with held(database_url, seconds=4) as lock:
            answer = twilio.post(FALLBACK, form, lock)
        assert answer.status == 200 and KEPT in answer.text and answer.under_lock
        assert answer.seconds < 2
        assert replay.replay_spool(worker_resources(served["app"])) == 1
        assert len(_delayed_replies(served["app"])) == 1


def test_healthz_answers_within_a_second_whatever_the_timeouts(database_url, tmp_path):
    _postgres_only(database_url)
    patient = {"DB_STATEMENT_TIMEOUT_MS": "30000", "DB_LOCK_TIMEOUT_MS": "30000"}
    with serving(database_url, SPOOL_DIR=str(tmp_path / "spool"), **patient) as served:
        with held(database_url, seconds=4, table="worker_heartbeat") as lock:
            started = time.monotonic()
            health = requests.get(served["base"] + "/healthz", timeout=30)
            seconds, under_lock = time.monotonic() - started, not lock.is_set()
        assert health.status_code == 503 and health.json()["database"] == "unreachable"
        assert under_lock and seconds < 1.5
        assert requests.get(served["base"] + "/healthz", timeout=30).status_code == 200


def test_requests_give_up_on_a_locked_table_and_long_work_waits_for_it(database_url, tmp_path):
    _postgres_only(database_url)
    with serving(database_url, DB_LOCK_TIMEOUT_MS="100", SPOOL_DIR=str(tmp_path)) as served:
        app = served["app"]
        worker = worker_resources(app)
        with app.app_context(), held(database_url, seconds=0.5, table="report") as lock:
            with pytest.raises(OperationalError):  # LockNotAvailable, after 0.1 s
                reports.count_reports(session=database.session())
            database.session().rollback()
            jobs.refresh_stats(worker)  # waits for the lock, then reads the whole history
            assert lock.is_set()
            assert database.session().get(StatsSnapshot, "year||") is not None
        with held(database_url, seconds=0.5, table="report") as lock:
            assert app.test_cli_runner().invoke(args=["crm", "stats"]).exit_code == 0
            assert lock.is_set()
        with held(database_url, seconds=0.5, table="alembic_version") as lock:
            upgrade(app.extensions["crm.engine"])
            assert lock.is_set()


def test_a_statement_running_too_long_is_cut_off_for_requests_only(database_url, tmp_path):
    _postgres_only(database_url)
    with serving(database_url, DB_STATEMENT_TIMEOUT_MS="200", SPOOL_DIR=str(tmp_path)) as served:
        engine = served["app"].extensions["crm.engine"]
        with engine.connect() as connection, pytest.raises(OperationalError):  # QueryCanceled
            connection.execute(text("SELECT pg_sleep(0.5)"))
        with unbounded(engine).connect() as connection:
            connection.execute(text("SELECT pg_sleep(0.5)"))


def test_a_send_is_recorded_once_a_locked_outbox_frees_and_goes_out_once(database_url, tmp_path):
    """A release's migration may lock the outbox while the worker sends: the record of a
    send waits for it, instead of giving up after the requests' lock timeout and leaving
    the notification to go out again once its lease ran out."""
    _postgres_only(database_url)
    with serving(database_url, DB_LOCK_TIMEOUT_MS="100", SPOOL_DIR=str(tmp_path)) as served:
        app = served["app"]
        kramat = places.match_kelurahan("Kramat").chosen
        filed = reports.NewReport(
            category="jalan_rusak",
            description="Jalan berlubang besar",
            kelurahan=kramat,
            channel="jaki",
            created_by=Role.CHANNEL,
            reporter_phone=ALICE,
            notify_reporter=True,  # its number, by WhatsApp: one notification to send
        )
        with new_session(app.extensions["crm.engine"]) as db:
            reports.create_report(filed, session=db, now=utcnow())
            db.commit()
        sent, locks = [], []

        class LockingTransport:
            """Sends, and as the first send leaves, a migration locks the outbox."""

            name = "console"

            def send(self, message):
                sent.append(message)
                if len(sent) == 1:
                    locks.append(held(database_url, seconds=0.5, table="notification"))
                    locks[0].__enter__()
                return f"SM{len(sent):032x}"

        sender = outbox_sender(app, transport=LockingTransport(), worker_id="w1")
        try:
            sender.drain()
        finally:
            for lock in locks:
                lock.__exit__(None, None, None)
        lease = timedelta(seconds=app.config["SETTINGS"].outbox_lease_seconds)
        with time_machine.travel(utcnow() + 2 * lease):
            sender.drain()  # every lease has run out by now
        assert len(sent) == 1


@contextmanager
def row_held(database_url: str, phone: str):
    """A second connection holds one contact's row (`SELECT … FOR UPDATE`), as a long
    transaction about that citizen would, until the block ends."""
    engine = create_engine(database_url)
    connection = engine.raw_connection()
    try:
        connection.cursor().execute("SELECT 1 FROM contact WHERE phone = %s FOR UPDATE", (phone,))
        yield
    finally:
        connection.rollback()
        connection.close()
        engine.dispose()


def test_a_lock_on_one_citizens_row_keeps_only_that_citizens_messages(database_url, tmp_path):
    """A review: a 1 s lock on one contact turned every phone's next answers into "kept"
    until the replay. Now only that sender's messages wait, in order, in a spool of
    their own; everyone else is answered as usual."""
    _postgres_only(database_url)
    spool_dir = tmp_path / "spool"
    with serving(database_url, SPOOL_DIR=str(spool_dir), DB_LOCK_TIMEOUT_MS="200") as served:
        app, twilio = served["app"], Twilio(served["base"])
        for phone in (ALICE, BUDI):
            assert twilio.post(WEBHOOK, twilio.form("MENU", phone)).status == 200
        alice = [twilio.form("LAPOR", ALICE), twilio.form("1", ALICE)]
        with row_held(database_url, ALICE):
            first = twilio.post(WEBHOOK, alice[0])
            budi = [twilio.post(WEBHOOK, twilio.form(text, BUDI)) for text in ("LAPOR", "1")]
            second = twilio.post(WEBHOOK, alice[1])
        assert KEPT in first.text and KEPT in second.text
        assert second.seconds < 1  # behind the first, without asking the database
        assert [KEPT in answer.text for answer in budi] == [False, False]
        assert "jelaskan masalahnya" in budi[1].text  # his report goes on meanwhile
        assert not Spool(spool_dir).has_pending()  # nobody else's messages wait
        worker = worker_resources(app)
        assert replay.replay_spool(worker) == 2
        assert replay.replay_spool(worker) == 0
        replies = [render(note.kind, note.payload, "id").body for note in _delayed_replies(app)]
        assert len(replies) == 2  # once each, in order: the category list, then its answer
        assert "1." in replies[0] and "jelaskan masalahnya" in replies[1]
        assert served["app"].test_client().get("/healthz").get_json()["spooled_files"] == 0
        assert not (spool_dir / "held").exists() or not any((spool_dir / "held").iterdir())


def test_two_citizens_meeting_a_busy_database_in_a_few_seconds_keep_everyones_messages(
    database_url, tmp_path
):
    """A table locked (a migration) meets every message: from the second one on, the
    webhook keeps every message without asking the database, as in an outage."""
    _postgres_only(database_url)
    with serving(
        database_url, SPOOL_DIR=str(tmp_path / "spool"), DB_LOCK_TIMEOUT_MS="200"
    ) as served:
        app, twilio = served["app"], Twilio(served["base"])
        with held(database_url, seconds=3) as lock:
            first = twilio.post(WEBHOOK, twilio.form("MENU", ALICE), lock)
            second = twilio.post(WEBHOOK, twilio.form("MENU", BUDI), lock)
            third = twilio.post(WEBHOOK, twilio.form("MENU", CITRA), lock)
        assert all(KEPT in answer.text for answer in (first, second, third))
        assert third.seconds < 0.2  # everyone's spool holds messages: no lock to wait for
        assert Spool(tmp_path / "spool").has_pending()
        assert replay.replay_spool(worker_resources(app)) == 3
        assert len(_delayed_replies(app)) == 3
