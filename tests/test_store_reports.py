"""The report store on SQLite and PostgreSQL: creation, numbers, moves with history,
refusals that change nothing, the citizen's reopen window, and "my reports"."""

from datetime import UTC, datetime, timedelta

import pytest

from conftest import proof_for
from store.contacts import touch_contact
from store.numbers import format_number, parse_number
from store.phones import sender_from
from store.places import match_kelurahan
from store.reports import (
    NewReport,
    UnknownReport,
    create_report,
    find_report,
    move_report,
    reports_of_contact,
)
from store.stages import IllegalMove, MoveRefused, ReasonRequired, Role, RoleNotAllowed, Stage

T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # Monday 09:00 WIB
GAMBIR = match_kelurahan("Gambir").chosen

HAPPY_PATH = [
    (Stage.KOORDINASI, Role.KELURAHAN, "Diterima Kelurahan Gambir"),
    (Stage.DISPOSISI, Role.KELURAHAN, "Diteruskan ke Sudin Bina Marga"),
    (Stage.PROSES, Role.SKPD, "Petugas dijadwalkan"),
    (Stage.TINDAK_LANJUT, Role.SKPD, "Lubang sudah ditambal"),
    (Stage.VALIDASI, Role.FACILITATOR, "Divalidasi oleh TA Fasilitator"),
    (Stage.SELESAI, Role.ADMIN, None),
]


def new_report(contact_id: int | None = None, description: str = "Jalan berlubang") -> NewReport:
    return NewReport(
        category="jalan_rusak",
        description=description,
        kelurahan=GAMBIR,
        location_text="Jl. Medan Merdeka Barat",
        reporter_contact_id=contact_id,
        reporter_name="Siti" if contact_id else None,
        reporter_phone="+6281234567890" if contact_id else None,
    )


def create(session, *, now=T0, **kwargs):
    report = create_report(new_report(**kwargs), session=session, now=now)
    session.commit()
    return report


def move(session, number, to_stage, role, note=None, *, now):
    report = move_report(
        number,
        to_stage,
        role=role,
        actor_id=f"{role}-1",
        note=note,
        session=session,
        now=now,
        result_photos=proof_for(to_stage),
    )
    session.commit()
    return report


def reread(session, number):
    return find_report(parse_number(number).digits, session=session)


def sequence_of(number: str) -> int:
    return int(number.split("-")[2])


def report_in(session, stage: Stage, *, now=T0):
    """A committed report walked along the happy path up to `stage`; returns its number."""
    number = create(session, now=now).number
    for to_stage, role, note in HAPPY_PATH:
        if reread(session, number).stage == stage:
            break
        move(session, number, to_stage, role, note, now=now)
    assert reread(session, number).stage == stage
    return number


def a_contact(session, raw_from="whatsapp:+6281234567890"):
    contact = touch_contact(sender_from(raw_from), "Siti", session=session, now=T0)
    session.commit()
    return contact.id


# -- creation ------------------------------------------------------------------------


def test_new_report_waits_in_menunggu_with_one_history_row(session):
    report = create(session)
    assert report.stage == Stage.MENUNGGU
    assert report.created_at == T0
    assert report.stage_changed_at == T0
    assert len(report.history) == 1
    (entry,) = report.history
    assert entry.from_stage is None
    assert entry.to_stage == Stage.MENUNGGU
    assert entry.at == T0


def test_new_report_is_found_again_with_what_was_filed(session):
    contact_id = a_contact(session)
    number = create(session, contact_id=contact_id, description="Lubang di depan SDN 01").number
    session.rollback()
    found = reread(session, number)
    assert found.number == number
    assert found.stage == Stage.MENUNGGU
    assert found.description == "Lubang di depan SDN 01"
    assert (found.kelurahan, found.kecamatan) == ("Gambir", "Gambir")
    assert found.reporter_contact_id == contact_id
    assert found.reporter_phone == "+6281234567890"
    assert [entry.to_stage for entry in found.history] == [Stage.MENUNGGU]


def test_new_report_number_has_format_and_a_valid_check_digit(session):
    number = create(session).number
    assert number == format_number(2026, 1)
    parsed = parse_number(number)
    assert parsed is not None and parsed.valid


def test_numbers_are_sequential(session):
    numbers = [create(session, now=T0 + timedelta(minutes=i)).number for i in range(5)]
    assert numbers == [format_number(2026, sequence) for sequence in range(1, 6)]
    assert all(parse_number(number).valid for number in numbers)


def test_unknown_category_is_refused(session):
    bad = NewReport(category="ufo", description="?", kelurahan=GAMBIR)
    with pytest.raises(ValueError):
        create_report(bad, session=session, now=T0)


# -- the WIB year in the number --------------------------------------------------------


def test_number_takes_the_wib_year_and_sequences_restart_each_year(session):
    new_years_eve_2330_wib = datetime(2025, 12, 31, 16, 30, tzinfo=UTC)
    new_year_0030_wib = datetime(2025, 12, 31, 17, 30, tzinfo=UTC)  # still 2025 in UTC
    first_of_2025 = create(session, now=new_years_eve_2330_wib - timedelta(hours=1)).number
    last_of_2025 = create(session, now=new_years_eve_2330_wib).number
    first_of_2026 = create(session, now=new_year_0030_wib).number
    second_of_2026 = create(session, now=new_year_0030_wib + timedelta(minutes=5)).number
    assert first_of_2025 == format_number(2025, 1)
    assert last_of_2025 == format_number(2025, 2)
    assert first_of_2026 == format_number(2026, 1)
    assert second_of_2026 == format_number(2026, 2)


def test_a_late_report_of_the_old_year_continues_that_years_sequence(session):
    create(session, now=datetime(2025, 6, 1, tzinfo=UTC))
    create(session, now=datetime(2026, 1, 2, tzinfo=UTC))
    late = create(session, now=datetime(2025, 12, 31, 16, 59, 59, tzinfo=UTC))  # 23:59:59 WIB
    assert late.number == format_number(2025, 2)


# -- moves and history ---------------------------------------------------------------


def test_happy_path_appends_one_history_row_per_move_in_order(session):
    number = create(session).number
    for hours, (to_stage, role, note) in enumerate(HAPPY_PATH, start=1):
        moved = move(session, number, to_stage, role, note, now=T0 + timedelta(hours=hours))
        assert moved.stage == to_stage
        assert moved.stage_changed_at == T0 + timedelta(hours=hours)

    history = reread(session, number).history
    assert [(entry.from_stage, entry.to_stage) for entry in history] == [
        (None, Stage.MENUNGGU),
        (Stage.MENUNGGU, Stage.KOORDINASI),
        (Stage.KOORDINASI, Stage.DISPOSISI),
        (Stage.DISPOSISI, Stage.PROSES),
        (Stage.PROSES, Stage.TINDAK_LANJUT),
        (Stage.TINDAK_LANJUT, Stage.VALIDASI),
        (Stage.VALIDASI, Stage.SELESAI),
    ]
    assert [entry.actor_role for entry in history[1:]] == [role for _, role, _ in HAPPY_PATH]
    assert [entry.note for entry in history[1:]] == [note for _, _, note in HAPPY_PATH]
    assert [entry.at for entry in history] == [T0 + timedelta(hours=h) for h in range(7)]


def test_move_accepts_the_number_as_a_citizen_would_type_it(session):
    number = create(session).number
    typed = number.lower().replace("-", " ").replace("crm ", "")
    moved = move(session, typed, Stage.KOORDINASI, Role.KELURAHAN, now=T0)
    assert moved.number == number
    assert moved.stage == Stage.KOORDINASI


def test_reason_is_kept_without_surrounding_blanks(session):
    number = create(session).number
    move(session, number, Stage.KOORDINASI, Role.KELURAHAN, now=T0)
    move(session, number, Stage.DITOLAK, Role.KELURAHAN, "  Tidak sesuai fakta  \n", now=T0)
    last = reread(session, number).history[-1]
    assert (last.to_stage, last.note) == (Stage.DITOLAK, "Tidak sesuai fakta")


def test_facilitator_returns_follow_up_to_proses_with_a_reason(session):
    number = report_in(session, Stage.TINDAK_LANJUT)
    moved = move(session, number, Stage.PROSES, Role.FACILITATOR, "Foto bukan lokasi", now=T0)
    assert moved.stage == Stage.PROSES
    assert moved.history[-1].note == "Foto bukan lokasi"


REFUSED_MOVES = [
    pytest.param(Stage.MENUNGGU, Stage.SELESAI, Role.ADMIN, None, IllegalMove, id="illegal"),
    pytest.param(Stage.MENUNGGU, Stage.MENUNGGU, Role.ADMIN, None, IllegalMove, id="to-itself"),
    pytest.param(Stage.MENUNGGU, Stage.KOORDINASI, Role.SKPD, None, RoleNotAllowed, id="skpd"),
    pytest.param(
        Stage.MENUNGGU, Stage.KOORDINASI, Role.CITIZEN, None, RoleNotAllowed, id="citizen"
    ),
    pytest.param(
        Stage.MENUNGGU, Stage.KOORDINASI, Role.CHANNEL, None, RoleNotAllowed, id="channel"
    ),
    pytest.param(Stage.KOORDINASI, Stage.DITOLAK, Role.KELURAHAN, " ", ReasonRequired, id="no-why"),
    pytest.param(
        Stage.TINDAK_LANJUT, Stage.PROSES, Role.FACILITATOR, None, ReasonRequired, id="no-return"
    ),
    pytest.param(
        Stage.TINDAK_LANJUT, Stage.VALIDASI, Role.SKPD, None, RoleNotAllowed, id="skpd-validates"
    ),
]


@pytest.mark.parametrize(("stage", "to_stage", "role", "note", "refusal"), REFUSED_MOVES)
def test_refused_move_raises_and_changes_nothing(session, stage, to_stage, role, note, refusal):
    number = report_in(session, stage)
    before = reread(session, number)

    with pytest.raises(refusal):
        move_report(
            number,
            to_stage,
            role=role,
            actor_id="x",
            note=note,
            session=session,
            now=T0 + timedelta(days=1),
        )
    session.rollback()

    after = reread(session, number)
    assert after.stage == stage
    assert after.stage_changed_at == before.stage_changed_at
    assert after.history == before.history


def test_ditolak_goes_only_back_to_koordinasi_in_the_store_too(session):
    number = create(session).number
    move(session, number, Stage.KOORDINASI, Role.KELURAHAN, now=T0)
    move(session, number, Stage.DITOLAK, Role.KELURAHAN, "Tidak sesuai fakta", now=T0)
    for to_stage in set(Stage) - {Stage.KOORDINASI}:
        with pytest.raises(IllegalMove):
            move_report(
                number, to_stage, role=Role.ADMIN, actor_id="a", note="x", session=session, now=T0
            )
        session.rollback()
    assert len(reread(session, number).history) == 3


def test_moving_an_unknown_report_raises_unknown_report(session):
    create(session)
    with pytest.raises(UnknownReport):
        move_report(
            format_number(2026, 999),
            Stage.KOORDINASI,
            role=Role.KELURAHAN,
            actor_id="k",
            note=None,
            session=session,
            now=T0,
        )
    assert find_report(parse_number(format_number(2026, 999)).digits, session=session) is None


# -- the citizen's 7-day reopen window -----------------------------------------------


def _reopen(session, number, *, now):
    return move(session, number, Stage.PROSES, Role.CITIZEN, "Masih berlubang", now=now)


@pytest.mark.parametrize(
    "after", [timedelta(minutes=1), timedelta(days=3), timedelta(days=7) - timedelta(minutes=1)]
)
def test_citizen_may_reopen_within_seven_days_of_closing(session, after):
    closed_at = T0 + timedelta(days=2)
    number = report_in(session, Stage.SELESAI, now=closed_at)
    reopened = _reopen(session, number, now=closed_at + after)
    assert reopened.stage == Stage.PROSES
    last = reopened.history[-1]
    assert (last.from_stage, last.to_stage, last.actor_role) == (
        Stage.SELESAI,
        Stage.PROSES,
        Role.CITIZEN,
    )


@pytest.mark.parametrize("after", [timedelta(days=7, minutes=1), timedelta(days=30)])
def test_citizen_may_not_reopen_after_seven_days(session, after):
    closed_at = T0 + timedelta(days=2)
    number = report_in(session, Stage.SELESAI, now=closed_at)
    with pytest.raises(RoleNotAllowed):
        _reopen(session, number, now=closed_at + after)
    session.rollback()
    after_refusal = reread(session, number)
    assert after_refusal.stage == Stage.SELESAI
    assert len(after_refusal.history) == 1 + len(HAPPY_PATH)


def test_reopen_window_counts_from_closing_not_from_creation(session):
    created_at = T0
    number = report_in(session, Stage.VALIDASI, now=created_at)
    closed_at = created_at + timedelta(days=20)
    move(session, number, Stage.SELESAI, Role.ADMIN, now=closed_at)
    assert _reopen(session, number, now=closed_at + timedelta(days=1)).stage == Stage.PROSES


def test_admin_may_reopen_after_the_citizens_window(session):
    number = report_in(session, Stage.SELESAI, now=T0)
    moved = move(session, number, Stage.PROSES, Role.ADMIN, now=T0 + timedelta(days=60))
    assert moved.stage == Stage.PROSES


def test_a_refused_reopen_is_a_move_refusal_callers_can_catch(session):
    number = report_in(session, Stage.SELESAI, now=T0)
    with pytest.raises(MoveRefused) as refused:
        _reopen(session, number, now=T0 + timedelta(days=8))
    assert refused.value.code == "role_not_allowed"
    assert Stage.PROSES in refused.value.allowed


# -- a contact's reports ---------------------------------------------------------------


def test_reports_of_contact_are_newest_first(session):
    siti = a_contact(session)
    budi = a_contact(session, "whatsapp:+6285799998888")
    older = create(session, contact_id=siti, now=T0).number
    create(session, contact_id=budi, now=T0 + timedelta(hours=1))
    newest = create(session, contact_id=siti, now=T0 + timedelta(days=2)).number
    middle = create(session, contact_id=siti, now=T0 + timedelta(days=1)).number

    mine = reports_of_contact(siti, session=session, limit=10)
    assert [report.number for report in mine] == [newest, middle, older]
    assert [report.number for report in reports_of_contact(siti, session=session, limit=2)] == [
        newest,
        middle,
    ]


def test_reports_of_contact_filed_at_the_same_moment_list_the_later_one_first(session):
    siti = a_contact(session)
    first = create(session, contact_id=siti, now=T0).number
    second = create(session, contact_id=siti, now=T0).number
    assert [r.number for r in reports_of_contact(siti, session=session, limit=5)] == [
        second,
        first,
    ]


def test_reports_of_contact_from_an_opaque_whatsapp_id(session):
    sender = sender_from("whatsapp:ID.abc")
    assert sender.phone is None
    contact = touch_contact(sender, None, session=session, now=T0)
    session.commit()
    number = create(session, contact_id=contact.id).number
    assert [r.number for r in reports_of_contact(contact.id, session=session, limit=5)] == [number]
    assert reports_of_contact(contact.id + 1000, session=session, limit=5) == []
