"""Report conversations in progress. A draft idle for `DRAFT_LIFETIME` is expired."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlmodel import Session

from store.models import Draft

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


def load_draft(contact_id: int, *, session: Session) -> DraftState | None:
    draft = session.get(Draft, contact_id)
    if draft is None:
        return None
    return DraftState(step=draft.step, data=dict(draft.data), updated_at=draft.updated_at)


def save_draft(contact_id: int, state: DraftState, *, session: Session, now: datetime) -> None:
    draft = session.get(Draft, contact_id) or Draft(contact_id=contact_id, step=state.step)
    draft.step = state.step
    draft.data = dict(state.data)
    draft.updated_at = now
    session.add(draft)


def discard_draft(contact_id: int, *, session: Session) -> None:
    session.exec(delete(Draft).where(Draft.contact_id == contact_id))


def purge_expired_drafts(*, session: Session, now: datetime) -> int:
    result = session.exec(delete(Draft).where(Draft.updated_at < now - PURGE_AFTER))
    return result.rowcount
