"""`Idempotency-Key` on the POSTs that file a report: a channel's retry finds the report
its first attempt filed, and the reporter is told once."""

import json
import threading
import urllib.request
from datetime import timedelta

import pytest
import time_machine

from conftest import make_token
from scheduler import jobs
from store import outbox, reports
from store.clock import utcnow
from store.stages import Role

API = "/api/v1"
OPEN311 = "/open311/v2"
BODY = {
    "channel": "JAKI",
    "category": "jalan_rusak",
    "description": "Jalan berlubang besar di depan SDN 01",
    "kelurahan": "Kramat",
    "reporter": {"name": "Siti Aminah", "phone": "0812-3456-7890"},
}


@pytest.fixture
def channel_token(store):
    return make_token(store, Role.CHANNEL)


def _post(client, token, body=BODY, *, key: str | None):
    headers = {"Authorization": f"Bearer {token}"}
    if key is not None:
        headers["Idempotency-Key"] = key
    return client.post(f"{API}/reports", json=body, headers=headers)


def test_a_retry_with_the_same_key_gets_the_first_report_and_the_reporter_one_message(
    client, store, channel_token
):
    first = _post(client, channel_token, key="jaki-7f3a9c")
    again = _post(client, channel_token, key="jaki-7f3a9c")

    assert first.status_code == again.status_code == 201
    assert again.get_json()["number"] == first.get_json()["number"]
    assert "Idempotent-Replayed" not in first.headers
    assert again.headers["Idempotent-Replayed"] == "true"
    assert store(reports.count_reports) == 1
    assert len(store(outbox.notifications)) == 1


def test_without_a_key_each_post_files_a_report(client, store, channel_token):
    numbers = {_post(client, channel_token, key=None).get_json()["number"] for _ in range(2)}
    assert len(numbers) == 2 and store(reports.count_reports) == 2


def test_the_same_key_with_another_body_is_refused_and_files_nothing(client, store, channel_token):
    _post(client, channel_token, key="k-1")
    other = _post(client, channel_token, {**BODY, "category": "sampah"}, key="k-1")

    assert other.status_code == 422
    assert other.get_json()["error"]["code"] == "idempotency_key_reused"
    assert store(reports.count_reports) == 1


@pytest.mark.parametrize("key", ["", " ", "kunci rahasia", "kunci-é", "x" * 256, "a\tb"])
def test_a_malformed_key_is_refused_and_files_nothing(client, store, channel_token, key):
    answer = _post(client, channel_token, key=key)
    assert answer.status_code == 400
    assert answer.get_json()["error"]["code"] == "invalid_idempotency_key"
    assert store(reports.count_reports) == 0


def test_keys_belong_to_their_token(client, store, channel_token):
    other_token = make_token(store, Role.CHANNEL, name="jaki-2")
    first = _post(client, channel_token, key="same-key").get_json()["number"]
    second = _post(client, other_token, key="same-key").get_json()["number"]
    assert first != second and store(reports.count_reports) == 2


def test_a_key_is_forgotten_a_day_later_and_then_files_anew(worker, client, store, channel_token):
    start = utcnow()
    with time_machine.travel(start, tick=False):
        _post(client, channel_token, key="k-day")
    with time_machine.travel(start + timedelta(hours=23), tick=False):
        assert jobs.purge_idempotency_keys(worker) == 0
        assert _post(client, channel_token, key="k-day").headers["Idempotent-Replayed"] == "true"
    with time_machine.travel(start + timedelta(hours=24, seconds=1), tick=False):
        assert jobs.purge_idempotency_keys(worker) == 1
        assert "Idempotent-Replayed" not in _post(client, channel_token, key="k-day").headers
    assert store(reports.count_reports) == 2


def test_open311_retries_with_the_same_key_file_once(client, store, channel_token):
    form = {
        "api_key": channel_token,
        "service_code": "jalan_rusak",
        "address_string": "Jl. Kramat Raya 10",
        "attribute[kelurahan]": "Kramat",
        "description": "Jalan berlubang besar di depan sekolah",
    }
    headers = {"Idempotency-Key": "311-abc"}
    first = client.post(f"{OPEN311}/requests.json", data=form, headers=headers)
    again = client.post(f"{OPEN311}/requests.json", data=form, headers=headers)
    other = client.post(
        f"{OPEN311}/requests.xml", data={**form, "service_code": "sampah"}, headers=headers
    )

    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json() and again.headers["Idempotent-Replayed"] == "true"
    assert other.status_code == 422 and b"<errors>" in other.get_data()
    assert store(reports.count_reports) == 1


def test_concurrent_retries_with_one_key_file_one_report(served, store, channel_token):
    """Eight copies of one request at once, through a real server: one report, eight
    answers naming it (on PostgreSQL the losers of the unique key retry and replay)."""
    start, numbers = threading.Barrier(8), []

    def post() -> None:
        request = urllib.request.Request(
            f"{served['base']}{API}/reports",
            data=json.dumps(BODY).encode(),
            headers={
                "Authorization": f"Bearer {channel_token}",
                "Content-Type": "application/json",
                "Idempotency-Key": "burst-1",
            },
        )
        start.wait(timeout=10)
        with urllib.request.urlopen(request, timeout=30) as answer:
            numbers.append((answer.status, json.load(answer)["number"]))

    threads = [threading.Thread(target=post) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert len(numbers) == 8 and {status for status, _ in numbers} == {201}
    assert len({number for _, number in numbers}) == 1
    assert store(reports.count_reports) == 1
