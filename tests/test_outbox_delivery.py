"""Notifications: written with the move, sent through the real `twilio` client to a
local Twilio-compatible server, with the 24-hour rule, retries and status callbacks."""

import json
from dataclasses import replace
from datetime import timedelta

import pytest
import time_machine
from twilio.request_validator import RequestValidator

from bot.worker import sender_settings
from conftest import AUTH_TOKEN, BOT_NUMBER, CONTENT_SIDS, PUBLIC_BASE_URL, outbox_sender, proof_for
from scheduler.sender import MAX_ATTEMPTS, OutboxSender
from store import contacts, outbox, places, reports
from store.clock import utcnow
from store.phones import sender_from
from store.stages import Role, Stage

CITIZEN = "+6281234567890"
STATUS_PATH = "/webhooks/whatsapp/status"


@pytest.fixture
def app(twilio_app):
    return twilio_app


@pytest.fixture
def sender(app):
    return outbox_sender(app, worker_id="test-worker")


def _report_for(store, phone=CITIZEN, *, last_inbound=True, language="id"):
    """A report whose reporter wrote to us just now (window open) or never."""
    if last_inbound:
        contact = store(contacts.touch_contact, sender_from(phone), "Siti", now=utcnow())
    else:
        contact = store(contacts.contact_for_phone, phone, "Siti", now=utcnow())
    if language != "id":
        store(contacts.set_language, contact.id, language)
    new = reports.NewReport(
        category="jalan_rusak",
        description="Jalan berlubang besar",
        kelurahan=places.match_kelurahan("Kramat").chosen,
        reporter_contact_id=contact.id,
        reporter_phone=phone,
    )
    return store(reports.create_report, new, now=utcnow())


def _move(store, number, to, role=Role.ADMIN, note=None):
    return store(
        reports.move_report,
        number,
        Stage(to),
        role=role,
        actor_id="t",
        note=note,
        now=utcnow(),
        result_photos=proof_for(to),
    )


def _callback(client, form):
    signature = RequestValidator(AUTH_TOKEN).compute_signature(PUBLIC_BASE_URL + STATUS_PATH, form)
    return client.post(STATUS_PATH, data=form, headers={"X-Twilio-Signature": signature})


def test_a_move_sends_one_free_form_message_with_a_status_callback(store, sender, fake_twilio):
    report = _report_for(store)
    _move(store, report.number, "koordinasi", Role.KELURAHAN, note="Diteruskan ke Sudin")
    assert sender.drain() == 1
    (got,) = fake_twilio.received
    assert got.form["To"] == f"whatsapp:{CITIZEN}"
    assert got.form["From"] == BOT_NUMBER
    assert got.form["StatusCallback"] == PUBLIC_BASE_URL + STATUS_PATH
    assert report.number in got.body and "diterima oleh kelurahan" in got.body
    assert "Diteruskan ke Sudin" in got.body
    (note,) = store(outbox.notifications)
    assert note.state == "sent" and note.twilio_sid.startswith("SM")
    assert sender.drain() == 0


def test_outside_the_24_hour_window_the_content_template_is_sent(store, sender, fake_twilio):
    report = _report_for(store)
    with time_machine.travel(utcnow() + timedelta(hours=25), tick=False):
        _move(store, report.number, "koordinasi", Role.KELURAHAN)
        sender.drain()
    (got,) = fake_twilio.received
    assert "Body" not in got.form
    assert got.form["ContentSid"] == CONTENT_SIDS["stage_update:id"]
    variables = json.loads(got.form["ContentVariables"])
    assert variables["1"] == report.number and variables["2"] == "Koordinasi"
    assert store(outbox.notifications)[0].use_template


def test_a_reporter_who_never_wrote_gets_the_template_in_their_language(store, sender, fake_twilio):
    report = _report_for(store, last_inbound=False, language="en")
    _move(store, report.number, "koordinasi", Role.KELURAHAN)
    sender.drain()
    assert fake_twilio.received[0].form["ContentSid"] == CONTENT_SIDS["stage_update:en"]


def test_63016_from_the_api_switches_to_the_template_and_resends_once(store, sender, fake_twilio):
    report = _report_for(store)
    _move(store, report.number, "koordinasi", Role.KELURAHAN)
    fake_twilio.fail_next(400, 63016, "Outside messaging window")
    sender.drain()
    assert len(fake_twilio.refused) == 1 and "Body" in fake_twilio.refused[0]
    (got,) = fake_twilio.received
    assert got.form["ContentSid"] == CONTENT_SIDS["stage_update:id"]
    (note,) = store(outbox.notifications)
    assert note.state == "sent" and note.use_template


def test_63016_in_the_status_callback_resends_as_template_once(store, sender, fake_twilio, client):
    report = _report_for(store)
    _move(store, report.number, "koordinasi", Role.KELURAHAN)
    sender.drain()
    first_sid = store(outbox.notifications)[0].twilio_sid
    answer = _callback(
        client, {"MessageSid": first_sid, "MessageStatus": "undelivered", "ErrorCode": "63016"}
    )
    assert answer.status_code == 204
    assert sender.drain() == 1
    assert [("ContentSid" in got.form) for got in fake_twilio.received] == [False, True]
    second_sid = store(outbox.notifications)[0].twilio_sid
    _callback(client, {"MessageSid": second_sid, "MessageStatus": "failed", "ErrorCode": "63016"})
    assert sender.drain() == 0
    (note,) = store(outbox.notifications)
    assert note.delivery_status == "failed" and note.error_code == "63016"


@pytest.mark.parametrize("status, code", [(429, 20429), (500, 20500), (503, 20503)])
def test_rate_limits_and_server_errors_are_retried_with_backoff(
    store, sender, fake_twilio, status, code
):
    report = _report_for(store)
    _move(store, report.number, "koordinasi", Role.KELURAHAN)
    fake_twilio.fail_next(status, code, times=2)
    start = utcnow()
    with time_machine.travel(start, tick=False) as clock:
        sender.drain()
        (note,) = store(outbox.notifications)
        assert note.state == "pending" and note.attempts == 1 and note.error_code == str(code)
        assert sender.drain() == 0  # not due yet
        clock.shift(2.1)
        sender.drain()
        assert store(outbox.notifications)[0].attempts == 2
        clock.shift(3.9)
        assert sender.drain() == 0  # the second wait is 4 s
        clock.shift(0.2)
        sender.drain()
    (note,) = store(outbox.notifications)
    assert note.state == "sent" and note.attempts == 3
    assert len(fake_twilio.received) == 1


def test_network_errors_are_retried(store, app):
    unreachable = replace(app.config["SETTINGS"], twilio_api_base_url="http://127.0.0.1:9")
    sender = OutboxSender(
        engine=app.extensions["crm.engine"], settings=sender_settings(unreachable)
    )
    report = _report_for(store)
    _move(store, report.number, "koordinasi", Role.KELURAHAN)
    sender.drain()
    (note,) = store(outbox.notifications)
    assert note.state == "pending" and note.attempts == 1
    assert note.error_message.startswith("network")


def test_permanent_errors_are_recorded_and_not_retried(store, sender, fake_twilio):
    report = _report_for(store)
    _move(store, report.number, "koordinasi", Role.KELURAHAN)
    fake_twilio.fail_next(400, 21211, "Invalid 'To' Phone Number")
    with time_machine.travel(utcnow(), tick=False) as clock:
        sender.drain()
        clock.shift(3600)
        assert sender.drain() == 0
    (note,) = store(outbox.notifications)
    assert note.state == "failed" and note.error_code == "21211"
    assert fake_twilio.received == []


def test_retries_stop_after_the_last_attempt(store, sender, fake_twilio):
    report = _report_for(store)
    _move(store, report.number, "koordinasi", Role.KELURAHAN)
    fake_twilio.fail_next(500, 20500, times=MAX_ATTEMPTS)
    with time_machine.travel(utcnow(), tick=False) as clock:
        for _ in range(MAX_ATTEMPTS):
            sender.drain()
            clock.shift(3600)
    (note,) = store(outbox.notifications)
    assert note.state == "failed" and note.attempts == MAX_ATTEMPTS
    assert len(fake_twilio.refused) == MAX_ATTEMPTS


def test_status_callbacks_never_move_a_status_backwards(store, sender, client):
    report = _report_for(store)
    _move(store, report.number, "koordinasi", Role.KELURAHAN)
    sender.drain()
    sid = store(outbox.notifications)[0].twilio_sid
    for status in ["delivered", "sent", "queued", "read", "delivered", "sent"]:
        assert _callback(client, {"MessageSid": sid, "MessageStatus": status}).status_code == 204
    assert store(outbox.notifications)[0].delivery_status == "read"


class CallbackFirstTransport:
    """Twilio answering so fast that its status callback reaches us before `create`
    returns the SID to the sender."""

    name = "twilio"

    def __init__(self, client, status: str, error_code: str = ""):
        self.client, self.status, self.error_code = client, status, error_code

    def send(self, message) -> str:
        sid = "SM" + "e" * 32
        callback = {"MessageSid": sid, "MessageStatus": self.status}
        if self.error_code:
            callback["ErrorCode"] = self.error_code
        _callback(self.client, callback)
        return sid


def test_a_callback_that_arrives_before_the_sid_is_recorded_is_not_lost(app, store, client):
    report = _report_for(store)
    _move(store, report.number, "koordinasi", Role.KELURAHAN)
    sender = outbox_sender(app, transport=CallbackFirstTransport(client, "delivered"))
    sender.drain()
    assert store(outbox.notifications)[0].delivery_status == "delivered"


def test_an_early_63016_callback_still_triggers_the_template(app, store, client, fake_twilio):
    report = _report_for(store)
    _move(store, report.number, "koordinasi", Role.KELURAHAN)
    first = CallbackFirstTransport(client, "undelivered", error_code="63016")
    outbox_sender(app, transport=first).send_due()
    outbox_sender(app).drain()
    (got,) = fake_twilio.received
    assert got.form["ContentSid"] == CONTENT_SIDS["stage_update:id"]


def test_a_worker_whose_lease_was_taken_over_does_not_overwrite(store):
    report = _report_for(store)
    _move(store, report.number, "koordinasi", Role.KELURAHAN)
    start = utcnow()
    (slow,) = store(
        outbox.claim_due, worker="slow", limit=10, lease=timedelta(seconds=60), now=start
    )
    (fast,) = store(
        outbox.claim_due,
        worker="fast",
        limit=10,
        lease=timedelta(seconds=60),
        now=start + timedelta(seconds=61),
    )
    assert store(
        outbox.mark_sent,
        fast.id,
        worker="fast",
        sid="SM" + "1" * 32,
        transport="twilio",
        used_template=False,
        now=start + timedelta(seconds=62),
    )
    assert not store(
        outbox.mark_sent,
        slow.id,
        worker="slow",
        sid="SM" + "2" * 32,
        transport="twilio",
        used_template=False,
        now=start + timedelta(seconds=63),
    )
    assert store(outbox.notifications)[0].twilio_sid == "SM" + "1" * 32


def test_a_citizens_notifications_go_out_in_order_even_when_one_is_retried(
    store, sender, fake_twilio
):
    report = _report_for(store)
    _move(store, report.number, "koordinasi", Role.KELURAHAN)
    _move(store, report.number, "proses", Role.KELURAHAN)
    fake_twilio.fail_next(500, 20500)
    with time_machine.travel(utcnow(), tick=False) as clock:
        sender.drain()
        assert fake_twilio.received == []  # "Proses" waits for the retried "Koordinasi"
        clock.shift(2.1)
        sender.drain()
        sender.drain()
    bodies = [got.body for got in fake_twilio.received]
    assert "diterima oleh kelurahan" in bodies[0] and "sedang ditangani" in bodies[1]


def test_unsigned_status_callbacks_are_refused(client):
    answer = client.post(
        STATUS_PATH, data={"MessageSid": "SM" + "f" * 32, "MessageStatus": "delivered"}
    )
    assert answer.status_code == 403


def test_sending_never_exceeds_the_configured_rate(database_url, fake_twilio, store):
    from bot import create_app
    from conftest import twilio_config

    slow = create_app(twilio_config(database_url, fake_twilio, SEND_RATE_PER_SECOND="20"))
    sender = outbox_sender(slow)
    for index in range(45):
        report = _report_for(store, phone=f"+62812000{index:05d}")
        _move(store, report.number, "koordinasi", Role.KELURAHAN)
    try:
        sender.drain(max_seconds=30)
    finally:
        slow.extensions["crm.engine"].dispose()
    times = sorted(got.at for got in fake_twilio.received)
    assert len(times) == 45
    busiest = max(sum(1 for t in times if start <= t < start + 1.0) for start in times)
    assert busiest <= 20
    assert times[-1] - times[0] >= 44 / 20 * 0.99
