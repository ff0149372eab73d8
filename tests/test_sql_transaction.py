"""The unit of work of the inbound path (store/sql.py): plain SQL and the ORM in one
transaction, values that read back the same whichever wrote them, SQLAlchemy's errors."""

import sqlite3
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlmodel import select

from store import contacts, drafts, inbound, places, reports
from store.db import make_engine, new_session
from store.drafts import DraftState
from store.models import Contact, Draft, InboundMessage
from store.phones import sender_from
from store.sql import Transaction, WriteNeeded, _pyformat, sql, utc

T0 = datetime(2026, 3, 2, 1, 2, 3, tzinfo=UTC)  # whole seconds: no microseconds to print
KRAMAT = places.match_kelurahan("Kramat").chosen


@pytest.fixture
def engine(app):
    return app.extensions["crm.engine"]


@pytest.fixture
def transaction(engine):
    """A Transaction that is closed whatever the test does (an open one would hold its
    connection, and on SQLite the write lock)."""
    unit = Transaction(engine)
    yield unit
    unit.close()


def _report_and_contact(transaction: Transaction) -> None:
    contact = contacts.touch_contact(
        sender_from("+6281234567890"), "Siti", session=transaction, now=T0
    )
    reports.create_report(
        reports.NewReport(
            category="jalan_rusak",
            description="Jalan berlubang besar di depan sekolah",
            kelurahan=KRAMAT,
            reporter_contact_id=contact.id,
        ),
        session=transaction,
        now=T0,
    )


def test_plain_sql_and_orm_changes_commit_together(engine, transaction):
    _report_and_contact(transaction)  # the contact by plain SQL, the report by the ORM
    transaction.commit()
    with new_session(engine) as db:
        assert reports.count_reports(session=db) == 1
        assert db.exec(select(Contact.profile_name)).one() == "Siti"


def test_plain_sql_and_orm_changes_roll_back_together(engine, transaction):
    _report_and_contact(transaction)
    transaction.rollback()
    with new_session(engine) as db:
        assert reports.count_reports(session=db) == 0
        assert db.exec(select(Contact)).first() is None


def test_a_transaction_starts_again_after_it_ends(engine, transaction):
    contacts.touch_contact(sender_from("+6281234567890"), None, session=transaction, now=T0)
    transaction.commit()
    contacts.touch_contact(sender_from("+6281234567891"), None, session=transaction, now=T0)
    transaction.commit()
    with new_session(engine) as db:
        assert len(db.exec(select(Contact)).all()) == 2


def test_plain_sql_commits_when_the_orm_session_was_made_but_never_ran(engine, transaction):
    contacts.touch_contact(sender_from("+6281234567890"), None, session=transaction, now=T0)
    assert transaction.orm is not None
    transaction.commit()
    with new_session(engine) as db:
        assert len(db.exec(select(Contact)).all()) == 1


def test_a_connection_lost_mid_transaction_gives_sqlalchemy_errors_then_a_fresh_one(
    engine, transaction, database_url
):
    """What the webhook answers with 503; its rollback must not raise on top."""
    if database_url.startswith("sqlite"):
        pytest.skip("a server connection to lose is PostgreSQL's")
    pid = sql(transaction).value("SELECT pg_backend_pid()")
    with engine.connect() as other:
        other.exec_driver_sql(f"SELECT pg_terminate_backend({pid})")
        other.commit()
    with pytest.raises(DBAPIError) as lost:
        inbound.stored_reply("SM1", session=transaction)
    assert isinstance(lost.value, OperationalError | InterfaceError)
    with pytest.raises(InterfaceError):
        inbound.stored_reply("SM1", session=transaction)  # the same, dropped connection
    transaction.rollback()
    assert inbound.stored_reply("SM1", session=transaction) is None  # a new connection


def test_orm_rows_not_yet_flushed_are_seen_by_plain_sql(transaction):
    transaction.orm.add(Contact(sender_key="+6281234567890", phone="+6281234567890", created_at=T0))
    found = sql(transaction).value("SELECT count(*) FROM contact")
    transaction.rollback()
    assert found == 1


@pytest.mark.parametrize("moment", [T0, T0 + timedelta(microseconds=1), T0.astimezone()])
def test_a_moment_written_by_plain_sql_reads_back_equal_through_the_orm(
    engine, transaction, moment
):
    contacts.touch_contact(sender_from("+6281234567890"), None, session=transaction, now=moment)
    transaction.commit()
    with new_session(engine) as db:
        assert db.exec(select(Contact.last_inbound_at)).one() == moment


def test_moments_from_both_writers_compare_in_time_order(transaction):
    """SQLite compares datetimes as text: plain SQL must write SQLAlchemy's format."""
    contact = contacts.touch_contact(
        sender_from("+6281234567890"), None, session=transaction, now=T0
    )
    inbound.record_inbound(
        "SM1", contact_id=contact.id, body="", num_media=0, reply=[], session=transaction, now=T0
    )
    transaction.orm.add(
        InboundMessage(
            message_sid="SM2", contact_id=contact.id, received_at=T0 + timedelta(microseconds=1)
        )
    )
    counted = [
        inbound.count_since(contact.id, T0 + offset, session=transaction)
        for offset in (timedelta(0), timedelta(microseconds=1), timedelta(microseconds=2))
    ]
    transaction.rollback()
    assert counted == [2, 1, 0]


def test_json_written_by_plain_sql_reads_back_through_the_orm_and_back(engine, transaction):
    state = DraftState(step="description", data={"category": "jalan_rusak", "photos": ["ü"]})
    contact = contacts.touch_contact(
        sender_from("+6281234567890"), None, session=transaction, now=T0
    )
    drafts.save_draft(contact.id, state, session=transaction, now=T0)
    transaction.commit()
    with new_session(engine) as db:
        assert db.exec(select(Draft.data)).one() == state.data
    loaded = drafts.load_draft(contact.id, session=transaction)
    transaction.rollback()
    assert (loaded.step, loaded.data, loaded.updated_at) == (state.step, state.data, T0)


def test_a_unique_violation_is_sqlalchemys_integrity_error(transaction):
    contact = contacts.touch_contact(
        sender_from("+6281234567890"), None, session=transaction, now=T0
    )
    record = dict(contact_id=contact.id, body="", num_media=0, reply=["ok"], now=T0)
    inbound.record_inbound("SM1", session=transaction, **record)
    with pytest.raises(IntegrityError):
        inbound.record_inbound("SM1", session=transaction, **record)
    transaction.rollback()


def test_an_unreachable_database_is_sqlalchemys_operational_error(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'missing' / 'crm.db'}")
    with pytest.raises(OperationalError):
        inbound.stored_reply("SM1", session=Transaction(engine))


def test_on_sqlite_the_write_lock_is_taken_by_the_first_statement(transaction, database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("the write lock of the whole database is SQLite's")
    inbound.stored_reply("SM1", session=transaction)  # a read, but it locks
    other = sqlite3.connect(database_url.removeprefix("sqlite:///"), timeout=0)
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        other.execute("BEGIN IMMEDIATE")
    transaction.rollback()
    other.execute("BEGIN IMMEDIATE")  # free again
    other.close()


def _known_contact(transaction: Transaction) -> contacts.ContactInfo:
    contact = contacts.touch_contact(
        sender_from("+6281234567890"), "Siti", session=transaction, now=T0
    )
    transaction.commit()
    return contact


def test_a_read_only_transaction_refuses_plain_writes_before_running_them(engine, transaction):
    contact = _known_contact(transaction)
    transaction.read_only = True
    with pytest.raises(WriteNeeded):
        contacts.set_language(contact.id, "en", session=transaction)
    with pytest.raises(WriteNeeded):
        contacts.touch_contact(sender_from("+6281234567891"), None, session=transaction, now=T0)
    transaction.rollback()
    with new_session(engine) as db:
        assert db.exec(select(Contact.sender_key, Contact.language)).all() == [
            ("+6281234567890", "id")
        ]


def test_a_read_only_transaction_refuses_writes_the_orm_holds_when_it_ends(engine, transaction):
    transaction.read_only = True
    transaction.orm.add(Contact(sender_key="+6281234567890", phone="+6281234567890", created_at=T0))
    with pytest.raises(WriteNeeded):
        transaction.commit()
    with new_session(engine) as db:
        assert db.exec(select(Contact)).first() is None


def test_plain_sql_beside_a_read_only_transactions_orm_refuses_writes_too(transaction):
    transaction.read_only = True
    with pytest.raises(WriteNeeded):
        sql(transaction.orm).execute("DELETE FROM contact")
    transaction.rollback()


def test_a_read_only_transaction_finds_the_sender_and_leaves_noting_the_message(
    engine, transaction
):
    """What the webhook answers first (bot/webhooks.py), then notes when it records it."""
    contact = _known_contact(transaction)
    later = T0 + timedelta(hours=1)
    transaction.read_only = True
    found = contacts.touch_contact(
        sender_from("+6281234567890"), "Siti Aminah", session=transaction, now=later
    )
    transaction.rollback()
    assert (found.id, found.profile_name, found.is_new) == (contact.id, "Siti Aminah", False)
    with new_session(engine) as db:
        assert db.exec(select(Contact.last_inbound_at, Contact.profile_name)).one() == (T0, "Siti")
    transaction.read_only = False
    noted = contacts.note_message(
        contact.id, "Siti Aminah", noted_at=found.noted_at, session=transaction, now=later
    )
    transaction.commit()
    with new_session(engine) as db:
        noted_then = db.exec(select(Contact.last_inbound_at, Contact.profile_name)).one()
    assert noted and noted_then == (later, "Siti Aminah")


def test_a_message_read_before_another_of_the_sender_was_noted_is_not_noted(engine, transaction):
    """The webhook then answers it again, on what the other one changed."""
    _known_contact(transaction)
    transaction.read_only = True
    read = contacts.touch_contact(sender_from("+6281234567890"), None, session=transaction, now=T0)
    transaction.rollback()
    transaction.read_only = False
    later = T0 + timedelta(minutes=1)
    contacts.touch_contact(sender_from("+6281234567890"), None, session=transaction, now=later)
    transaction.commit()  # the other message, answered meanwhile
    noted = contacts.note_message(
        read.id, "Siti Aminah", noted_at=read.noted_at, session=transaction, now=T0
    )
    transaction.commit()
    with new_session(engine) as db:
        noted_then = db.exec(select(Contact.last_inbound_at, Contact.profile_name)).one()
    assert not noted and noted_then == (later, "Siti")


def test_on_sqlite_a_read_only_transaction_leaves_the_write_lock_to_others(
    transaction, database_url
):
    if not database_url.startswith("sqlite"):
        pytest.skip("the write lock of the whole database is SQLite's")
    transaction.read_only = True
    inbound.stored_reply("SM1", session=transaction)
    other = sqlite3.connect(database_url.removeprefix("sqlite:///"), timeout=0)
    other.execute("BEGIN IMMEDIATE")  # not kept waiting by the reader
    other.rollback()
    other.close()
    transaction.rollback()


def test_a_transaction_changes_mode_only_between_transactions(transaction):
    inbound.stored_reply("SM1", session=transaction)
    with pytest.raises(RuntimeError):
        transaction.read_only = True
    transaction.rollback()
    transaction.read_only = True
    assert transaction.read_only


def test_statements_get_psycopgs_parameters_and_keep_casts_and_percent_signs():
    assert (
        _pyformat("SELECT a::text FROM t WHERE b = :b AND c LIKE '5%' AND d = :d_2")
        == "SELECT a::text FROM t WHERE b = %(b)s AND c LIKE '5%%' AND d = %(d_2)s"
    )


def test_text_from_sqlite_and_datetimes_from_postgresql_are_read_as_aware_utc():
    assert utc("2016-01-01 00:00:00") == datetime(2016, 1, 1, tzinfo=UTC)
    assert utc("2026-03-02 01:02:03.000004") == T0 + timedelta(microseconds=4)
    assert utc(T0.astimezone()) == T0 and utc(T0.astimezone()).tzinfo is UTC
    assert utc(None) is None


def test_the_first_message_of_a_reporter_known_from_another_channel_is_noted(engine, transaction):
    contact = contacts.contact_for_phone("+6281234567890", "Siti", session=transaction, now=T0)
    transaction.commit()
    transaction.read_only = True
    read = contacts.touch_contact(sender_from("+6281234567890"), None, session=transaction, now=T0)
    transaction.rollback()
    transaction.read_only = False
    noted = contacts.note_message(
        contact.id, None, noted_at=read.noted_at, session=transaction, now=T0
    )
    transaction.commit()
    with new_session(engine) as db:
        assert noted and db.exec(select(Contact.last_inbound_at)).one() == T0
