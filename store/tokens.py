"""Bearer tokens for the officer/channel API: one role each, for one office (kelurahan,
SKPD, channel) or citywide (admin, facilitator), stored only as a hash."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, or_, select

from store import offices
from store.models import ApiToken
from store.offices import OfficeInfo, OfficeKind, Scope
from store.stages import Role

TOKEN_ROLES = (Role.KELURAHAN, Role.SKPD, Role.FACILITATOR, Role.ADMIN, Role.CHANNEL)
# The roles whose tokens act for one office of this kind; the others are citywide.
OFFICE_OF_ROLE = {
    Role.KELURAHAN: OfficeKind.KELURAHAN,
    Role.SKPD: OfficeKind.SKPD,
    Role.CHANNEL: OfficeKind.CHANNEL,
}


@dataclass(frozen=True)
class TokenInfo:
    id: int
    name: str
    role: Role
    created_at: datetime
    revoked_at: datetime | None
    office: OfficeInfo | None = None

    @property
    def unbound(self) -> bool:
        """A kelurahan, SKPD or channel token made before offices existed (migration 0017):
        it cannot say which reports are its own, so it is refused until re-issued."""
        return self.role in OFFICE_OF_ROLE and self.office is None

    @property
    def scope(self) -> Scope:
        return Scope.citywide() if self.office is None else Scope.of_office(self.office)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _info(row: ApiToken, *, session: Session) -> TokenInfo:
    office = None
    if row.office_id is not None:
        office = offices.office_by_id(row.office_id, session=session)
    return TokenInfo(
        id=row.id,
        name=row.name,
        role=Role(row.role),
        created_at=row.created_at,
        revoked_at=row.revoked_at,
        office=office,
    )


def create_token(
    name: str | None,
    role: Role,
    *,
    office: str | int | None = None,
    session: Session,
    now: datetime,
) -> tuple[TokenInfo, str]:
    """A new token; the plain text is returned once and never stored. A kelurahan, SKPD
    or channel token names its `office` (name or id; a kelurahan also by postal code);
    raises `offices.OfficeProblem` when it names none, or names one for a citywide role."""
    if role not in TOKEN_ROLES:
        raise ValueError(f"tokens are for {', '.join(TOKEN_ROLES)}, not {role}")
    found = _office_for(role, office, session=session)
    token = f"crm_{role}_{secrets.token_urlsafe(32)}"
    row = ApiToken(
        name=(name or (found.name if found else role))[:100],
        role=role,
        office_id=found.id if found else None,
        token_hash=_hash(token),
        created_at=now,
    )
    session.add(row)
    session.flush()
    return _info(row, session=session), token


def _office_for(role: Role, office: str | int | None, *, session: Session) -> OfficeInfo | None:
    kind = OFFICE_OF_ROLE.get(role)
    if kind is None:
        if office is not None:
            raise offices.OfficeProblem(f"{role} tokens are citywide: give no office")
        return None
    if office is None or str(office).strip() == "":
        raise offices.OfficeProblem(f"a {role} token belongs to one {kind} office: give --office")
    return offices.find_office(office, kind, session=session)


def reissue_hint(info: TokenInfo) -> str:
    """What an unbound token's holder is told (docs/officers.md, Upgrading to offices)."""
    return (
        f"this {info.role} token ({info.name}) belongs to no office and is no longer accepted;"
        f" ask an operator to re-issue it: flask --app bot crm token create --role {info.role}"
        f" --office <{OFFICE_OF_ROLE[info.role]} name>, then revoke this one"
    )


def authenticate(token: str, *, session: Session) -> TokenInfo | None:
    row = session.exec(select(ApiToken).where(ApiToken.token_hash == _hash(token))).first()
    if row is None or row.revoked_at is not None:
        return None
    return _info(row, session=session)


def revoke_token(id_or_name: str, *, session: Session, now: datetime) -> int:
    """Revoke the token with this id, or every live token with this name."""
    condition = ApiToken.name == id_or_name
    if id_or_name.isdigit():
        condition = or_(condition, ApiToken.id == int(id_or_name))
    rows = session.exec(select(ApiToken).where(condition, ApiToken.revoked_at.is_(None))).all()
    for row in rows:
        row.revoked_at = now
        session.add(row)
    return len(rows)


def list_tokens(*, session: Session) -> list[TokenInfo]:
    rows = session.exec(select(ApiToken).order_by(ApiToken.id)).all()
    return [_info(row, session=session) for row in rows]
