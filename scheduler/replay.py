"""The worker's replay of the inbound spool: the messages kept on disk while the database
was down (store/spool.py), answered in order once it is back, each reply sent to the
citizen as a notification. Harmless to repeat: replies are keyed by MessageSid.

A database error stops a run where it is, for the next one, since the database may
answer before it takes writes (a PostgreSQL primary read-only after a failover). But
one message that the database refuses every time (a bug, a timeout only it meets) must
not hold the spool for good: while anything waits there the webhook keeps every new
message too. So when a message fails in a database that still commits the worker's
heartbeat, that phone's later messages wait (to keep their order) and the run goes on
with the others. The failure counts against the message only once a later message is
written: a database that refuses every message (a trigger or a migration gone wrong)
writes none, and so counts nothing against any. A message counted STUCK_AFTER times
gets the webhook's apology instead; one counted again after that (its apology refused
too) is set aside.
"""

import enum
import logging
import os
from contextlib import closing
from pathlib import Path
from typing import NamedTuple

from sqlalchemy.exc import SQLAlchemyError
from werkzeug.datastructures import MultiDict

from handlers.once import answer_once, apologise_once
from handlers.turn import Limits
from handlers.twilio_form import incoming_message, message_sid
from scheduler.jobs import beat
from scheduler.resources import WorkerResources
from store import outages
from store.clock import utcnow
from store.db import Conflict
from store.spool import Spool, is_retried, received_at
from store.sql import Transaction

logger = logging.getLogger("crm.replay")
DATABASE_ERRORS = (SQLAlchemyError, Conflict)
STUCK_AFTER = 3  # runs in which a message failed and a later one was written


class Outcome(enum.Enum):
    ANSWERED = "answered"
    APOLOGISED = "apologised"  # recorded, with the apology as its reply
    SET_ASIDE = "set aside"  # for an operator, in set-aside.jsonl


class Replayed(NamedTuple):
    outcome: Outcome
    wrote: bool  # False: done before (a copy of it, a run cut short), or set aside


class FailedAlone(Exception):
    """A kept message failed in a database that still takes writes."""

    def __init__(self, sid: str, error: Exception):
        super().__init__(f"{sid}: {type(error).__name__}")
        self.sid = sid


def replay_spool(resources: WorkerResources) -> int:
    """One run over the spool, then over each sender's own (Spool.held_for); the number
    of kept messages answered (again, for a copy or after a run cut short)."""
    spool = resources.spool
    with spool.replay_turn() as mine, closing(Transaction(resources.engine)) as db:
        if not mine:
            return 0  # another worker is replaying
        answered = _replay(spool, db, resources, notes_outages=True)
        for held in spool.held_spools():  # in this turn: no other worker touches them
            answered += _replay(held, db, resources, notes_outages=False)
            held.remove_if_done()
    if answered:
        logger.info("replayed %d spooled messages", answered)
    return answered


def _replay(
    spool: Spool, db: Transaction, resources: WorkerResources, *, notes_outages: bool
) -> int:
    """`notes_outages`: for the spool of everyone, whose messages were kept because the
    database failed (a sender's own spool keeps them for a row of theirs locked)."""
    run = _Run(spool, db, resources, notes_outages=notes_outages)
    for path in spool.pending():
        run.replay_file(spool.take(path, taker=f"{os.getpid()}"))
    if not spool.pending():
        spool.forget_every_failure()  # the counts left are of messages set aside
    return run.answered


class _Run:
    def __init__(
        self, spool: Spool, db: Transaction, resources: WorkerResources, *, notes_outages: bool
    ):
        self.spool = spool
        self.notes_outages = notes_outages
        self.db = db
        self.resources = resources
        self.answered = 0
        self.waiting_phones: set[str] = set()
        self.suspects: list[str] = []  # MessageSids failed since the last message written

    def replay_file(self, path: Path) -> None:
        """Replay the file's entries; delete it only if none of them waits."""
        entries = list(self.spool.entries(path))  # read once: the outage and the answers
        if self.notes_outages:
            self.note_outage(entries)
        complete = True
        for entry in entries:
            phone = _phone_of(entry)
            if phone in self.waiting_phones:
                complete = False
                continue
            try:
                replayed = replay(entry, self.spool, db=self.db, resources=self.resources)
            except FailedAlone as failure:
                logger.warning(
                    "spooled %s failed in a database that takes writes: going on", failure
                )
                self.suspects.append(failure.sid)
                self.waiting_phones.add(phone)
                complete = False
                continue
            self.answered += replayed.outcome is Outcome.ANSWERED
            if replayed.wrote:  # (never for one set aside) the failures before were their own
                for sid in self.suspects:
                    _count_failure(sid, self.spool)
                self.suspects.clear()
        if complete:
            self.spool.finish(path)

    def note_outage(self, entries: list[dict]) -> None:
        """Record the outage these messages were kept in, from the first one kept to
        now, when the database answers the worker again (store/outages.py), before they
        are answered: a replay cut short notes it again, harmlessly. A note the database
        refuses while it takes writes (a release before its migration) is logged and
        left: the messages must not wait for it."""
        now = utcnow()
        arrivals = [
            arrived
            for entry in entries
            if not is_retried(entry) and (arrived := received_at(entry)) and arrived <= now
        ]  # (a time to come is another host's clock: no evidence)
        if not arrivals:
            return
        try:
            outages.note_outage(min(arrivals), now, session=self.db)
            self.db.commit()
        except DATABASE_ERRORS:
            self.db.rollback()
            if not _database_takes_writes(self.resources):
                raise  # an outage still: wait for the next run
            logger.exception("could not note the outage of %d messages: going on", len(entries))


def replay(entry, spool: Spool, *, db: Transaction, resources: WorkerResources) -> Replayed:
    """Answer one kept message, or apologise for it, or set it aside. Raises a database
    error during an outage, FailedAlone if the database took other writes meanwhile."""
    try:
        form = MultiDict(entry["form"])
        sid, message = message_sid(form), incoming_message(form)
    except Exception as error:  # written by hand, or by another version: not a message
        return _set_aside(entry, spool, None, type(error).__name__)
    if sid is None:
        return _set_aside(entry, spool, None, "no MessageSid or sender")
    failures = spool.failures(sid)
    if failures > STUCK_AFTER:  # its apology refused too; the count stays, for its copies
        return _set_aside(entry, spool, sid, f"refused by the database in {failures} runs")
    try:
        if failures == STUCK_AFTER:
            logger.error("spooled %s is stuck: apologising", sid)
            replayed = _apologise(sid, message, entry, spool, db=db)
        else:
            replayed = _answer(sid, message, received_at(entry), db=db, resources=resources)
            if replayed is None:  # failed for another reason than the database
                replayed = _apologise(sid, message, entry, spool, db=db)
    except DATABASE_ERRORS as error:
        db.rollback()
        if not _database_takes_writes(resources):
            raise  # an outage: wait for the next run
        raise FailedAlone(sid, error) from error
    if failures and replayed.outcome is not Outcome.SET_ASIDE:
        spool.forget_failures(sid)
    return replayed


def _answer(
    sid: str, message, arrived, *, db: Transaction, resources: WorkerResources
) -> Replayed | None:
    """Answer for real, as at `arrived`, when the message reached us (handlers/once.py);
    None (logged) if that failed for another reason than the database."""
    try:
        once = answer_once(
            sid,
            message,
            db=db,
            limits=_kept_limits(resources.reports_per_day),
            links=resources.media_links,
            deliver_later=True,
            received_at=arrived,
        )
        return Replayed(Outcome.ANSWERED, once.wrote)
    except DATABASE_ERRORS:
        raise
    except Exception:
        db.rollback()
        logger.exception("could not answer spooled %s: apologising", sid)
        return None


def _kept_limits(reports_per_day: int) -> Limits:
    """The settings' limits but the per-minute one: an hour's messages replayed in one
    minute are no flood (the spool keeps only what Twilio delivered)."""
    return Limits(messages_per_minute=None, reports_per_day=reports_per_day)


def _apologise(sid: str, message, entry, spool: Spool, *, db: Transaction) -> Replayed:
    """The webhook's apology; the entry set aside if that fails for another reason than
    the database."""
    try:
        apologised = apologise_once(sid, message, db=db, received_at=received_at(entry))
        return Replayed(Outcome.APOLOGISED, apologised.wrote)
    except DATABASE_ERRORS:
        raise
    except Exception as error:
        db.rollback()
        return _set_aside(entry, spool, sid, type(error).__name__)


def _database_takes_writes(resources: WorkerResources) -> bool:
    """Whether the database commits a write now (this worker's heartbeat): if not, an
    error a kept message met is an outage's, and the run stops at once."""
    try:
        beat(resources)
        return True
    except SQLAlchemyError:
        return False


def _count_failure(sid: str, spool: Spool) -> None:
    runs = spool.count_failure(sid)
    logger.warning(
        "spooled %s failed while a later message was written (%d of %d)", sid, runs, STUCK_AFTER
    )


def _set_aside(entry, spool: Spool, sid: str | None, reason: str) -> Replayed:
    logger.error("a spooled entry cannot be answered (%s): setting it aside", reason)
    spool.set_aside(entry, reason=reason, message_sid=sid)
    return Replayed(Outcome.SET_ASIDE, wrote=False)


def _phone_of(entry) -> str | None:
    """The sender as Twilio wrote it, enough to keep one phone's messages in order."""
    form = entry.get("form") if isinstance(entry, dict) else None
    phone = form.get("From") if isinstance(form, dict) else None
    return phone if isinstance(phone, str) else None
