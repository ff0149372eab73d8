"""On SQLite the webhook answers a message first in a read-only transaction and takes
the database's one write lock only to record it (handlers/once.py, `_once`). These tests
watch the statements SQLite runs, through the driver's own trace hook."""

from collections.abc import Callable

import pytest
from sqlalchemy import event
from sqlmodel import select

from store import contacts, drafts
from store.clock import utcnow
from store.drafts import DraftState
from store.models import InboundMessage
from store.phones import sender_from

CITIZEN = "+6281234567890"


@pytest.fixture
def traced(app, database_url):
    """`traced(callback)`: SQLite calls `callback(statement)` as each statement starts,
    on every connection the app opens from then on."""
    if not database_url.startswith("sqlite"):
        pytest.skip("the read-only first answer is SQLite's, whose write lock is the database's")
    engine = app.extensions["crm.engine"]
    callbacks: list[Callable[[str], None]] = []

    def on_connect(dbapi_connection, _record):
        dbapi_connection.set_trace_callback(lambda statement: [f(statement) for f in callbacks])

    event.listen(engine, "connect", on_connect)
    engine.dispose()  # the pooled connections were opened before the hook
    yield callbacks.append
    event.remove(engine, "connect", on_connect)
    engine.dispose()


def test_a_status_takes_the_write_lock_only_to_record_itself(whatsapp, traced):
    whatsapp.send("halo", phone=CITIZEN)  # a known sender, with nothing in progress
    statements: list[str] = []
    traced(statements.append)
    reply = whatsapp.send("STATUS CRM-26-000001-9", phone=CITIZEN)
    assert "CRM-26-000001-9" in reply.text
    locked_at = statements.index("BEGIN IMMEDIATE")
    before, after = statements[:locked_at], statements[locked_at + 1 :]
    assert before[0] == "BEGIN" and len(before) > 5  # the whole answer, read without the lock
    assert all(s.startswith(("BEGIN", "SELECT", "COMMIT")) for s in before)
    assert [s.split()[0:3] for s in after] == [
        ["UPDATE", "contact", "SET"],
        ["INSERT", "INTO", "inbound_message"],
        ["COMMIT"],
    ]


def test_a_message_read_while_an_earlier_one_of_its_sender_was_answered_is_answered_again(
    whatsapp, traced, store
):
    """ "2" read while "LAPOR" commits its new report: read without the draft it would be
    the menu's STATUS; answered again after it, it is the category "2"."""
    whatsapp.send("halo", phone=CITIZEN)
    contact = store(contacts.touch_contact, sender_from(CITIZEN), None, now=utcnow())
    armed = [True]

    def lapor_commits_meanwhile(statement: str) -> None:
        if armed[0] and statement.startswith("SELECT step, data"):  # "2" looks for a draft
            armed[0] = False
            store(drafts.save_draft, contact.id, DraftState(step="category"), now=utcnow())
            store(contacts.touch_contact, sender_from(CITIZEN), None, now=utcnow())

    traced(lapor_commits_meanwhile)
    reply = whatsapp.send("2", phone=CITIZEN)
    assert not armed[0]
    assert "jelaskan masalahnya" in reply.text  # the description, the step after the category
    recorded = store(
        lambda session: session.exec(
            select(InboundMessage.body).where(InboundMessage.contact_id == contact.id)
        ).all()
    )
    assert recorded == ["halo", "2"]
    assert store(drafts.load_draft, contact.id).step == "description"
