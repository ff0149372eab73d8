"""One engine per app; per request, an ORM session and a plain-SQL transaction, each
made on first use and closed on teardown."""

from pathlib import Path

from flask import Flask, current_app, g
from sqlalchemy import Engine, make_url
from sqlmodel import Session

from store.db import Timeouts, make_engine, new_session, read_session
from store.private_files import private_file, tighten_if_present
from store.sql import Transaction

_ENGINE = "crm.engine"
SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")


def init_app(app: Flask) -> None:
    settings = app.config["SETTINGS"]
    keep_sqlite_private(settings.database_url)
    timeouts = Timeouts(settings.db_statement_timeout_ms, settings.db_lock_timeout_ms)
    app.extensions[_ENGINE] = make_engine(settings.database_url, timeouts=timeouts)
    app.teardown_appcontext(_close_session)


def keep_sqlite_private(url: str) -> None:
    """A SQLite database file made 0600 before SQLite opens it, as SQLite gives its
    -wal, -shm and -journal files the database file's mode (those an earlier version
    left looser are tightened too)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return
    if parsed.database == ":memory:" or parsed.database.startswith("file:"):
        return
    database = private_file(Path(parsed.database))
    for suffix in SQLITE_SIDE_FILES:
        tighten_if_present(database.with_name(database.name + suffix))


def engine() -> Engine:
    return current_app.extensions[_ENGINE]


def session() -> Session:
    """The ORM session of the officer API, the dashboard, Open311 and the jobs."""
    if "db_session" not in g:
        g.db_session = new_session(engine())
    return g.db_session


def reader() -> Session:
    """A read-only session, for what anyone may read (the dashboard, Open311's lists). On
    SQLite an ordinary session takes the database's one write lock as it begins: a page of
    Open311 read in one held every webhook's write back (bench/public_load.py)."""
    if "db_reader" not in g:
        g.db_reader = read_session(engine())
    return g.db_reader


def transaction() -> Transaction:
    """The unit of work of a WhatsApp message (store/sql.py says why it is not a Session)."""
    if "db_transaction" not in g:
        g.db_transaction = Transaction(engine())
    return g.db_transaction


def _close_session(_exc: BaseException | None) -> None:
    session, transaction = g.pop("db_session", None), g.pop("db_transaction", None)
    reading = g.pop("db_reader", None)
    try:
        if session is not None:
            session.close()
        if reading is not None:
            reading.close()
    finally:
        if transaction is not None:
            transaction.close()
