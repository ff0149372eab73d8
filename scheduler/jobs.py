"""Jobs run by the worker, in the app's context. Each re-reads state and is harmless to
run twice or in two workers at once: breaches and digests are claimed by unique keys in
the same transaction as the notifications they queue."""

import os
import socket
from datetime import datetime, time, timedelta

from flask import current_app
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.datastructures import MultiDict

from bot import database, webhooks
from handlers.notifications import CUTOFF_LIST, FACILITATOR_DIGEST, SLA_ALERT, SUPERVISOR_DIGEST
from scheduler.sender import OutboxSender
from store import breaches, drafts, heartbeats, idempotency, outbox, sla, staff, stats
from store.clock import JAKARTA, utcnow
from store.db import Conflict
from store.spool import Spool
from store.staff import StaffRole

SENDER = "crm.sender"
# A replay that meets one stops where it is, for the next run: the database may
# answer before it takes writes (a PostgreSQL primary read-only after a failover).
DATABASE_ERRORS = (SQLAlchemyError, Conflict)
STUCK_AFTER = 3  # replay runs (5 s apart) a kept message may fail in a working database
IMMEDIATE_ALERTS = (breaches.DAILY_TARGET_MISSED, breaches.VALIDATION_OVERDUE)


def purge_expired_drafts() -> int:
    """Delete report drafts expired long ago (the conversation expires them after 24
    hours and says so; this keeps the table small)."""
    db = database.session()
    removed = drafts.purge_expired_drafts(session=db, now=utcnow())
    db.commit()
    if removed:
        current_app.logger.info("purged %d expired drafts", removed)
    return removed


def purge_idempotency_keys() -> int:
    """Forget the Idempotency-Keys of the API and Open311 after a day."""
    db = database.session()
    removed = idempotency.purge_expired(session=db, now=utcnow())
    db.commit()
    return removed


def send_notifications() -> int:
    """Send everything due in the outbox (the sender is built once per worker)."""
    app = current_app._get_current_object()
    sender = app.extensions.get(SENDER)
    if sender is None:
        sender = app.extensions[SENDER] = OutboxSender(
            engine=database.engine(), settings=app.config["SETTINGS"]
        )
    return sender.drain()


def scan_deadlines() -> int:
    """Record every newly missed time rule once; alert the facilitator and the
    supervisors at once for validations. After a downtime, one scan catches up."""
    db, now = database.session(), utcnow()
    found = (
        breaches.record_validation_breaches(session=db, now=now)
        + breaches.record_early_stage_breaches(session=db, now=now)
        + breaches.record_monthly_cutoff_breaches(session=db, now=now)
    )
    supervisors = staff.list_staff(StaffRole.SUPERVISOR, session=db, active_only=True)
    for breach in found:
        if breach.kind in IMMEDIATE_ALERTS:
            _alert(breach, supervisors, session=db, now=now)
    db.commit()
    if found:
        current_app.logger.info("recorded %d breaches", len(found))
    return len(found)


def _alert(breach: breaches.NewBreach, supervisors, *, session, now: datetime) -> None:
    facilitator = staff.get_staff(breach.facilitator_id, session=session)
    payload = {
        "number": breach.number,
        "breach": breach.kind,
        "due_at": breach.due_at.isoformat(),
        "facilitator": facilitator.name if facilitator else None,
    }
    recipients = ([facilitator] if facilitator and facilitator.active else []) + supervisors
    for person in recipients:
        outbox.enqueue_to_phone(
            person.phone,
            person.name,
            SLA_ALERT,
            payload,
            report_id=breach.report_id,
            session=session,
            now=now,
        )


def latest_digest_slot(now: datetime, times: tuple[time, ...]) -> datetime | None:
    """The most recent digest time of today (WIB) that has passed, if any. A worker that
    was down sends the latest one it missed, not every one."""
    local = now.astimezone(JAKARTA)
    passed = [slot for slot in times if slot <= local.time()]
    return datetime.combine(local.date(), passed[-1], tzinfo=JAKARTA) if passed else None


def send_digests() -> int:
    """Digests to facilitators with work and to supervisors when something stands
    breached; from the 1st to the 5th, the list of last month's open reports."""
    db, now = database.session(), utcnow()
    slot = latest_digest_slot(now, current_app.config["SETTINGS"].digest_times)
    if slot is None:
        return 0
    queued = 0
    if breaches.claim_run(f"digest:{slot:%Y-%m-%dT%H:%M}", session=db, now=now):
        queued += _facilitator_digests(session=db, now=now)
        queued += _supervisor_digests(session=db, now=now)
    today = slot.date()
    if sla.in_cutoff_reminder_days(today) and breaches.claim_run(
        f"cutoff-list:{today:%Y-%m-%d}", session=db, now=now
    ):
        queued += _cutoff_lists(today, session=db, now=now)
    db.commit()
    return queued


def _facilitator_digests(*, session, now: datetime) -> int:
    active = {
        person.id: person
        for person in staff.list_staff(StaffRole.FACILITATOR, session=session, active_only=True)
    }
    sent = 0
    for load in breaches.facilitator_workloads(session=session, now=now):
        person = active.get(load.facilitator_id)
        if person is None or not load.total:
            continue
        payload = {"total": load.total, "due_today": load.due_today, "overdue": load.overdue}
        outbox.enqueue_to_phone(
            person.phone,
            person.name,
            FACILITATOR_DIGEST,
            payload,
            report_id=None,
            session=session,
            now=now,
        )
        sent += 1
    return sent


def _supervisor_digests(*, session, now: datetime) -> int:
    summary = breaches.supervisor_summary(session=session, now=now)
    if summary.is_empty:
        return 0
    supervisors = staff.list_staff(StaffRole.SUPERVISOR, session=session, active_only=True)
    for person in supervisors:
        outbox.enqueue_to_phone(
            person.phone,
            person.name,
            SUPERVISOR_DIGEST,
            vars(summary),
            report_id=None,
            session=session,
            now=now,
        )
    return len(supervisors)


def _cutoff_lists(today, *, session, now: datetime) -> int:
    """Supervisors get every report of last month still open; facilitators, theirs."""
    month = sla.previous_month(today)[0].strftime("%Y-%m")
    recipients = [
        (person, None)
        for person in staff.list_staff(StaffRole.SUPERVISOR, session=session, active_only=True)
    ] + [
        (person, person.id)
        for person in staff.list_staff(StaffRole.FACILITATOR, session=session, active_only=True)
    ]
    sent = 0
    for person, facilitator_id in recipients:
        numbers = [
            number
            for _, number in breaches.open_reports_of_previous_month(
                today, session=session, facilitator_id=facilitator_id
            )
        ]
        if numbers:
            outbox.enqueue_to_phone(
                person.phone,
                person.name,
                CUTOFF_LIST,
                {"month": month, "numbers": numbers},
                report_id=None,
                session=session,
                now=now,
            )
            sent += 1
    return sent


def refresh_stats() -> None:
    """Keep the dashboard's figures warm: over the whole history they take seconds."""
    db, now = database.session(), utcnow()
    for by in ("year", "month"):
        stats.snapshot(by=by, session=db, now=now, max_age=timedelta(0))
        db.commit()  # one short write per snapshot


def replay_spool() -> int:
    """Answer, in order, the messages kept on disk while the database was down; each
    reply goes to the citizen as a notification. Harmless to repeat: replies are keyed
    by MessageSid. If the database is still down this raises and the next run retries
    from the message it stopped at."""
    spool = webhooks.spool()
    replayed = 0
    with spool.replay_turn() as mine:
        if not mine:
            return 0  # another worker is replaying
        for path in spool.pending():
            claimed = spool.take(path, taker=f"{os.getpid()}")
            for entry in spool.entries(claimed):
                replayed += _replay(entry, spool)
            spool.finish(claimed)
        if not spool.pending():
            spool.forget_every_failure()
    if replayed:
        current_app.logger.info("replayed %d spooled messages", replayed)
    return replayed


def _replay(entry, spool: Spool) -> bool:
    """Answer one kept message; False if it could only be apologised for or set aside.

    A database error is raised, to stop the replay here and go on at the next run,
    unless the database commits other writes meanwhile: then the error is counted
    against the message, and one counted STUCK_AFTER times gets the apology instead, or
    is set aside if the database refuses that too, so that it cannot hold up the spool
    for good."""
    try:
        form = MultiDict(entry["form"])
        sid, message = webhooks.message_sid(form), webhooks.incoming_message(form)
    except Exception as error:  # written by hand, or by another version: not a message
        _set_aside(entry, spool, None, type(error).__name__)
        return False
    if sid is None:
        _set_aside(entry, spool, None, "no MessageSid or sender")
        return False
    stuck = spool.failures(sid) >= STUCK_AFTER
    try:
        if stuck:
            current_app.logger.error("spooled %s is stuck: apologising", sid)
            answered = False
        else:
            answered = _answer(sid, message)
        if not answered:
            _apologise(sid, message, entry, spool)
    except DATABASE_ERRORS as error:
        database.transaction().rollback()
        if not _database_takes_writes():
            raise  # an outage: wait for the next run
        if not stuck:
            _count_failure(sid, spool)
            raise
        # its count stays, so that a copy of it later in the spool goes aside too
        _set_aside(entry, spool, sid, f"refused by the database: {type(error).__name__}")
        return False
    spool.forget_failures(sid)
    return answered


def _answer(sid: str, message) -> bool:
    """Answer for real; False (logged) if that failed for another reason than the database."""
    try:
        webhooks.answer_once(sid, message, deliver_later=True)
        return True
    except DATABASE_ERRORS:
        raise
    except Exception:
        database.transaction().rollback()
        current_app.logger.exception("could not answer spooled %s: apologising", sid)
        return False


def _apologise(sid: str, message, entry, spool: Spool) -> None:
    """The webhook's apology; the entry set aside if that fails for another reason than
    the database."""
    try:
        webhooks.apologise_once(sid, message)
    except DATABASE_ERRORS:
        raise
    except Exception as error:
        database.transaction().rollback()
        _set_aside(entry, spool, sid, type(error).__name__)


def _count_failure(sid: str, spool: Spool) -> None:
    runs = spool.count_failure(sid)
    current_app.logger.warning(
        "spooled %s failed in a database that takes writes (%d of %d)", sid, runs, STUCK_AFTER
    )


def _database_takes_writes() -> bool:
    """Whether the database commits a write now (this worker's heartbeat). If it does, an
    error a kept message met was that message's own, not an outage's."""
    try:
        beat()
        return True
    except SQLAlchemyError:
        database.session().rollback()
        return False


def _set_aside(entry, spool: Spool, sid: str | None, reason: str) -> None:
    current_app.logger.error("a spooled entry cannot be answered (%s): setting it aside", reason)
    spool.set_aside(entry, reason=reason, message_sid=sid)


def beat() -> None:
    db = database.session()
    heartbeats.beat(f"{socket.gethostname()}:{os.getpid()}", session=db, now=utcnow())
    db.commit()
