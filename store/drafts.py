"""Report conversations in progress. A draft idle for `DRAFT_LIFETIME` is expired."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlmodel import Session

from store.models import Draft
from store.sql import AnySession, from_json, sql, utc

DRAFT_LIFETIME = timedelta(hours=24)
# Expired drafts are kept a while, so a citizen coming back is told theirs expired
# (instead of their answer being read as a new command); then they are purged.
PURGE_AFTER = timedelta(days=7)


@dataclass
class DraftState:
    step: str
    data: dict = field(default_factory=dict)
    updated_at: datetime | None = None

    def is_expired(self, now: datetime) -> bool:
        return self.updated_at is not None and now - self.updated_at > DRAFT_LIFETIME


def load_draft(contact_id: int, *, session: AnySession) -> DraftState | None:
    found = sql(session).row(
        "SELECT step, data, updated_at FROM draft WHERE contact_id = :contact_id",
        contact_id=contact_id,
    )
    if found is None:
        return None
    step, data, updated_at = found
    return DraftState(step=step, data=dict(from_json(data)), updated_at=utc(updated_at))


def save_draft(contact_id: int, state: DraftState, *, session: AnySession, now: datetime) -> None:
    sql(session).execute(
        "INSERT INTO draft (contact_id, step, data, updated_at)"
        " VALUES (:contact_id, :step, :data, :now) ON CONFLICT (contact_id) DO UPDATE"
        " SET step = excluded.step, data = excluded.data, updated_at = excluded.updated_at",
        contact_id=contact_id,
        step=state.step,
        data=dict(state.data),
        now=now,
    )


def discard_draft(contact_id: int, *, session: AnySession) -> None:
    sql(session).execute("DELETE FROM draft WHERE contact_id = :contact_id", contact_id=contact_id)


def purge_expired_drafts(*, session: Session, now: datetime) -> int:
    result = session.exec(delete(Draft).where(Draft.updated_at < now - PURGE_AFTER))
    return result.rowcount
