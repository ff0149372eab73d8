"""Plain SQL on the driver connection: the unit of work of the inbound message path.

Every WhatsApp message runs the same handful of statements (the MessageSid check, the
contact, the rate limit, the draft, the record of the message) and a STATUS adds two
reads. Through the ORM, on the full history, that took 4.6 ms a message: an ORM
session and its connection cost 0.11 ms before their first statement, and a report
looked up by number 0.26 ms, against 0.01 ms on the driver (bench/RESULTS.md). So:

- `Transaction` is one transaction on one pooled connection. Store functions run their
  frequent statements through `sql(session)`, written once, with `:name` parameters,
  for SQLite and PostgreSQL alike.
- The flows that file and move reports keep the ORM: `orm(session)` is a Session joined
  to the same connection and transaction, made only when one of them runs.
- Both helpers accept an ordinary ORM Session too, so the API, the scheduler and the
  tests call the same store functions.
- A `Transaction` may be read-only: it takes no write lock (on SQLite, `BEGIN` rather
  than `BEGIN IMMEDIATE`) and refuses every write, plain or through the ORM, with
  `WriteNeeded` before it runs. The webhook answers most messages that way first
  (handlers/once.py says why).

Values: pass aware UTC datetimes, dicts and lists as they are; read datetimes back
with `utc()` and JSON with `from_json()`, since SQLite hands both back as text.
"""

import json
import re
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError, InterfaceError
from sqlalchemy.pool import PoolProxiedConnection
from sqlmodel import Session

_NAMED_PARAMETER = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")
_WRITE_VERBS = ("INSERT", "UPDATE", "DELETE", "REPLACE")
_READ_ONLY = "crm.read_only"  # in the `info` of a read-only Transaction's ORM session


class WriteNeeded(Exception):
    """A read-only transaction was asked to write: nothing was written, and the caller
    does its work again in a write transaction."""


def _refuse_writes(statement: str) -> None:
    """By the statement's first word: the store's writes start with their verb (none
    is a `WITH …` that writes; one that did would need refusing here too)."""
    if statement.lstrip()[:7].upper().startswith(_WRITE_VERBS):
        raise WriteNeeded(statement.split(None, 1)[0])


def _refuse_orm_writes(_connection, _cursor, statement, *_args) -> None:
    _refuse_writes(statement)


@lru_cache(maxsize=256)
def _pyformat(statement: str) -> str:
    """`:name` → `%(name)s` for psycopg (which also needs literal `%` doubled)."""
    return _NAMED_PARAMETER.sub(r"%(\1)s", statement.replace("%", "%%"))


class Sql:
    """Statements on one pooled driver connection that is already in a transaction.
    Driver errors come out as SQLAlchemy's (IntegrityError, OperationalError, …), like
    everywhere else in the store, and a lost connection is dropped from the pool."""

    def __init__(self, pooled: PoolProxiedConnection, engine: Engine, *, read_only: bool = False):
        self._pooled = pooled
        self._engine = engine
        self._postgres = engine.dialect.name == "postgresql"
        self.read_only = read_only

    def rows(self, statement: str, **params: Any) -> list[tuple]:
        return self._run(statement, params).fetchall()

    def row(self, statement: str, **params: Any) -> tuple | None:
        return self._run(statement, params).fetchone()

    def value(self, statement: str, **params: Any) -> Any:
        """The first column of the first row, or None when there is no row."""
        found = self.row(statement, **params)
        return None if found is None else found[0]

    def execute(self, statement: str, **params: Any) -> int:
        """Run a statement that returns no rows; the number of rows it changed."""
        return self._run(statement, params).rowcount

    def _run(self, statement: str, params: dict[str, Any]):
        if self.read_only:
            _refuse_writes(statement)
        values = {name: self._to_database(value) for name, value in params.items()}
        if self._postgres:
            statement = _pyformat(statement)
        try:
            return _driver(self._pooled).execute(statement, values)
        except self._engine.dialect.loaded_dbapi.Error as problem:
            raise _database_error(problem, statement, self._pooled, self._engine) from problem

    def _to_database(self, value: Any) -> Any:
        if isinstance(value, datetime):
            return _aware(value).astimezone(UTC) if self._postgres else sqlite_text(value)
        if isinstance(value, dict | list):
            return _json_parameter(value) if self._postgres else json.dumps(value)
        return value


def sqlite_text(moment: datetime) -> str:
    """An aware datetime as the naive-UTC text SQLAlchemy's DateTime writes on SQLite,
    microseconds included, so that rows written by either compare in time order. (The
    generator's `_stamper` writes the same text from naive UTC moments.)"""
    if _aware(moment).utcoffset():
        moment = moment.astimezone(UTC)
    return moment.isoformat(" ", "microseconds")[:26]


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("naive datetime given to the store; use aware UTC")
    return moment


def _driver(pooled: PoolProxiedConnection):
    """The driver connection, or SQLAlchemy's InterfaceError once an error showed it
    lost (it has left the pool then): the webhook answers that with 503."""
    driver = pooled.driver_connection
    if driver is None:
        lost = ConnectionError("the database connection was lost earlier in this transaction")
        raise InterfaceError(None, None, lost, connection_invalidated=True)
    return driver


def _database_error(
    problem: Exception, statement: str | None, pooled: PoolProxiedConnection, engine: Engine
) -> BaseException:
    """The driver's error as SQLAlchemy's; a connection it shows lost leaves the pool."""
    dialect = engine.dialect
    lost = dialect.is_disconnect(problem, pooled.driver_connection, None)
    if lost:
        pooled.invalidate(problem)
    return DBAPIError.instance(
        statement,
        None,  # parameters hold phones and names: never in an error message
        problem,
        dialect.loaded_dbapi.Error,
        hide_parameters=True,
        connection_invalidated=lost,
        dialect=dialect,
    )


def _json_parameter(value):
    from psycopg.types.json import Json  # only PostgreSQL stores get here

    return Json(value)


class Transaction:
    """One transaction on one pooled connection: plain SQL through `sql`, the ORM
    through `orm` (joined to the same transaction, made on first use). `commit` and
    `rollback` end it and give the connection back; the next statement starts a new
    one. On SQLite it takes the write lock up front (`BEGIN IMMEDIATE`), as the store's
    ORM sessions do (store/db.py), unless it is `read_only`."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self._pooled: PoolProxiedConnection | None = None
        self._sql: Sql | None = None
        self._orm: Session | None = None
        self._read_only = False

    @property
    def one_writer_at_a_time(self) -> bool:
        """Whether a write transaction locks the whole database (SQLite), rather than
        the rows it changes (PostgreSQL)."""
        return self.engine.dialect.name == "sqlite"

    @property
    def read_only(self) -> bool:
        return self._read_only

    @read_only.setter
    def read_only(self, read_only: bool) -> None:
        """For the transactions to come: read-only ones refuse writes with WriteNeeded."""
        if self._sql is not None:
            raise RuntimeError("a transaction is open: commit or roll it back first")
        self._read_only = read_only

    @property
    def sql(self) -> Sql:
        if self._sql is None:
            self._begin()
        elif self._orm is not None:
            self._orm.flush()  # the ORM's pending rows first, so plain SQL sees them
        return self._sql

    @property
    def orm(self) -> Session:
        if self._orm is None:
            if self._sql is None:
                self._begin()
            connection = Connection(self.engine, connection=self._pooled)
            if self._read_only:
                event.listen(connection, "before_cursor_execute", _refuse_orm_writes)
            info = {_READ_ONLY: self._read_only}
            self._orm = Session(bind=connection, expire_on_commit=False, info=info)
        return self._orm

    def _begin(self) -> None:
        self._pooled = self._checkout()
        self._sql = Sql(self._pooled, self.engine, read_only=self._read_only)
        if self.one_writer_at_a_time:
            self._sql.execute("BEGIN" if self._read_only else "BEGIN IMMEDIATE")

    def _checkout(self) -> PoolProxiedConnection:
        """A pooled connection; a database that cannot be reached raises SQLAlchemy's
        OperationalError, as an ORM session's first query would."""
        dialect = self.engine.dialect
        try:
            return self.engine.raw_connection()
        except dialect.loaded_dbapi.Error as problem:
            raise DBAPIError.instance(
                None, None, problem, dialect.loaded_dbapi.Error, dialect=dialect
            ) from problem

    def commit(self) -> None:
        self._finish(commit=True)

    def rollback(self) -> None:
        self._finish(commit=False)

    close = rollback  # closing without a commit throws the work away

    def _finish(self, *, commit: bool) -> None:
        if self._sql is None:
            return
        try:
            if self._orm is not None:
                self._orm.commit() if commit else self._orm.rollback()
            # and on the driver: the ORM session ends the transaction only if it ran
            # a statement, and plain SQL alone may have
            self._driver_commit() if commit else self._driver_rollback()
        finally:
            self._release()

    def _driver_commit(self) -> None:
        try:
            _driver(self._pooled).commit()
        except self.engine.dialect.loaded_dbapi.Error as problem:
            raise _database_error(problem, "COMMIT", self._pooled, self.engine) from problem

    def _driver_rollback(self) -> None:
        """Roll back. A connection found lost, or too broken even for that, is dropped,
        not raised: nothing it held was committed."""
        driver = self._pooled.driver_connection
        if driver is None:
            return
        try:
            driver.rollback()
        except self.engine.dialect.loaded_dbapi.Error as problem:
            self._pooled.invalidate(problem)

    def _release(self) -> None:
        orm, pooled = self._orm, self._pooled
        self._orm = self._sql = self._pooled = None
        if orm is not None:
            connection = orm.get_bind()
            try:
                orm.close()
            finally:
                connection.close()  # gives the pooled connection back (on SQLite: the lock)
        elif pooled is not None:
            pooled.close()


AnySession = Transaction | Session  # what store functions accept as `session`


def sql(session: AnySession) -> Sql:
    """Plain SQL inside the caller's transaction, whichever kind it is."""
    if isinstance(session, Transaction):
        return session.sql
    session.flush()
    connection = session.connection()
    read_only = session.info.get(_READ_ONLY, False)  # the ORM of a read-only Transaction
    return Sql(connection.connection, connection.engine, read_only=read_only)


def orm(session: AnySession) -> Session:
    """The ORM inside the caller's transaction, whichever kind it is."""
    return session.orm if isinstance(session, Transaction) else session


def utc(value: str | datetime | None) -> datetime | None:
    """A datetime column as an aware UTC datetime (SQLite gives text, PostgreSQL an
    aware datetime)."""
    if value is None:
        return None
    if isinstance(value, str):  # naive UTC, as SQLAlchemy writes it; "+00:00" parses fastest
        return datetime.fromisoformat(value + "+00:00")
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def from_json(value: str | dict | list | None) -> Any:
    """A JSON column as Python (SQLite gives text, PostgreSQL the parsed value)."""
    return json.loads(value) if isinstance(value, str) else value
