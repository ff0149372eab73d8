"""Reporters' 1–5 ratings of how their closed reports were handled, and what officers
read of them: per facilitator and per office, with the citizens' words."""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import aliased
from sqlmodel import Session, func, select

from store import contacts, stages
from store.models import Contact, InboundMessage, Office, Rating, Report, Staff, Validation
from store.phones import mask_numbers
from store.sql import AnySession, orm, sql
from store.validations import VALIDATED

SCORES = range(1, 6)
RATING_WINDOW = timedelta(days=7)  # after Selesai, a rating sent later is still taken
COMMENTS_KEPT = 3  # the latest comments shown per facilitator and per office
COMMENT_LONGEST = 100  # characters of a comment shown, on one line
COMMENT_FEWEST_WORDS = 3  # "5", "nilai 4", "bintang lima": a score, no comment
NAME_SHORTEST = 3  # a word of the reporter's name left out of their comment: not "Bu"
UNASSIGNED = "(unassigned)"


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


@dataclass(frozen=True)
class Comment:
    """What the citizen wrote with their score, cut to one short line: never their name
    or phone number."""

    number: str
    score: int
    rated_at: datetime
    text: str


@dataclass(frozen=True)
class RatingFigures:
    name: str
    ratings: int
    mean: float
    comments: tuple[Comment, ...]  # the latest first, at most COMMENTS_KEPT
    staff_id: int | None = None  # a facilitator's
    kind: str | None = None  # an office's: kelurahan or skpd (store/offices.py, OfficeKind)


@dataclass(frozen=True)
class RatingsSummary:
    """The ratings given in a period: per facilitator who validated the report, per office
    that handled it (its kelurahan, and the SKPD of its disposisi), and all together."""

    facilitators: list[RatingFigures]
    offices: list[RatingFigures]
    everyone: RatingFigures | None

    def of_facilitator(self, staff_id: int) -> RatingFigures | None:
        return next((row for row in self.facilitators if row.staff_id == staff_id), None)


def ratings_between(start: datetime, end: datetime, *, session: Session) -> RatingsSummary:
    """Ratings given in [start, end). A rating's comment is the text of the message that
    gave the score (InboundMessage: the contact's latest message at or before the rating),
    when it says more than the score."""
    kelurahan_office, skpd_office = aliased(Office), aliased(Office)
    facilitator = (
        select(Validation.facilitator_id)
        .where(Validation.report_id == Report.id, Validation.outcome == VALIDATED)
        .order_by(Validation.left_at.desc())
        .limit(1)
        .scalar_subquery()
    )
    said = (
        select(InboundMessage.body)
        .where(
            InboundMessage.contact_id == Rating.contact_id,
            InboundMessage.received_at <= Rating.rated_at,
        )
        .order_by(InboundMessage.received_at.desc(), InboundMessage.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    rows = session.exec(
        select(
            Rating.score,
            Rating.rated_at,
            Report.number,
            facilitator,
            kelurahan_office.name,
            skpd_office.name,
            said,
            Report.reporter_name,
            Contact.profile_name,
        )
        .join(Report, Report.id == Rating.report_id)
        .join(Contact, Contact.id == Rating.contact_id)
        .join(kelurahan_office, kelurahan_office.kelurahan_id == Report.kelurahan_id, isouter=True)
        .join(skpd_office, skpd_office.id == Report.skpd_office_id, isouter=True)
        .where(Rating.rated_at >= start, Rating.rated_at < end)
        .order_by(Rating.rated_at.desc(), Rating.id.desc())
    ).all()
    names = _staff_names({row[3] for row in rows if row[3] is not None}, session=session)
    by_facilitator: dict[int | None, list[tuple[int, Comment | None]]] = {}
    by_office: dict[tuple[str, str], list[tuple[int, Comment | None]]] = {}
    everyone: list[tuple[int, Comment | None]] = []
    for score, rated_at, number, staff_id, kelurahan, skpd, body, *people in rows:
        text = comment_of(body, people)
        rated = (score, Comment(number, score, rated_at, text) if text else None)
        by_facilitator.setdefault(staff_id if staff_id in names else None, []).append(rated)
        for office in (("kelurahan", kelurahan), ("skpd", skpd)):
            if office[1]:
                by_office.setdefault(office, []).append(rated)
        everyone.append(rated)
    facilitators = [
        _figures(names.get(staff_id, UNASSIGNED), got, staff_id=staff_id)
        for staff_id, got in by_facilitator.items()
    ]
    return RatingsSummary(
        facilitators=sorted(facilitators, key=lambda row: (row.name, row.staff_id or 0)),
        offices=[_figures(name, got, kind=kind) for (kind, name), got in sorted(by_office.items())],
        everyone=_figures("ALL", everyone) if everyone else None,
    )


def _staff_names(ids: set[int], *, session: Session) -> dict[int, str]:
    if not ids:
        return {}
    return dict(session.exec(select(Staff.id, Staff.name).where(Staff.id.in_(ids))).all())


def _figures(
    name: str,
    rated: list[tuple[int, Comment | None]],
    *,
    staff_id: int | None = None,
    kind: str | None = None,
) -> RatingFigures:
    comments = tuple(comment for _, comment in rated if comment is not None)
    return RatingFigures(
        name=name,
        ratings=len(rated),
        mean=round(sum(score for score, _ in rated) / len(rated), 2),
        comments=comments[:COMMENTS_KEPT],
        staff_id=staff_id,
        kind=kind,
    )


def comment_of(body: str | None, names: list[str | None]) -> str | None:
    """The citizen's words as officers may read them: one line, phone-like numbers masked,
    the reporter's own name (as they gave it, or their WhatsApp profile name) left out,
    cut to COMMENT_LONGEST characters. None when the message was only a score."""
    text = " ".join((body or "").split())
    if len(text.split()) < COMMENT_FEWEST_WORDS:
        return None
    for word in {word for name in names if name for word in name.split()}:
        if len(word) >= NAME_SHORTEST:  # "Siti" of "Siti Aminah", as a word of its own
            text = re.sub(rf"\b{re.escape(word)}\b", "…", text, flags=re.IGNORECASE)
    text = mask_numbers(text)
    return text if len(text) <= COMMENT_LONGEST else text[: COMMENT_LONGEST - 1].rstrip() + "…"


def ratings_per_period(period, where, *, session: Session) -> dict[str, tuple[int, float]]:
    """(ratings, mean score) per period of the rated reports' creation: the public
    figures, counts and means only."""
    rows = session.exec(
        select(period, func.count(), func.avg(Rating.score))
        .join(Rating, Rating.report_id == Report.id)
        .where(*where)
        .group_by(period)
    ).all()
    return {name: (count, round(float(mean), 2)) for name, count, mean in rows}
