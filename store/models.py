"""The tables. Only `store/` imports this module; others get plain values from its functions."""

from datetime import UTC, datetime

from sqlalchemy import JSON, Column, DateTime, Index, Text, TypeDecorator, UniqueConstraint
from sqlmodel import Field, SQLModel


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes in, aware UTC datetimes out, on SQLite (no time zones) and
    PostgreSQL (timestamptz) alike."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; use aware UTC")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _utc(**kwargs) -> Column:
    return Column(UTCDateTime(), **kwargs)


class Contact(SQLModel, table=True):
    """A WhatsApp sender, keyed by E.164 number or by Twilio's opaque id."""

    id: int | None = Field(default=None, primary_key=True)
    sender_key: str = Field(max_length=128, unique=True)
    phone: str | None = Field(default=None, max_length=20)
    profile_name: str | None = Field(default=None, max_length=200)
    language: str = Field(default="id", max_length=2)
    language_chosen: bool = False  # ENGLISH / BAHASA: kept, whatever they write after
    created_at: datetime = Field(sa_column=_utc(nullable=False))
    last_inbound_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    awaiting_rating_for: int | None = None  # report id; no foreign key, which would make a cycle
    notifications_paused: bool = False  # BERHENTI: no pushes until MULAI


class InboundMessage(SQLModel, table=True):
    """Every message Twilio delivered, once per MessageSid, with the reply we gave."""

    __tablename__ = "inbound_message"
    __table_args__ = (Index("ix_inbound_message_contact_received", "contact_id", "received_at"),)

    id: int | None = Field(default=None, primary_key=True)
    message_sid: str = Field(max_length=64, unique=True)
    contact_id: int = Field(foreign_key="contact.id")  # indexed by (contact_id, received_at)
    body: str = Field(default="", sa_column=Column(Text, nullable=False))
    num_media: int = 0
    received_at: datetime = Field(sa_column=_utc(nullable=False))
    reply: list[str] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    # the reply went out as a notification (a replay of the spool), not only in TwiML
    reply_queued: bool = False


class Draft(SQLModel, table=True):
    """A report conversation in progress: one per contact."""

    contact_id: int = Field(foreign_key="contact.id", primary_key=True)
    step: str = Field(max_length=32)
    data: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    updated_at: datetime = Field(sa_column=_utc(nullable=False))


class OfferedAddition(SQLModel, table=True):
    """A message sent just after filing a report, which the citizen was asked whether to
    add to it; their next message answers (YA adds it). One per contact."""

    __tablename__ = "offered_addition"

    contact_id: int = Field(foreign_key="contact.id", primary_key=True)
    report_id: int = Field(foreign_key="report.id")
    text: str = Field(sa_column=Column(Text, nullable=False))
    offered_at: datetime = Field(sa_column=_utc(nullable=False))


class NumberCounter(SQLModel, table=True):
    """Last report sequence handed out per year; bumped in place so concurrent
    writers on any database get distinct numbers."""

    __tablename__ = "number_counter"

    year: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    last: int = 0


class Report(SQLModel, table=True):
    __table_args__ = (
        Index("ix_report_reporter_created", "reporter_contact_id", "created_at"),
        Index("ix_report_stage_created", "stage", "created_at"),
        Index("ix_report_created", "created_at"),
        Index("ix_report_stage_returned", "stage", "returned_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=20, unique=True)
    number_digits: str = Field(max_length=16, unique=True)
    channel: str = Field(default="whatsapp", max_length=32)
    category: str = Field(max_length=32)
    # What the officers read: the description as filed, then the reporter's additions.
    description: str = Field(sa_column=Column(Text, nullable=False))
    # What the reporter agreed to publish, as filed (DESIGN.md, Privacy): the description
    # as our WhatsApp summary showed it, or a channel's whose reporter agreed. None: only
    # the stage, dates, category and kelurahan are public (store/publication.py).
    public_description: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    location_text: str | None = Field(default=None, max_length=500)
    latitude: float | None = None
    longitude: float | None = None
    kelurahan_id: int = Field(index=True)
    kelurahan: str = Field(max_length=100)
    kecamatan: str = Field(max_length=100)
    kota: str = Field(max_length=100)
    reporter_contact_id: int | None = Field(default=None, foreign_key="contact.id")
    reporter_name: str | None = Field(default=None, max_length=200)
    reporter_phone: str | None = Field(default=None, max_length=20)
    stage: str = Field(max_length=20)
    stage_changed_at: datetime = Field(sa_column=_utc(nullable=False))
    created_at: datetime = Field(sa_column=_utc(nullable=False))
    # Its last return to proses: sent back from tindak_lanjut ("facilitator") or reopened
    # from selesai ("citizen"), with the reason given. While it stays in the early stages
    # its follow-up rules count from then (store/breaches.py); officers list it as returned.
    returned_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    returned_by: str | None = Field(default=None, max_length=20)
    return_reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    # The channel office that filed it through the API (None: our WhatsApp, Open311 by an
    # admin key), and the SKPD its last disposisi named: what those offices may see.
    channel_office_id: int | None = Field(default=None, foreign_key="office.id", index=True)
    skpd_office_id: int | None = Field(default=None, foreign_key="office.id", index=True)


class ReportMedia(SQLModel, table=True):
    __tablename__ = "report_media"

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="report.id", index=True)
    # "report": the citizen's or channel's; "result": an officer's photo of the finished
    # work, sent with the move to tindak_lanjut (`stage_change_id`)
    kind: str = Field(default="report", max_length=10)
    url: str | None = Field(default=None, max_length=2000)  # where it came from, if outside
    content_type: str | None = Field(default=None, max_length=100)
    added_later: bool = False  # sent after filing: never public, unlike the photos filed
    stage_change_id: int | None = Field(default=None, foreign_key="stage_change.id")
    stored_key: str | None = Field(default=None, max_length=80)  # in the media store
    # A citizen's photo at Twilio, which the worker copies into the media store: "pending"
    # until it has ("copied"); "lost" when Twilio no longer had it after every attempt.
    # "external": a channel's own https link, which stays a link.
    copy_state: str | None = Field(default=None, max_length=10)
    copy_attempts: int = 0
    next_copy_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True, index=True))
    # Where a photo of the finished work was taken, as the officer moving it said: the
    # facilitator's LIHAT shows its distance from the report's pin.
    latitude: float | None = None
    longitude: float | None = None


class StageChange(SQLModel, table=True):
    """Append-only history: one row per move, the first one being the creation."""

    __tablename__ = "stage_change"
    __table_args__ = (UniqueConstraint("report_id", "seq"),)

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="report.id")
    seq: int
    from_stage: str | None = Field(default=None, max_length=20)
    to_stage: str = Field(max_length=20)
    actor_role: str = Field(max_length=20)
    actor_id: str | None = Field(default=None, max_length=128)
    actor_office_id: int | None = Field(default=None, foreign_key="office.id")
    skpd_office_id: int | None = Field(default=None, foreign_key="office.id")  # a disposisi's
    note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    at: datetime = Field(sa_column=_utc(nullable=False))


class Office(SQLModel, table=True):
    """A kelurahan, an SKPD (a Suku Dinas of one kota), the Biro Pemerintahan or a CRM
    channel: what a token belongs to and sees (DESIGN.md, Offices)."""

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16, index=True)
    name: str = Field(max_length=150, unique=True)
    kota: str | None = Field(default=None, max_length=100)
    kelurahan_id: int | None = Field(default=None, unique=True)  # store/places.py's id


class OfficeCategory(SQLModel, table=True):
    """The categories an SKPD handles in its kota: whom a disposisi is proposed to."""

    __tablename__ = "office_category"

    office_id: int = Field(foreign_key="office.id", primary_key=True)
    category: str = Field(max_length=32, primary_key=True)


class ApiToken(SQLModel, table=True):
    """A bearer token of one role, for one office (citywide roles: none). Only the
    SHA-256 of the token is kept."""

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100)
    role: str = Field(max_length=20)
    office_id: int | None = Field(default=None, foreign_key="office.id")
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(sa_column=_utc(nullable=False))
    revoked_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))


class Notification(SQLModel, table=True):
    """The transactional outbox: one outgoing WhatsApp message, written in the same
    transaction as the change it tells about, sent later by the worker."""

    __table_args__ = (Index("ix_notification_due", "state", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(foreign_key="contact.id", index=True)
    report_id: int | None = Field(default=None, foreign_key="report.id", index=True)
    kind: str = Field(max_length=32)
    payload: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    state: str = Field(default="pending", max_length=16)
    attempts: int = 0
    next_attempt_at: datetime = Field(sa_column=_utc(nullable=False))
    claimed_until: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    claimed_by: str | None = Field(default=None, max_length=64)
    use_template: bool = False
    template_fallback_done: bool = False
    twilio_sid: str | None = Field(default=None, max_length=64, unique=True)
    delivery_status: str | None = Field(default=None, max_length=20)
    error_code: str | None = Field(default=None, max_length=16)
    error_message: str | None = Field(default=None, max_length=500)
    transport: str | None = Field(default=None, max_length=16)
    created_at: datetime = Field(sa_column=_utc(nullable=False))
    sent_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))


class DeliveryEvent(SQLModel, table=True):
    """Every status callback Twilio sent, kept even when it arrives before we stored the
    message's SID, so that no status is lost to that race."""

    __tablename__ = "delivery_event"
    __table_args__ = (Index("ix_delivery_event_applied", "applied"),)

    id: int | None = Field(default=None, primary_key=True)
    twilio_sid: str = Field(max_length=64, index=True)
    status: str = Field(max_length=20)
    error_code: str | None = Field(default=None, max_length=16)
    received_at: datetime = Field(sa_column=_utc(nullable=False))
    applied: bool = False


class Rating(SQLModel, table=True):
    """A reporter's 1–5 rating of how their closed report was handled."""

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="report.id", unique=True)
    contact_id: int = Field(foreign_key="contact.id")
    score: int
    rated_at: datetime = Field(sa_column=_utc(nullable=False))


class SendPace(SQLModel, table=True):
    """One row: the earliest moment the next outgoing message may leave, shared by all
    workers so that together they never exceed the configured messages per second."""

    __tablename__ = "send_pace"

    id: int = Field(default=1, primary_key=True, sa_column_kwargs={"autoincrement": False})
    next_slot: datetime = Field(sa_column=_utc(nullable=False))


class Staff(SQLModel, table=True):
    """Facilitators (TA Fasilitator), supervisors (Biro Pemerintahan) and the staff of
    a kelurahan or SKPD (office members), who get work, alerts and digests by WhatsApp."""

    __table_args__ = (UniqueConstraint("role", "phone"),)

    id: int | None = Field(default=None, primary_key=True)
    role: str = Field(max_length=16)
    name: str = Field(max_length=100)
    phone: str = Field(max_length=20, index=True)
    active: bool = True
    # An office member's (role "office"): the kelurahan or SKPD whose reports they act on
    office_id: int | None = Field(default=None, foreign_key="office.id", index=True)
    last_assigned_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    created_at: datetime = Field(sa_column=_utc(nullable=False))


class Validation(SQLModel, table=True):
    """One stay of a report in tindak_lanjut: its facilitator and its clock. A return
    to proses closes it; re-entry opens a new one."""

    __table_args__ = (
        Index("ix_validation_open_due", "left_at", "due_at"),
        Index("ix_validation_facilitator_open", "facilitator_id", "left_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="report.id", index=True)
    facilitator_id: int | None = Field(default=None, foreign_key="staff.id")
    entered_at: datetime = Field(sa_column=_utc(nullable=False))
    due_at: datetime = Field(sa_column=_utc(nullable=False))
    daily_target_at: datetime = Field(sa_column=_utc(nullable=False))
    left_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    outcome: str | None = Field(default=None, max_length=20)


class ValidationCriteria(SQLModel, table=True):
    """What a valid follow-up of a category shows, as an admin set it (`crm criteria set`);
    a category without a row has the default of store/data/validation_criteria.toml."""

    __tablename__ = "validation_criteria"

    category: str = Field(max_length=32, primary_key=True)
    text: str = Field(sa_column=Column(Text, nullable=False))
    updated_at: datetime = Field(sa_column=_utc(nullable=False))


class StaffQuestion(SQLModel, table=True):
    """A facilitator's TANYA about a report, to the supervisors, and the JAWAB of one of
    them: the report's staff history, never shown to its citizen."""

    __tablename__ = "staff_question"
    __table_args__ = (Index("ix_staff_question_report_asked", "report_id", "asked_at"),)

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="report.id")
    asked_by: int = Field(foreign_key="staff.id")
    question: str = Field(sa_column=Column(Text, nullable=False))
    asked_at: datetime = Field(sa_column=_utc(nullable=False))
    answered_by: int | None = Field(default=None, foreign_key="staff.id")
    answer: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    answered_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))


class QueueShown(SQLModel, table=True):
    """The reports a facilitator's latest ANTRIAN listed, in its order: `LIHAT 1`,
    `VALIDASI 2`, `KEMBALIKAN 3 …` name them by position. One row per facilitator, apart
    from `staff`, whose rows assignments lock (store/staff.py, choose_facilitator): an
    ANTRIAN never waits on them, nor they on it."""

    __tablename__ = "queue_shown"

    staff_id: int = Field(foreign_key="staff.id", primary_key=True)
    report_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    shown_at: datetime = Field(sa_column=_utc(nullable=False))


class Breach(SQLModel, table=True):
    """A missed time rule, recorded once: the unique key makes a second scan, or a
    second worker, find it already there."""

    # The scans ask "is this validation (or report) already flagged for this rule?"
    __table_args__ = (
        Index("ix_breach_kind_validation", "kind", "validation_id"),
        Index("ix_breach_kind_report", "kind", "report_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=80, unique=True)
    kind: str = Field(max_length=32)
    report_id: int = Field(foreign_key="report.id", index=True)
    validation_id: int | None = Field(default=None, foreign_key="validation.id")
    # A follow-up rule of a returned report counts from its return: the flag belongs to
    # that return (Report.returned_at), not to an earlier or later one. None: the rule
    # counted from submission, or is not a follow-up rule.
    counted_from: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    detected_at: datetime = Field(sa_column=_utc(nullable=False))


class ScheduledRun(SQLModel, table=True):
    """A digest or list that went out, by its key (e.g. `digest:2026-11-28T08:00`), so
    that it goes out once whatever the number of workers, and late after a downtime."""

    __tablename__ = "scheduled_run"

    key: str = Field(max_length=80, primary_key=True)
    ran_at: datetime = Field(sa_column=_utc(nullable=False))


class StatsSnapshot(SQLModel, table=True):
    """Figures over the whole history take seconds to compute; the dashboard and the
    stats API read the last snapshot, which the worker refreshes."""

    __tablename__ = "stats_snapshot"

    key: str = Field(max_length=80, primary_key=True)
    computed_at: datetime = Field(sa_column=_utc(nullable=False))
    data: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class WorkerHeartbeat(SQLModel, table=True):
    """The last sign of life of each worker process, for /healthz."""

    __tablename__ = "worker_heartbeat"

    worker: str = Field(max_length=80, primary_key=True)
    beat_at: datetime = Field(sa_column=_utc(nullable=False))


class Outage(SQLModel, table=True):
    """A time the database failed the web processes: the webhook kept the messages that
    came in the spool instead of answering them, from the first message kept until the
    worker's replay answered them (store/outages.py)."""

    id: int | None = Field(default=None, primary_key=True)
    started_at: datetime = Field(sa_column=_utc(nullable=False))
    ended_at: datetime = Field(sa_column=_utc(nullable=False))


class IdempotencyKey(SQLModel, table=True):
    """A report filed through the API or Open311 under a client's `Idempotency-Key`, so
    that a retry of the same request finds it instead of filing it again."""

    __tablename__ = "idempotency_key"
    __table_args__ = (UniqueConstraint("token_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    token_id: int = Field(foreign_key="api_token.id")
    key: str = Field(max_length=255)
    request_hash: str = Field(max_length=64)
    report_id: int = Field(foreign_key="report.id")
    created_at: datetime = Field(sa_column=_utc(nullable=False, index=True))
