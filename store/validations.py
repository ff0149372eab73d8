"""Validation of follow-ups by TA Fasilitator: the clock that starts when a report enters
tindak_lanjut, the facilitator's queue, and the monthly SLA figures."""

import statistics
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, or_
from sqlmodel import Session, select

from store import outbox, sla, staff
from store.db import insert_for
from store.models import QueueShown, Report, Staff, Validation
from store.sql import AnySession, orm
from store.staff import StaffRole

VALIDATED, RETURNED, MOVED_BY_ADMIN = "validated", "returned", "moved"


@dataclass(frozen=True)
class QueueItem:
    report_id: int
    number: str
    category: str
    kelurahan: str
    entered_at: datetime
    due_at: datetime
    daily_target_at: datetime

    def is_overdue(self, now: datetime) -> bool:
        return now > self.due_at


@dataclass(frozen=True)
class OpenValidation:
    facilitator_name: str | None
    entered_at: datetime
    due_at: datetime
    daily_target_at: datetime


def open_validation(report_id: int, *, session: Session, now: datetime) -> int:
    """Start the clock of a report entering tindak_lanjut, assign a facilitator and
    tell her (in this same transaction)."""
    validation = Validation(
        report_id=report_id,
        facilitator_id=staff.choose_facilitator(session=session, now=now),
        entered_at=now,
        due_at=sla.validation_deadline(now),
        daily_target_at=sla.daily_target(now),
    )
    session.add(validation)
    session.flush()
    announce(validation, session=session, now=now)
    return validation.id


def announce(validation: Validation, *, session: Session, now: datetime) -> bool:
    """Tell the facilitator a report entered her queue: its number, category, kelurahan
    and deadlines (outbox.NEW_WORK; quiet hours hold it). False if it has nobody."""
    person = staff.get_staff(validation.facilitator_id, session=session)
    if person is None or not person.active:
        return False
    report = session.get(Report, validation.report_id)
    payload = {
        "number": report.number,
        "category": report.category,
        "kelurahan": report.kelurahan,
        "due_at": validation.due_at.isoformat(),
        "daily_target_at": validation.daily_target_at.isoformat(),
    }
    outbox.enqueue_to_phone(
        person.phone,
        person.name,
        outbox.NEW_WORK,
        payload,
        report_id=report.id,
        session=session,
        now=now,
    )
    return True


def reassign_orphans(*, session: Session, now: datetime) -> int:
    """Give an active facilitator, as a new one would be given, each open validation that
    has none: its report entered tindak_lanjut before any facilitator was registered, or
    its facilitator was deactivated. Without this they sat in nobody's queue and digest
    until overdue. The worker's scan runs it every minute; how many were given."""
    orphans = session.exec(
        select(Validation)
        .where(Validation.left_at.is_(None), without_active_facilitator())
        .order_by(Validation.entered_at)
    ).all()
    for given, validation in enumerate(orphans):
        chosen = staff.choose_facilitator(session=session, now=now)
        if chosen is None:  # nobody active: the supervisors' digest says so; who had it stays
            return given
        outbox.withdraw_unsent(validation.report_id, outbox.NEW_WORK, session=session)
        validation.facilitator_id = chosen
        session.add(validation)
        session.flush()  # counted by the next choice
        announce(validation, session=session, now=now)  # it entered her queue now
    return len(orphans)


def without_active_facilitator():
    """A condition on Validation: no facilitator, or a deactivated one."""
    inactive = select(Staff.id).where(Staff.role == StaffRole.FACILITATOR, ~Staff.active)
    return or_(Validation.facilitator_id.is_(None), Validation.facilitator_id.in_(inactive))


def close_validation(report_id: int, outcome: str, *, session: Session, now: datetime) -> None:
    """Stop the clock: validated, returned to proses (a re-entry starts a new clock).
    Its new-work notice, if quiet hours still hold it, is withdrawn: the work is done."""
    outbox.withdraw_unsent(report_id, outbox.NEW_WORK, session=session)
    for validation in session.exec(
        select(Validation).where(Validation.report_id == report_id, Validation.left_at.is_(None))
    ).all():
        validation.left_at = now
        validation.outcome = outcome
        session.add(validation)


def _open_validation_row(report_id: int, *, session: AnySession) -> tuple | None:
    """The report's open validation and its facilitator's name."""
    return (
        orm(session)
        .exec(
            select(Validation, Staff.name)
            .join(Staff, Staff.id == Validation.facilitator_id, isouter=True)
            .where(Validation.report_id == report_id, Validation.left_at.is_(None))
        )
        .first()
    )


def open_validation_of(report_id: int, *, session: AnySession) -> OpenValidation | None:
    row = _open_validation_row(report_id, session=session)
    if row is None:
        return None
    validation, name = row
    return OpenValidation(
        facilitator_name=name,
        entered_at=validation.entered_at,
        due_at=validation.due_at,
        daily_target_at=validation.daily_target_at,
    )


def take_over(report_id: int, facilitator_id: int, *, session: AnySession) -> str | None:
    """Credit the report's open validation to the facilitator acting on it, a colleague
    covering for the one it was given to: their queue, digest and figures then tell who
    did it, as the history does. The name of that other one, or None."""
    row = _open_validation_row(report_id, session=session)
    if row is None or row[0].facilitator_id == facilitator_id:
        return None
    validation, assigned_to = row
    validation.facilitator_id = facilitator_id
    orm(session).add(validation)
    return assigned_to


def queue_of(
    facilitator_id: int, *, session: AnySession, limit: int
) -> tuple[list[QueueItem], int]:
    """The facilitator's open validations, oldest first, and how many there are."""
    query = (
        select(Validation, Report)
        .join(Report, Report.id == Validation.report_id)
        .where(Validation.facilitator_id == facilitator_id, Validation.left_at.is_(None))
        .order_by(Validation.entered_at, Validation.id)
    )
    rows = orm(session).exec(query).all()
    items = [
        QueueItem(
            report_id=report.id,
            number=report.number,
            category=report.category,
            kelurahan=report.kelurahan,
            entered_at=validation.entered_at,
            due_at=validation.due_at,
            daily_target_at=validation.daily_target_at,
        )
        for validation, report in rows[:limit]
    ]
    return items, len(rows)


def remember_queue_shown(
    facilitator_id: int, report_ids: list[int], *, session: AnySession, now: datetime
) -> None:
    """Keep the reports an ANTRIAN just listed, in its order, as the facilitator's
    positions (`LIHAT 1`), and when: in the database, since any web process may answer
    her next message. Called in the transaction that answers the ANTRIAN."""
    values = {"report_ids": report_ids, "shown_at": now}
    statement = insert_for(orm(session), QueueShown).values(staff_id=facilitator_id, **values)
    orm(session).exec(statement.on_conflict_do_update(index_elements=["staff_id"], set_=values))


@dataclass(frozen=True)
class QueuePosition:
    """What a position in the facilitator's latest ANTRIAN names."""

    number: str | None  # the report's number; None: no ANTRIAN yet, or out of its range
    shown: int | None  # how many reports that ANTRIAN listed; None: she never asked for one
    shown_at: datetime | None


def report_at_position(facilitator_id: int, position: int, *, session: AnySession) -> QueuePosition:
    """The report at `position` (1 is the first) of the facilitator's latest ANTRIAN,
    hers only: another's ANTRIAN numbers other reports.

    However long ago it was shown, the list is the one she saw: a position never names
    a report she was not shown there, even when the queue has changed since (reports
    validated, sent back, arrived or given to a colleague). Re-ordering under her
    thumb would be the surprise; a report that has since left tindak_lanjut gets the
    reply the same report typed by number gets, naming its stage."""
    kept = orm(session).get(QueueShown, facilitator_id)
    if kept is None:
        return QueuePosition(None, None, None)
    ids = list(kept.report_ids)
    if not 1 <= position <= len(ids):
        return QueuePosition(None, len(ids), kept.shown_at)
    number = orm(session).exec(select(Report.number).where(Report.id == ids[position - 1])).first()
    return QueuePosition(number, len(ids), kept.shown_at)


@dataclass(frozen=True)
class SlaFigures:
    facilitator: str
    validations: int
    within_72h: int
    within_daily_target: int
    median_hours: float | None
    p95_hours: float | None


def sla_for_month(
    first_day: datetime, next_first_day: datetime, *, session: Session
) -> list[SlaFigures]:
    """Validations completed in the month, per facilitator, then everyone together."""
    rows = session.exec(
        select(Validation, Staff.name)
        .join(Staff, Staff.id == Validation.facilitator_id, isouter=True)
        .where(
            Validation.outcome == VALIDATED,
            Validation.left_at >= first_day,
            Validation.left_at < next_first_day,
        )
    ).all()
    by_name: dict[str, list[Validation]] = {}
    for validation, name in rows:
        by_name.setdefault(name or "(unassigned)", []).append(validation)
    figures = [_figures(name, items) for name, items in sorted(by_name.items())]
    if rows:
        figures.append(_figures("ALL", [validation for validation, _ in rows]))
    return figures


def _figures(name: str, validations: list[Validation]) -> SlaFigures:
    hours = sorted((v.left_at - v.entered_at).total_seconds() / 3600 for v in validations)
    return SlaFigures(
        facilitator=name,
        validations=len(validations),
        within_72h=sum(1 for v in validations if v.left_at <= v.due_at),
        within_daily_target=sum(1 for v in validations if v.left_at <= v.daily_target_at),
        median_hours=statistics.median(hours) if hours else None,
        p95_hours=_percentile(hours, 95) if hours else None,
    )


@dataclass(frozen=True)
class Miss:
    """A validation deadline missed: the follow-up left tindak_lanjut after it
    (`left_at`), or is still there past it (None)."""

    number: str
    facilitator: str | None
    rule: str  # "72h" (3 × 24 hours) or "daily" (the daily target)
    deadline: datetime
    left_at: datetime | None


MISSED_RULES = (("72h", Validation.due_at), ("daily", Validation.daily_target_at))


def misses_between(
    start: datetime, end: datetime, *, session: Session, now: datetime
) -> list[Miss]:
    """The validation deadlines in [start, end] that were missed, by deadline: those an
    outage then may explain (store/outages.py)."""
    misses = []
    for rule, deadline in MISSED_RULES:
        rows = session.exec(
            select(Validation, Report.number, Staff.name)
            .join(Report, Report.id == Validation.report_id)
            .join(Staff, Staff.id == Validation.facilitator_id, isouter=True)
            .where(
                deadline >= start,
                deadline <= end,
                or_(
                    Validation.left_at > deadline,
                    and_(Validation.left_at.is_(None), deadline < now),
                ),
            )
        ).all()
        misses += [
            Miss(number, name, rule, getattr(validation, deadline.key), validation.left_at)
            for validation, number, name in rows
        ]
    return sorted(misses, key=lambda miss: (miss.deadline, miss.number, miss.rule))


def _percentile(sorted_values: list[float], percent: float) -> float:
    """Nearest-rank percentile."""
    rank = max(1, -(-len(sorted_values) * percent // 100))
    return sorted_values[int(rank) - 1]
