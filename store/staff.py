"""Facilitators, supervisors and office members: who they are, and which facilitator
gets the next follow-up to validate. (Office members, a kelurahan's or an SKPD's staff,
are store/office_members.py's.)"""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import func
from sqlmodel import Session, select

from store.models import Staff, Validation
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


def active_facilitator_by_phone(phone: str | None, *, session: AnySession) -> StaffInfo | None:
    """Asked for every message that may be a facilitator's command, so plain SQL."""
    return _active_by_phone(StaffRole.FACILITATOR, phone, session=session)


def active_supervisor_by_phone(phone: str | None, *, session: AnySession) -> StaffInfo | None:
    return _active_by_phone(StaffRole.SUPERVISOR, phone, session=session)


def _active_by_phone(
    role: StaffRole, phone: str | None, *, session: AnySession
) -> StaffInfo | None:
    if not phone:
        return None
    found = sql(session).row(
        "SELECT id, name FROM staff WHERE role = :role AND phone = :phone AND active",
        role=role.value,
        phone=phone,
    )
    if found is None:
        return None
    staff_id, name = found
    return StaffInfo(id=staff_id, role=role, name=name, phone=phone, active=True)


def is_active_staff(phone: str | None, *, session: AnySession) -> bool:
    """Whether the phone is an active facilitator's or supervisor's (an office member
    writes as a citizen, but for their commands)."""
    return phone is not None and bool(
        sql(session).value(
            "SELECT EXISTS (SELECT 1 FROM staff WHERE phone = :phone AND active"
            " AND role <> :office)",
            phone=phone,
            office=StaffRole.OFFICE.value,
        )
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
