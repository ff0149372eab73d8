"""Reporters' 1–5 ratings of how their closed reports were handled."""

from datetime import datetime, timedelta

from sqlmodel import Session, select

from store import contacts, stages
from store.models import Rating, Report
from store.sql import AnySession, orm, sql

SCORES = range(1, 6)
RATING_WINDOW = timedelta(days=7)  # after Selesai, a rating sent later is still taken


def rate_report(
    report_id: int, contact_id: int, score: int, *, session: AnySession, now: datetime
) -> str:
    """Store the rating (the latest one counts) and stop waiting for one; returns the
    report's number. Rated at `now`, or at the report's last change if that is later:
    a rating kept during an outage counts when it reached us (handlers/once.py), but
    never before the closing it rates."""
    session = orm(session)
    if score not in SCORES:
        raise ValueError(f"a rating is 1 to 5, not {score}")
    report = session.get(Report, report_id)
    now = max(now, report.stage_changed_at)
    rating = session.exec(select(Rating).where(Rating.report_id == report_id)).first()
    rating = rating or Rating(report_id=report_id, contact_id=contact_id, score=score, rated_at=now)
    rating.score = score
    rating.rated_at = now
    session.add(rating)
    contacts.clear_awaited_rating(contact_id, session=session)
    return report.number


def rating_of(report_id: int, *, session: Session) -> int | None:
    return session.exec(select(Rating.score).where(Rating.report_id == report_id)).first()


def report_open_to_rating(
    contact_id: int, *, closed_since: datetime, session: AnySession
) -> int | None:
    """The contact's report moved last, when that move closed it as done (selesai) since
    `closed_since` and it is not rated yet: a rating sent days after the closing notice
    ("bintang lima pak") is for it. Once another report of theirs moves (reopened,
    filed, rejected), a late score could mean either, and is not taken."""
    return sql(session).value(
        "SELECT latest.id FROM (SELECT id, stage, stage_changed_at FROM report"
        " WHERE reporter_contact_id = :contact_id"
        " ORDER BY stage_changed_at DESC, id DESC LIMIT 1) AS latest"
        " WHERE latest.stage = :selesai AND latest.stage_changed_at >= :closed_since"
        " AND NOT EXISTS (SELECT 1 FROM rating WHERE rating.report_id = latest.id)",
        contact_id=contact_id,
        selesai=stages.Stage.SELESAI.value,
        closed_since=closed_since,
    )
