"""`GET /healthz`: the database, the worker's heartbeat and the spool, honestly.

200 when the database answers (the body says if the worker is late, if messages wait in
the spool, and how many spooled entries were set aside for an operator); 503 when it
does not.
"""

from datetime import timedelta

from flask import Blueprint, jsonify

from bot import database
from bot.webhooks import spool
from store import heartbeats
from store.clock import utcnow
from store.db import database_answers

bp = Blueprint("health", __name__)

WORKER_LATE_AFTER = timedelta(seconds=60)


@bp.get("/healthz")
def healthz():
    kept = spool()
    waiting, set_aside = len(kept.pending()), kept.count_set_aside()
    if not database_answers(database.engine()):
        return jsonify(
            status="unavailable",
            database="unreachable",
            worker="unknown",
            spooled_files=waiting,
            set_aside_entries=set_aside,
        ), 503
    last = heartbeats.latest_beat(session=database.session())
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
