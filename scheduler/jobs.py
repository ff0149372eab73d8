"""Jobs run by the worker. Each re-reads state and is harmless to run twice."""

from flask import current_app

from bot import database
from store import drafts
from store.clock import utcnow


def purge_expired_drafts() -> int:
    """Delete report drafts idle for more than 24 hours (the conversation also expires
    them lazily; this keeps the table small)."""
    db = database.session()
    removed = drafts.purge_expired_drafts(session=db, now=utcnow())
    db.commit()
    if removed:
        current_app.logger.info("purged %d expired drafts", removed)
    return removed
