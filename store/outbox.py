"""The transactional outbox: notifications written beside the change they announce,
claimed by workers with a lease, and their delivery as Twilio reports it.

Claims use `FOR UPDATE SKIP LOCKED` on PostgreSQL, so concurrent workers take disjoint
batches; SQLite serialises writers anyway. A worker that dies leaves its claims to
expire after the lease, and another worker sends them: at most what was in flight is
sent twice.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import exists, func, update
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from store import contacts
from store.db import insert_for
from store.models import Contact, DeliveryEvent, Notification, SendPace
from store.sql import AnySession, orm

PENDING, SENT, FAILED, SUPPRESSED = "pending", "sent", "failed", "suppressed"
BUNDLED = "bundled"  # sent inside a STAFF_HELD message, whose payload names it
WITHDRAWN = "withdrawn"  # no longer true before it could be sent (`withdraw_unsent`)

# What staff (facilitators, supervisors, office members) are sent: held outside the
# quiet-hours window (scheduler/sender.py), and what waited for one phone goes as one
# STAFF_HELD message.
# Citizens' notices and replies are never held. Every staff kind is listed here:
# `enqueue_to_phone` refuses one that is not.
STAGE_CHANGED = "stage_changed"
DELAYED_REPLY = "delayed_reply"
NEW_WORK = "new_work"
SLA_ALERT = "sla_alert"
FACILITATOR_DIGEST = "facilitator_digest"
SUPERVISOR_DIGEST = "supervisor_digest"
CUTOFF_LIST = "cutoff_list"
RATINGS_SUMMARY = "ratings_summary"
STAFF_HELD = "staff_held"
# An office member's (store/office_members.py): a report new to their office, one sent
# back to it, and its time rules warned of or missed (its cut-off list is CUTOFF_LIST).
OFFICE_NEW_REPORT = "office_new_report"
OFFICE_RETURNED = "office_returned"
OFFICE_DEADLINE = "office_deadline"
STAFF_QUESTION = "staff_question"  # a facilitator's TANYA, to each supervisor
STAFF_ANSWER = "staff_answer"  # a supervisor's JAWAB, to the facilitator who asked
STAFF_KINDS = frozenset(
    {
        NEW_WORK,
        SLA_ALERT,
        FACILITATOR_DIGEST,
        SUPERVISOR_DIGEST,
        CUTOFF_LIST,
        STAFF_HELD,
        OFFICE_NEW_REPORT,
        OFFICE_RETURNED,
        OFFICE_DEADLINE,
        RATINGS_SUMMARY,
        STAFF_QUESTION,
        STAFF_ANSWER,
    }
)
# A photo of a report that a facilitator's LIHAT sends her, one per message (WhatsApp
# carries one media each): the answer to her message, so never held.
PHOTO = "photo"

# Twilio's message statuses in the order they happen; callbacks never move one back.
DELIVERY_RANK = {
    "accepted": 0,
    "scheduled": 0,
    "queued": 1,
    "sending": 2,
    "sent": 3,
    "failed": 4,
    "undelivered": 4,
    "delivered": 5,
    "read": 6,
}
OUTSIDE_WINDOW = "63016"
# Each worker holds at most one future slot, so slots are never this far ahead legitimately.
PACE_CLOCK_SKEW = timedelta(seconds=60)


@dataclass(frozen=True)
class Outgoing:
    """A claimed notification with what the sender needs to send it."""

    id: int
    to: str
    language: str
    kind: str
    payload: dict
    attempts: int
    use_template: bool
    template_fallback_done: bool
    last_inbound_at: datetime | None
    claimed_until: datetime
    paused: bool


@dataclass(frozen=True)
class NotificationInfo:
    id: int
    contact_id: int
    report_id: int | None
    kind: str
    payload: dict
    state: str
    attempts: int
    twilio_sid: str | None
    delivery_status: str | None
    error_code: str | None
    error_message: str | None
    claimed_by: str | None
    use_template: bool
    transport: str | None
    created_at: datetime
    sent_at: datetime | None


def whatsapp_address(sender_key: str) -> str:
    return sender_key if sender_key.startswith("whatsapp:") else f"whatsapp:{sender_key}"


def enqueue(
    contact_id: int,
    kind: str,
    payload: dict,
    *,
    report_id: int | None,
    session: AnySession,
    now: datetime,
) -> int:
    session = orm(session)
    notification = Notification(
        contact_id=contact_id,
        report_id=report_id,
        kind=kind,
        payload=payload,
        next_attempt_at=now,
        created_at=now,
    )
    session.add(notification)
    session.flush()
    return notification.id


def enqueue_to_phone(
    phone: str,
    name: str | None,
    kind: str,
    payload: dict,
    *,
    report_id: int | None,
    session: AnySession,
    now: datetime,
) -> int:
    """A notification for staff, known by phone (facilitators, supervisors): one of
    STAFF_KINDS, which quiet hours hold."""
    if kind not in STAFF_KINDS:
        raise ValueError(f"{kind!r} is not a staff notification (outbox.STAFF_KINDS)")
    contact = contacts.contact_for_phone(phone, name, session=session, now=now)
    return enqueue(contact.id, kind, payload, report_id=report_id, session=session, now=now)


def claim_due(
    *,
    worker: str,
    limit: int,
    lease: timedelta,
    session: Session,
    now: datetime,
    hold: frozenset[str] = frozenset(),
) -> list[Outgoing]:
    """Take up to `limit` due notifications for `worker` until `now + lease`, leaving
    those of the kinds in `hold` (staff's, outside quiet hours) where they are."""
    earlier = aliased(Notification)
    due = (
        select(Notification.id)
        .where(
            Notification.state == PENDING,
            Notification.next_attempt_at <= now,
            (Notification.claimed_until.is_(None)) | (Notification.claimed_until < now),
            # one at a time per recipient, in order: "Proses" never overtakes "Koordinasi";
            # staff's and citizens' notices are two lines, so that a facilitator's alert
            # held overnight never holds back the notice of the report she filed herself
            ~exists().where(
                earlier.contact_id == Notification.contact_id,
                earlier.state == PENDING,
                earlier.id < Notification.id,
                earlier.kind.in_(STAFF_KINDS) == Notification.kind.in_(STAFF_KINDS),
            ),
        )
        .order_by(Notification.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    if hold:
        due = due.where(Notification.kind.not_in(hold))
    claimed_ids = (
        session.exec(
            update(Notification)
            .where(Notification.id.in_(due.scalar_subquery()))
            .values(
                claimed_by=worker, claimed_until=now + lease, attempts=Notification.attempts + 1
            )
            .returning(Notification.id)
        )
        .scalars()
        .all()
    )
    if not claimed_ids:
        return []
    rows = session.exec(
        select(Notification, Contact)
        .join(Contact, Contact.id == Notification.contact_id)
        .where(Notification.id.in_(claimed_ids))
        .order_by(Notification.id)
    ).all()
    return [
        Outgoing(
            id=note.id,
            to=whatsapp_address(contact.sender_key),
            language=contact.language,
            kind=note.kind,
            payload=dict(note.payload),
            attempts=note.attempts,
            use_template=note.use_template,
            template_fallback_done=note.template_fallback_done,
            last_inbound_at=contact.last_inbound_at,
            claimed_until=note.claimed_until,
            paused=contact.notifications_paused,
        )
        for note, contact in rows
    ]


def bundle_waiting(*, session: Session, now: datetime, held_since_before: datetime) -> int:
    """Make one STAFF_HELD message of what quiet hours held for one staff phone (written
    before the window opened at `held_since_before`), in one transaction: the new row lists
    them, and they become BUNDLED, so each is sent once, inside it. Only rows never tried
    are taken: one that was tried may have reached the phone already. What was written
    while the window was open goes as it is. Returns how many were made."""
    waiting = session.exec(
        select(Notification)
        .where(
            Notification.state == PENDING,
            Notification.kind.in_(STAFF_KINDS),
            Notification.attempts == 0,
            Notification.claimed_until.is_(None),
            Notification.next_attempt_at <= now,
            Notification.created_at < held_since_before,
        )
        .order_by(Notification.id)
        .with_for_update(skip_locked=True)
    ).all()
    by_contact: dict[int, list[Notification]] = {}
    for note in waiting:
        by_contact.setdefault(note.contact_id, []).append(note)
    made = 0
    for contact_id, notes in by_contact.items():
        if len(notes) < 2:
            continue
        items, ids = [], []
        for note in notes:  # a bundle made before (and not sent yet) is opened up
            if note.kind == STAFF_HELD:
                items.extend(note.payload["items"])
                ids.extend(note.payload["ids"])
            else:
                items.append({"kind": note.kind, "payload": dict(note.payload)})
                ids.append(note.id)
            note.state = BUNDLED
            session.add(note)
        report_ids = {note.report_id for note in notes}
        session.add(
            Notification(
                contact_id=contact_id,
                report_id=report_ids.pop() if len(report_ids) == 1 else None,
                kind=STAFF_HELD,
                payload={"items": items, "ids": ids},
                next_attempt_at=now,
                created_at=now,
            )
        )
        made += 1
    session.flush()
    return made


def withdraw_unsent(report_id: int, kind: str, *, session: Session) -> int:
    """Withdraw the `kind` notices about a report that no worker has taken yet: what they
    announce stopped being true before they could go (a new-work notice held overnight
    for a report a colleague validated at 05:30). Kept, as WITHDRAWN, so the record is
    complete; one being sent goes, as it was true when written. How many."""
    unsent = session.exec(
        select(Notification)
        .where(
            Notification.report_id == report_id,
            Notification.kind == kind,
            Notification.state == PENDING,
            Notification.attempts == 0,
            Notification.claimed_until.is_(None),
        )
        .with_for_update(skip_locked=True)
    ).all()
    for note in unsent:
        note.state = WITHDRAWN
        session.add(note)
    return len(unsent)


def _claimed_by(notification_id: int, worker: str, *, session: Session) -> Notification | None:
    """The notification, if `worker` still holds its claim. A worker whose lease ran out
    must not overwrite what the worker that took over recorded."""
    note = session.exec(
        select(Notification).where(Notification.id == notification_id).with_for_update()
    ).one()
    return note if note.state == PENDING and note.claimed_by == worker else None


def mark_sent(
    notification_id: int,
    *,
    worker: str,
    sid: str,
    transport: str,
    used_template: bool,
    fell_back: bool = False,
    session: Session,
    now: datetime,
) -> bool:
    """Record Twilio's SID; False if the claim had passed to another worker."""
    note = _claimed_by(notification_id, worker, session=session)
    if note is None:
        return False
    note.state = SENT
    note.twilio_sid = sid
    note.transport = transport
    note.use_template = used_template
    note.template_fallback_done = note.template_fallback_done or fell_back
    note.sent_at = now
    note.claimed_until = None
    note.error_code = note.error_message = None
    session.add(note)
    return True


def schedule_retry(
    notification_id: int,
    *,
    worker: str,
    error_code: str | None,
    error_message: str,
    delay: timedelta,
    session: Session,
    now: datetime,
) -> bool:
    return _record_error(
        notification_id, worker, error_code, error_message, retry_at=now + delay, session=session
    )


def mark_failed(
    notification_id: int,
    *,
    worker: str,
    error_code: str | None,
    error_message: str,
    session: Session,
    now: datetime,
) -> bool:
    return _record_error(
        notification_id, worker, error_code, error_message, retry_at=None, session=session
    )


def _record_error(
    notification_id: int,
    worker: str,
    error_code: str | None,
    error_message: str,
    *,
    retry_at: datetime | None,
    session: Session,
) -> bool:
    """Keep Twilio's answer; try again at `retry_at`, or never (failed for good)."""
    note = _claimed_by(notification_id, worker, session=session)
    if note is None:
        return False
    if retry_at is None:
        note.state = FAILED
    else:
        note.next_attempt_at = retry_at
    note.claimed_until = None
    note.error_code = error_code
    note.error_message = error_message[:500]
    session.add(note)
    return True


def mark_suppressed(notification_id: int, *, worker: str, session: Session) -> bool:
    """Not sent because the recipient said BERHENTI; kept, so the record is complete."""
    note = _claimed_by(notification_id, worker, session=session)
    if note is None:
        return False
    note.state = SUPPRESSED
    note.claimed_until = None
    session.add(note)
    return True


def record_delivery_status(
    sid: str, status: str, error_code: str | None, *, session: Session, now: datetime
) -> str:
    """Store one status callback and apply it. Returns what happened: `applied`,
    `stale` (older than what we know), `resend_with_template`, or `pending` when the
    SID is not recorded yet (the sender applies it once it is: `apply_pending_events`)."""
    event = DeliveryEvent(
        twilio_sid=sid, status=status.lower(), error_code=error_code, received_at=now
    )
    session.add(event)
    note = session.exec(
        select(Notification).where(Notification.twilio_sid == sid).with_for_update()
    ).first()
    if note is None:
        return "pending"
    event.applied = True
    return _apply_delivery(note, event.status, error_code, now=now)


def apply_pending_events(*, session: Session, now: datetime) -> int:
    """Apply callbacks that arrived before their SID was recorded (or while it was
    being committed). Applying is idempotent, so a race costs nothing."""
    rows = session.exec(
        select(DeliveryEvent, Notification)
        .join(Notification, Notification.twilio_sid == DeliveryEvent.twilio_sid)
        .where(DeliveryEvent.applied.is_(False))
        .order_by(DeliveryEvent.id)
        .with_for_update(of=Notification)
    ).all()
    for event, note in rows:
        _apply_delivery(note, event.status, event.error_code, now=now)
        event.applied = True
        session.add_all((event, note))
    return len(rows)


def _apply_delivery(
    note: Notification, status: str, error_code: str | None, *, now: datetime
) -> str:
    if error_code == OUTSIDE_WINDOW and not (note.use_template or note.template_fallback_done):
        note.state = PENDING
        note.use_template = True
        note.template_fallback_done = True
        note.twilio_sid = None
        note.delivery_status = None
        note.next_attempt_at = now
        note.error_code = OUTSIDE_WINDOW
        return "resend_with_template"
    known = DELIVERY_RANK.get(note.delivery_status or "", -1)
    if DELIVERY_RANK.get(status, -1) <= known:
        return "stale"
    note.delivery_status = status
    if status in {"failed", "undelivered"}:
        note.error_code = error_code
    return "applied"


def take_send_slot(*, interval: timedelta, session: Session, now: datetime) -> datetime:
    """Reserve the next moment a message may leave, across all workers: slots are at
    least `interval` apart. The caller commits, then waits until the returned time."""
    pace = session.exec(select(SendPace).where(SendPace.id == 1).with_for_update()).first()
    if pace is None:  # the migration seeds it; recreate it if someone emptied the table
        session.exec(
            insert_for(session, SendPace).values(id=1, next_slot=now).on_conflict_do_nothing()
        )
        pace = session.exec(select(SendPace).where(SendPace.id == 1).with_for_update()).one()
    if pace.next_slot > now + PACE_CLOCK_SKEW:
        pace.next_slot = now  # the clock went back (or a test moved it): don't wait for ever
    slot = max(pace.next_slot, now)
    pace.next_slot = slot + interval
    session.add(pace)
    session.flush()
    return slot


def notifications(
    *, session: Session, contact_id: int | None = None, after_id: int = 0
) -> list[NotificationInfo]:
    query = select(Notification).where(Notification.id > after_id).order_by(Notification.id)
    if contact_id is not None:
        query = query.where(Notification.contact_id == contact_id)
    return [_info(note) for note in session.exec(query).all()]


def count_by_state(*, session: Session) -> dict[str, int]:
    rows = session.exec(select(Notification.state, func.count()).group_by(Notification.state)).all()
    return dict(rows)


def _info(note: Notification) -> NotificationInfo:
    return NotificationInfo(
        id=note.id,
        contact_id=note.contact_id,
        report_id=note.report_id,
        kind=note.kind,
        payload=dict(note.payload),
        state=note.state,
        attempts=note.attempts,
        twilio_sid=note.twilio_sid,
        delivery_status=note.delivery_status,
        error_code=note.error_code,
        error_message=note.error_message,
        claimed_by=note.claimed_by,
        use_template=note.use_template,
        transport=note.transport,
        created_at=note.created_at,
        sent_at=note.sent_at,
    )


@dataclass(frozen=True)
class Delivered:
    id: int
    kind: str
    payload: dict
    language: str


def sent_to(sender_key: str, *, after_id: int, session: Session) -> list[Delivered]:
    """Notifications already sent to this sender, oldest first (the chat client shows
    what the console transport "sent" to its phone)."""
    rows = session.exec(
        select(Notification, Contact.language)
        .join(Contact, Contact.id == Notification.contact_id)
        .where(
            Contact.sender_key == sender_key, Notification.state == SENT, Notification.id > after_id
        )
        .order_by(Notification.id)
    ).all()
    return [Delivered(note.id, note.kind, dict(note.payload), language) for note, language in rows]
