"""One engine per app, one session per request (closed on teardown)."""

from flask import Flask, current_app, g
from sqlalchemy import Engine
from sqlmodel import Session

from store.db import make_engine, new_session

_ENGINE = "crm.engine"


def init_app(app: Flask) -> None:
    app.extensions[_ENGINE] = make_engine(app.config["SETTINGS"].database_url)
    app.teardown_appcontext(_close_session)


def engine() -> Engine:
    return current_app.extensions[_ENGINE]


def session() -> Session:
    if "db_session" not in g:
        g.db_session = new_session(engine())
    return g.db_session


def _close_session(_exc: BaseException | None) -> None:
    db_session = g.pop("db_session", None)
    if db_session is not None:
        db_session.close()
