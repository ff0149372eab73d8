"""Reporters' 1–5 ratings of how their closed reports were handled."""

from datetime import datetime

from sqlmodel import Session, select

from store import contacts
from store.models import Rating, Report
from store.sql import AnySession, orm

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
