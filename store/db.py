"""Engines, sessions and migrations for SQLite (the embedded default) and PostgreSQL."""

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import psycopg
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from store.sql import AnySession

MIGRATIONS = Path(__file__).parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 5000
PG_CONNECT_TIMEOUT_S = 3
READ_ONLY = "crm_read_only"
UNBOUNDED = "crm_unbounded"
T = TypeVar("T")


@dataclass(frozen=True)
class Timeouts:
    """How long one statement may run, and wait for a lock, before the database gives
    up with an OperationalError, so that a stuck database costs a request seconds, not
    Twilio's 15 s (bot/webhooks.py then keeps the message in the spool).

    PostgreSQL applies both to every transaction of the engine (`statement_timeout`,
    `lock_timeout`), set once per connection, except the long work run on
    `unbounded(engine)`. SQLite has no statement timeout, and its only wait is for the
    whole database's write lock (`busy_timeout`), so it waits up to `statement_ms`
    there (5 s by default, as before): the short `lock_ms` would put every message in
    the spool whenever the worker writes for a second."""

    statement_ms: int
    lock_ms: int


def make_engine(url: str, *, timeouts: Timeouts | None = None, **kwargs) -> Engine:
    """An engine for `url`; with `timeouts`, for the processes that serve requests and
    run the worker's jobs (bot/database.py), without them for tools and tests."""
    # hide_parameters: a logged database error must not carry reporters' phones and names
    kwargs.setdefault("hide_parameters", True)
    if url.startswith("sqlite"):
        engine = create_engine(url, **kwargs)
        busy_ms = timeouts.statement_ms if timeouts else SQLITE_BUSY_TIMEOUT_MS
        _make_sqlite_transactions_serial(engine, busy_ms)
        return engine
    # a database that does not answer must fail fast, within Twilio's 15 s
    connect_args = {"connect_timeout": PG_CONNECT_TIMEOUT_S}
    if timeouts:
        connect_args["options"] = (
            f"-c statement_timeout={timeouts.statement_ms} -c lock_timeout={timeouts.lock_ms}"
        )
    kwargs.setdefault("connect_args", connect_args)
    engine = create_engine(url, pool_pre_ping=True, **kwargs)
    _lift_timeouts_when_unbounded(engine)
    return engine


def unbounded(engine: Engine) -> Engine:
    """`engine` for long work that must not be cut off by the requests' timeouts: the
    migrations, the history generator, the statistics over the whole history (seconds
    each on a million reports). Its transactions run without `Timeouts`."""
    return engine.execution_options(**{UNBOUNDED: True})


def _lift_timeouts_when_unbounded(engine: Engine) -> None:
    """On PostgreSQL: `SET LOCAL` both timeouts to none (0) at the start of every
    transaction of `unbounded(engine)`; they come back at its end. Such work also runs
    without parallel workers: the statistics over the whole history took both cores for
    seconds every 5 minutes, and the webhook's p99 rose past 700 ms meanwhile
    (bench/public_load.py); on one core they leave the other to the webhook."""

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        if connection.get_execution_options().get(UNBOUNDED):
            connection.exec_driver_sql(
                "SELECT set_config('statement_timeout', '0', true),"
                " set_config('lock_timeout', '0', true),"
                " set_config('max_parallel_workers_per_gather', '0', true)"
            )


def _make_sqlite_transactions_serial(engine: Engine, busy_timeout_ms: int) -> None:
    """WAL, foreign keys, and BEGIN IMMEDIATE for every transaction.

    Several processes share the file. A deferred transaction that reads and then
    writes can fail with "database is locked" without waiting; taking the write
    lock up front makes writers queue politely behind `busy_timeout` instead.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={busy_timeout_ms}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        if connection.connection.driver_connection.in_transaction:
            # Only store.sql.Transaction begins on the driver itself, then joins its ORM
            # session here; for every other session the driver is idle at this point.
            return
        if connection.get_execution_options().get(READ_ONLY):
            connection.exec_driver_sql("BEGIN")  # readers never wait for, nor block, writers
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")


class Conflict(RuntimeError):
    """A unique-index race was lost on every attempt."""


def commit_with_retries(session: AnySession, work: Callable[[], T], *, attempts: int = 3) -> T:
    """Run `work` and commit; when a concurrent transaction wins a unique-index race
    (the same MessageSid twice, one new sender in two messages at once), roll back and
    run it again: the second run sees the winner's rows."""
    for _ in range(attempts):
        try:
            result = work()
            session.commit()
            return result
        except IntegrityError:
            session.rollback()
    raise Conflict(f"still conflicting after {attempts} attempts")


def gave_up_waiting(problem: Exception) -> bool:
    """Whether a database error is a lock or statement timeout (PostgreSQL), or a write
    lock not had within the busy timeout (SQLite): the database answers, but something
    held what this work needed, or it ran too long. Not a lost connection."""
    original = getattr(problem, "orig", None)
    if isinstance(original, psycopg.errors.LockNotAvailable | psycopg.errors.QueryCanceled):
        return True
    return isinstance(original, sqlite3.OperationalError) and "locked" in str(original)


def insert_for(session: Session, model):
    """An INSERT that understands ON CONFLICT, in the session's SQL dialect."""
    if session.get_bind().dialect.name == "postgresql":
        return pg_insert(model)
    return sqlite_insert(model)


def new_session(engine: Engine) -> Session:
    return Session(engine, expire_on_commit=False)


def read_session(engine: Engine) -> Session:
    """A session that only reads: statistics over the whole history, what the public
    reads. On SQLite it does not take the write lock, so the webhook's writers are not
    kept waiting; on PostgreSQL its transactions are READ ONLY, and refuse a write."""
    reading = engine.execution_options(**{READ_ONLY: True}, postgresql_readonly=True)
    return Session(reading, expire_on_commit=False)


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    config = alembic_config()
    with unbounded(engine).begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
