"""Two real worker processes at once: every breach alert and every digest goes out once."""

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine

from conftest import app_config, proof_for
from store import contacts, outbox, places, reports
from store.phones import sender_from
from store.stages import Role, Stage

ROOT = Path(__file__).resolve().parent.parent


def _report_entered_follow_up_hours_ago(store, hours: int) -> str:
    with time_machine.travel(datetime.now(UTC) - timedelta(hours=hours), tick=False):
        now = datetime.now(UTC)
        contact = store(contacts.touch_contact, sender_from("+6281234567890"), "Siti", now=now)
        new = reports.NewReport(
            category="sampah",
            description="Sampah menumpuk di kali",
            kelurahan=places.match_kelurahan("Kramat").chosen,
            reporter_contact_id=contact.id,
        )
        number = store(reports.create_report, new, now=now).number
        for stage in ("koordinasi", "proses", "tindak_lanjut"):
            store(
                reports.move_report,
                number,
                Stage(stage),
                role=Role.ADMIN,
                actor_id="t",
                note=None,
                now=now,
                result_photos=proof_for(stage),
            )
    return number


def test_two_workers_alert_and_digest_exactly_once(app, database_url, store, tmp_path):
    if not database_url.startswith("postgresql"):
        pytest.skip("several workers at once are a PostgreSQL deployment")
    runner = app.test_cli_runner()
    runner.invoke(args=["crm", "facilitator", "add", "--name", "Dewi", "--phone", "08110000001"])
    runner.invoke(args=["crm", "supervisor", "add", "--name", "Sup", "--phone", "08119999999"])
    _report_entered_follow_up_hours_ago(store, 73)
    env = {**os.environ, **app_config(database_url, DIGEST_TIMES="00:00")}
    workers = []
    for n in (1, 2):
        with (tmp_path / f"worker{n}.log").open("ab") as log:
            workers.append(
                subprocess.Popen(
                    [sys.executable, "-m", "flask", "--app", "bot", "crm", "worker"],
                    cwd=ROOT,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            kinds = [note.kind for note in store(outbox.notifications) if note.state == "sent"]
            if kinds.count("sla_alert") >= 2 and "supervisor_digest" in kinds:
                break
            time.sleep(0.2)
        time.sleep(1.5)  # a duplicate, if any, would be queued by now
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            worker.wait(timeout=20)
    kinds = [note.kind for note in store(outbox.notifications)]
    # two breaches (daily target, 72 hours) in one alert each to the facilitator and the
    # supervisor, one digest each
    alerts = [note.payload for note in store(outbox.notifications) if note.kind == "sla_alert"]
    assert len(alerts) == 2, (tmp_path / "worker1.log").read_text()[-2000:]
    assert [len(alert["alerts"]) for alert in alerts] == [2, 2]
    assert kinds.count("facilitator_digest") == 1
    assert kinds.count("supervisor_digest") == 1
