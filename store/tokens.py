"""Bearer tokens for the officer/channel API: one role each, stored only as a hash."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, or_, select

from store.models import ApiToken
from store.stages import Role

TOKEN_ROLES = (Role.KELURAHAN, Role.SKPD, Role.FACILITATOR, Role.ADMIN, Role.CHANNEL)


@dataclass(frozen=True)
class TokenInfo:
    id: int
    name: str
    role: Role
    created_at: datetime
    revoked_at: datetime | None


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _info(row: ApiToken) -> TokenInfo:
    return TokenInfo(
        id=row.id,
        name=row.name,
        role=Role(row.role),
        created_at=row.created_at,
        revoked_at=row.revoked_at,
    )


def create_token(
    name: str, role: Role, *, session: Session, now: datetime
) -> tuple[TokenInfo, str]:
    """A new token; the plain text is returned once and never stored."""
    if role not in TOKEN_ROLES:
        raise ValueError(f"tokens are for {', '.join(TOKEN_ROLES)}, not {role}")
    token = f"crm_{role}_{secrets.token_urlsafe(32)}"
    row = ApiToken(name=name, role=role, token_hash=_hash(token), created_at=now)
    session.add(row)
    session.flush()
    return _info(row), token


def authenticate(token: str, *, session: Session) -> TokenInfo | None:
    row = session.exec(select(ApiToken).where(ApiToken.token_hash == _hash(token))).first()
    if row is None or row.revoked_at is not None:
        return None
    return _info(row)


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
    return [_info(row) for row in session.exec(select(ApiToken).order_by(ApiToken.id)).all()]
