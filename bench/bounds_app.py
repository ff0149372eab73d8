"""How fast the webhook could be on this stack, step by step: Flask apps that do only
part of the webhook's work, with no conversation logic and no templates, served by the
same gunicorn command as the real app (bench/webhook_bounds.py):

    form        read Twilio's form, answer constant TwiML
    signed      + check Twilio's signature (the `twilio` library, one HMAC)
    status_read + the reads of a STATUS, in a read transaction, and no write at all:
                  what answering before recording (not durable) could not go below
    one_write   + record the message: BEGIN IMMEDIATE, one INSERT, COMMIT (raw sqlite3)
    status_sql  + every other statement a STATUS runs (the same SQL as store/, raw)

Each is a floor for the real webhook: it cannot cost less than the work it must do.
SQLite only; `DATABASE_URL` points at the store with the generated history.
"""

import json
import os
import sqlite3
from datetime import UTC, datetime, timedelta

from flask import Flask, Response, abort, request
from twilio.request_validator import RequestValidator

LEVELS = ("form", "signed", "status_read", "one_write", "status_sql")
TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response><Message>Laporan</Message></Response>'
REPORT_COLUMNS = (
    "id, number, category, description, kelurahan_id, kelurahan, kecamatan, kota,"
    " location_text, latitude, longitude, channel, stage, stage_changed_at, created_at,"
    " reporter_contact_id, reporter_name, reporter_phone"
)


def create_app(level: str) -> Flask:
    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}")
    app = Flask(__name__)
    validator = RequestValidator(os.environ["TWILIO_AUTH_TOKEN"])
    signed_url = os.environ["PUBLIC_BASE_URL"] + "/webhooks/whatsapp"
    database = os.environ["DATABASE_URL"].removeprefix("sqlite:///")
    connection: list[sqlite3.Connection] = []  # opened in the worker, after the fork

    def db() -> sqlite3.Connection:
        if not connection:
            opened = sqlite3.connect(database, isolation_level=None)
            for pragma in ("journal_mode=WAL", "busy_timeout=5000", "synchronous=NORMAL"):
                opened.execute(f"PRAGMA {pragma}")
            connection.append(opened)
        return connection[0]

    @app.post("/webhooks/whatsapp")
    def whatsapp():
        form = request.form
        if level == "form":
            return Response(TWIML, mimetype="text/xml")
        signature = request.headers.get("X-Twilio-Signature", "")
        if validator.compute_signature(signed_url, form) != signature:
            abort(403)
        if level == "status_read":
            _read_only(db(), form)
        elif level != "signed":
            _record(db(), form, with_status=level == "status_sql")
        return Response(TWIML, mimetype="text/xml")

    @app.get("/healthz")
    def healthz():
        return {"status": "ok"}

    return app


def _record(db: sqlite3.Connection, form, *, with_status: bool) -> None:
    now = datetime.now(UTC).replace(tzinfo=None)
    db.execute("BEGIN IMMEDIATE")
    try:
        contact_id = 1
        if with_status:
            contact_id = _status_reads(db, form, now)
        db.execute(
            "INSERT INTO inbound_message (message_sid, contact_id, body, num_media,"
            " received_at, reply) VALUES (?, ?, ?, 0, ?, ?)",
            (form["MessageSid"], contact_id, form["Body"], now.isoformat(" "), json.dumps([TWIML])),
        )
        db.execute("COMMIT")
    except Exception:
        db.execute("ROLLBACK")
        raise


def _read_only(db: sqlite3.Connection, form) -> None:
    db.execute("BEGIN")
    try:
        _status_reads(db, form, datetime.now(UTC).replace(tzinfo=None), touch_contact=False)
    finally:
        db.execute("ROLLBACK")


def _status_reads(
    db: sqlite3.Connection, form, now: datetime, *, touch_contact: bool = True
) -> int:
    """The statements of a STATUS from a known sender without a draft, in order (the
    contact only read, not touched, for `status_read`)."""
    db.execute(
        "SELECT reply FROM inbound_message WHERE message_sid = ?", (form["MessageSid"],)
    ).fetchone()
    sender = form["From"].removeprefix("whatsapp:")
    columns = (
        "id, phone, profile_name, language, awaiting_rating_for, notifications_paused,"
        " language_chosen"
    )
    if touch_contact:
        contact = db.execute(
            "UPDATE contact SET last_inbound_at = ?, profile_name = coalesce(?, profile_name)"
            f" WHERE sender_key = ? RETURNING {columns}",
            (now.isoformat(" "), form.get("ProfileName"), sender),
        ).fetchone()
    else:
        contact = db.execute(
            f"SELECT {columns} FROM contact WHERE sender_key = ?", (sender,)
        ).fetchone()
    contact_id = contact[0] if contact else 1
    since = (now - timedelta(minutes=1)).isoformat(" ")
    db.execute(
        "SELECT count(*) FROM inbound_message WHERE contact_id = ? AND received_at >= ?",
        (contact_id, since),
    ).fetchone()
    db.execute(
        "SELECT step, data, updated_at FROM draft WHERE contact_id = ?", (contact_id,)
    ).fetchone()
    digits = "".join(char for char in form["Body"] if char.isdigit())
    report = db.execute(
        f"SELECT {REPORT_COLUMNS} FROM report WHERE number_digits = ?", (digits,)
    ).fetchone()
    if report is not None:
        db.execute(
            "SELECT from_stage, to_stage, actor_role, note, at FROM stage_change"
            " WHERE report_id = ? ORDER BY seq",
            (report[0],),
        ).fetchall()
        db.execute(
            "SELECT url, content_type FROM report_media WHERE report_id = ? ORDER BY id",
            (report[0],),
        ).fetchall()
    return contact_id
