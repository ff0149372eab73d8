"""Office members: a kelurahan's or an SKPD's staff on WhatsApp (DESIGN.md, Offices). They
are `staff` rows of role "office" bound to one office, whose reports they are told of
(new in their area or disposed to them, sent back, late, open at the monthly cut-off)
and act on (handlers/office_member.py), with that office's Scope, as its API token does.
Every notice is a staff kind of store/outbox.py: quiet hours hold it."""

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, select

from store import breaches, offices, outbox, sla, staff
from store.models import Office, Report, Staff
from store.offices import OfficeInfo, OfficeKind, OfficeProblem, Scope
from store.sql import AnySession, sql, utc
from store.staff import Member, StaffRole
from store.stages import Stage

# Breaches an office member is warned of or told of, and whose rule each is: the 24 hours
# are the kelurahan's; the 7 days, of whoever handles the report (an SKPD once disposed).
KELURAHAN_RULES = {breaches.KELURAHAN_WARNING, breaches.KELURAHAN_24H}
FOLLOW_UP_RULES = {breaches.FOLLOW_UP_6D, breaches.FOLLOW_UP_7D}


def member_office(wanted: str, *, session: Session) -> OfficeInfo:
    """The kelurahan or SKPD named `wanted`: an SKPD by its name or id, else a kelurahan
    as offices.find_office finds one (typos, postal code). Raises `OfficeProblem`."""
    try:
        return offices.find_office(wanted, OfficeKind.SKPD, session=session)
    except OfficeProblem:
        pass
    try:
        return offices.find_office(wanted, OfficeKind.KELURAHAN, session=session)
    except OfficeProblem as problem:
        raise OfficeProblem(
            f"{problem} (nor is it an SKPD's name: see `flask --app bot crm office list`)",
            candidates=problem.candidates,
        ) from None


def add_member(office: str, name: str, phone: str, *, session: Session, now: datetime) -> Member:
    """Register (or reactivate, perhaps for another office) a member by E.164 phone.
    Raises `OfficeProblem` or `staff.DuplicateStaff` (one office per phone)."""
    found = member_office(office, session=session)
    person = staff.add_staff(
        StaffRole.OFFICE, name, phone, session=session, now=now, office_id=found.id
    )
    return Member(person.id, person.name, person.phone, found)


def remove_member(id_or_phone: str, *, session: Session) -> staff.StaffInfo | None:
    return staff.deactivate_staff(StaffRole.OFFICE, id_or_phone, session=session)


def list_members(office: str | None = None, *, session: Session) -> list[Member]:
    """Active members, of one office if named, by office then name."""
    query = (
        select(Staff, Office)
        .join(Office, Office.id == Staff.office_id)
        .where(Staff.role == StaffRole.OFFICE, Staff.active)
        .order_by(Office.name, Staff.name)
    )
    if office is not None:
        query = query.where(Office.id == member_office(office, session=session).id)
    return [
        Member(row.id, row.name, row.phone, offices.office_info(place))
        for row, place in session.exec(query).all()
    ]


_MEMBERS = (
    "SELECT staff.phone, staff.name FROM staff JOIN office ON office.id = staff.office_id"
    " WHERE staff.role = :role AND staff.active AND {office} = :key ORDER BY staff.id"
)


def _members_of(office_id: int, *, session: Session) -> list[tuple[str, str]]:
    """(phone, name) of the office's active members."""
    return sql(session).rows(
        _MEMBERS.format(office="office.id"), role=StaffRole.OFFICE.value, key=office_id
    )


def _members_in(kelurahan_id: int, *, session: Session) -> list[tuple[str, str]]:
    """(phone, name) of the active members of a kelurahan's office: one statement, as
    every filing asks."""
    return sql(session).rows(
        _MEMBERS.format(office="office.kelurahan_id"),
        role=StaffRole.OFFICE.value,
        key=kelurahan_id,
    )


def _handlers_of(report: Report, *, session: Session) -> list[tuple[str, str]]:
    """The members of who must follow the report up: the SKPD it was disposed to, else
    its kelurahan."""
    if report.skpd_office_id is not None:
        return _members_of(report.skpd_office_id, session=session)
    return _members_in(report.kelurahan_id, session=session)


def _tell(
    members: list[tuple[str, str]],
    kind: str,
    payload: dict,
    *,
    report_id: int | None,
    session: Session,
    now: datetime,
) -> int:
    """The notice to each of `members`; how many."""
    for phone, name in members:
        outbox.enqueue_to_phone(
            phone, name, kind, payload, report_id=report_id, session=session, now=now
        )
    return len(members)


def _about(report: Report) -> dict:
    return {"number": report.number, "category": report.category, "kelurahan": report.kelurahan}


def tell_new_report(report: Report, *, session: Session, now: datetime) -> int:
    """A report filed in a kelurahan: its members are told, with their 24 hours."""
    payload = _about(report) | {
        "stage": report.stage,
        "due_at": sla.kelurahan_deadline(report.created_at).isoformat(),
    }
    members = _members_in(report.kelurahan_id, session=session)
    return _tell(
        members, outbox.OFFICE_NEW_REPORT, payload, report_id=report.id, session=session, now=now
    )


def tell_disposed(report: Report, note: str | None, *, session: Session, now: datetime) -> int:
    """A disposisi named an SKPD: its members are told, with the follow-up's 7 days."""
    payload = _about(report) | {
        "stage": report.stage,
        "note": note,
        "due_at": sla.follow_up_deadline(report.created_at, report.returned_at).isoformat(),
    }
    return _tell(
        _members_of(report.skpd_office_id, session=session),
        outbox.OFFICE_NEW_REPORT,
        payload,
        report_id=report.id,
        session=session,
        now=now,
    )


def tell_returned(report: Report, *, session: Session, now: datetime) -> int:
    """A report back in proses (a facilitator sent its follow-up back, or its citizen
    reopened it): whoever handles it is told why, with the 7 days that count again."""
    payload = _about(report) | {
        "by": report.returned_by,
        "reason": report.return_reason,
        "due_at": sla.follow_up_deadline(report.created_at, report.returned_at).isoformat(),
    }
    return _tell(
        _handlers_of(report, session=session),
        outbox.OFFICE_RETURNED,
        payload,
        report_id=report.id,
        session=session,
        now=now,
    )


def alert_deadlines(found: list[breaches.NewBreach], *, session: Session, now: datetime) -> int:
    """What one deadline scan found of the offices' rules, one message per office (its
    members each get it): a warning before the rule is missed, and the miss. How many
    offices were told."""
    alerts_of: dict[int, list[tuple[int, dict]]] = {}
    for breach in found:
        if breach.kind not in KELURAHAN_RULES | FOLLOW_UP_RULES:
            continue
        report = session.get(Report, breach.report_id)
        kelurahan = offices.office_of_kelurahan(report.kelurahan_id, session=session).id
        if breach.kind in KELURAHAN_RULES:
            office_id = kelurahan
            due_at = sla.kelurahan_deadline(report.created_at)
        else:
            office_id = report.skpd_office_id or kelurahan
            due_at = sla.follow_up_deadline(report.created_at, report.returned_at)
        alert = {"number": breach.number, "breach": breach.kind, "due_at": due_at.isoformat()}
        alerts_of.setdefault(office_id, []).append((report.id, alert))
    told = 0
    for office_id, alerts in alerts_of.items():
        report_ids = {report_id for report_id, _ in alerts}
        told += bool(
            _tell(
                _members_of(office_id, session=session),
                outbox.OFFICE_DEADLINE,
                {"alerts": [alert for _, alert in alerts]},
                report_id=report_ids.pop() if len(report_ids) == 1 else None,
                session=session,
                now=now,
            )
        )
    return told


def cutoff_lists(today: date, *, session: Session, now: datetime) -> int:
    """From the 1st to the 5th, each office with members gets its own reports of last
    month still open (outbox.CUTOFF_LIST, as supervisors and facilitators do)."""
    month = sla.previous_month(today)[0].strftime("%Y-%m")
    office_ids = session.exec(
        select(Staff.office_id)
        .where(Staff.role == StaffRole.OFFICE, Staff.active)
        .distinct()
        .order_by(Staff.office_id)
    ).all()
    sent = 0
    for office_id in office_ids:
        office = offices.office_by_id(office_id, session=session)
        numbers = [
            number
            for _, number in breaches.open_reports_of_previous_month(
                today, session=session, scope=Scope.of_office(office)
            )
        ]
        if numbers:
            payload = {"month": month, "numbers": numbers}
            members = _members_of(office_id, session=session)
            sent += _tell(
                members, outbox.CUTOFF_LIST, payload, report_id=None, session=session, now=now
            )
    return sent


@dataclass(frozen=True)
class OpenReport:
    id: int
    number: str
    category: str
    kelurahan: str
    stage: Stage
    created_at: datetime
    returned: bool  # back in proses after a return


def open_reports(scope: Scope, *, limit: int, session: AnySession) -> tuple[list[OpenReport], int]:
    """The office's reports still before tindak_lanjut, oldest first (the first `limit`),
    and how many there are: what its ANTRIAN lists."""
    condition, values = scope.condition()
    stages = {f"stage_{index}": stage.value for index, stage in enumerate(breaches.EARLY_STAGES)}
    where = f"{condition} AND report.stage IN ({', '.join(f':{name}' for name in stages)})"
    q = sql(session)
    total = q.value(f"SELECT count(*) FROM report WHERE {where}", **values, **stages)
    rows = q.rows(
        "SELECT id, number, category, kelurahan, stage, created_at, returned_at IS NOT NULL"
        f" FROM report WHERE {where} ORDER BY created_at, id LIMIT :limit",
        **values,
        **stages,
        limit=limit,
    )
    found = [
        OpenReport(row[0], row[1], row[2], row[3], Stage(row[4]), utc(row[5]), bool(row[6]))
        for row in rows
    ]
    return found, total
