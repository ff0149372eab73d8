"""New work announced (issue 22, part 1): a facilitator hears by WhatsApp when a report
enters her queue, and staff are messaged only inside quiet hours (QUIET_HOURS, WIB):
what falls outside waits for the opening, as one message per phone. Reports move through
the API, the worker's jobs run in-process with the clock moved, and what was sent is
read from the Twilio-compatible test server."""

import json
from datetime import datetime, timedelta

import pytest
import time_machine
from test_api import REPORTER, Api

from bot import create_app
from bot.config import ConfigError
from conftest import (
    DEWI,
    SUPERVISOR,
    app_config,
    app_with_twilio,
    outbox_sender,
    twilio_config,
)
from handlers.notifications import render
from scheduler import jobs
from store import outbox
from store.clock import JAKARTA

CITIZEN = "+6281234567890"  # the REPORTER of the API's reports
STAFF_SIDS = {
    "new_work:id": "HX" + "e" * 32,
    "staff_held:id": "HX" + "f" * 32,
    "staff_alert:id": "HX" + "9" * 32,
}


def wib(*args) -> datetime:
    return datetime(*args, tzinfo=JAKARTA)


@pytest.fixture
def app(database_url, fake_twilio):
    yield from app_with_twilio(database_url, fake_twilio, STAFF_SIDS)


@pytest.fixture
def api(client, store):
    return Api(client, store)


def to_her_queue(api: Api, at: datetime, *, kelurahan="Kramat") -> str:
    """A report a channel filed, moved through to tindak_lanjut (with its photo) at `at`."""
    with time_machine.travel(at, tick=False):
        number = api.file(role="channel", reporter=REPORTER, kelurahan=kelurahan)["number"]
        for stage in ("koordinasi", "proses", "tindak_lanjut"):
            response = api.move(number, stage, note="Sudah ditambal")
            assert response.status_code == 200, response.get_json()
    return number


def she_wrote(whatsapp, at: datetime, phone=DEWI) -> None:
    """She wrote to us (her 24-hour window is open: free text, not a template)."""
    with time_machine.travel(at, tick=False):
        whatsapp.send("ANTRIAN", phone=phone)


def test_a_report_reaching_her_queue_at_ten_is_announced_at_once(api, team, whatsapp, deliver):
    she_wrote(whatsapp, wib(2026, 3, 10, 8, 0))
    number = to_her_queue(api, wib(2026, 3, 10, 10, 0))

    got = deliver(wib(2026, 3, 10, 10, 0))

    (message,) = got[DEWI]
    assert f"Laporan baru di antrean validasi Anda: *{number}*" in message.body
    assert "Jalan rusak, Kel. Kramat" in message.body
    assert "Batas validasi: 13 Mar 2026 pukul 10.00 WIB" in message.body
    assert "target harian: 10 Mar 2026 pukul 23.59 WIB" in message.body
    assert deliver(wib(2026, 3, 10, 10, 1)) == {}  # once


def test_outside_her_24_hour_window_the_new_work_template_carries_the_same(api, team, deliver):
    number = to_her_queue(api, wib(2026, 3, 10, 10, 0))

    (message,) = deliver(wib(2026, 3, 10, 10, 0))[DEWI]

    assert message.form["ContentSid"] == STAFF_SIDS["new_work:id"]
    variables = json.loads(message.form["ContentVariables"])
    assert variables == {
        "1": number,
        "2": "Jalan rusak",
        "3": "Kramat",
        "4": "13 Mar 2026 pukul 10.00 WIB",
    }


def test_three_reaching_her_queue_overnight_are_one_message_at_six(
    api, team, whatsapp, deliver, store
):
    she_wrote(whatsapp, wib(2026, 3, 10, 20, 30))
    night = [wib(2026, 3, 10, 22, 0), wib(2026, 3, 11, 1, 30), wib(2026, 3, 11, 5, 0)]
    numbers = []
    for at in night:
        numbers.append(to_her_queue(api, at))
        got = deliver(at)
        assert DEWI not in got
        assert len(got[CITIZEN]) >= 3  # citizens' stage notices are never held

    assert DEWI not in deliver(wib(2026, 3, 11, 5, 59, 59))
    (morning,) = deliver(wib(2026, 3, 11, 6, 0))[DEWI]

    assert morning.body.startswith("🕕 3 pemberitahuan yang ditahan selama jam tenang")
    assert "Masuk antrean validasi Anda: 3 laporan" in morning.body
    for number in numbers:
        assert f"*{number}* – Jalan rusak, Kel. Kramat" in morning.body
    assert deliver(wib(2026, 3, 11, 6, 5)) == {}
    # nothing lost or doubled: the three are marked as sent inside the one message
    mine = [note for note in store(outbox.notifications) if note.kind in outbox.STAFF_KINDS]
    assert sorted((note.kind, note.state) for note in mine) == [
        ("new_work", "bundled"),
        ("new_work", "bundled"),
        ("new_work", "bundled"),
        ("staff_held", "sent"),
    ]
    (held,) = [note for note in mine if note.kind == "staff_held"]
    assert held.payload["ids"] == [note.id for note in mine if note.kind == "new_work"]


def test_a_missed_daily_target_at_midnight_wakes_nobody_and_is_told_at_six(
    worker, api, team, whatsapp, deliver, store
):
    number = to_her_queue(api, wib(2026, 3, 10, 10, 0))
    deliver(wib(2026, 3, 10, 10, 0))  # the new work, by day
    she_wrote(whatsapp, wib(2026, 3, 10, 20, 0))

    with time_machine.travel(wib(2026, 3, 11, 0, 0, 0), tick=False):
        assert jobs.scan_deadlines(worker) == 1
    assert deliver(wib(2026, 3, 11, 0, 0, 0)) == {}
    assert deliver(wib(2026, 3, 11, 5, 0)) == {}
    got = deliver(wib(2026, 3, 11, 6, 0))

    (to_her,) = got[DEWI]
    assert to_her.body.startswith(f"⚠️ Laporan *{number}* melewati target validasi harian")
    (to_supervisor,) = got[SUPERVISOR]  # never wrote: the approved template
    assert to_supervisor.form["ContentSid"] == STAFF_SIDS["staff_alert:id"]
    assert json.loads(to_supervisor.form["ContentVariables"])["1"] == number
    alerts = [note for note in store(outbox.notifications) if note.kind == "sla_alert"]
    assert [note.sent_at.astimezone(JAKARTA).hour for note in alerts] == [6, 6]


def test_what_waited_of_several_kinds_is_listed_together(worker, api, team, whatsapp, deliver):
    early = to_her_queue(api, wib(2026, 3, 10, 10, 0))  # its daily target: midnight
    deliver(wib(2026, 3, 10, 10, 0))
    late = to_her_queue(api, wib(2026, 3, 10, 21, 0))  # the window has just closed
    deliver(wib(2026, 3, 10, 21, 0))
    she_wrote(whatsapp, wib(2026, 3, 10, 21, 30))
    with time_machine.travel(wib(2026, 3, 11, 0, 0, 1), tick=False):
        assert jobs.scan_deadlines(worker) == 1

    (morning,) = deliver(wib(2026, 3, 11, 6, 0))[DEWI]

    assert morning.body.startswith("🕕 2 pemberitahuan")
    assert f"*{late}* – Jalan rusak, Kel. Kramat" in morning.body
    assert "Lewat batas waktu: 1 laporan" in morning.body
    assert f"*{early}* melewati target validasi harian" in morning.body


def test_a_facilitators_own_report_is_told_to_her_at_night_while_her_work_waits(
    api, team, whatsapp, deliver
):
    she_wrote(whatsapp, wib(2026, 3, 10, 21, 30))
    to_her_queue(api, wib(2026, 3, 10, 22, 0))  # held for the morning
    with time_machine.travel(wib(2026, 3, 10, 22, 30), tick=False):
        mine = api.file(role="channel", reporter={"name": "Dewi", "phone": DEWI})["number"]
        api.move(mine, "koordinasi")

    got = deliver(wib(2026, 3, 10, 22, 30))

    assert [mine in message.body for message in got[DEWI]] == [True, True]  # as a citizen
    assert all("antrean validasi" not in message.body for message in got[DEWI])
    (morning,) = deliver(wib(2026, 3, 11, 6, 0))[DEWI]
    assert "Laporan baru di antrean validasi Anda" in morning.body


def test_quiet_hours_follow_the_setting(database_url, fake_twilio):
    app = create_app(twilio_config(database_url, fake_twilio, QUIET_HOURS="07:30-20:00"))
    try:
        assert str(app.config["SETTINGS"].quiet_hours) == "07:30-20:00"
        sender = outbox_sender(app)
        assert not sender.settings.quiet_hours.is_open(wib(2026, 3, 10, 7, 29))
        assert sender.settings.quiet_hours.is_open(wib(2026, 3, 10, 7, 30))
        assert not sender.settings.quiet_hours.is_open(wib(2026, 3, 10, 20, 0))
    finally:
        app.extensions["crm.engine"].dispose()


@pytest.mark.parametrize(
    "malformed", ["06:00", "6-21", "06:00-06:00", "25:00-21:00", "06.00-21.00", "pagi-malam"]
)
def test_a_malformed_quiet_hours_refuses_to_start(database_url, malformed):
    with pytest.raises(ConfigError, match="QUIET_HOURS"):
        create_app(app_config(database_url, QUIET_HOURS=malformed))


def test_the_held_message_fits_one_whatsapp_message_however_much_waited():
    item = {
        "kind": "new_work",
        "payload": {
            "number": "CRM-26-000001-9",
            "category": "jalan_rusak",
            "kelurahan": "Kramat",
            "due_at": "2026-03-13T03:00:00+00:00",
            "daily_target_at": "2026-03-10T16:59:59+00:00",
        },
    }
    rendered = render("staff_held", {"items": [item] * 60, "ids": list(range(60))}, "id")
    assert len(rendered.body) <= 1600 and "… dan 50 laporan lainnya." in rendered.body
    assert rendered.variables == {"1": "60", "2": "CRM-26-000001-9"}


def test_a_report_waiting_for_a_facilitator_is_announced_to_the_first_one_registered(
    app, worker, api, whatsapp, deliver
):
    number = to_her_queue(api, wib(2026, 3, 10, 9, 0))
    she_wrote(whatsapp, wib(2026, 3, 10, 9, 0))
    result = app.test_cli_runner().invoke(
        args=["crm", "facilitator", "add", "--name", "Dewi", "--phone", DEWI]
    )
    assert result.exit_code == 0, result.output
    with time_machine.travel(wib(2026, 3, 10, 9, 1), tick=False):
        jobs.scan_deadlines(worker)

    (message,) = deliver(wib(2026, 3, 10, 9, 1) + timedelta(seconds=1))[DEWI]
    assert number in message.body and "antrean validasi" in message.body


def test_what_arrives_while_the_window_is_open_goes_as_it_is_not_as_held(
    api, team, whatsapp, deliver
):
    """Two reports reaching her queue at 10:00, sent on the worker's next pass: each its
    own message, never the morning's "held during quiet hours" one."""
    she_wrote(whatsapp, wib(2026, 3, 10, 8, 0))
    assert deliver(wib(2026, 3, 10, 9, 0)) == {}  # the sender's first pass in the window
    first = to_her_queue(api, wib(2026, 3, 10, 10, 0))
    second = to_her_queue(api, wib(2026, 3, 10, 10, 0))

    got = deliver(wib(2026, 3, 10, 10, 0))[DEWI]

    assert [number in message.body for message in got for number in (first, second)].count(
        True
    ) == 2
    assert len(got) == 2 and not any(message.body.startswith("🕕") for message in got)


def test_a_notice_held_overnight_is_withdrawn_when_a_colleague_validated_before_six(
    app, api, team, whatsapp, deliver, store
):
    she_wrote(whatsapp, wib(2026, 3, 10, 20, 30))
    number = to_her_queue(api, wib(2026, 3, 10, 22, 0))
    assert DEWI not in deliver(wib(2026, 3, 10, 22, 0))
    rina = "+6281100000002"
    result = app.test_cli_runner().invoke(
        args=["crm", "facilitator", "add", "--name", "Rina", "--phone", rina]
    )
    assert result.exit_code == 0, result.output
    with time_machine.travel(wib(2026, 3, 11, 5, 30), tick=False):
        reply = whatsapp.send(f"VALIDASI {number} sesuai foto", phone=rina)
    assert "divalidasi" in reply.text.lower()

    assert DEWI not in deliver(wib(2026, 3, 11, 6, 0))  # nothing to tell her any more
    held = [note for note in store(outbox.notifications) if note.kind == outbox.NEW_WORK]
    assert [note.state for note in held] == [outbox.WITHDRAWN]
