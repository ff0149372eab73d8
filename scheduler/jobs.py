"""The worker's periodic jobs, each given the worker's resources (scheduler/resources.py).
Each re-reads state and is harmless to run twice or in two workers at once: breaches and
digests are claimed by unique keys in the same transaction as the notifications they
queue."""

import logging
import os
import socket
from datetime import datetime, time

from scheduler.photo_copies import copy_due_photos
from scheduler.resources import WorkerResources
from store import (
    breaches,
    drafts,
    heartbeats,
    idempotency,
    office_members,
    outbox,
    ratings,
    sla,
    staff,
    stats,
    validations,
)
from store.clock import JAKARTA, utcnow
from store.db import new_session, unbounded
from store.outbox import (
    CUTOFF_LIST,
    FACILITATOR_DIGEST,
    RATINGS_SUMMARY,
    SLA_ALERT,
    SUPERVISOR_DIGEST,
)
from store.staff import StaffRole

logger = logging.getLogger("crm.worker")
IMMEDIATE_ALERTS = (breaches.DAILY_TARGET_MISSED, breaches.VALIDATION_OVERDUE)


def purge_expired_drafts(resources: WorkerResources) -> int:
    """Delete report drafts expired long ago (the conversation expires them after 24
    hours and says so; this keeps the table small)."""
    with new_session(resources.engine) as db:
        removed = drafts.purge_expired_drafts(session=db, now=utcnow())
        db.commit()
    if removed:
        logger.info("purged %d expired drafts", removed)
    return removed


def purge_idempotency_keys(resources: WorkerResources) -> int:
    """Forget the Idempotency-Keys of the API and Open311 after a day."""
    with new_session(resources.engine) as db:
        removed = idempotency.purge_expired(session=db, now=utcnow())
        db.commit()
    return removed


def scan_deadlines(resources: WorkerResources) -> int:
    """Record every newly missed time rule once; alert the facilitator and the
    supervisors at once for validations, the office members for their offices' rules
    (warned before the miss, told of it). After a downtime, one scan catches up, but
    only once the spool is replayed: a VALIDASI kept during the outage counts when it
    reached us (handlers/once.py), and is no miss however late it is replayed."""
    if resources.spool.count_files_waiting():
        logger.info("deadlines wait for the messages kept in the spool")
        return 0
    now = utcnow()
    with new_session(resources.engine) as db:
        given = validations.reassign_orphans(session=db, now=now)  # first: alerts go to them
        found = (
            breaches.record_validation_breaches(session=db, now=now)
            + breaches.record_early_stage_breaches(session=db, now=now)
            + breaches.record_monthly_cutoff_breaches(session=db, now=now)
        )
        alerts = [breach for breach in found if breach.kind in IMMEDIATE_ALERTS]
        _alert(alerts, session=db, now=now)
        office_members.alert_deadlines(found, session=db, now=now)
        db.commit()
    if given:
        logger.info("gave %d reports without an active facilitator to one", given)
    if found:
        logger.info("recorded %d breaches", len(found))
    return len(found)


def _alert(found: list[breaches.NewBreach], *, session, now: datetime) -> None:
    """One message per person for what one scan found: the assigned facilitator gets
    theirs, every supervisor all of them. Forty reports that miss their target at the
    same midnight are one message, not forty."""
    supervisors = staff.list_staff(StaffRole.SUPERVISOR, session=session, active_only=True)
    facilitators = {
        breach.facilitator_id: staff.get_staff(breach.facilitator_id, session=session)
        for breach in found
        if breach.facilitator_id is not None
    }
    breaches_of: dict[int, tuple[staff.StaffInfo, list[breaches.NewBreach]]] = {}
    for breach in found:
        facilitator = facilitators.get(breach.facilitator_id)
        recipients = ([facilitator] if facilitator and facilitator.active else []) + supervisors
        for person in recipients:
            breaches_of.setdefault(person.id, (person, []))[1].append(breach)
    for person, theirs in breaches_of.values():
        alerts = [_alert_payload(breach, facilitators) for breach in theirs]
        outbox.enqueue_to_phone(
            person.phone,
            person.name,
            SLA_ALERT,
            alerts[0] if len(alerts) == 1 else {"alerts": alerts},
            report_id=theirs[0].report_id if len(theirs) == 1 else None,
            session=session,
            now=now,
        )


def _alert_payload(breach: breaches.NewBreach, facilitators: dict) -> dict:
    facilitator = facilitators.get(breach.facilitator_id)
    return {
        "number": breach.number,
        "breach": breach.kind,
        "due_at": breach.due_at.isoformat(),
        "facilitator": facilitator.name if facilitator else None,
    }


def latest_digest_slot(now: datetime, times: tuple[time, ...]) -> datetime | None:
    """The most recent digest time of today (WIB) that has passed, if any. A worker that
    was down sends the latest one it missed, not every one."""
    local = now.astimezone(JAKARTA)
    passed = [slot for slot in times if slot <= local.time()]
    return datetime.combine(local.date(), passed[-1], tzinfo=JAKARTA) if passed else None


def send_digests(resources: WorkerResources) -> int:
    """Digests to facilitators with work and to supervisors when something stands
    breached; from the 1st to the 5th, the list of last month's open reports (each
    office member, their office's), and once (the first digest of the month, or the next
    if the worker was down) last month's ratings."""
    now = utcnow()
    slot = latest_digest_slot(now, resources.digest_times)
    if slot is None:
        return 0
    with new_session(resources.engine) as db:
        queued = 0
        if breaches.claim_run(f"digest:{slot:%Y-%m-%dT%H:%M}", session=db, now=now):
            queued += _facilitator_digests(session=db, now=now)
            queued += _supervisor_digests(session=db, now=now)
        today = slot.date()
        if sla.in_cutoff_reminder_days(today) and breaches.claim_run(
            f"cutoff-list:{today:%Y-%m-%d}", session=db, now=now
        ):
            queued += _cutoff_lists(today, session=db, now=now)
            queued += office_members.cutoff_lists(today, session=db, now=now)
        last_month = sla.previous_month(today)[0]
        if sla.in_cutoff_reminder_days(today) and breaches.claim_run(
            f"ratings:{last_month:%Y-%m}", session=db, now=now
        ):
            queued += _ratings_summaries(today, session=db, now=now)
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


def _ratings_summaries(today, *, session, now: datetime) -> int:
    """Last month's ratings, once: every supervisor gets them per facilitator and per
    office with the latest comments; each facilitator rated, her own beside everyone's.
    Their own message rather than a line of the cut-off list, which goes only while
    reports stay open, or of a digest, which goes only when something stands breached."""
    first, next_first = sla.previous_month(today)
    summary = ratings.ratings_between(
        sla.start_of_day(first), sla.start_of_day(next_first), session=session
    )
    if summary.everyone is None:
        return 0
    month = f"{first:%Y-%m}"
    whole = {
        **_rated(summary.everyone),
        "month": month,
        "facilitators": [_rated(row, comments=False) for row in _most_rated(summary.facilitators)],
        "offices": [_rated(row, comments=False) for row in _most_rated(summary.offices)],
    }
    told = [
        (person, whole)
        for person in staff.list_staff(StaffRole.SUPERVISOR, session=session, active_only=True)
    ]
    for person in staff.list_staff(StaffRole.FACILITATOR, session=session, active_only=True):
        own = summary.of_facilitator(person.id)
        if own is not None:
            told.append(
                (person, {**_rated(own), "month": month, "everyone_mean": summary.everyone.mean})
            )
    for person, payload in told:
        outbox.enqueue_to_phone(
            person.phone,
            person.name,
            RATINGS_SUMMARY,
            payload,
            report_id=None,
            session=session,
            now=now,
        )
    return len(told)


def _most_rated(rows: list[ratings.RatingFigures]) -> list[ratings.RatingFigures]:
    """The most rated first: a message lists only the first few of 267 kelurahan."""
    return sorted(rows, key=lambda row: -row.ratings)


def _rated(row: ratings.RatingFigures, *, comments: bool = True) -> dict:
    figures = {"name": row.name, "kind": row.kind, "ratings": row.ratings, "mean": row.mean}
    if comments:
        figures["comments"] = [
            {"number": said.number, "score": said.score, "text": said.text} for said in row.comments
        ]
    return figures


def copy_photos(resources: WorkerResources) -> int:
    """Copy a batch of citizens' photos from Twilio into the media store (retried with
    backoff; scheduler/photo_copies.py): the number copied."""
    with new_session(resources.engine) as db:
        copied = copy_due_photos(
            resources.twilio_media, resources.media_store, session=db, now=utcnow()
        )
    if copied:
        logger.info("copied %d photos from Twilio", copied)
    return copied


def refresh_stats(resources: WorkerResources) -> None:
    """The figures the dashboard and the stats API show: over the whole history they take
    seconds, which only the worker spends, more than the statement timeout of its other
    jobs allows."""
    with new_session(unbounded(resources.engine)) as db:
        stats.refresh_snapshots(session=db, now=utcnow())


def beat(resources: WorkerResources) -> None:
    with new_session(resources.engine) as db:
        heartbeats.beat(f"{socket.gethostname()}:{os.getpid()}", session=db, now=utcnow())
        db.commit()
