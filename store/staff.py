"""Facilitators, supervisors and office members: who they are (one look-up of a phone
for every role), and which facilitator gets the next follow-up to validate. What office
members are told and act on is store/office_members.py's."""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import func
from sqlmodel import Session, select

from store.models import Staff, Validation
from store.offices import OfficeInfo, OfficeKind, Scope
from store.sql import AnySession, orm, sql


class StaffRole(StrEnum):
    FACILITATOR = "facilitator"
    SUPERVISOR = "supervisor"
    OFFICE = "office"  # a kelurahan's or an SKPD's staff (store/office_members.py)


@dataclass(frozen=True)
class StaffInfo:
    id: int
    role: StaffRole
    name: str
    phone: str
    active: bool
    office_id: int | None = None  # an office member's office


def _info(row: Staff) -> StaffInfo:
    return StaffInfo(
        id=row.id,
        role=StaffRole(row.role),
        name=row.name,
        phone=row.phone,
        active=row.active,
        office_id=row.office_id,
    )


class DuplicateStaff(ValueError):
    pass


def add_staff(
    role: StaffRole,
    name: str,
    phone: str,
    *,
    session: Session,
    now: datetime,
    office_id: int | None = None,
) -> StaffInfo:
    """Register (or reactivate) a facilitator, supervisor or (with its `office_id`)
    office member by E.164 phone."""
    row = session.exec(select(Staff).where(Staff.role == role, Staff.phone == phone)).first()
    if row is not None and row.active:
        raise DuplicateStaff(f"{phone} is already an active {role}")
    row = row or Staff(role=role, phone=phone, created_at=now, name=name)
    row.name, row.active, row.office_id = name, True, office_id
    session.add(row)
    session.flush()
    return _info(row)


def deactivate_staff(role: StaffRole, id_or_phone: str, *, session: Session) -> StaffInfo | None:
    condition = Staff.phone == id_or_phone
    if id_or_phone.isdigit():
        condition = Staff.id == int(id_or_phone)
    row = session.exec(select(Staff).where(Staff.role == role, condition)).first()
    if row is None:
        return None
    row.active = False
    session.add(row)
    return _info(row)


def list_staff(
    role: StaffRole, *, session: AnySession, active_only: bool = False
) -> list[StaffInfo]:
    session = orm(session)
    query = select(Staff).where(Staff.role == role).order_by(Staff.id)
    if active_only:
        query = query.where(Staff.active)
    return [_info(row) for row in session.exec(query).all()]


def get_staff(staff_id: int | None, *, session: Session) -> StaffInfo | None:
    row = session.get(Staff, staff_id) if staff_id is not None else None
    return None if row is None else _info(row)


@dataclass(frozen=True)
class Member:
    """An office member: a kelurahan's or an SKPD's staff, acting with its office's Scope."""

    id: int
    name: str
    phone: str
    office: OfficeInfo

    @property
    def scope(self) -> Scope:
        return Scope.of_office(self.office)


@dataclass(frozen=True)
class Roles:
    """What a phone is among the active staff; a citizen is none of it. A person may be a
    facilitator and a supervisor, and an office member beside either."""

    facilitator: StaffInfo | None = None
    supervisor: StaffInfo | None = None
    member: Member | None = None

    @property
    def staff(self) -> bool:
        """A facilitator or a supervisor (an office member writes as a citizen, but for
        their commands)."""
        return self.facilitator is not None or self.supervisor is not None


def roles_by_phone(phone: str | None, *, session: AnySession) -> Roles:
    """Asked once for the messages whose reading depends on who sends them: one plain
    statement for every role."""
    if not phone:
        return Roles()
    rows = sql(session).rows(
        "SELECT staff.id, staff.role, staff.name, office.id, office.kind, office.name,"
        " office.kota, office.kelurahan_id FROM staff"
        " LEFT JOIN office ON office.id = staff.office_id"
        " WHERE staff.phone = :phone AND staff.active",
        phone=phone,
    )
    found: dict[StaffRole, StaffInfo | Member] = {}
    for staff_id, role, name, office_id, kind, office_name, kota, kelurahan_id in rows:
        role = StaffRole(role)
        if role is StaffRole.OFFICE:
            office = OfficeInfo(office_id, OfficeKind(kind), office_name, kota, kelurahan_id)
            found[role] = Member(staff_id, name, phone, office)
        else:
            found[role] = StaffInfo(id=staff_id, role=role, name=name, phone=phone, active=True)
    return Roles(
        facilitator=found.get(StaffRole.FACILITATOR),
        supervisor=found.get(StaffRole.SUPERVISOR),
        member=found.get(StaffRole.OFFICE),
    )


def choose_facilitator(*, session: Session, now: datetime) -> int | None:
    """The active facilitator with the fewest open validations; among equals, the one
    assigned longest ago (round-robin). Their rows are locked, so concurrent
    assignments queue rather than all picking the same person."""
    facilitators = session.exec(
        select(Staff)
        .where(Staff.role == StaffRole.FACILITATOR, Staff.active)
        .order_by(Staff.id)
        .with_for_update()
    ).all()
    if not facilitators:
        return None
    open_counts = dict(
        session.exec(
            select(Validation.facilitator_id, func.count())
            .where(Validation.left_at.is_(None), Validation.facilitator_id.is_not(None))
            .group_by(Validation.facilitator_id)
        ).all()
    )
    never = datetime.min.replace(tzinfo=now.tzinfo)
    chosen = min(
        facilitators,
        key=lambda row: (open_counts.get(row.id, 0), row.last_assigned_at or never, row.id),
    )
    chosen.last_assigned_at = now
    session.add(chosen)
    return chosen.id
