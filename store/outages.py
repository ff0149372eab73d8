"""Outages, from the app's own evidence: the spool. While the database fails, the
webhook keeps each message in the spool with the time it reached us (store/spool.py),
and the worker's replay answers them once the database is back (scheduler/replay.py).
So an outage ran at least from the first message kept to the replay that answered it:
that span is recorded. It says when the service could not answer, not when the database
itself went down or came back: an outage in which nobody wrote is not seen (it kept
nobody's message waiting), and a worker down after the database came back lengthens it
(the messages waited for it all the same).

`crm sla` lists them beside the deadlines missed inside them."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, select

from store.models import Outage
from store.sql import AnySession, orm

# Spans this close are one outage: a replay cut short and run again, messages kept
# while a replay went on.
SAME_OUTAGE_WITHIN = timedelta(minutes=5)


@dataclass(frozen=True)
class OutageSpan:
    started_at: datetime
    ended_at: datetime

    @property
    def duration(self) -> timedelta:
        return self.ended_at - self.started_at

    def holds(self, moment: datetime) -> bool:
        return self.started_at <= moment <= self.ended_at


def note_outage(started_at: datetime, ended_at: datetime, *, session: AnySession) -> None:
    """Record that messages were kept from `started_at` and answered at `ended_at`,
    widening the outage recorded already that this span overlaps or nearly touches
    (harmless to repeat: a replay run again after a crash notes the same span)."""
    session = orm(session)
    started_at, ended_at = min(started_at, ended_at), max(started_at, ended_at)
    near = session.exec(
        select(Outage)
        .where(
            Outage.started_at <= ended_at + SAME_OUTAGE_WITHIN,
            Outage.ended_at >= started_at - SAME_OUTAGE_WITHIN,
        )
        .order_by(Outage.started_at, Outage.id)
        .with_for_update()
    ).all()
    if not near:
        session.add(Outage(started_at=started_at, ended_at=ended_at))
        session.flush()
        return
    kept, *others = near
    kept.started_at = min([started_at, *(outage.started_at for outage in near)])
    kept.ended_at = max([ended_at, *(outage.ended_at for outage in near)])
    session.add(kept)
    for other in others:  # joined by this span
        session.delete(other)
    session.flush()


def outages_between(start: datetime, end: datetime, *, session: Session) -> list[OutageSpan]:
    """The outages that overlap [start, end), oldest first; spans two hosts recorded
    for one outage (each has its spool) are listed as one."""
    rows = session.exec(
        select(Outage.started_at, Outage.ended_at)
        .where(Outage.started_at < end, Outage.ended_at >= start)
        .order_by(Outage.started_at)
    ).all()
    spans: list[OutageSpan] = []
    for started_at, ended_at in rows:
        if spans and started_at <= spans[-1].ended_at:
            last = spans.pop()
            started_at, ended_at = last.started_at, max(last.ended_at, ended_at)
        spans.append(OutageSpan(started_at, ended_at))
    return spans
