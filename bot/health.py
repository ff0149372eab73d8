"""`GET /healthz`: the database, the worker's heartbeat and the spool, honestly.

200 when the database answers (the body says if the worker is late, if messages wait in
the spool, and how many spooled entries were set aside for an operator); 503 when it
does not, or not within DATABASE_SECONDS: a load balancer or a monitor asking must get
an answer within a second whatever the database does (store/bounded.py).
"""

from datetime import timedelta

from flask import Blueprint, jsonify
from sqlalchemy.exc import SQLAlchemyError

from bot import database
from bot.webhooks import spool
from store import heartbeats
from store.bounded import TooSlow, read_within
from store.clock import utcnow
from store.sql import orm

bp = Blueprint("health", __name__)

WORKER_LATE_AFTER = timedelta(seconds=60)
DATABASE_SECONDS = 0.8  # and the spool's files read in the rest of the second


@bp.get("/healthz")
def healthz():
    kept = spool()
    waiting, set_aside = kept.count_files_waiting(), kept.count_set_aside()
    try:
        last = read_within(
            database.engine(),
            lambda db: heartbeats.latest_beat(session=orm(db)),
            seconds=DATABASE_SECONDS,
        )
    except (TooSlow, SQLAlchemyError):
        return jsonify(
            status="unavailable",
            database="unreachable",
            worker="unknown",
            spooled_files=waiting,
            set_aside_entries=set_aside,
        ), 503
    if last is None:
        worker = "never seen"
    elif utcnow() - last > WORKER_LATE_AFTER:
        worker = f"late: last seen {int((utcnow() - last).total_seconds())} s ago"
    else:
        worker = "ok"
    return jsonify(
        status="ok",
        database="ok",
        worker=worker,
        spooled_files=waiting,
        set_aside_entries=set_aside,
    )
