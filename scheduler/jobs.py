"""Jobs run by the worker. Each re-reads state and is harmless to run twice."""

from flask import current_app

from bot import database
from scheduler.sender import Sender
from store import drafts
from store.clock import utcnow

SENDER = "crm.sender"


def purge_expired_drafts() -> int:
    """Delete report drafts idle for more than 24 hours (the conversation also expires
    them lazily; this keeps the table small)."""
    db = database.session()
    removed = drafts.purge_expired_drafts(session=db, now=utcnow())
    db.commit()
    if removed:
        current_app.logger.info("purged %d expired drafts", removed)
    return removed


def send_notifications() -> int:
    """Send everything due in the outbox (the sender is built once per worker)."""
    app = current_app._get_current_object()
    sender = app.extensions.get(SENDER)
    if sender is None:
        sender = app.extensions[SENDER] = Sender(
            engine=database.engine(), settings=app.config["SETTINGS"]
        )
    return sender.drain()
