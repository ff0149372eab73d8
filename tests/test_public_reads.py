"""What anyone may read (the dashboard, the stats API, Open311) is served apart from the
webhook and rate-limited per client address, in a storage all processes share."""

import os
import xml.etree.ElementTree as ET

import pytest

from bot import create_app
from bot.config import ConfigError
from conftest import WhatsApp, app_config, refresh_figures

REDIS_ENV = "CRM_TEST_REDIS_URL"
PUBLIC_READS = ("/dashboard", "/api/v1/stats", "/open311/v2/requests.json")


@pytest.fixture
def limited(database_url):
    """The app with a small public budget: 3 reads a minute per client."""
    app = create_app(app_config(database_url, PUBLIC_RATE_LIMIT="3 per minute"))
    refresh_figures(app)
    yield app
    app.extensions["crm.engine"].dispose()


def from_address(address: str) -> dict:
    return {"environ_base": {"REMOTE_ADDR": address}}


def test_the_public_reads_share_one_budget_per_client_then_answer_429(limited):
    client = limited.test_client()
    for path in PUBLIC_READS:
        assert client.get(path, **from_address("203.0.113.7")).status_code == 200, path
    for path in PUBLIC_READS:
        refused = client.get(path, **from_address("203.0.113.7"))
        assert refused.status_code == 429, path
        assert 0 < int(refused.headers["Retry-After"]) <= 60
    assert client.get("/dashboard", **from_address("198.51.100.2")).status_code == 200


def test_head_requests_draw_on_the_same_budget(limited):
    """Flask answers HEAD by running the GET view: the whole list query, without a body."""
    client = limited.test_client()
    answers = [client.head("/open311/v2/requests.json").status_code for _ in range(5)]
    assert answers == [200, 200, 200, 429, 429]


def test_a_429_speaks_each_surfaces_own_format(limited):
    client = limited.test_client()
    for _ in range(3):
        client.get("/dashboard")
    (error,) = client.get("/open311/v2/services.json").get_json()
    assert error["code"] == 429 and "slow down" in error["description"]
    xml = ET.fromstring(client.get("/open311/v2/services.xml").get_data())
    assert xml.tag == "errors" and xml.find("error/code").text == "429"
    assert client.get("/api/v1/stats").get_json()["error"]["code"] == "too_many_requests"


def test_the_webhook_the_officer_api_and_open311_filing_are_not_public_reads(limited):
    client = limited.test_client()
    for _ in range(3):
        client.get("/dashboard")
    assert client.get("/dashboard").status_code == 429
    whatsapp = WhatsApp(client)
    for _ in range(5):
        assert whatsapp.send("MENU").status == 200
    assert client.get("/api/v1/reports").status_code == 401  # no token, but not limited
    assert client.post("/open311/v2/requests.json", data={}).status_code == 403


def test_behind_a_proxy_the_client_is_the_one_it_forwarded_for(database_url):
    app = create_app(app_config(database_url, PUBLIC_RATE_LIMIT="1 per minute", PROXY_HOPS="1"))
    client = app.test_client()
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    first = {"X-Forwarded-For": "203.0.113.7"}
    assert client.get("/healthz").status_code == 200
    assert (
        client.get("/open311/v2/services.json", headers=first, environ_base=proxy).status_code
        == 200
    )
    assert (
        client.get("/open311/v2/services.json", headers=first, environ_base=proxy).status_code
        == 429
    )
    other = {"X-Forwarded-For": "198.51.100.2"}
    assert (
        client.get("/open311/v2/services.json", headers=other, environ_base=proxy).status_code
        == 200
    )
    app.extensions["crm.engine"].dispose()


@pytest.fixture
def redis_url():
    url = os.environ.get(REDIS_ENV)
    if not url:
        pytest.skip(
            f"a budget shared across processes needs {REDIS_ENV} (e.g. redis://127.0.0.1:6379/15)"
        )
    import redis

    redis.Redis.from_url(url).flushdb()  # the test's own database number: see .ci/run
    return url


def test_processes_share_one_budget_in_redis(database_url, redis_url):
    config = app_config(
        database_url, PUBLIC_RATE_LIMIT="4 per minute", RATELIMIT_STORAGE_URI=redis_url
    )
    first, second = create_app(config), create_app(config)  # as two gunicorn workers would
    try:
        for app in (first, second, first, second):
            assert app.test_client().get("/open311/v2/services.json").status_code == 200
        assert first.test_client().get("/open311/v2/services.json").status_code == 429
        assert second.test_client().get("/open311/v2/services.json").status_code == 429
    finally:
        for app in (first, second):
            app.extensions["crm.engine"].dispose()


# --- Surfaces: which process serves what --------------------------------------------------


def test_the_web_surface_serves_twilio_and_the_officers_and_no_public_read(database_url):
    app = create_app(app_config(database_url, CRM_SURFACE="web"))
    client = app.test_client()
    assert WhatsApp(client).send("MENU").status == 200
    assert client.get("/api/v1/reports").status_code == 401
    for path in PUBLIC_READS:
        assert client.get(path).status_code == 404, path
    assert client.get("/healthz").status_code == 200
    app.extensions["crm.engine"].dispose()


def test_the_public_surface_serves_public_reads_and_no_webhook(database_url):
    app = create_app(app_config(database_url, CRM_SURFACE="public"))
    refresh_figures(app)
    client = app.test_client()
    for path in PUBLIC_READS:
        assert client.get(path).status_code == 200, path
    assert WhatsApp(client).send("MENU").status == 404
    assert client.get("/api/v1/reports").status_code == 404
    assert client.get("/healthz").status_code == 200
    app.extensions["crm.engine"].dispose()


@pytest.mark.parametrize(
    ("setting", "complaint"),
    [
        ({"CRM_SURFACE": "everything"}, "CRM_SURFACE"),
        ({"PUBLIC_RATE_LIMIT": "lots"}, "PUBLIC_RATE_LIMIT"),
        ({"PROXY_HOPS": "-1"}, "PROXY_HOPS"),
        (
            {
                "CRM_ENV": "production",
                "PUBLIC_BASE_URL": "https://crm.example.go.id",
                "SECRET_KEY": "f" * 64,
                "CRM_SURFACE": "public",
            },
            "RATELIMIT_STORAGE_URI",
        ),
    ],
)
def test_settings_that_would_serve_wrongly_refuse_to_start(database_url, setting, complaint):
    with pytest.raises(ConfigError, match=complaint):
        create_app(app_config(database_url, **setting))


def test_only_the_public_process_needs_the_shared_budget_storage_in_production(database_url):
    """The worker and the release step build the same app and serve no public read."""
    production = {
        "CRM_ENV": "production",
        "PUBLIC_BASE_URL": "https://crm.example.go.id",
        "SECRET_KEY": "f" * 64,
    }
    for surface in ("web", "all"):
        app = create_app(app_config(database_url, CRM_SURFACE=surface, **production))
        app.extensions["crm.engine"].dispose()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_public_reads_never_take_sqlites_write_lock(app, client, database_url):
    """A reader that took the lock held every webhook's write back behind each page of
    Open311 (bench/public_load.py); with a writer holding it, public reads still answer."""
    import sqlite3

    refresh_figures(app)
    writer = sqlite3.connect(database_url.removeprefix("sqlite:///"), isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    try:
        for path in (*PUBLIC_READS, "/open311/v2/servicerequestupdates.xml"):
            assert client.get(path).status_code == 200, path
    finally:
        writer.execute("ROLLBACK")
        writer.close()
