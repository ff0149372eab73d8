"""A facilitator's questions about a report to the supervisors (TANYA), and their
answers (JAWAB): the report's staff history, shown in the facilitator's LIHAT as
"Tanya-jawab", never in the citizen's history nor the API's."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import aliased
from sqlmodel import select

from store import outbox, staff
from store.models import Staff, StaffQuestion
from store.reports import ReportView
from store.sql import AnySession, orm, utc
from store.staff import StaffInfo, StaffRole


@dataclass(frozen=True)
class Exchange:
    """One question and, once given, its answer."""

    id: int
    asked_by: str  # the facilitator's name
    question: str
    asked_at: datetime
    answered_by: str | None = None  # the supervisor's name
    answer: str | None = None
    answered_at: datetime | None = None


@dataclass(frozen=True)
class Answered:
    """An answer given: to whom it goes, and who else on the report still waits."""

    question: str
    facilitator: str
    still_waiting: tuple[str, ...]  # names of facilitators with a question still open


def ask(
    report: ReportView, facilitator: StaffInfo, question: str, *, session: AnySession, now: datetime
) -> int:
    """Record the question and send it to every active supervisor (outbox.STAFF_QUESTION:
    quiet hours hold it); how many it went to. With none, nothing is recorded: nobody
    could answer it."""
    supervisors = staff.list_staff(StaffRole.SUPERVISOR, session=session, active_only=True)
    if not supervisors:
        return 0
    session = orm(session)
    session.add(
        StaffQuestion(report_id=report.id, asked_by=facilitator.id, question=question, asked_at=now)
    )
    payload = {
        "number": report.number,
        "category": report.category,
        "kelurahan": report.kelurahan,
        "stage": report.stage,
        "facilitator": facilitator.name,
        "question": question,
    }
    for person in supervisors:
        outbox.enqueue_to_phone(
            person.phone,
            person.name,
            outbox.STAFF_QUESTION,
            payload,
            report_id=report.id,
            session=session,
            now=now,
        )
    return len(supervisors)


def answer_latest(
    report: ReportView, supervisor: StaffInfo, answer: str, *, session: AnySession, now: datetime
) -> Answered | None:
    """Answer the report's latest open question (the latest asker's, when several
    facilitators asked) and send the answer to whoever asked it (outbox.STAFF_ANSWER);
    None when no question on it is open."""
    session = orm(session)
    open_ones = session.exec(
        select(StaffQuestion, Staff)
        .join(Staff, Staff.id == StaffQuestion.asked_by)
        .where(StaffQuestion.report_id == report.id, StaffQuestion.answered_at.is_(None))
        .order_by(StaffQuestion.asked_at.desc(), StaffQuestion.id.desc())
        .with_for_update(of=StaffQuestion)
    ).all()
    if not open_ones:
        return None
    (latest, asker), rest = open_ones[0], open_ones[1:]
    latest.answered_by, latest.answer, latest.answered_at = supervisor.id, answer, now
    session.add(latest)
    payload = {
        "number": report.number,
        "supervisor": supervisor.name,
        "question": latest.question,
        "answer": answer,
    }
    outbox.enqueue_to_phone(
        asker.phone,
        asker.name,
        outbox.STAFF_ANSWER,
        payload,
        report_id=report.id,
        session=session,
        now=now,
    )
    waiting = tuple(dict.fromkeys(person.name for _, person in rest))
    return Answered(latest.question, asker.name, waiting)


def exchanges_of(report_id: int, *, session: AnySession) -> list[Exchange]:
    """The report's questions and answers, oldest first."""
    asker, answerer = aliased(Staff), aliased(Staff)
    rows = (
        orm(session)
        .exec(
            select(StaffQuestion, asker.name, answerer.name)
            .join(asker, asker.id == StaffQuestion.asked_by)
            .outerjoin(answerer, answerer.id == StaffQuestion.answered_by)
            .where(StaffQuestion.report_id == report_id)
            .order_by(StaffQuestion.asked_at, StaffQuestion.id)
        )
        .all()
    )
    return [
        Exchange(
            id=row.id,
            asked_by=asked_by,
            question=row.question,
            asked_at=utc(row.asked_at),
            answered_by=answered_by,
            answer=row.answer,
            answered_at=utc(row.answered_at),
        )
        for row, asked_by, answered_by in rows
    ]
