"""Reads with a hard time budget, for the requests that must answer in time whatever the
database does: `/healthz` within a second, Twilio's fallback URL within two.

A statement timeout alone would not do: a server that does not answer at all (a cut
network, a stopped machine) holds a connection attempt for the connect timeout and a
query until TCP gives up, and a checkout may wait for the pool. So the read runs in a
thread of its own, for which the request waits `seconds` at most. On PostgreSQL the
read's transaction has statement and lock timeouts of `seconds` too, so a locked table
frees that thread soon after the request went on without it. At most MAX_WAITING such
threads wait at once per process: beyond them the database counts as not answering,
untried, so a hung server cannot pile up threads and connections.
"""

import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import TypeVar

from sqlalchemy import Engine

from store.sql import Transaction

MAX_WAITING = 4
T = TypeVar("T")

_waiting = threading.BoundedSemaphore(MAX_WAITING)


class TooSlow(Exception):
    """The database did not answer within the time budget."""


def read_within(engine: Engine, read: Callable[[Transaction], T], *, seconds: float) -> T:
    """`read`'s result, in a read-only transaction of its own; TooSlow if the database
    does not give it within `seconds`, and its own error if it fails sooner."""
    if not _waiting.acquire(blocking=False):
        raise TooSlow(f"{MAX_WAITING} reads still wait for the database")
    outcome: Future = Future()
    threading.Thread(
        target=_run, args=(engine, read, seconds, outcome), name="bounded-read", daemon=True
    ).start()
    try:
        return outcome.result(timeout=seconds)
    except TimeoutError:
        raise TooSlow(f"no answer within {seconds} s") from None


def _run(engine: Engine, read: Callable[[Transaction], T], seconds: float, outcome: Future):
    try:
        outcome.set_result(_read(engine, read, seconds))
    except BaseException as error:  # handed to the request, which raises it
        outcome.set_exception(error)
    finally:
        _waiting.release()


def _read(engine: Engine, read: Callable[[Transaction], T], seconds: float) -> T:
    db = Transaction(engine)
    db.read_only = True  # on SQLite a deferred BEGIN, which no writer blocks
    try:
        if engine.dialect.name == "postgresql":
            budget = str(max(1, int(seconds * 1000)))
            db.sql.value(
                "SELECT set_config('statement_timeout', :ms, true),"
                " set_config('lock_timeout', :ms, true)",
                ms=budget,
            )
        return read(db)
    finally:
        db.rollback()
