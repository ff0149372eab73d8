"""Workers' signs of life, so that /healthz can say honestly whether one is running."""

from datetime import datetime

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, func, select

from store.models import WorkerHeartbeat


def beat(worker: str, *, session: Session, now: datetime) -> None:
    dialect_insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = dialect_insert(WorkerHeartbeat).values(worker=worker, beat_at=now)
    session.exec(statement.on_conflict_do_update(index_elements=["worker"], set_={"beat_at": now}))


def latest_beat(*, session: Session) -> datetime | None:
    return session.exec(select(func.max(WorkerHeartbeat.beat_at))).one()
