"""Missed time rules, each recorded once (the unique `key` settles races between scans
and between workers), and the figures supervisors and facilitators are sent."""

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import exists, func, text
from sqlmodel import Session, select

from store import sla, validations
from store.clock import JAKARTA
from store.db import insert_for
from store.models import Breach, Report, ScheduledRun, Validation
from store.offices import Scope
from store.stages import CLOSED_STAGES, OPEN_STAGES, Stage

DAILY_TARGET_MISSED = "daily_target_missed"
VALIDATION_OVERDUE = "validation_overdue"
KELURAHAN_WARNING = "kelurahan_18h"  # a warning to the kelurahan's members, as 6d is
KELURAHAN_24H = "kelurahan_24h"
FOLLOW_UP_6D = "follow_up_6d"
FOLLOW_UP_7D = "follow_up_7d"
MONTHLY_CUTOFF_MISSED = "monthly_cutoff_missed"

EARLY_STAGES = (Stage.MENUNGGU, Stage.KOORDINASI, Stage.DISPOSISI, Stage.PROSES)


@dataclass(frozen=True)
class NewBreach:
    kind: str
    report_id: int
    number: str
    validation_id: int | None = None
    facilitator_id: int | None = None
    due_at: datetime | None = None


def _insert_ignoring_duplicates(session: Session, model, **values):
    statement = insert_for(session, model).values(**values).on_conflict_do_nothing()
    return session.exec(statement.returning(*model.__table__.primary_key.columns)).first()


def _record(
    breach: NewBreach,
    key: str,
    *,
    session: Session,
    now: datetime,
    counted_from: datetime | None = None,
) -> bool:
    """True for the one caller that recorded the breach first."""
    inserted = _insert_ignoring_duplicates(
        session,
        Breach,
        key=key,
        kind=breach.kind,
        report_id=breach.report_id,
        validation_id=breach.validation_id,
        counted_from=counted_from,
        detected_at=now,
    )
    return inserted is not None


def _not_flagged(kind: str, *conditions):
    return ~exists().where(Breach.kind == kind, Breach.report_id == Report.id, *conditions)


def _of_this_return():
    """A condition on Breach joined to its Report: the flag counted from the report's
    last return, or from its submission when it never came back."""
    return Breach.counted_from.is_not_distinct_from(Report.returned_at)


def record_validation_breaches(*, session: Session, now: datetime) -> list[NewBreach]:
    """Open validations past their daily target or their 72-hour deadline, not yet
    recorded. Each comes back once, to the scan that recorded it."""
    found: list[NewBreach] = []
    for kind, column in (
        (DAILY_TARGET_MISSED, Validation.daily_target_at),
        (VALIDATION_OVERDUE, Validation.due_at),
    ):
        rows = session.exec(
            select(Validation, Report.number)
            .join(Report, Report.id == Validation.report_id)
            .where(
                Validation.left_at.is_(None),
                column < now,
                ~exists().where(Breach.kind == kind, Breach.validation_id == Validation.id),
            )
            .order_by(Validation.id)
        ).all()
        for validation, number in rows:
            breach = NewBreach(
                kind,
                validation.report_id,
                number,
                validation.id,
                validation.facilitator_id,
                validation.due_at,
            )
            if _record(breach, f"{kind}:v{validation.id}", session=session, now=now):
                found.append(breach)
    return found


def record_early_stage_breaches(*, session: Session, now: datetime) -> list[NewBreach]:
    """Reports the kelurahan left in menunggu for 24 hours (18: a warning to its
    members), and reports not followed up (not in tindak_lanjut) 6 and 7 days after
    submission or after their last return."""
    return _record_since_submission(session=session, now=now) + _record_since_return(
        session=session, now=now
    )


def _record_since_submission(*, session: Session, now: datetime) -> list[NewBreach]:
    """Rules that count from submission, for reports never returned to proses."""
    rules = (
        (KELURAHAN_WARNING, (Stage.MENUNGGU,), sla.KELURAHAN_WARNING),
        (KELURAHAN_24H, (Stage.MENUNGGU,), sla.KELURAHAN_LIMIT),
        (FOLLOW_UP_6D, EARLY_STAGES, sla.FOLLOW_UP_WARNING),
        (FOLLOW_UP_7D, EARLY_STAGES, sla.FOLLOW_UP_LIMIT),
    )
    found: list[NewBreach] = []
    for kind, in_stages, limit in rules:
        rows = session.exec(
            select(Report.id, Report.number)
            .where(
                Report.stage.in_(in_stages),
                Report.created_at < now - limit,
                Report.returned_at.is_(None),
                _not_flagged(kind),
            )
            .order_by(Report.id)
        ).all()
        for report_id, number in rows:
            breach = NewBreach(kind, report_id, number)
            if _record(breach, f"{kind}:r{report_id}", session=session, now=now):
                found.append(breach)
    return found


def _record_since_return(*, session: Session, now: datetime) -> list[NewBreach]:
    """A report sent back to proses by a facilitator, or reopened by its citizen, must
    be followed up (in tindak_lanjut) again within 7 days of that return, 6 for a warning:
    flagged once per return, under a key naming it. The kelurahan's 24 hours do not
    apply: such a report is past the kelurahan."""
    found: list[NewBreach] = []
    for kind, limit in ((FOLLOW_UP_6D, sla.FOLLOW_UP_WARNING), (FOLLOW_UP_7D, sla.FOLLOW_UP_LIMIT)):
        rows = session.exec(
            select(Report.id, Report.number, Report.returned_at)
            .where(
                Report.stage.in_(EARLY_STAGES),
                Report.returned_at < now - limit,
                _not_flagged(kind, Breach.counted_from == Report.returned_at),
            )
            .order_by(Report.id)
        ).all()
        for report_id, number, returned_at in rows:
            breach = NewBreach(kind, report_id, number)
            key = f"{kind}:r{report_id}:returned:{returned_at:%Y%m%dT%H%M%S%f}"
            if _record(breach, key, session=session, now=now, counted_from=returned_at):
                found.append(breach)
    return found


def record_monthly_cutoff_breaches(*, session: Session, now: datetime) -> list[NewBreach]:
    """After the 5th (end of day WIB), last month's reports still open missed the cut-off."""
    today = now.astimezone(JAKARTA).date()
    if now <= sla.monthly_cutoff(today):
        return []
    month_key = sla.previous_month(today)[0].strftime("%Y-%m")
    found: list[NewBreach] = []
    for report_id, number in open_reports_of_previous_month(today, session=session):
        breach = NewBreach(MONTHLY_CUTOFF_MISSED, report_id, number)
        if _record(breach, f"cutoff:{month_key}:r{report_id}", session=session, now=now):
            found.append(breach)
    return found


def open_reports_of_previous_month(
    today: date,
    *,
    session: Session,
    facilitator_id: int | None = None,
    scope: Scope | None = None,
) -> list[tuple[int, str]]:
    """(id, number) of reports created last month (WIB) not yet selesai or ditolak;
    for a facilitator, only those waiting in their queue; for an office, its own."""
    first, next_first = sla.previous_month(today)
    query = (
        select(Report.id, Report.number)
        .where(
            Report.created_at >= sla.start_of_day(first),
            Report.created_at < sla.start_of_day(next_first),
            Report.stage.not_in(CLOSED_STAGES),
        )
        .order_by(Report.created_at, Report.id)
    )
    if scope is not None:
        condition, values = scope.condition()
        query = query.where(text(condition).bindparams(**values))
    if facilitator_id is not None:
        query = query.join(Validation, Validation.report_id == Report.id).where(
            Validation.facilitator_id == facilitator_id, Validation.left_at.is_(None)
        )
    return list(session.exec(query).all())


def claim_run(key: str, *, session: Session, now: datetime) -> bool:
    """True for the one worker that gets to send the digest or list named `key`."""
    return _insert_ignoring_duplicates(session, ScheduledRun, key=key, ran_at=now) is not None


@dataclass
class Workload:
    facilitator_id: int
    total: int = 0
    due_today: list[str] = field(default_factory=list)
    overdue: list[str] = field(default_factory=list)


def facilitator_workloads(*, session: Session, now: datetime) -> list[Workload]:
    """Each facilitator's open validations: the numbers due by tonight and the overdue."""
    tonight = sla.end_of_day(now.astimezone(JAKARTA).date())
    rows = session.exec(
        select(
            Validation.facilitator_id, Validation.due_at, Validation.daily_target_at, Report.number
        )
        .join(Report, Report.id == Validation.report_id)
        .where(Validation.left_at.is_(None), Validation.facilitator_id.is_not(None))
        .order_by(Validation.entered_at)
    ).all()
    loads: dict[int, Workload] = {}
    for facilitator_id, due_at, daily_target_at, number in rows:
        load = loads.setdefault(facilitator_id, Workload(facilitator_id, 0, [], []))
        loads[facilitator_id] = Workload(
            facilitator_id, load.total + 1, load.due_today, load.overdue
        )
        if due_at < now:
            load.overdue.append(number)
        elif min(due_at, daily_target_at) <= tonight:
            load.due_today.append(number)
    return list(loads.values())


@dataclass(frozen=True)
class SupervisorSummary:
    overdue: list[str]
    daily_target_missed: list[str]
    unassigned: list[str]
    kelurahan_late: list[str]
    follow_up_6d: list[str]
    follow_up_7d: list[str]
    cutoff_missed: list[str]  # still open after the 5th of the month after their own

    @property
    def is_empty(self) -> bool:
        """Nothing worth a digest. Reports past the cut-off alone make none: the digest's
        WhatsApp template (outside the 24-hour window) has no figure for them, and would
        read as all zeros; they come as a line of any other digest."""
        return not any(value for name, value in vars(self).items() if name != "cutoff_missed")


def supervisor_summary(*, session: Session, now: datetime) -> SupervisorSummary:
    """What stands breached right now (flags of reports still in the same situation)."""

    def open_validation_numbers(*conditions) -> list[str]:
        return list(
            session.exec(
                select(Report.number)
                .join(Validation, Validation.report_id == Report.id)
                .where(Validation.left_at.is_(None), *conditions)
                .order_by(Validation.entered_at)
            ).all()
        )

    def flagged(kind: str, in_stages, *conditions) -> list[str]:
        return list(
            session.exec(
                select(Report.number)
                .join(Breach, Breach.report_id == Report.id)
                .where(Breach.kind == kind, Report.stage.in_(in_stages), *conditions)
                .order_by(Report.created_at)
            ).all()
        )

    def late_follow_up(kind: str) -> list[str]:
        """Flags of the report's current stay only: a returned report is late again
        only when late counting from its return."""
        return flagged(kind, EARLY_STAGES, _of_this_return())

    seven_days = set(late_follow_up(FOLLOW_UP_7D))
    return SupervisorSummary(
        overdue=open_validation_numbers(Validation.due_at < now),
        daily_target_missed=open_validation_numbers(
            Validation.daily_target_at < now, Validation.due_at >= now
        ),
        unassigned=open_validation_numbers(validations.without_active_facilitator()),
        kelurahan_late=flagged(KELURAHAN_24H, (Stage.MENUNGGU,)),
        follow_up_6d=[n for n in late_follow_up(FOLLOW_UP_6D) if n not in seven_days],
        follow_up_7d=sorted(seven_days),
        cutoff_missed=flagged(MONTHLY_CUTOFF_MISSED, OPEN_STAGES),
    )


def count_breaches(*, session: Session) -> dict[str, int]:
    return dict(session.exec(select(Breach.kind, func.count()).group_by(Breach.kind)).all())
