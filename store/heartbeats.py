"""Workers' signs of life, so that /healthz can say honestly whether one is running."""

from datetime import datetime

from sqlmodel import Session, func, select

from store.db import insert_for
from store.models import WorkerHeartbeat


def beat(worker: str, *, session: Session, now: datetime) -> None:
    statement = insert_for(session, WorkerHeartbeat).values(worker=worker, beat_at=now)
    session.exec(statement.on_conflict_do_update(index_elements=["worker"], set_={"beat_at": now}))


def latest_beat(*, session: Session) -> datetime | None:
    return session.exec(select(func.max(WorkerHeartbeat.beat_at))).one()
