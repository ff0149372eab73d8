"""Real worker processes sending through the real `twilio` client: several at once send
each notification exactly once, and one killed mid-batch loses nothing."""

import collections
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest

from conftest import twilio_config
from store import contacts, outbox
from store.clock import utcnow
from store.phones import sender_from

ROOT = Path(__file__).resolve().parent.parent


def _queue(store, count: int, *, citizens: int = 50) -> None:
    """`count` notifications with distinct texts, due now, spread over `citizens`
    phones (one citizen's notifications go out one after another, in order)."""

    def enqueue_all(*, session):
        now = utcnow()
        people = [
            contacts.touch_contact(sender_from(f"+62812{n:08d}"), "Warga", session=session, now=now)
            for n in range(citizens)
        ]
        for index in range(count):
            payload = {
                "number": f"CRM-26-{index:06d}-0",
                "stage": "koordinasi",
                "from_stage": "menunggu",
                "note": None,
                "at": now.isoformat(),
            }
            outbox.enqueue(
                people[index % citizens].id,
                "stage_changed",
                payload,
                report_id=None,
                session=session,
                now=now - timedelta(seconds=1),
            )

    store(enqueue_all)


def _start_worker(config: dict[str, str], log: Path) -> subprocess.Popen:
    env = {**os.environ, **config}
    with log.open("ab") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "bot", "crm", "worker"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )


def _stop(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=20)


def _wait_until(condition, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def _numbers(fake) -> collections.Counter:
    return collections.Counter(got.body.split("*")[1] for got in fake.received)


@pytest.fixture
def workers():
    started: list[subprocess.Popen] = []
    yield started
    for worker in started:
        if worker.poll() is None:
            worker.kill()
            worker.wait()


def test_two_workers_send_each_of_1000_notifications_exactly_once(
    database_url, fake_twilio, store, workers, tmp_path
):
    if not database_url.startswith("postgresql"):
        pytest.skip("several workers at once are a PostgreSQL deployment")
    _queue(store, 1000)
    config = twilio_config(database_url, fake_twilio, OUTBOX_BATCH_SIZE="25")
    workers.extend(_start_worker(config, tmp_path / f"worker{n}.log") for n in (1, 2))
    assert _wait_until(lambda: store(outbox.count_by_state).get("sent") == 1000), (
        tmp_path / "worker1.log"
    ).read_text()[-3000:]
    for worker in workers:
        _stop(worker)
    counts = _numbers(fake_twilio)
    assert len(counts) == 1000
    assert max(counts.values()) == 1
    senders = collections.Counter(note.claimed_by for note in store(outbox.notifications))
    assert len(senders) == 2, f"both workers should have sent a share: {senders}"


def test_a_worker_killed_mid_batch_loses_nothing_and_resends_at_most_the_one_in_flight(
    database_url, fake_twilio, store, workers, tmp_path
):
    _queue(store, 200)
    config = twilio_config(
        database_url,
        fake_twilio,
        SEND_RATE_PER_SECOND="100",
        OUTBOX_BATCH_SIZE="20",
        OUTBOX_LEASE_SECONDS="2",
    )
    first = _start_worker(config, tmp_path / "first.log")
    workers.append(first)
    assert _wait_until(lambda: len(fake_twilio.received) >= 50)
    first.send_signal(signal.SIGKILL)
    first.wait()
    sent_before_kill = len(fake_twilio.received)
    assert sent_before_kill < 200, "the worker finished before it could be killed"
    workers.append(_start_worker(config, tmp_path / "second.log"))
    assert _wait_until(lambda: store(outbox.count_by_state).get("sent") == 200), (
        tmp_path / "second.log"
    ).read_text()[-3000:]
    counts = _numbers(fake_twilio)
    assert len(counts) == 200
    duplicates = sum(count - 1 for count in counts.values())
    assert duplicates <= 1
