"""One engine per app; per request, an ORM session and a plain-SQL transaction, each
made on first use and closed on teardown."""

from flask import Flask, current_app, g
from sqlalchemy import Engine
from sqlmodel import Session

from store.db import Timeouts, make_engine, new_session
from store.sql import Transaction

_ENGINE = "crm.engine"


def init_app(app: Flask) -> None:
    settings = app.config["SETTINGS"]
    timeouts = Timeouts(settings.db_statement_timeout_ms, settings.db_lock_timeout_ms)
    app.extensions[_ENGINE] = make_engine(settings.database_url, timeouts=timeouts)
    app.teardown_appcontext(_close_session)


def engine() -> Engine:
    return current_app.extensions[_ENGINE]


def session() -> Session:
    """The ORM session of the officer API, the dashboard, Open311 and the jobs."""
    if "db_session" not in g:
        g.db_session = new_session(engine())
    return g.db_session


def transaction() -> Transaction:
    """The unit of work of a WhatsApp message (store/sql.py says why it is not a Session)."""
    if "db_transaction" not in g:
        g.db_transaction = Transaction(engine())
    return g.db_transaction


def _close_session(_exc: BaseException | None) -> None:
    session, transaction = g.pop("db_session", None), g.pop("db_transaction", None)
    try:
        if session is not None:
            session.close()
    finally:
        if transaction is not None:
            transaction.close()
