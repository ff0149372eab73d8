"""The app factory, settings, health, schema and texts."""

import tomllib
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlmodel import SQLModel

from bot import create_app
from bot.config import ConfigError
from handlers.texts import Texts
from store import models  # noqa: F401  (the tables compared with the migrations)
from store.categories import CATEGORIES
from store.clock import utcnow
from store.db import make_engine, upgrade
from store.stages import Stage
from templates import TEMPLATES_DIR


def test_healthz_answers_when_the_database_does(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok" and body["database"] == "ok"
    assert body["worker"] == "never seen" and body["spooled_files"] == 0
    assert body["set_aside_entries"] == 0


def test_healthz_is_503_when_the_database_is_unreachable(tmp_path):
    app = create_app(
        {
            "DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=1",
            "CRM_ENV": "test",
            "TWILIO_AUTH_TOKEN": "a-real-looking-token-123",
            "SECRET_KEY": "k" * 64,
        }
    )
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    app.extensions["crm.engine"].dispose()


def test_migrations_build_exactly_the_models_schema(app):
    engine = app.extensions["crm.engine"]
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    assert differences == []


@pytest.mark.parametrize("token", ["", "changeme", "your_auth_token"])
def test_production_refuses_placeholder_auth_tokens(token):
    with pytest.raises(ConfigError):
        create_app(
            {
                "CRM_ENV": "production",
                "TWILIO_AUTH_TOKEN": token,
                "PUBLIC_BASE_URL": "https://crm.example.go.id",
                "DATABASE_URL": "sqlite://",
            }
        )


def test_production_refuses_a_plain_http_public_url():
    with pytest.raises(ConfigError):
        create_app(
            {
                "CRM_ENV": "production",
                "TWILIO_AUTH_TOKEN": "f" * 32,
                "PUBLIC_BASE_URL": "http://crm.example.go.id",
                "DATABASE_URL": "sqlite://",
            }
        )


def test_development_generates_and_keeps_a_local_auth_token(tmp_path, monkeypatch):
    monkeypatch.delenv("TWILIO_AUTH_TOKEN", raising=False)
    config = {
        "CRM_ENV": "development",
        "DATABASE_URL": "sqlite://",
        "CRM_INSTANCE_PATH": str(tmp_path),
    }
    first = create_app(config)
    again = create_app(config)
    token = first.config["SETTINGS"].twilio_auth_token
    assert len(token) >= 32 and token == again.config["SETTINGS"].twilio_auth_token
    for app in (first, again):
        app.extensions["crm.engine"].dispose()


def _template_names(language: str) -> set[str]:
    return {path.stem for path in (TEMPLATES_DIR / language).glob("*.txt")}


def test_every_text_exists_in_both_languages():
    assert _template_names("id") == _template_names("en")
    assert len(_template_names("id")) > 30


@pytest.mark.parametrize("language", ["id", "en"])
def test_every_stage_and_category_has_a_label(language):
    with (Path(TEMPLATES_DIR) / language / "labels.toml").open("rb") as file:
        labels = tomllib.load(file)
    assert set(labels["stages"]) == {stage.value for stage in Stage}
    assert set(labels["stage_meanings"]) == {stage.value for stage in Stage}
    assert set(labels["categories"]) == set(CATEGORIES)
    assert len(labels["months"]) == 12


def test_the_validated_stage_says_so_in_indonesian():
    assert Texts("id").stage_meaning("validasi") == "telah divalidasi oleh TA Fasilitator"


def test_the_docs_list_every_content_template_an_operator_must_get_approved():
    from handlers.notifications import CONTENT_TEMPLATES

    readme = (Path(__file__).resolve().parent.parent / "docs" / "notifications.md").read_text()
    for template in CONTENT_TEMPLATES:
        assert f"`{template}:id`" in readme, template


def test_a_long_read_does_not_keep_writers_waiting(app, store):
    """Statistics over the whole history read for seconds; on SQLite they must not hold
    the write lock the webhook needs (they did, and messages were refused)."""
    import time

    from sqlalchemy import text

    from store.db import read_session
    from store.reports import count_reports
    from store.tokens import create_token

    engine = app.extensions["crm.engine"]
    with read_session(engine) as reader:
        reader.exec(text("SELECT count(*) FROM report")).one()  # the read transaction is open
        started = time.monotonic()
        store(create_token, "writer", "admin", now=utcnow())
        assert time.monotonic() - started < 1.0
        assert store(count_reports) == 0


EARLIER_ROWS = (
    "INSERT INTO contact (id, sender_key, language, created_at)"
    " VALUES (1, '+6281200000001', 'id', '2026-12-01 10:00:00.000000')",
    "INSERT INTO inbound_message (message_sid, contact_id, body, num_media, received_at)"
    " VALUES ('SM1', 1, 'halo', 0, '2026-12-01 10:00:00.000000')",
    "INSERT INTO report (id, number, number_digits, channel, category, description,"
    " kelurahan_id, kelurahan, kecamatan, kota, reporter_contact_id, stage,"
    " stage_changed_at, created_at) VALUES (1, 'CRM-26-000001-9', '260000019', 'whatsapp',"
    " 'jalan_rusak', 'Jalan berlubang', 1, 'Gambir', 'Gambir', 'Jakarta Pusat', 1,"
    " 'menunggu', '2026-12-01 10:00:00.000000', '2026-12-01 10:00:00.000000')",
    "INSERT INTO stage_change (report_id, seq, to_stage, actor_role, at)"
    " VALUES (1, 0, 'menunggu', 'citizen', '2026-12-01 10:00:00.000000')",
)


@pytest.mark.parametrize("revision", [f"{number:04d}" for number in range(1, 13)])
def test_a_sqlite_store_holding_reports_upgrades_from_every_earlier_revision(tmp_path, revision):
    """A migration that makes alembic rebuild a table on SQLite (an expression as a
    column's default does) fails once other tables' rows point at it."""
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    try:
        upgrade(engine, revision)
        with engine.begin() as connection:
            for row in EARLIER_ROWS:
                connection.execute(text(row))
        upgrade(engine)
        with engine.connect() as connection:
            kept = connection.execute(text("SELECT count(*) FROM stage_change")).scalar()
    finally:
        engine.dispose()
    assert kept == 1


def test_migration_0011_counts_the_replies_of_earlier_messages_as_queued(tmp_path):
    """A replay file left from before 0011 must not send those replies a second time."""
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    message = (
        "INSERT INTO inbound_message (message_sid, contact_id, body, num_media, received_at)"
        " VALUES (:sid, 1, 'halo', 0, '2026-12-01 10:00:00')"
    )
    try:
        upgrade(engine, "0010")
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO contact (id, sender_key, language, created_at,"
                    " notifications_paused) VALUES (1, '+6281200000001', 'id',"
                    " '2026-12-01 10:00:00', 0)"
                )
            )
            connection.execute(text(message), {"sid": "SMbefore"})
        upgrade(engine)
        with engine.begin() as connection:
            connection.execute(text(message), {"sid": "SMafter"})
            rows = connection.execute(text("SELECT message_sid, reply_queued FROM inbound_message"))
            queued = {sid: bool(flag) for sid, flag in rows}
    finally:
        engine.dispose()
    assert queued == {"SMbefore": True, "SMafter": False}
