"""Reporters' 1–5 ratings of how their closed reports were handled."""

from datetime import datetime

from sqlmodel import Session, select

from store import contacts, stages
from store.models import Rating, Report
from store.sql import AnySession, orm, sql, utc

SCORES = range(1, 6)


def rate_report(
    report_id: int, contact_id: int, score: int, *, session: AnySession, now: datetime
) -> str:
    """Store the rating (the latest one counts) and stop waiting for one; returns the
    report's number."""
    session = orm(session)
    if score not in SCORES:
        raise ValueError(f"a rating is 1 to 5, not {score}")
    rating = session.exec(select(Rating).where(Rating.report_id == report_id)).first()
    rating = rating or Rating(report_id=report_id, contact_id=contact_id, score=score, rated_at=now)
    rating.score = score
    rating.rated_at = now
    session.add(rating)
    contacts.clear_awaited_rating(contact_id, session=session)
    return session.get(Report, report_id).number


def rating_of(report_id: int, *, session: Session) -> int | None:
    return session.exec(select(Rating.score).where(Rating.report_id == report_id)).first()


def report_open_to_rating(
    contact_id: int, *, closed_since: datetime, session: AnySession
) -> int | None:
    """The contact's latest closed report, when it was closed as done (selesai) since
    `closed_since` and is not rated yet: a rating sent days after the closing notice
    ("bintang lima pak") is for it. A report rejected or reopened since is not."""
    closed = {f"closed_{index}": stage.value for index, stage in enumerate(stages.CLOSED_STAGES)}
    latest = sql(session).row(
        "SELECT id, stage, stage_changed_at FROM report WHERE reporter_contact_id = :contact_id"
        f" AND stage IN ({', '.join(f':{name}' for name in closed)})"
        " ORDER BY stage_changed_at DESC, id DESC LIMIT 1",
        contact_id=contact_id,
        **closed,
    )
    if latest is None or latest[1] != stages.Stage.SELESAI.value:
        return None
    rated = sql(session).value(
        "SELECT 1 FROM rating WHERE report_id = :report_id", report_id=latest[0]
    )
    closed_at = utc(latest[2])
    return latest[0] if rated is None and closed_at >= closed_since else None
