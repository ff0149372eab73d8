"""Reports: creation with a fresh number, lookup, listing, and stage moves with history."""

import statistics
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, text, update
from sqlmodel import Session, select

from store import contacts, numbers, office_members, offices, outbox, stages, validations
from store.categories import CATEGORIES
from store.clock import to_wib
from store.db import insert_for
from store.media import StoredPhoto
from store.models import NumberCounter, Office, Report, ReportMedia, StageChange
from store.offices import OfficeKind, Scope
from store.outbox import STAGE_CHANGED
from store.photos import EXTERNAL, PENDING
from store.places import Kelurahan
from store.sql import AnySession, orm, sql, utc
from store.stages import Move, Role, Stage

REPORT_PHOTO, RESULT_PHOTO = "report", "result"  # the problem, and the work that fixed it


@dataclass(frozen=True)
class Photo:
    url: str | None  # where a citizen's or channel's photo came from; None for a result's
    content_type: str | None = None
    added_later: bool = False  # sent after filing, so never published
    id: int | None = None
    kind: str = REPORT_PHOTO
    stored_key: str | None = None  # in the media store, once there
    stage_change_id: int | None = None  # a result's: the move to tindak_lanjut it came with
    copy_state: str | None = None  # see ReportMedia.copy_state
    at_twilio: bool = False  # received by WhatsApp: the worker copies it from Twilio
    # A result's: where it was taken (latitude, longitude), when the officer said
    place: tuple[float, float] | None = None


@dataclass(frozen=True)
class NewReport:
    category: str
    description: str
    kelurahan: Kelurahan
    location_text: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    photos: tuple[Photo, ...] = ()
    channel: str = "whatsapp"
    channel_office_id: int | None = None  # a channel office filing through the API
    created_by: Role = Role.CITIZEN
    reporter_contact_id: int | None = None
    reporter_name: str | None = None
    reporter_phone: str | None = None
    notify_reporter: bool = False  # from other channels: tell the reporter its number by WhatsApp
    # The reporter was told that the description, place and first photo become public (our
    # WhatsApp summary says so), or their channel says they agreed.
    public_consent: bool = False


@dataclass(frozen=True)
class HistoryEntry:
    from_stage: Stage | None
    to_stage: Stage
    actor_role: str
    note: str | None
    at: datetime


@dataclass(frozen=True)
class Returned:
    """A report back in proses after its follow-up was sent back ("facilitator") or after
    its citizen reopened it ("citizen"), and why."""

    at: datetime
    by: str
    reason: str | None


# A return to proses comes from one of these stages; who it stands for.
RETURNED_BY = {Stage.TINDAK_LANJUT: "facilitator", Stage.SELESAI: "citizen"}


@dataclass(frozen=True)
class ReportView:
    """Everything about one report. Whoever shows it decides what the viewer may see."""

    id: int
    number: str
    category: str
    description: str
    public_description: str | None
    kelurahan_id: int
    kelurahan: str
    kecamatan: str
    kota: str
    location_text: str | None
    latitude: float | None
    longitude: float | None
    channel: str
    stage: Stage
    stage_changed_at: datetime
    created_at: datetime
    reporter_contact_id: int | None
    reporter_name: str | None
    reporter_phone: str | None
    photos: tuple[Photo, ...] = ()
    history: tuple[HistoryEntry, ...] = ()
    returned: Returned | None = None  # while in proses after a return
    skpd_office_id: int | None = None  # the SKPD its last disposisi named
    skpd: str | None = None  # that SKPD's name

    @property
    def report_photos(self) -> tuple[Photo, ...]:
        """The problem as the citizen or channel showed it ("before")."""
        return tuple(photo for photo in self.photos if photo.kind == REPORT_PHOTO)

    @property
    def result_photos(self) -> tuple[Photo, ...]:
        """The finished work, as its last move to tindak_lanjut showed it ("after"): an
        earlier follow-up's photos were of work sent back."""
        results = [photo for photo in self.photos if photo.kind == RESULT_PHOTO]
        latest = max((photo.stage_change_id or 0 for photo in results), default=None)
        return tuple(photo for photo in results if photo.stage_change_id == latest)


@dataclass(frozen=True)
class PublicStage:
    stage: Stage
    at: datetime


@dataclass(frozen=True)
class PublicReport:
    """What anyone who knows the number may see: stages and dates, nothing personal."""

    number: str
    stage: Stage
    stage_changed_at: datetime
    created_at: datetime
    history: tuple[PublicStage, ...]


def public_view(report: ReportView) -> PublicReport:
    return PublicReport(
        number=report.number,
        stage=report.stage,
        stage_changed_at=report.stage_changed_at,
        created_at=report.created_at,
        history=tuple(PublicStage(entry.to_stage, entry.at) for entry in report.history),
    )


class UnknownReport(LookupError):
    """No report of that number, or none the mover's office may see (the same answer,
    so that numbers cannot be probed)."""


class SkpdRequired(stages.MoveRefused):
    """A disposisi must name its SKPD, and none handles the category in the kota."""

    code = "skpd_required"


class UnknownSkpd(stages.MoveRefused):
    code = "unknown_skpd"


def _next_sequence(year: int, *, session: Session) -> int:
    """Atomically take the next number of `year`: the row update holds a write lock
    until commit, so concurrent transactions on any database queue behind it."""
    bump = (
        update(NumberCounter)
        .where(NumberCounter.year == year)
        .values(last=NumberCounter.last + 1)
        .returning(NumberCounter.last)
    )
    taken = session.exec(bump).scalar()
    if taken is None:
        _insert_counter_if_missing(year, session=session)
        taken = session.exec(bump).scalar()
    return taken


def _insert_counter_if_missing(year: int, *, session: Session) -> None:
    statement = insert_for(session, NumberCounter).values(year=year, last=0)
    session.exec(statement.on_conflict_do_nothing())


def create_report(
    new: NewReport, *, session: AnySession, now: datetime, queued_at: datetime | None = None
) -> ReportView:
    """A new report, created at `now`; the reporter's notification is queued at
    `queued_at` (default `now`): later for a message kept during an outage, which counts
    when it reached us but is answered at the replay (handlers/once.py)."""
    session = orm(session)
    if new.category not in CATEGORIES:
        raise ValueError(f"unknown category {new.category!r}")
    year = to_wib(now).year
    number = numbers.format_number(year, _next_sequence(year, session=session))
    reporter_contact_id = new.reporter_contact_id
    if reporter_contact_id is None and new.reporter_phone and new.notify_reporter:
        reporter_contact_id = contacts.contact_for_phone(
            new.reporter_phone, new.reporter_name, session=session, now=now
        ).id
    report = Report(
        number=number,
        number_digits=numbers.canonical_digits(number),
        channel=new.channel,
        channel_office_id=new.channel_office_id,
        category=new.category,
        description=new.description,
        public_description=new.description if new.public_consent else None,
        location_text=new.location_text,
        latitude=new.latitude,
        longitude=new.longitude,
        kelurahan_id=new.kelurahan.id,
        kelurahan=new.kelurahan.name,
        kecamatan=new.kelurahan.kecamatan,
        kota=new.kelurahan.kota,
        reporter_contact_id=reporter_contact_id,
        reporter_name=new.reporter_name,
        reporter_phone=new.reporter_phone,
        stage=stages.INITIAL_STAGE,
        stage_changed_at=now,
        created_at=now,
    )
    session.add(report)
    session.flush()
    session.add_all(_report_photo(report.id, photo, now=now) for photo in new.photos)
    session.add(
        StageChange(
            report_id=report.id,
            seq=0,
            from_stage=None,
            to_stage=stages.INITIAL_STAGE,
            actor_role=new.created_by,
            actor_id=new.channel,
            at=now,
        )
    )
    session.flush()
    office_members.tell_new_report(report, session=session, now=max(now, queued_at or now))
    if new.notify_reporter and reporter_contact_id is not None:
        _notify_reporter(
            report, from_stage=None, note=None, session=session, now=now, queued_at=queued_at
        )
    return _view(report, session=session)


def _notify_reporter(
    report: Report,
    *,
    from_stage: Stage | None,
    note: str | None,
    session: Session,
    now: datetime,
    skpd: str | None = None,
    queued_at: datetime | None = None,
) -> None:
    """The reporter's notification of the report's new stage (with a disposisi, the
    SKPD's name), in this same transaction: it tells of the change at `now`, and is
    queued at `queued_at` (default `now`), to be sent from then."""
    payload = {
        "number": report.number,
        "stage": report.stage,
        "from_stage": from_stage,
        "note": note,
        "at": now.isoformat(),
    }
    if skpd is not None:
        payload["skpd"] = skpd
    outbox.enqueue(
        report.reporter_contact_id,
        STAGE_CHANGED,
        payload,
        report_id=report.id,
        session=session,
        now=max(now, queued_at or now),
    )
    if report.stage == Stage.SELESAI:
        contacts.await_rating(report.reporter_contact_id, report.id, session=session)


# The columns of `report` that a ReportView carries, under the same names.
_VIEW_COLUMNS = (
    "id",
    "number",
    "category",
    "description",
    "public_description",
    "kelurahan_id",
    "kelurahan",
    "kecamatan",
    "kota",
    "location_text",
    "latitude",
    "longitude",
    "channel",
    "stage",
    "stage_changed_at",
    "created_at",
    "reporter_contact_id",
    "reporter_name",
    "reporter_phone",
    "returned_at",
    "returned_by",
    "return_reason",
    "skpd_office_id",
)
_RETURN_COLUMNS = ("returned_at", "returned_by", "return_reason")
_SELECT_VIEW = (
    f"SELECT {', '.join(f'report.{column}' for column in _VIEW_COLUMNS)},"
    " (SELECT office.name FROM office WHERE office.id = report.skpd_office_id) FROM report"
)
_CITYWIDE = Scope.citywide()


def find_report(digits: str, *, session: AnySession, scope: Scope = _CITYWIDE) -> ReportView | None:
    """A report by its number's digits, with history and photos (every STATUS asks);
    None also when it lies outside `scope`."""
    condition, values = scope.condition()
    found = sql(session).row(
        f"{_SELECT_VIEW} WHERE number_digits = :digits AND {condition}", digits=digits, **values
    )
    return None if found is None else _view_of_row(found, session=session)


def reports_of_contact(contact_id: int, *, session: AnySession, limit: int) -> list[ReportView]:
    """The contact's reports, newest first (without history)."""
    rows = sql(session).rows(
        f"{_SELECT_VIEW} WHERE reporter_contact_id = :contact_id"
        " ORDER BY created_at DESC, id DESC LIMIT :limit",
        contact_id=contact_id,
        limit=limit,
    )
    return [_view_of_row(row, session=session, with_history=False) for row in rows]


def newest_report_of_contact(contact_id: int, *, session: AnySession) -> ReportView | None:
    """The contact's newest report, with history and photos."""
    found = sql(session).row(
        f"{_SELECT_VIEW} WHERE reporter_contact_id = :contact_id"
        " ORDER BY created_at DESC, id DESC LIMIT 1",
        contact_id=contact_id,
    )
    return None if found is None else _view_of_row(found, session=session)


def median_days_to_close(category: str, *, since: datetime, session: AnySession) -> float | None:
    """How many days reports of `category` took from filing to their first selesai, the
    middle one of those closed since `since`; None when none was."""
    rows = sql(session).rows(
        "SELECT report.created_at, min(stage_change.at) FROM report"
        " JOIN stage_change ON stage_change.report_id = report.id"
        " AND stage_change.to_stage = 'selesai'"
        " WHERE report.category = :category GROUP BY report.id, report.created_at"
        " HAVING min(stage_change.at) >= :since",
        category=category,
        since=since,
    )
    days = [(utc(closed) - utc(created)).total_seconds() / 86400 for created, closed in rows]
    return statistics.median(days) if days else None


def add_photos(report_id: int, photos: list[Photo], *, session: AnySession, now: datetime) -> None:
    """Photos the reporter sends after filing, kept after the first ones (for the
    officers: the public sees only what was filed)."""
    session = orm(session)
    session.add_all(_report_photo(report_id, photo, now=now, added_later=True) for photo in photos)
    session.flush()


def _report_photo(
    report_id: int, photo: Photo, *, now: datetime, added_later: bool = False
) -> ReportMedia:
    """A citizen's photo, which the worker copies from Twilio into the media store, or
    a channel's own link, kept as a link."""
    return ReportMedia(
        report_id=report_id,
        url=photo.url,
        content_type=photo.content_type,
        added_later=added_later,
        copy_state=PENDING if photo.at_twilio else EXTERNAL,
        next_copy_at=now if photo.at_twilio else None,
    )


def number_and_stage(report_id: int, *, session: AnySession) -> tuple[str, Stage]:
    number, stage = sql(session).row(
        "SELECT number, stage FROM report WHERE id = :id", id=report_id
    )
    return number, Stage(stage)


def add_to_description(report_id: int, addition: str, *, longest: int, session: AnySession) -> bool:
    """What the reporter adds after filing, after a blank line; unless the description
    would grow past `longest` characters. Appended and checked in the database, so that
    two additions arriving at once both stay, within the limit."""
    addition = f"\n\n{addition}"
    return bool(
        sql(session).execute(
            "UPDATE report SET description = description || :addition"
            " WHERE id = :report_id AND length(description) + :length <= :longest",
            addition=addition,
            length=len(addition),
            longest=longest,
            report_id=report_id,
        )
    )


@dataclass(frozen=True)
class ReportFilter:
    stage: Stage | None = None
    kelurahan_id: int | None = None
    category: str | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None
    returned: bool = False  # only reports back in proses after a return


@dataclass(frozen=True)
class Cursor:
    """Where a page ended: in the returned reports (keyed by their return) or in the
    others (keyed by their creation), at which moment and id."""

    returned: bool
    moment: datetime
    id: int


@dataclass(frozen=True)
class Page:
    items: list[ReportView]
    next_cursor: Cursor | None


def list_reports(
    where: ReportFilter,
    *,
    limit: int,
    after: Cursor | None,
    session: Session,
    scope: Scope = _CITYWIDE,
) -> Page:
    """Reports of `scope`, `limit` at a time: first those back in proses after a return,
    newest return first (with `where.returned`, only these), then the others newest first. Keyset
    pagination on each part, stable while reports arrive: `after` is where the previous
    page ended."""
    rows: list[Report] = []
    if after is None or after.returned:
        rows = _list_part(
            where, returned=True, limit=limit + 1, after=after, session=session, scope=scope
        )
    if not where.returned and len(rows) <= limit:
        in_others = after if after is not None and not after.returned else None
        rows += _list_part(
            where,
            returned=False,
            limit=limit + 1 - len(rows),
            after=in_others,
            session=session,
            scope=scope,
        )
    page, more = rows[:limit], len(rows) > limit
    return Page(
        items=[_view(report, session=session, with_history=False) for report in page],
        next_cursor=_cursor_after(page[-1]) if more else None,
    )


def _back_in_proses():
    return (Report.stage == Stage.PROSES) & Report.returned_at.is_not(None)


def _cursor_after(report: Report) -> Cursor:
    if report.stage == Stage.PROSES and report.returned_at is not None:
        return Cursor(True, report.returned_at, report.id)
    return Cursor(False, report.created_at, report.id)


def _list_part(
    where: ReportFilter,
    *,
    returned: bool,
    limit: int,
    after: Cursor | None,
    session: Session,
    scope: Scope,
) -> list[Report]:
    """The returned reports of `scope` by their return, or the others by their creation."""
    key = Report.returned_at if returned else Report.created_at
    query = (
        select(Report)
        .where(_back_in_proses() if returned else ~_back_in_proses())
        .where(_in_scope(scope))
        .order_by(key.desc(), Report.id.desc())
    )
    if where.stage is not None:
        query = query.where(Report.stage == where.stage)
    if where.kelurahan_id is not None:
        query = query.where(Report.kelurahan_id == where.kelurahan_id)
    if where.category is not None:
        query = query.where(Report.category == where.category)
    if where.created_after is not None:
        query = query.where(Report.created_at >= where.created_after)
    if where.created_before is not None:
        query = query.where(Report.created_at < where.created_before)
    if after is not None:
        query = query.where((key < after.moment) | ((key == after.moment) & (Report.id < after.id)))
    return list(session.exec(query.limit(limit)).all())


def _in_scope(scope: Scope):
    condition, values = scope.condition()
    return text(condition).bindparams(**values)


def search_reports(
    *,
    numbers_digits: list[str] | None = None,
    categories: list[str] | None = None,
    stages: list[Stage] | None = None,
    created_after: datetime | None = None,
    created_before: datetime | None = None,
    limit: int,
    session: Session,
) -> list[ReportView]:
    """Reports with their history, newest first (for the Open311 door): by numbers, or by
    categories, stages and creation window."""
    query = select(Report).order_by(Report.created_at.desc(), Report.id.desc()).limit(limit)
    if numbers_digits is not None:
        query = query.where(Report.number_digits.in_(numbers_digits))
    else:
        if categories:
            query = query.where(Report.category.in_(categories))
        if stages:
            query = query.where(Report.stage.in_(stages))
        if created_after is not None:
            query = query.where(Report.created_at >= created_after)
        if created_before is not None:
            query = query.where(Report.created_at <= created_before)
    return _views_with_history(session.exec(query).all(), session=session)


@dataclass(frozen=True)
class StageUpdate:
    id: int
    number: str
    to_stage: Stage
    actor_role: str
    note: str | None
    at: datetime


def stage_updates(
    *, after: datetime, before: datetime, limit: int, session: Session
) -> list[StageUpdate]:
    """Every stage change in the window, oldest first: one update each for clients that
    follow reports (FixMyStreet's servicerequestupdates)."""
    rows = session.exec(
        select(StageChange, Report.number)
        .join(Report, Report.id == StageChange.report_id)
        .where(StageChange.at >= after, StageChange.at <= before)
        .order_by(StageChange.at, StageChange.id)
        .limit(limit)
    ).all()
    return [
        StageUpdate(
            change.id, number, Stage(change.to_stage), change.actor_role, change.note, change.at
        )
        for change, number in rows
    ]


def count_reports_of_contact(contact_id: int, *, session: AnySession) -> int:
    return sql(session).value(
        "SELECT count(*) FROM report WHERE reporter_contact_id = :contact_id",
        contact_id=contact_id,
    )


def recent_report_categories(
    contact_id: int, *, closed_since: datetime, session: AnySession
) -> frozenset[str]:
    """The categories of the contact's reports on their way, or closed (selesai, ditolak)
    since `closed_since`: what a message of theirs is likeliest to be about."""
    closed = {f"closed_{index}": stage.value for index, stage in enumerate(stages.CLOSED_STAGES)}
    rows = sql(session).rows(
        "SELECT DISTINCT category FROM report WHERE reporter_contact_id = :contact_id AND"
        f" (stage NOT IN ({', '.join(f':{name}' for name in closed)})"
        " OR stage_changed_at >= :closed_since)",
        contact_id=contact_id,
        closed_since=closed_since,
        **closed,
    )
    return frozenset(category for (category,) in rows)


def count_reports_of_contact_since(contact_id: int, since: datetime, *, session: AnySession) -> int:
    return sql(session).value(
        "SELECT count(*) FROM report WHERE reporter_contact_id = :contact_id"
        " AND created_at >= :since",
        contact_id=contact_id,
        since=since,
    )


def count_reports(*, session: Session) -> int:
    return session.exec(select(func.count()).select_from(Report)).one()


def move_report(
    number: str,
    to_stage: Stage,
    *,
    role: Role,
    actor_id: str | None,
    note: str | None,
    session: AnySession,
    now: datetime,
    scope: Scope = _CITYWIDE,
    skpd: str | int | None = None,
    result_photos: tuple[StoredPhoto | Photo, ...] = (),
    result_place: tuple[float, float] | None = None,
    queued_at: datetime | None = None,
) -> ReportView:
    """Apply one move of the state machine and append it to the history, at `now`, or
    at the report's last change if that is later: a message kept during an outage counts
    when it reached us (handlers/once.py), but a move made meanwhile (by the API, say)
    stays before it, and nothing is recorded before the report existed. The reporter's
    notification is queued at `queued_at` (default: the move's time). A move to
    disposisi names its SKPD: `skpd` (name or id), else the one for the report's
    category and kota. A move to tindak_lanjut carries `result_photos`, already in the
    media store, or (a `Photo` at Twilio, sent by WhatsApp) for the worker to copy: the
    finished work, which the facilitator validates from, and where they were taken
    (`result_place`, latitude and longitude) if the officer said. The office members it
    concerns are told: an SKPD of its disposisi, the handling office of a return to proses.

    Raises `UnknownReport` (also for a report outside `scope`), or `stages.MoveRefused`
    (and changes nothing).
    """
    session = orm(session)
    report = session.exec(
        select(Report)
        .where(Report.number_digits == numbers.canonical_digits(number), _in_scope(scope))
        .with_for_update()
    ).first()
    if report is None:
        raise UnknownReport(number)
    now = max(now, report.stage_changed_at)
    from_stage = Stage(report.stage)
    stages.check_move(
        Move(
            from_stage,
            to_stage,
            role,
            note,
            disposed=report.skpd_office_id is not None,
            photos=len(result_photos),
        )
    )
    if result_photos and to_stage is not Stage.TINDAK_LANJUT:
        raise ValueError("photos of the finished work go only with a move to tindak_lanjut")
    disposed_to = None
    if to_stage is Stage.DISPOSISI:
        disposed_to = _skpd_of_disposisi(report, skpd, session=session)
        report.skpd_office_id = disposed_to.id
    if role is Role.CITIZEN and now - report.stage_changed_at > stages.REOPEN_WINDOW:
        raise stages.RoleNotAllowed(
            "a citizen may reopen a report only within 7 days of its closing",
            allowed=stages.ALLOWED_MOVES[from_stage],
        )
    last_seq = session.exec(
        select(func.max(StageChange.seq)).where(StageChange.report_id == report.id)
    ).one()
    change = StageChange(
        report_id=report.id,
        seq=(last_seq or 0) + 1,
        from_stage=from_stage,
        to_stage=to_stage,
        actor_role=role,
        actor_id=actor_id,
        actor_office_id=scope.office_id,
        skpd_office_id=disposed_to.id if disposed_to else None,
        note=(note or "").strip() or None,
        at=now,
    )
    session.add(change)
    if result_photos:
        session.flush()  # the change's id, which the photos name
        session.add_all(
            _result_photo(report.id, change.id, photo, result_place, now=now)
            for photo in result_photos
        )
    report.stage = to_stage
    report.stage_changed_at = now
    _mark_return(report, from_stage, to_stage, note, now=now)
    session.add(report)
    session.flush()
    _keep_validation_clock(report.id, from_stage, to_stage, session=session, now=now)
    _tell_office_members(
        report, from_stage, to_stage, note, session=session, now=max(now, queued_at or now)
    )
    if report.reporter_contact_id is not None and role is not Role.CITIZEN:
        # (the reporter's own move, a reopening, is answered by the reply to their BUKA)
        _notify_reporter(
            report,
            from_stage=from_stage,
            note=(note or "").strip() or None,
            skpd=disposed_to.name if disposed_to else None,
            session=session,
            now=now,
            queued_at=queued_at,
        )
    return _view(report, session=session)


def _result_photo(
    report_id: int,
    stage_change_id: int,
    photo: StoredPhoto | Photo,
    place: tuple[float, float] | None,
    *,
    now: datetime,
) -> ReportMedia:
    """A photo of the finished work: in the media store already (the API's, `crm
    move`'s), or at Twilio (an office member's SELESAI), copied by the worker as a
    citizen's photo is; where it was taken if the officer said."""
    latitude, longitude = place or (None, None)
    if isinstance(photo, Photo):
        kept = {"url": photo.url, "copy_state": PENDING, "next_copy_at": now}
    else:
        kept = {"stored_key": photo.key}
    return ReportMedia(
        report_id=report_id,
        kind=RESULT_PHOTO,
        stage_change_id=stage_change_id,
        content_type=photo.content_type,
        latitude=latitude,
        longitude=longitude,
        **kept,
    )


def _tell_office_members(
    report: Report,
    from_stage: Stage,
    to_stage: Stage,
    note: str | None,
    *,
    session: Session,
    now: datetime,
) -> None:
    if to_stage is Stage.DISPOSISI:
        office_members.tell_disposed(report, (note or "").strip() or None, session=session, now=now)
    elif to_stage is Stage.PROSES and from_stage in RETURNED_BY:
        office_members.tell_returned(report, session=session, now=now)


def _skpd_of_disposisi(
    report: Report, skpd: str | int | None, *, session: Session
) -> offices.OfficeInfo:
    allowed = stages.ALLOWED_MOVES[Stage(report.stage)]
    if skpd is not None and str(skpd).strip():
        try:
            return offices.find_office(skpd, OfficeKind.SKPD, session=session)
        except offices.OfficeProblem as problem:
            raise UnknownSkpd(str(problem), allowed=allowed) from None
    proposed = offices.proposed_skpd(report.category, report.kota, session=session)
    if proposed is None:
        raise SkpdRequired(
            f"no SKPD handles {report.category} in {report.kota}: name one in skpd",
            allowed=allowed,
        )
    return proposed


def officer_move(
    number: str,
    to_stage: Stage,
    *,
    role: Role,
    actor_id: str | None,
    note: str | None,
    session: AnySession,
    now: datetime,
    scope: Scope = _CITYWIDE,
    skpd: str | int | None = None,
    result_photos: tuple[StoredPhoto, ...] = (),
    result_place: tuple[float, float] | None = None,
    queued_at: datetime | None = None,
) -> ReportView:
    """A move an officer asks for (a facilitator's VALIDASI, the API, `crm move`):
    `move_report`, except that a validated follow-up closes its report, whoever
    validates: the system's move to selesai follows in the same transaction
    (DESIGN.md), the reporter is told both, and may then rate or reopen it."""
    view = move_report(
        number,
        to_stage,
        role=role,
        actor_id=actor_id,
        note=note,
        session=session,
        now=now,
        scope=scope,
        skpd=skpd,
        result_photos=result_photos,
        result_place=result_place,
        queued_at=queued_at,
    )
    if to_stage is not Stage.VALIDASI:
        return view
    return move_report(
        number,
        Stage.SELESAI,
        role=Role.SYSTEM,
        actor_id=actor_id,
        note=None,
        session=session,
        now=now,
        queued_at=queued_at,
    )


def _mark_return(
    report: Report, from_stage: Stage, to_stage: Stage, note: str | None, *, now: datetime
) -> None:
    """A report back in proses after its follow-up or its closing: its follow-up rules
    count again from now (store/breaches.py) and officers see it as returned, and why."""
    if to_stage is Stage.PROSES and from_stage in RETURNED_BY:
        report.returned_at = now
        report.returned_by = RETURNED_BY[from_stage]
        report.return_reason = (note or "").strip() or None


def _keep_validation_clock(
    report_id: int, from_stage: Stage, to_stage: Stage, *, session: Session, now: datetime
) -> None:
    """Entering tindak_lanjut starts the 3×24-hour clock; leaving it stops it."""
    if from_stage is Stage.TINDAK_LANJUT:
        outcome = validations.VALIDATED if to_stage is Stage.VALIDASI else validations.RETURNED
        validations.close_validation(report_id, outcome, session=session, now=now)
    if to_stage is Stage.TINDAK_LANJUT:
        validations.open_validation(report_id, session=session, now=now)


def _view(report: Report, *, session: AnySession, with_history: bool = True) -> ReportView:
    values = {column: getattr(report, column) for column in _VIEW_COLUMNS}
    values["skpd"] = None
    if report.skpd_office_id is not None:
        values["skpd"] = orm(session).get(Office, report.skpd_office_id).name
    return _view_of(values, session=session, with_history=with_history)


def _view_of_row(row: tuple, *, session: AnySession, with_history: bool = True) -> ReportView:
    values = dict(zip((*_VIEW_COLUMNS, "skpd"), row, strict=True))
    return _view_of(values, session=session, with_history=with_history)


def _view_of(
    values: dict[str, Any], *, session: AnySession, with_history: bool = True
) -> ReportView:
    """A ReportView from the report's `_VIEW_COLUMNS`, with its history and photos."""
    if not with_history:
        return _typed_view(values, history=(), photos=())
    histories, photos = _histories_and_photos([values["id"]], session=session)
    return _typed_view(
        values, history=histories.get(values["id"], ()), photos=photos.get(values["id"], ())
    )


def _views_with_history(found: list[Report], *, session: AnySession) -> list[ReportView]:
    """Many reports with their histories and photos, in two queries rather than two per
    report (an Open311 page holds up to 1,000)."""
    histories, photos = _histories_and_photos([report.id for report in found], session=session)
    names = _office_names({report.skpd_office_id for report in found}, session=session)
    return [
        _typed_view(
            {column: getattr(report, column) for column in _VIEW_COLUMNS}
            | {"skpd": names.get(report.skpd_office_id)},
            history=histories.get(report.id, ()),
            photos=photos.get(report.id, ()),
        )
        for report in found
    ]


def _office_names(office_ids: set[int | None], *, session: AnySession) -> dict[int, str]:
    wanted = [office_id for office_id in office_ids if office_id is not None]
    if not wanted:
        return {}
    rows = orm(session).exec(select(Office.id, Office.name).where(Office.id.in_(wanted))).all()
    return dict(rows)


def _histories_and_photos(
    report_ids: list[int], *, session: AnySession
) -> tuple[dict[int, tuple[HistoryEntry, ...]], dict[int, tuple[Photo, ...]]]:
    histories: dict[int, list[HistoryEntry]] = {}
    photos: dict[int, list[Photo]] = {}
    if not report_ids:
        return {}, {}
    q = sql(session)
    ids = {f"id_{index}": report_id for index, report_id in enumerate(report_ids)}
    among = f"report_id IN ({', '.join(f':{name}' for name in ids)})"
    for report_id, from_stage, to_stage, actor_role, note, at in q.rows(
        "SELECT report_id, from_stage, to_stage, actor_role, note, at FROM stage_change"
        f" WHERE {among} ORDER BY report_id, seq",
        **ids,
    ):
        histories.setdefault(report_id, []).append(
            HistoryEntry(
                from_stage=Stage(from_stage) if from_stage else None,
                to_stage=Stage(to_stage),
                actor_role=actor_role,
                note=note,
                at=utc(at),
            )
        )
    for (
        report_id,
        media_id,
        kind,
        url,
        content_type,
        added_later,
        stored_key,
        stage_change_id,
        copy_state,
        latitude,
        longitude,
    ) in q.rows(
        "SELECT report_id, id, kind, url, content_type, added_later, stored_key,"
        " stage_change_id, copy_state, latitude, longitude"
        f" FROM report_media WHERE {among}"
        " ORDER BY report_id, id",
        **ids,
    ):
        photos.setdefault(report_id, []).append(
            Photo(
                url=url,
                content_type=content_type,
                added_later=bool(added_later),
                id=media_id,
                kind=kind,
                stored_key=stored_key,
                stage_change_id=stage_change_id,
                copy_state=copy_state,
                place=None if latitude is None else (latitude, longitude),
            )
        )
    return (
        {report_id: tuple(entries) for report_id, entries in histories.items()},
        {report_id: tuple(items) for report_id, items in photos.items()},
    )


def _typed_view(
    values: dict[str, Any], *, history: tuple[HistoryEntry, ...], photos: tuple[Photo, ...]
) -> ReportView:
    values = dict(values)
    returned_at, by, reason = (values.pop(name) for name in _RETURN_COLUMNS)
    stage = Stage(values["stage"])
    typed = {
        "stage": stage,
        "stage_changed_at": utc(values["stage_changed_at"]),
        "created_at": utc(values["created_at"]),
        "returned": (
            Returned(utc(returned_at), by, reason)
            if returned_at is not None and stage is Stage.PROSES
            else None
        ),
    }
    return ReportView(**(values | typed), photos=photos, history=history)
