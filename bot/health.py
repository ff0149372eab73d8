"""`GET /healthz`: 200 when the database answers, 503 when it does not."""

from flask import Blueprint, jsonify

from bot import database
from store.db import database_answers

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    if database_answers(database.engine()):
        return jsonify(status="ok", database="ok")
    return jsonify(status="unavailable", database="unreachable"), 503
