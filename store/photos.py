"""Photos as rows: which one a link names, and which ones the worker has yet to copy
into the media store (the bytes themselves are store/media.py's)."""

from dataclasses import dataclass

from sqlmodel import select

from store.models import ReportMedia
from store.sql import AnySession, orm

MAX_ID = 2**31 - 1  # photo ids are SQL INTEGER


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
