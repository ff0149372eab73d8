"""Photos as rows: which one a link names, and which ones the worker has yet to copy
into the media store (the bytes themselves are store/media.py's)."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import select

from store.media import StoredPhoto
from store.models import ReportMedia
from store.sql import AnySession, orm

MAX_ID = 2**31 - 1  # photo ids are SQL INTEGER
# ReportMedia.copy_state (store/reports.py files a WhatsApp photo as PENDING, a channel's
# own link as EXTERNAL)
PENDING, COPIED, LOST, EXTERNAL = "pending", "copied", "lost", "external"


@dataclass(frozen=True)
class KeptPhoto:
    report_id: int
    key: str
    content_type: str


def kept_photo(media_id: int, *, session: AnySession) -> KeptPhoto | None:
    """The photo `media_id` if the media store holds it (a Twilio photo not yet copied,
    or a channel's own link, is not there)."""
    if not 0 < media_id <= MAX_ID:
        return None
    row = orm(session).exec(select(ReportMedia).where(ReportMedia.id == media_id)).first()
    if row is None or row.stored_key is None:
        return None
    return KeptPhoto(row.report_id, row.stored_key, row.content_type or "image/jpeg")


@dataclass(frozen=True)
class DueCopy:
    """A photo the worker is to copy; `attempts`: the ones that failed so far."""

    media_id: int
    report_id: int
    url: str
    attempts: int


def claim_due_copies(
    *,
    limit: int,
    lease: timedelta,
    leaving_urls_under: str | None = None,
    session: AnySession,
    now: datetime,
) -> list[DueCopy]:
    """Up to `limit` photos due for copying, each held until `now + lease` (its
    `next_copy_at` moved on), so that another worker skips them; one this worker does not
    finish is due again then. Rows another worker is claiming are skipped on PostgreSQL
    (SQLite has one writer at a time anyway). With `leaving_urls_under`, photos whose URL
    starts with it stay as they are."""
    session = orm(session)
    due = select(ReportMedia.id).where(
        ReportMedia.copy_state == PENDING, ReportMedia.next_copy_at <= now
    )
    if leaving_urls_under:
        due = due.where(~ReportMedia.url.startswith(leaving_urls_under, autoescape=True))
    due = due.order_by(ReportMedia.next_copy_at, ReportMedia.id).limit(limit)
    claimed = session.exec(
        update(ReportMedia)
        .where(ReportMedia.id.in_(due.with_for_update(skip_locked=True).scalar_subquery()))
        .values(next_copy_at=now + lease)
        .returning(
            ReportMedia.id, ReportMedia.report_id, ReportMedia.url, ReportMedia.copy_attempts
        )
    ).all()
    return sorted((DueCopy(*row) for row in claimed), key=lambda copy: copy.media_id)


def mark_copied(media_id: int, stored: StoredPhoto, *, session: AnySession) -> bool:
    """The photo is in the media store under `stored.key`. False if it was no longer
    pending (another worker finished it first)."""
    return _finish_copy(
        media_id,
        session=session,
        copy_state=COPIED,
        stored_key=stored.key,
        content_type=stored.content_type,
    )


def mark_external(media_id: int, *, session: AnySession) -> bool:
    """The photo is a link of its channel's own, never fetched: it stays a link."""
    return _finish_copy(media_id, session=session, copy_state=EXTERNAL)


def mark_lost(media_id: int, *, session: AnySession) -> bool:
    """The photo could not be copied and will not be tried again."""
    return _finish_copy(
        media_id,
        session=session,
        copy_state=LOST,
        copy_attempts=ReportMedia.copy_attempts + 1,
    )


def retry_copy_later(media_id: int, *, at: datetime, session: AnySession) -> bool:
    """One more failed attempt; the next one is due `at`."""
    return _update_pending(
        media_id, session=session, copy_attempts=ReportMedia.copy_attempts + 1, next_copy_at=at
    )


def _finish_copy(media_id: int, *, session: AnySession, **values) -> bool:
    return _update_pending(media_id, session=session, next_copy_at=None, **values)


def _update_pending(media_id: int, *, session: AnySession, **values) -> bool:
    changed = orm(session).exec(
        update(ReportMedia)
        .where(ReportMedia.id == media_id, ReportMedia.copy_state == PENDING)
        .values(**values)
    )
    return changed.rowcount == 1
